"""Points by hand: an award or a deduction at once, or a claim above the threshold that somebody
else confirms or refuses; a resend posts once; a reversal by staff, in full or of what is left."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from fulian.duties.tests import helpers as h
from fulian.points.choices import ClaimStatus, EntryKind, Source
from fulian.points.models import Account, Claim, Entry
from fulian.points.services import ledger, manual, store
from fulian.points.services.reconcile import reconcile
from fulian.points.tests.helpers import credit, scheme, shop
from fulian.testing.world import World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _account(world: World) -> Account:
    return ledger.account_for(person=h.zhiwei(world, account=world.user("huilong_zhiwei")))


def test_a_small_award_posts_at_once_as_entered_by_staff(world: World) -> None:
    account = _account(world)
    entry = manual.manual_post(actor=world.user("xinshi_staff"), account=account, amount=5, reason=" 好人  好事 ")
    assert isinstance(entry, Entry)
    assert (entry.kind, entry.source, entry.reason, entry.verified) == (
        EntryKind.EARN,
        Source.MANUAL,
        "好人 好事",
        False,
    )
    assert entry.created_by == world.user("xinshi_staff")
    account.refresh_from_db()
    assert (account.balance, account.earned) == (5, 5)


def test_a_resend_with_the_same_key_posts_once(world: World) -> None:
    account = _account(world)
    staff = world.user("xinshi_staff")
    first = manual.manual_post(actor=staff, account=account, amount=5, reason="好人好事", key="tap-1")
    again = manual.manual_post(actor=staff, account=account, amount=5, reason="好人好事", key="tap-1")
    assert again == first
    claim = manual.manual_post(actor=staff, account=account, amount=50, reason="见义勇为", key="tap-2")
    assert manual.manual_post(actor=staff, account=account, amount=50, reason="见义勇为", key="tap-2") == claim
    assert (Entry.objects.count(), Claim.objects.count()) == (1, 1)


def test_above_the_schemes_threshold_a_second_reviewer_confirms(world: World) -> None:
    scheme(world)  # a second review above 20 points
    account = _account(world)
    claim = manual.manual_post(actor=world.user("xinshi_staff"), account=account, amount=21, reason="见义勇为")
    assert isinstance(claim, Claim)
    assert claim.status == ClaimStatus.PENDING
    assert not Entry.objects.exists()
    with pytest.raises(ValidationError, match="somebody else than who asked"):
        manual.claim_confirm(actor=world.user("xinshi_staff"), claim=claim)
    with pytest.raises(PermissionDenied):
        manual.claim_confirm(actor=world.user("yanling_admin"), claim=claim)
    entry = manual.claim_confirm(actor=world.user("youxian_admin"), claim=claim)
    assert (entry.amount, entry.claim_id, entry.confirmed_by) == (21, claim.pk, world.user("youxian_admin"))
    with pytest.raises(ValidationError, match="already decided"):
        manual.claim_confirm(actor=world.user("city_admin"), claim=claim)
    account.refresh_from_db()
    assert account.balance == 21


def test_a_refused_claim_posts_nothing_and_says_why(world: World) -> None:
    account = _account(world)
    with pytest.raises(ValidationError, match="Only 0 points are left"):  # refused when asked
        manual.manual_post(actor=world.user("xinshi_staff"), account=account, amount=-21, reason="违反村规")
    credit(account, 30, "gift")
    claim = manual.manual_post(actor=world.user("xinshi_staff"), account=account, amount=-21, reason="违反村规")
    assert isinstance(claim, Claim)
    with pytest.raises(ValidationError) as caught:
        manual.claim_refuse(actor=world.user("youxian_admin"), claim=claim, reason=" ")
    assert list(caught.value.message_dict) == ["reason"]
    manual.claim_refuse(actor=world.user("youxian_admin"), claim=claim, reason="证据不足")
    claim.refresh_from_db()
    assert (claim.status, claim.refuse_reason) == (ClaimStatus.REFUSED, "证据不足")
    account.refresh_from_db()
    assert account.balance == 30


def test_staff_reverse_what_is_left_when_part_was_spent_and_nothing_when_all_was(world: World) -> None:
    account = _account(world)
    entry = manual.manual_post(actor=world.user("xinshi_staff"), account=account, amount=15, reason="好人好事")
    assert isinstance(entry, Entry)
    _store, item = shop(world, price=10)
    store.order_place(actor=world.user("huilong_zhiwei"), account=account, item=item)
    reversal = manual.entry_reverse(actor=world.user("xinshi_staff"), entry=entry, reason="记错了")
    assert reversal.amount == -5
    assert reversal.reason == "Reversed (5 of 15 points; the rest had been spent): 记错了"
    account.refresh_from_db()
    assert (account.balance, account.earned, account.spent) == (0, 10, 10)
    assert reconcile().ok

    other = manual.manual_post(actor=world.user("xinshi_staff"), account=account, amount=10, reason="好人好事")
    assert isinstance(other, Entry)
    store.order_place(actor=world.user("huilong_zhiwei"), account=account, item=item)
    with pytest.raises(ValidationError, match="nothing left to take back"):
        manual.entry_reverse(actor=world.user("xinshi_staff"), entry=other, reason="记错了")
    assert not Entry.objects.filter(reverses=other).exists()


def test_a_deduction_reversed_gives_the_points_back(world: World) -> None:
    account = _account(world)
    credit(account, 10, "gift")
    deduction = manual.manual_post(actor=world.user("xinshi_staff"), account=account, amount=-4, reason="违反村规")
    assert isinstance(deduction, Entry)
    reversal = manual.entry_reverse(actor=world.user("xinshi_staff"), entry=deduction, reason="申诉成立")
    assert reversal.amount == 4
    account.refresh_from_db()
    assert (account.balance, account.earned, account.years.get().earned) == (10, 10, 10)
    assert reconcile().ok
