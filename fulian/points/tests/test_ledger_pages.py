"""The staff side of the ledger in the browser: awarding and deducting by hand (at once, or as a
claim for a second reviewer above the scheme's threshold), the second review, an entry's page
and its reversal, and the reconciliation page."""

from __future__ import annotations

import datetime
import io
import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from fulian.duties.tests import helpers as h
from fulian.grid.coverage import today
from fulian.grid.tests.helpers import page_queries
from fulian.households.tests.helpers import household
from fulian.people.models import Person
from fulian.people.tests.helpers import jpeg, person
from fulian.points.choices import ClaimStatus, EntryKind, Source
from fulian.points.models import Account, Claim, Entry
from fulian.points.services import ledger, manual
from fulian.points.tests.helpers import credit, scheme
from fulian.testing.ids import id_number
from fulian.testing.world import World

pytestmark = pytest.mark.django_db(transaction=False)

HER_ID = id_number("430223", "19700101")
POST_URL = "/points/post/"


@pytest.fixture
def her(world: World) -> Person:
    """周桂姣, a 执委 of 回龙村 (新市镇, 攸县), under 攸县's scheme (a second review above 20)."""
    scheme(world)
    return h.zhiwei(world)


def _post(client: Any, holder: str, points: int, *, deduct: bool = False, key: str = "", **extra: Any) -> Any:
    data = {
        "holder": holder,
        "direction": "deduct" if deduct else "award",
        "points": points,
        "reason": "协助调解邻里纠纷",
        "occurred_on": today().isoformat(),
        "key": key or uuid.uuid4().hex,
        **extra,
    }
    return client.post(POST_URL, data)


def _text(response: Any) -> str:
    return str(response.content.decode())


def test_the_urls_are_where_the_other_parts_link_to() -> None:
    assert reverse("points:post") == POST_URL
    assert reverse("points:claim_list") == "/points/claims/"
    assert reverse("points:claim_detail", kwargs={"pk": 3}) == "/points/claims/3/"
    assert reverse("points:entry_detail", kwargs={"pk": 3}) == "/points/entries/3/"
    assert reverse("points:reconcile") == "/points/reconcile/"


def test_an_award_under_the_threshold_is_posted_at_once_by_staff(world: World, her: Person) -> None:
    client = world.client_for("xinshi_staff")
    page = client.get(POST_URL, {"holder": f"p{her.pk}"})
    assert page.status_code == 200
    assert "20" in _text(page)  # the threshold is said on the page
    assert f'type="date" value="{today().isoformat()}"' in _text(page) or (
        f'value="{today().isoformat()}"' in _text(page)
    )  # a date input takes only ISO dates: the day is filled in
    response = _post(client, f"p{her.pk}", 5)
    entry = Entry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("points:entry_detail", kwargs={"pk": entry.pk})
    assert (entry.amount, entry.source, entry.created_by, entry.kind) == (
        5,
        Source.MANUAL,
        world.user("xinshi_staff"),
        EntryKind.EARN,
    )
    assert Account.objects.get(person=her).balance == 5
    assert not Claim.objects.exists()
    detail = _text(client.get(response["Location"]))
    assert "协助调解邻里纠纷" in detail
    assert 'data-provenance="staff"' in detail


def test_a_deduction_takes_points_and_never_more_than_the_balance(world: World, her: Person) -> None:
    credit(ledger.account_for(person=her), 8, "t1")
    client = world.client_for("xinshi_staff")
    assert _post(client, f"p{her.pk}", 3, deduct=True).status_code == 302
    refused = _post(client, f"p{her.pk}", 9, deduct=True)
    assert refused.status_code == 400
    assert "5" in _text(refused)
    account = Account.objects.get(person=her)
    assert account.balance == 5
    assert list(Entry.objects.values_list("amount", flat=True).order_by("id")) == [8, -3]


