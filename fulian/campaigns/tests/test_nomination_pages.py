"""The staff side of nominations, through the pages: the list with possible duplicates,
screening one (accept, merge, reject), 妇联推荐 from the registry, declared interests."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fulian.campaigns.choices import ConflictReason, NominationStatus
from fulian.campaigns.models import Conflict, Entry, Nomination
from fulian.campaigns.services import nominations
from fulian.campaigns.tests import helpers as h
from fulian.campaigns.tests.scope_cases import make_conflict

pytestmark = pytest.mark.django_db


def nominate_public(world, campaign, village="huilong", name="钟桃华", phone="13800138000"):
    return nominations.nomination_public(
        campaign=campaign, village=world.org(village), name=name, reason="庭院整洁，种满花草", phone=phone
    )


def detail(nomination):
    return reverse("campaigns:nomination_detail", kwargs={"pk": nomination.pk})


def listing(campaign):
    return reverse("campaigns:nomination_list", kwargs={"pk": campaign.pk})


# --- the list ----------------------------------------------------------------------------------


def test_the_list_shows_the_nominations_of_the_area_with_masked_phones_and_duplicates(world):
    campaign = h.campaign(world)
    first = nominate_public(world, campaign)
    nominate_public(world, campaign, phone="13900139000")  # the same name, the same village
    single = nominate_public(world, campaign, name="周建国", phone="13700137000")
    outside = nominate_public(world, campaign, village="shucai", name="李秀英")
    response = world.client_for("xinshi_staff").get(listing(campaign))
    assert response.status_code == 200
    items = {n.pk: n for n in response.context["page"].items}
    assert outside.pk not in items
    assert items[first.pk].possible_duplicate
    assert not items[single.pk].possible_duplicate
    twins = world.client_for("xinshi_staff").get(listing(campaign), {"duplicates": "1"}).context["page"].items
    assert len(twins) == 2
    assert {n.name for n in twins} == {"钟桃华"}
    body = response.content.decode()
    assert "138****8000" in body
    assert "13800138000" not in body


def test_the_list_filters_by_status_source_and_name(world):
    campaign = h.campaign(world)
    nominate_public(world, campaign)
    rejected = nominate_public(world, campaign, name="周建国", phone="13700137000")
    nominations.nomination_reject(actor=world.user("city_admin"), nomination=rejected, reason="不符合条件")
    client = world.client_for("xinshi_staff")
    page = client.get(listing(campaign), {"status": "rejected"}).context["page"]
    assert [n.pk for n in page.items] == [rejected.pk]
    page = client.get(listing(campaign), {"search": "建国"}).context["page"]
    assert [n.pk for n in page.items] == [rejected.pk]
    assert client.get(listing(campaign), {"source": "federation"}).context["page"].items == []
    page = client.get(listing(campaign), {"org": world.org("daqiaotou").code}).context["page"]
    assert page.items == []


def test_a_duplicate_already_merged_no_longer_flags_the_other(world):
    campaign = h.campaign(world)
    kept = nominate_public(world, campaign)
    twin = nominate_public(world, campaign, phone="13900139000")
    nominations.nomination_merge(actor=world.user("city_admin"), nomination=twin, into=kept)
    items = world.client_for("xinshi_staff").get(listing(campaign)).context["page"].items
    assert not {n.pk: n for n in items}[kept.pk].possible_duplicate


def test_the_list_runs_the_same_number_of_queries_for_more_rows(world):
    campaign = h.campaign(world)
    client = world.client_for("xinshi_staff")
    nominate_public(world, campaign)
    client.get(listing(campaign))
    with CaptureQueriesContext(connection) as few:
        assert client.get(listing(campaign)).status_code == 200
    for i in range(10):
        nominate_public(world, campaign, name=f"周{i}号", phone=f"1370013700{i}")
    h.enter(world, campaign, head="王五")
    with CaptureQueriesContext(connection) as many:
        response = client.get(listing(campaign))
    assert len(response.context["page"].items) == 12
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_campaign_of_another_county_is_not_found(world):
    campaign = h.campaign(world, "yanling")
    assert world.client_for("xinshi_staff").get(listing(campaign)).status_code == 404


# --- screening one -----------------------------------------------------------------------------


def test_accepting_a_public_nomination_for_a_household_of_the_village(world):
    campaign = h.campaign(world)
    nomination = nominate_public(world, campaign)
    home = h.household(world, "huilong", "钟桃华")
    h.household(world, "daqiaotou", "钟桃华")  # another village: not offered
    client = world.client_for("xinshi_staff")
    page = client.get(detail(nomination))
    assert [x.pk for x in page.context["households"]] == [home.pk]
    response = client.post(detail(nomination), {"action": "accept", "household": home.pk})
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.ACCEPTED
    assert Entry.objects.get(campaign=campaign).household == home


def test_accepting_without_a_household_says_so_beside_the_field(world, english_pages):
    campaign = h.campaign(world)
    nomination = nominate_public(world, campaign)
    response = world.client_for("xinshi_staff").post(detail(nomination), {"action": "accept"})
    assert response.status_code == 400
    assert "Choose the household of the registry" in response.content.decode()
    assert response.context["accept_form"].errors["household"]


def test_accepting_a_household_already_in_the_campaign_is_refused_inline(world, english_pages):
    campaign = h.campaign(world)
    entry = h.enter(world, campaign, head="钟桃华")
    nomination = nominate_public(world, campaign)
    response = world.client_for("xinshi_staff").post(
        detail(nomination), {"action": "accept", "household": entry.household_id}
    )
    assert response.status_code == 400
    assert "already in this campaign" in response.content.decode()
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.PENDING


def test_merging_a_duplicate_offers_the_possible_duplicates_first(world):
    campaign = h.campaign(world)
    other = nominate_public(world, campaign, name="周建国", phone="13700137000")
    kept = nominate_public(world, campaign)
    twin = nominate_public(world, campaign, phone="13900139000")
    client = world.client_for("xinshi_staff")
    page = client.get(detail(twin))
    assert [n.pk for n in page.context["targets"]][:2] == [kept.pk, other.pk]
    assert [n.pk for n in page.context["twins"]] == [kept.pk]
    assert client.post(detail(twin), {"action": "merge", "into": kept.pk}).status_code == 302
    twin.refresh_from_db()
    assert (twin.status, twin.duplicate_of_id) == (NominationStatus.MERGED, kept.pk)


def test_merging_into_a_nomination_of_another_county_is_not_a_choice(world):
    campaign = h.campaign(world)
    twin = nominate_public(world, campaign)
    elsewhere = nominate_public(world, campaign, village="shucai", phone="13900139000")
    response = world.client_for("xinshi_staff").post(detail(twin), {"action": "merge", "into": elsewhere.pk})
    assert response.status_code == 400
    assert response.context["merge_form"].errors["into"]


def test_rejecting_needs_a_reason(world, english_pages):
    campaign = h.campaign(world)
    nomination = nominate_public(world, campaign)
    client = world.client_for("xinshi_staff")
    response = client.post(detail(nomination), {"action": "reject", "reason": "  "})
    assert response.status_code == 400
    assert response.context["reject_form"].errors["reason"]
    assert client.post(detail(nomination), {"action": "reject", "reason": "不在本村居住"}).status_code == 302
    nomination.refresh_from_db()
    assert (nomination.status, nomination.reject_reason) == (NominationStatus.REJECTED, "不在本村居住")
    # Screened: no form any more, and a second screening is refused.
    assert 'name="action"' not in client.get(detail(nomination)).content.decode()
    assert client.post(detail(nomination), {"action": "reject", "reason": "again"}).status_code == 403


def test_staff_of_another_county_get_not_found_on_a_nomination(world):
    campaign = h.campaign(world)
    nomination = nominate_public(world, campaign, village="shucai")
    client = world.client_for("xinshi_staff")
    assert client.get(detail(nomination)).status_code == 404
    assert client.post(detail(nomination), {"action": "reject", "reason": "x"}).status_code == 404
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.PENDING


def test_a_member_sees_a_nomination_but_may_not_screen_it(world):
    campaign = h.campaign(world)
    nomination = nominate_public(world, campaign)
    client = world.client_for("huilong_zhiwei")
    assert 'name="action"' not in client.get(detail(nomination)).content.decode()
    assert client.post(detail(nomination), {"action": "reject", "reason": "x"}).status_code == 403


# --- 妇联推荐 from the registry ------------------------------------------------------------------


def test_nominating_ticked_households_lists_those_nominated_and_those_skipped(world):
    campaign = h.campaign(world)
    first = h.household(world, "huilong", "周一")
    second = h.household(world, "daqiaotou", "周二")
    entered = h.enter(world, campaign, head="周三")
    elsewhere = h.household(world, "shucai", "钟四")
    client = world.client_for("xinshi_staff")
    url = reverse("campaigns:nominate", kwargs={"pk": campaign.pk})
    page = client.get(url)
    shown = {x.pk: x for x in page.context["page"].items}
    assert elsewhere.pk not in shown
    assert shown[entered.household_id].entered
    response = client.post(
        url, {"household": [first.pk, second.pk, entered.household_id, elsewhere.pk], "reason": "邻里和睦"}
    )
    assert response.status_code == 200
    assert {n.household_id for n in response.context["made"]} == {first.pk, second.pk}
    assert [hh.pk for hh, _why in response.context["skipped"]] == [entered.household_id]
    assert response.context["not_found"] == 1
    assert Nomination.objects.filter(campaign=campaign, household=first, reason="邻里和睦").exists()
    assert not Entry.objects.filter(household=elsewhere).exists()


def test_nominating_nothing_ticked_says_so(world):
    campaign = h.campaign(world)
    h.household(world, "huilong", "周一")
    url = reverse("campaigns:nominate", kwargs={"pk": campaign.pk})
    response = world.client_for("xinshi_staff").post(url, {})
    assert response.status_code == 400


def test_the_registry_page_runs_the_same_number_of_queries_for_more_rows(world):
    campaign = h.campaign(world)
    client = world.client_for("xinshi_staff")
    url = reverse("campaigns:nominate", kwargs={"pk": campaign.pk})
    h.household(world, "huilong", "周一")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(8):
        h.household(world, "daqiaotou", f"周{i}号")
    h.enter(world, campaign, head="王五")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["page"].items) == 10
    assert len(many.captured_queries) == len(few.captured_queries)


# --- declared interests ------------------------------------------------------------------------


def test_declaring_and_removing_an_interest(world):
    who = h.rater(world, "huilong", "周桂姣")
    home = h.household(world, "huilong", "周建国")
    client = world.client_for("xinshi_staff")
    url = reverse("campaigns:conflict_declare")
    found = client.get(url, {"search": "周建国"})
    assert [x.pk for x in found.context["found"]] == [home.pk]
    form = client.get(url, {"household": home.pk})
    assert who in form.context["form"].fields["person"].queryset
    response = client.post(url, {"household": home.pk, "person": who.pk, "reason": "relative", "note": "姐妹"})
    assert response.status_code == 302
    conflict = Conflict.objects.get()
    assert (conflict.person, conflict.household, conflict.reason, conflict.org) == (
        who,
        home,
        ConflictReason.RELATIVE,
        home.org,
    )
    again = client.post(url, {"household": home.pk, "person": who.pk, "reason": "relative"})
    assert again.status_code == 400
    listed = client.get(reverse("campaigns:conflict_list"))
    assert [c.pk for c in listed.context["page"].items] == [conflict.pk]
    assert client.post(reverse("campaigns:conflict_remove", kwargs={"pk": conflict.pk})).status_code == 302
    assert not Conflict.objects.exists()


def test_another_interest_needs_a_note(world):
    who = h.rater(world, "huilong", "周桂姣")
    home = h.household(world, "huilong", "周建国")
    url = reverse("campaigns:conflict_declare")
    response = world.client_for("xinshi_staff").post(url, {"household": home.pk, "person": who.pk, "reason": "other"})
    assert response.status_code == 400
    assert response.context["form"].errors["note"]


def test_a_household_or_interest_of_another_county_is_not_found(world):
    conflict = make_conflict(world)
    client = world.client_for("xinshi_staff")
    url = reverse("campaigns:conflict_declare")
    assert client.get(url, {"household": conflict.household_id}).status_code == 404
    assert client.post(reverse("campaigns:conflict_remove", kwargs={"pk": conflict.pk})).status_code == 404
    assert client.get(reverse("campaigns:conflict_list")).context["page"].items == []
    assert Conflict.objects.filter(pk=conflict.pk).exists()


def test_the_interest_list_runs_the_same_number_of_queries_for_more_rows(world):
    client = world.client_for("xinshi_staff")
    admin = world.user("city_admin")
    from fulian.campaigns.services.conflicts import conflict_declare

    who = h.rater(world, "huilong", "周桂姣")
    conflict_declare(actor=admin, person=who, household=h.household(world, "huilong", "周一"), reason="relative")
    client.get(reverse("campaigns:conflict_list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("campaigns:conflict_list"))
    for i in range(6):
        other = h.rater(world, "daqiaotou", f"李{i}")
        conflict_declare(
            actor=admin, person=other, household=h.household(world, "daqiaotou", f"周{i}号"), reason="relative"
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("campaigns:conflict_list"))
    assert len(response.context["page"].items) == 7
    assert len(many.captured_queries) == len(few.captured_queries)


def test_declaring_an_interest_needs_the_right_to_screen_and_a_declarable_reason(world):
    from django.core.exceptions import PermissionDenied, ValidationError

    from fulian.campaigns.services.conflicts import conflict_declare, conflict_remove

    who = h.rater(world, "huilong", "周桂姣")
    home = h.household(world, "huilong", "周建国")
    with pytest.raises(PermissionDenied):
        conflict_declare(actor=world.user("huilong_zhiwei"), person=who, household=home, reason="relative")
    with pytest.raises(ValidationError, match="relatives or another"):
        conflict_declare(actor=world.user("xinshi_staff"), person=who, household=home, reason="own")
    made = conflict_declare(actor=world.user("xinshi_staff"), person=who, household=home, reason="relative")
    assert (made.village_id, made.township_id) == (world.org("huilong").pk, world.org("xinshi").pk)
    with pytest.raises(PermissionDenied):
        conflict_remove(actor=world.user("yanling_admin"), conflict=made)
    conflict_remove(actor=world.user("xinshi_staff"), conflict=made)
    assert not Conflict.objects.exists()


def test_a_declared_interest_keeps_her_from_scoring_the_household(world):
    from fulian.campaigns.conflicts import conflicts
    from fulian.campaigns.services.conflicts import conflict_declare

    campaign = h.campaign(world)
    who = h.rater(world, "huilong", "周桂姣")
    entry = h.enter(world, campaign, head="周建国")
    assert conflicts([who], [entry.household_id], campaign=campaign) == {}
    conflict_declare(
        actor=world.user("xinshi_staff"), person=who, household=entry.household, reason="other", note="邻里纠纷"
    )
    assert conflicts([who], [entry.household_id], campaign=campaign) == {
        (who.pk, entry.household_id): ConflictReason.OTHER
    }