def test_an_award_over_the_threshold_waits_for_somebody_else_to_confirm(world: World, her: Person) -> None:
    staff = world.client_for("xinshi_staff")
    response = _post(staff, f"p{her.pk}", 30)
    claim = Claim.objects.get()
    assert response["Location"] == reverse("points:claim_detail", kwargs={"pk": claim.pk})
    assert claim.status == ClaimStatus.PENDING
    assert not Entry.objects.exists()
    # She who asked is told so, and cannot confirm.
    page = staff.get(response["Location"])
    assert 'data-testid="claim-asked"' in _text(page)
    mine = staff.post(reverse("points:claim_confirm", kwargs={"pk": claim.pk}))
    assert mine.status_code == 400
    assert "somebody else" in _text(mine) or "其他人" in _text(mine) or "另一" in _text(mine)
    assert not Entry.objects.exists()
    # The second reviewer sees it in the list, and confirms.
    admin = world.client_for("youxian_admin")
    assert f'href="{reverse("points:claim_detail", kwargs={"pk": claim.pk})}"' in _text(
        admin.get(reverse("points:claim_list"))
    )
    confirmed = admin.post(reverse("points:claim_confirm", kwargs={"pk": claim.pk}))
    entry = Entry.objects.get()
    assert confirmed["Location"] == reverse("points:entry_detail", kwargs={"pk": entry.pk})
    assert (entry.amount, entry.created_by, entry.confirmed_by, entry.claim) == (
        30,
        world.user("xinshi_staff"),
        world.user("youxian_admin"),
        claim,
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.POSTED
    assert Account.objects.get(person=her).balance == 30
    # Decided: not in the waiting list, nor confirmed twice.
    assert f"/points/claims/{claim.pk}/" not in _text(admin.get(reverse("points:claim_list")))
    assert admin.post(reverse("points:claim_confirm", kwargs={"pk": claim.pk})).status_code == 400
    assert Entry.objects.count() == 1


def test_a_refused_claim_posts_nothing_and_keeps_its_reason(world: World, her: Person) -> None:
    _post(world.client_for("xinshi_staff"), f"p{her.pk}", 40)
    claim = Claim.objects.get()
    admin = world.client_for("youxian_admin")
    url = reverse("points:claim_refuse", kwargs={"pk": claim.pk})
    assert admin.post(url, {"reason": ""}).status_code == 400  # a reason is needed
    assert admin.post(url, {"reason": "证明材料不全"}).status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.refuse_reason, claim.decided_by) == (
        ClaimStatus.REFUSED,
        "证明材料不全",
        world.user("youxian_admin"),
    )
    assert not Entry.objects.exists()
    assert "证明材料不全" in _text(admin.get(reverse("points:claim_detail", kwargs={"pk": claim.pk})))
    assert admin.post(reverse("points:claim_confirm", kwargs={"pk": claim.pk})).status_code == 400


def test_nobody_awards_herself_and_nothing_is_written(world: World) -> None:
    scheme(world)
    herself = h.zhiwei(world, account=world.user("xinshi_staff"))
    response = _post(world.client_for("xinshi_staff"), f"p{herself.pk}", 5)
    assert response.status_code == 400
    assert "own account" in _text(response) or "本人" in _text(response) or "自己" in _text(response)
    assert not Entry.objects.exists()
    assert not Account.objects.exists()  # the account opened for it is rolled back too


def test_nobody_awards_her_own_household(world: World) -> None:
    scheme(world)
    herself = person(world, "huilong", "周桂姣", id_number=HER_ID)
    herself.account = world.user("xinshi_staff")
    herself.save()
    hers = household(world, "huilong", "周桂姣", id_number=HER_ID)
    response = _post(world.client_for("xinshi_staff"), f"h{hers.pk}", 5)
    assert response.status_code == 400
    assert not Entry.objects.exists()


def test_a_holder_outside_the_scope_is_not_offered_nor_accepted(world: World, her: Person) -> None:
    outside = h.zhiwei(world, "shucai", "钟桂兰")  # 炎陵县
    client = world.client_for("xinshi_staff")
    assert client.get(POST_URL, {"holder": f"p{outside.pk}"}).status_code == 404
    found = client.get(reverse("points:post_whom"), {"find": "钟桂兰"})
    assert f"p{outside.pk}" not in _text(found)
    crafted = _post(client, f"p{outside.pk}", 5)
    assert crafted.status_code == 400
    assert not Entry.objects.exists()
    assert not Account.objects.filter(person=outside).exists()
    # Her own county's administrator may.
    assert _post(world.client_for("yanling_admin"), f"p{outside.pk}", 5).status_code == 302


def test_the_search_finds_her_by_pinyin_with_her_household(world: World) -> None:
    scheme(world)
    her = person(world, "huilong", "周桂姣", id_number=HER_ID)
    hers = household(world, "huilong", "周建国", id_number=HER_ID)
    found = _text(world.client_for("xinshi_staff").get(reverse("points:post_whom"), {"find": "zgj"}))
    assert f'value="p{her.pk}"' in found
    assert f'value="h{hers.pk}"' in found


def test_a_double_submit_posts_once(world: World, her: Person) -> None:
    client = world.client_for("xinshi_staff")
    key = uuid.uuid4().hex
    first = _post(client, f"p{her.pk}", 5, key=key)
    second = _post(client, f"p{her.pk}", 5, key=key)
    assert first["Location"] == second["Location"]
    assert Entry.objects.count() == 1
    assert Account.objects.get(person=her).balance == 5
    big = uuid.uuid4().hex
    assert _post(client, f"p{her.pk}", 50, key=big)["Location"] == _post(client, f"p{her.pk}", 50, key=big)["Location"]
    assert Claim.objects.count() == 1


def test_the_evidence_photo_is_stored_without_its_location(world: World, her: Person) -> None:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # and a GPS block in real life: nothing of it may survive
    photo = SimpleUploadedFile("deed.jpg", jpeg(exif=exif.tobytes()), content_type="image/jpeg")
    client = world.client_for("xinshi_staff")
    response = _post(client, f"p{her.pk}", 5, evidence=photo)
    assert response.status_code == 302
    entry = Entry.objects.get()
    with entry.evidence.open("rb") as stored:
        assert not Image.open(io.BytesIO(stored.read())).getexif()
    served = client.get(reverse("points:entry_evidence", kwargs={"pk": entry.pk}))
    assert served.status_code == 200
    assert f'src="{reverse("points:entry_evidence", kwargs={"pk": entry.pk})}"' in _text(
        client.get(response["Location"])
    )
    not_a_photo = SimpleUploadedFile("x.jpg", b"not a photo", content_type="image/jpeg")
    assert _post(client, f"p{her.pk}", 5, evidence=not_a_photo).status_code == 400


def test_an_entry_is_reversed_once_and_a_reversal_never(world: World, her: Person) -> None:
    entry = manual.manual_post(
        actor=world.user("xinshi_staff"), account=ledger.account_for(person=her), amount=6, reason="入户走访"
    )
    assert isinstance(entry, Entry)
    admin = world.client_for("youxian_admin")
    url = reverse("points:entry_reverse", kwargs={"pk": entry.pk})
    assert admin.post(url, {"reason": ""}).status_code == 400
    response = admin.post(url, {"reason": "重复登记"})
    reversal = Entry.objects.get(reverses=entry)
    assert response["Location"] == reverse("points:entry_detail", kwargs={"pk": reversal.pk})
    assert (reversal.amount, reversal.kind, reversal.created_by) == (
        -6,
        EntryKind.REVERSAL,
        world.user("youxian_admin"),
    )
    page = _text(admin.get(response["Location"]))
    assert 'data-testid="entry-reverses"' in page
    assert reverse("points:entry_detail", kwargs={"pk": entry.pk}) in page
    assert 'data-action="reverse"' not in page  # no reversal of a reversal offered
    again = admin.post(reverse("points:entry_reverse", kwargs={"pk": reversal.pk}), {"reason": "撤销冲正"})
    assert again.status_code == 400
    assert Entry.objects.count() == 2
    twice = admin.post(url, {"reason": "再次冲正"})
    assert twice.status_code == 400
    assert Entry.objects.count() == 2
    original = _text(admin.get(reverse("points:entry_detail", kwargs={"pk": entry.pk})))
    assert 'data-testid="entry-reversed"' in original
    assert Account.objects.get(person=her).balance == 0


def test_an_entry_page_names_its_source_rule_and_version(world: World) -> None:
    from django.test import TestCase

    scheme(world)
    herself = h.zhiwei(world, account=world.user("huilong_zhiwei"))
    record = h.record(world, herself, actor=world.user("xinshi_staff"))
    from fulian.duties.services.review import record_confirm

    with TestCase.captureOnCommitCallbacks(execute=True):
        record_confirm(actor=world.user("youxian_admin"), record=record)
    entry = Entry.objects.get()
    page = _text(world.client_for("xinshi_staff").get(reverse("points:entry_detail", kwargs={"pk": entry.pk})))
    assert reverse("grid:contact_detail", kwargs={"pk": record.pk}) in page
    assert "入户走访" in page
    assert "攸悠我行积分 v1" in page
    assert 'data-provenance="verified"' in page


def test_those_who_may_not_post_get_no_form(world: World, her: Person) -> None:
    entry = manual.manual_post(
        actor=world.user("xinshi_staff"), account=ledger.account_for(person=her), amount=6, reason="入户走访"
    )
    leader = world.client_for("leader")  # sees the city's points, posts nothing
    assert leader.get(POST_URL).status_code == 403
    page = leader.get(reverse("points:entry_detail", kwargs={"pk": entry.pk}))
    assert page.status_code == 200
    assert 'data-action="reverse"' not in _text(page)
    assert leader.post(reverse("points:entry_reverse", kwargs={"pk": entry.pk}), {"reason": "x"}).status_code == 403
    assert Entry.objects.count() == 1


def test_the_claims_list_runs_the_same_queries_for_two_claims_or_twenty(world: World, her: Person) -> None:
    staff = world.user("xinshi_staff")
    others = [h.zhiwei(world, "huilong", f"李{index}") for index in range(20)]
    for index, other in enumerate(others[:2]):
        manual.manual_post(actor=staff, account=ledger.account_for(person=other), amount=30 + index, reason="表彰")
    client = world.client_for("youxian_admin")
    url = reverse("points:claim_list")
    page_queries(client, url)
    few = page_queries(client, url)
    for index, other in enumerate(others[2:]):
        household_made = household(world, "huilong", f"王{index}")
        manual.manual_post(actor=staff, account=ledger.account_for(person=other), amount=30, reason="表彰")
        manual.manual_post(actor=staff, account=ledger.account_for(household=household_made), amount=25, reason="表彰")
    assert page_queries(client, url) == few
    assert page_queries(client, url, {"search": "li"}) <= few + 2


def test_the_claims_list_filters_by_status_and_name(world: World, her: Person) -> None:
    staff = world.user("xinshi_staff")
    other = h.zhiwei(world, "huilong", "李秀英")
    waiting = manual.manual_post(actor=staff, account=ledger.account_for(person=her), amount=30, reason="表彰")
    refused = manual.manual_post(actor=staff, account=ledger.account_for(person=other), amount=30, reason="表彰")
    assert isinstance(refused, Claim)
    manual.claim_refuse(actor=world.user("youxian_admin"), claim=refused, reason="不符合")
    client = world.client_for("youxian_admin")
    url = reverse("points:claim_list")

    def shown(params: dict[str, str]) -> set[int]:
        text = _text(client.get(url, params))
        return {c.pk for c in (waiting, refused) if f'href="/points/claims/{c.pk}/"' in text}

    assert shown({}) == {waiting.pk}
    assert shown({"status": "refused"}) == {refused.pk}
    assert shown({"status": "all"}) == {waiting.pk, refused.pk}
    assert shown({"status": "all", "search": "lxy"}) == {refused.pk}
    # Typing in the search box swaps in the results only (htmx), filtered the same way.
    fragment = _text(client.get(url, {"status": "all", "search": "lxy"}, headers={"HX-Request": "true"}))
    assert "<html" not in fragment
    assert f'href="/points/claims/{refused.pk}/"' in fragment
    assert f'href="/points/claims/{waiting.pk}/"' not in fragment


def test_the_reconciliation_page_shows_the_counts_and_names_a_difference(world: World, her: Person) -> None:
    account = ledger.account_for(person=her)
    credit(account, 12, "t1")
    auditor = world.client_for("auditor")
    url = reverse("points:reconcile")
    assert 'data-testid="reconcile-result"' not in _text(auditor.get(url))  # runs when asked
    clean = _text(auditor.get(url, {"run": "1"}))
    assert 'data-testid="reconcile-ok"' in clean
    assert "data-accounts>\n                    1" in clean or ">1<" in clean.replace(" ", "").replace("\n", "")
    Account.objects.filter(pk=account.pk).update(balance=99)
    broken = _text(auditor.get(url, {"run": "1"}))
    assert 'data-testid="reconcile-differences"' in broken
    assert 'data-difference="balance"' in broken
    assert "周桂姣" in broken
    # 炎陵县's own check does not see 攸县's difference.
    assert 'data-testid="reconcile-ok"' in _text(world.client_for("yanling_admin").get(url, {"run": "1"}))


def test_the_reconciliation_page_is_for_administrators_and_auditors_of_their_subtree(world: World, her: Person) -> None:
    assert world.client_for("xinshi_staff").get(reverse("points:reconcile")).status_code == 403
    auditor = world.client_for("youxian_auditor")
    assert auditor.get(reverse("points:reconcile"), {"run": "1", "org": "430223123"}).status_code == 200
    outside = auditor.get(reverse("points:reconcile"), {"run": "1", "org": "430225"})
    assert outside.status_code == 400
    assert 'data-testid="reconcile-result"' not in _text(outside)


def test_a_claim_of_an_earlier_day_uses_that_days_threshold(world: World, her: Person) -> None:
    response = _post(
        world.client_for("xinshi_staff"),
        f"p{her.pk}",
        21,
        occurred_on=(today() - datetime.timedelta(days=3)).isoformat(),
    )
    assert response.status_code == 302
    assert Claim.objects.get().amount == 21


def test_a_holder_without_a_role_reads_her_own_entries_only(world: World) -> None:
    herself = h.zhiwei(world, account=world.user("nobody"))
    neighbour = h.zhiwei(world, "huilong", "李秀英")
    staff = world.user("xinshi_staff")
    mine = manual.manual_post(actor=staff, account=ledger.account_for(person=herself), amount=4, reason="入户走访")
    theirs = manual.manual_post(actor=staff, account=ledger.account_for(person=neighbour), amount=4, reason="入户走访")
    client = world.client_for("nobody")
    page = client.get(reverse("points:entry_detail", kwargs={"pk": mine.pk}))
    assert page.status_code == 200
    assert 'data-action="reverse"' not in _text(page)
    assert client.get(reverse("points:entry_detail", kwargs={"pk": theirs.pk})).status_code == 404
    assert client.post(reverse("points:entry_reverse", kwargs={"pk": mine.pk}), {"reason": "x"}).status_code == 403
    assert Entry.objects.count() == 2
