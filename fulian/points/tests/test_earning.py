"""Earning without paperwork: which rule a confirmed record earns by (its work mode, in the
version in force on its day), per-hour rules, the caps, photos, two reviews, who earns (the
person, her household, both), corrections, awards, the backlog, and reversals of spent points."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from fulian.campaigns.services import awards as award_services
from fulian.campaigns.services import ranking
from fulian.campaigns.tests import helpers as ch
from fulian.duties.services.review import record_confirm
from fulian.duties.tests import helpers as h
from fulian.grid.choices import RecordStatus
from fulian.grid.coverage import today
from fulian.grid.models import Contact
from fulian.households.tests.helpers import household, member
from fulian.orgs.choices import Level
from fulian.people.tests.helpers import jpeg, person, post
from fulian.points.choices import ClaimStatus, Earner, EntryKind, HolderKind, Source
from fulian.points.models import Account, Claim, Entry, Scheme
from fulian.points.services import earning, ledger, manual, schemes, store
from fulian.points.services.reconcile import reconcile
from fulian.points.tests.helpers import scheme, shop
from fulian.testing.ids import id_number
from fulian.testing.world import World

pytestmark = pytest.mark.django_db

HER_ID = id_number("430223", "19750301", seq="21")


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def confirm(world: World, django_capture_on_commit_callbacks: Any) -> Callable[[Contact], Contact]:
    """Confirm a record as 攸县's administrator would, with its on-commit posting run."""

    def run(record: Contact, actor: str = "youxian_admin") -> Contact:
        with django_capture_on_commit_callbacks(execute=True):
            return record_confirm(actor=world.user(actor), record=record)

    return run


def _her(world: World) -> Any:
    return h.zhiwei(world, account=world.user("huilong_zhiwei"))


def _record(world: World, who: Any, **values: Any) -> Contact:
    return h.record(world, who, actor=world.user("xinshi_staff"), **values)


def _balance(**holder: Any) -> int:
    account = Account.objects.filter(**holder).first()
    return account.balance if account is not None else 0


def _rule_values(rule: Any, **changes: Any) -> dict[str, Any]:
    values = {
        name: getattr(rule, name)
        for name in (
            "category",
            "name",
            "source",
            "work_mode",
            "award_level",
            "points",
            "per_hour",
            "daily_cap",
            "yearly_cap",
            "photo_required",
            "reviews_required",
            "two_reviews_above",
            "earner",
        )
    }
    return {**values, **changes}


# --- the rule and its version -----------------------------------------------------------------


def test_a_new_version_changes_what_later_records_earn_not_earlier_ones(world: World, confirm: Any) -> None:
    made = scheme(world)
    admin = world.user("city_admin")
    change_day = today() - datetime.timedelta(days=3)
    draft = schemes.version_new(actor=admin, scheme=made, valid_from=change_day)
    visit = draft.rules.get(name="入户走访")
    schemes.rule_save(actor=admin, version=draft, rule=visit, **_rule_values(visit, points=5))
    schemes.version_adopt(actor=admin, version=draft, adopted_on=change_day, decision="2次村民代表大会")
    her = _her(world)

    before = _record(world, her, on=change_day - datetime.timedelta(days=1))
    after = _record(world, her, on=change_day)
    confirm(before)
    confirm(after)

    earned = dict(Entry.objects.values_list("contact_id", "amount"))
    assert earned == {before.pk: 2, after.pk: 5}
    assert {e.contact_id: e.version.number for e in Entry.objects.select_related("version") if e.version} == {
        before.pk: 1,
        after.pk: 2,
    }
    assert _balance(person=her) == 7


def test_a_record_of_a_work_mode_without_a_rule_or_before_any_version_earns_nothing(world: World, confirm: Any) -> None:
    made = scheme(world, adopt=False)
    version = made.versions.get()
    version.valid_from = today() - datetime.timedelta(days=3)
    version.save()
    schemes.version_adopt(
        actor=world.user("city_admin"), version=version, adopted_on=version.valid_from, decision="村民代表大会"
    )
    her = _her(world)
    confirm(_record(world, her, work_mode="建言献策"))
    confirm(_record(world, her, on=version.valid_from - datetime.timedelta(days=1)))
    assert not Entry.objects.exists()
    confirm(_record(world, her, on=version.valid_from))
    assert Entry.objects.count() == 1


def test_a_per_hour_rule_counts_half_hours_and_rounds_down(world: World, confirm: Any) -> None:
    scheme(world)
    her = _her(world)
    confirm(_record(world, her, work_mode="志愿服务", half_hours=5))  # 2.5 hours
    confirm(_record(world, her, work_mode="志愿服务", half_hours=1, on=today() - datetime.timedelta(days=1)))
    assert sorted(Entry.objects.values_list("amount", flat=True)) == [2]  # half an hour: nothing yet
    assert _balance(person=her) == 2


# --- caps -------------------------------------------------------------------------------------


def test_the_daily_and_yearly_caps_hold_per_holder_and_rule(world: World, confirm: Any) -> None:
    scheme(world, daily_cap=4, yearly_cap=5)
    her = _her(world)
    other = h.zhiwei(world, "huilong", "钟桃华")
    day = today() - datetime.timedelta(days=2)
    for _ in range(3):
        confirm(_record(world, her, on=day))
    confirm(_record(world, other, on=day))
    assert _balance(person=her) == 4  # 2 + 2, then the day's cap
    assert _balance(person=other) == 2  # her own cap
    confirm(_record(world, her, on=day + datetime.timedelta(days=1)))
    confirm(_record(world, her, on=day + datetime.timedelta(days=1)))
    assert _balance(person=her) == 5  # 1 more, then the year's cap
    # Another rule has caps of its own.
    confirm(_record(world, her, on=day, work_mode="志愿服务", half_hours=4))
    assert _balance(person=her) == 7
    assert reconcile().ok


def test_a_version_adopted_mid_year_does_not_start_the_years_cap_again(world: World, confirm: Any) -> None:
    made = scheme(world, daily_cap=4, yearly_cap=4)
    her = _her(world)
    day = today() - datetime.timedelta(days=5)
    confirm(_record(world, her, on=day))
    confirm(_record(world, her, on=day))
    admin = world.user("city_admin")
    change_day = today() - datetime.timedelta(days=3)
    if change_day.year != day.year:
        pytest.skip("the days straddle a new year")
    draft = schemes.version_new(actor=admin, scheme=made, valid_from=change_day)
    schemes.version_adopt(actor=admin, version=draft, adopted_on=change_day, decision="修订")
    confirm(_record(world, her, on=change_day))
    assert _balance(person=her) == 4


# --- photos and reviews -----------------------------------------------------------------------


def test_a_rule_that_needs_a_photo_pays_only_records_with_one(world: World, confirm: Any) -> None:
    scheme(world, photo_required=True)
    her = _her(world)
    without = _record(world, her)
    with_photo = _record(world, her, photos=[SimpleUploadedFile("p.jpg", jpeg())])
    confirm(without)
    confirm(with_photo)
    assert list(Entry.objects.values_list("contact_id", flat=True)) == [with_photo.pk]


def test_two_reviews_above_the_threshold_make_a_claim_for_somebody_else(world: World, confirm: Any) -> None:
    scheme(world, reviews_required=2, two_reviews_above=1)
    her = _her(world)
    made = confirm(_record(world, her))
    claim = Claim.objects.get()
    assert (claim.amount, claim.status, claim.contact_id) == (2, ClaimStatus.PENDING, made.pk)
    assert not Entry.objects.exists()
    # Whoever confirmed the record was the first review.
    with pytest.raises(ValidationError, match="You confirmed the record"):
        manual.claim_confirm(actor=world.user("youxian_admin"), claim=claim)
    entry = manual.claim_confirm(actor=world.user("xinshi_staff"), claim=claim)
    assert (entry.amount, entry.source, entry.contact_id, entry.confirmed_by) == (
        2,
        Source.DUTY,
        made.pk,
        world.user("xinshi_staff"),
    )
    assert earning.contact_post(made) == []  # the claim's key: never posted twice
    assert _balance(person=her) == 2


# --- who earns --------------------------------------------------------------------------------


def _with_id(world: World) -> Any:
    her = person(world, "huilong", "周桂姣", id_number=HER_ID)
    post(world, her, "huilong")
    return her


def test_a_household_rule_pays_the_household_she_heads(world: World, confirm: Any) -> None:
    scheme(world, earner=Earner.HOUSEHOLD)
    her = _with_id(world)
    home = household(world, "huilong", "周桂姣", id_number=HER_ID)
    confirm(_record(world, her, households=[home]))
    assert _balance(household=home) == 2
    assert not Account.objects.filter(person=her).exists()


def test_a_both_rule_pays_her_and_the_household_she_is_a_member_of(world: World, confirm: Any) -> None:
    scheme(world, earner=Earner.BOTH)
    her = _with_id(world)
    home = household(world, "huilong", "周建国")
    member(world, home, "周桂姣", id_number=HER_ID)
    confirm(_record(world, her))
    assert (_balance(person=her), _balance(household=home)) == (2, 2)
    assert set(Entry.objects.values_list("account__kind", flat=True)) == {HolderKind.PERSON, HolderKind.HOUSEHOLD}


def test_a_household_rule_pays_nothing_when_the_registry_does_not_know_her(world: World, confirm: Any) -> None:
    scheme(world, earner=Earner.HOUSEHOLD)
    her = _her(world)  # no ID number: no household can be hers
    confirm(_record(world, her))
    assert earning.household_of(her) is None
    assert not Entry.objects.exists()


# --- corrections ------------------------------------------------------------------------------


def test_a_confirmed_correction_reverses_the_points_of_the_record_it_corrects(world: World, confirm: Any) -> None:
    scheme(world)
    her = _her(world)
    first = confirm(_record(world, her))
    assert _balance(person=her) == 2
    correction = h.record(world, her, supersedes=first, correction_reason="时长记错了", half_hours=4)
    confirm(correction)
    first.refresh_from_db()
    assert first.status == RecordStatus.SUPERSEDED
    kinds = list(Entry.objects.order_by("id").values_list("contact_id", "kind", "amount"))
    assert kinds == [
        (first.pk, EntryKind.EARN, 2),
        (correction.pk, EntryKind.EARN, 2),
        (first.pk, EntryKind.REVERSAL, -2),
    ]
    reversal = Entry.objects.get(kind=EntryKind.REVERSAL)
    assert reversal.reason == f"Reversed: corrected by a later record (no. {correction.pk})"
    assert _balance(person=her) == 2
    assert reconcile().ok


def test_a_correction_on_a_capped_day_earns_what_the_record_it_corrects_earned(world: World, confirm: Any) -> None:
    scheme(world, daily_cap=2)
    her = _her(world)
    first = confirm(_record(world, her))
    correction = h.record(world, her, supersedes=first, correction_reason="户数记错了")
    confirm(correction)
    # The corrected record's 2 points no longer fill the day's cap: the correction earns them.
    assert list(Entry.objects.filter(contact=correction).values_list("amount", flat=True)) == [2]
    assert _balance(person=her) == 2


# --- awards -----------------------------------------------------------------------------------


def _award(world: World, django_capture_on_commit_callbacks: Any) -> Any:
    """A one-stage county campaign of 攸县 whose winner, a household of 回龙村, is awarded."""
    campaign = ch.campaign(world, "youxian", ("county",), raters=1)
    stage = ch.first_stage(campaign)
    rater = ch.rater(world, "huilong", "评分员", username="rater1")
    ch.score(world, ch.assign(world, stage, ch.enter(world, campaign, "huilong", "钟桃华"), rater))
    ranking.stage_rank(actor=world.user("city_admin"), stage=stage)
    with django_capture_on_commit_callbacks(execute=True):
        ranking.stage_promote(actor=world.user("city_admin"), stage=stage)
    return campaign.awards.get()


def test_an_award_pays_the_household_and_a_revoked_award_takes_it_back(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    scheme(world)
    award = _award(world, django_capture_on_commit_callbacks)
    assert award.stage.level == Level.COUNTY
    assert _balance(household=award.household) == 20
    entry = Entry.objects.get()
    assert (entry.source, entry.award_id, entry.verified) == (Source.AWARD, award.pk, True)
    assert earning.award_post(award) == []
    with django_capture_on_commit_callbacks(execute=True):
        award_services.award_revoke(actor=world.user("city_admin"), award=award, reason="材料不实")
    assert _balance(household=award.household) == 0
    assert Entry.objects.get(kind=EntryKind.REVERSAL).reason == "Reversed: award revoked: 材料不实"
    assert earning.backlog() == 0  # a revoked award is not posted again
    assert reconcile().ok


def test_a_reversal_when_part_was_spent_takes_back_what_is_left_and_says_so(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    scheme(world)
    award = _award(world, django_capture_on_commit_callbacks)
    home = Account.objects.get(household=award.household)
    _store, item = shop(world, stock=5, price=15)
    store.order_place(actor=world.user("xinshi_staff"), account=home, item=item)
    with django_capture_on_commit_callbacks(execute=True):
        award_services.award_revoke(actor=world.user("city_admin"), award=award, reason="材料不实")
    reversal = Entry.objects.get(kind=EntryKind.REVERSAL)
    assert reversal.amount == -5
    assert reversal.reason == "Reversed (5 of 20 points; the rest had been spent): award revoked: 材料不实"
    home.refresh_from_db()
    assert (home.balance, home.earned, home.spent) == (0, 15, 15)
    assert reconcile().ok


# --- the backlog ------------------------------------------------------------------------------


def test_the_backlog_posts_only_confirmed_records_and_again_nothing(world: World) -> None:
    scheme(world)
    her = _her(world)
    confirmed = [_record(world, her, on=today() - datetime.timedelta(days=n)) for n in (1, 2)]
    waiting = _record(world, her, on=today() - datetime.timedelta(days=3))
    returned = _record(world, her, on=today() - datetime.timedelta(days=4))
    for made in confirmed:  # confirmed without their on-commit posting: the backlog's work
        record_confirm(actor=world.user("youxian_admin"), record=made)
    from fulian.duties.services.review import record_return

    record_return(actor=world.user("youxian_admin"), record=returned, reason="照片不清")
    assert not Entry.objects.exists()

    assert earning.backlog() == 2
    assert earning.backlog() == 0
    assert set(Entry.objects.values_list("contact_id", flat=True)) == {r.pk for r in confirmed}
    assert waiting.pk not in set(Entry.objects.values_list("contact_id", flat=True))
    assert _balance(person=her) == 4
    assert reconcile().ok


def test_no_scheme_means_no_points_and_no_error(world: World, confirm: Any) -> None:
    her = _her(world)
    confirm(_record(world, her))
    assert not Scheme.objects.exists()
    assert not Entry.objects.exists()
    assert ledger.account_for(person=her).balance == 0


def test_the_backlog_reverses_a_corrected_record_whose_reversal_was_missed(world: World, confirm: Any) -> None:
    scheme(world)
    her = _her(world)
    first = confirm(_record(world, her))
    correction = h.record(world, her, supersedes=first, correction_reason="时长记错了")
    record_confirm(actor=world.user("youxian_admin"), record=correction)  # its receiver never ran
    assert _balance(person=her) == 2

    assert earning.backlog() == 2  # the correction posted, the corrected record reversed
    assert earning.backlog() == 0
    reversal = Entry.objects.get(kind=EntryKind.REVERSAL)
    assert (reversal.contact_id, reversal.amount) == (first.pk, -2)
    assert reversal.reason == f"Reversed: corrected by a later record (no. {correction.pk})"
    assert _balance(person=her) == 2
    assert reconcile().ok


def test_the_backlog_pays_the_same_households_as_each_confirmation(world: World) -> None:
    """The backlog reads a batch's persons, households and accounts at once (``_Versions.prime``):
    it must choose as ``household_of`` does — the household she heads before one she is in."""
    scheme(world, earner=Earner.BOTH)
    her = _with_id(world)
    elsewhere = household(world, "huilong", "周建国")
    member(world, elsewhere, "周桂姣", id_number=HER_ID)
    home = household(world, "huilong", "周桂姣", id_number=HER_ID)
    made = _record(world, her, households=[home])
    Contact.objects.filter(pk=made.pk).update(status=RecordStatus.CONFIRMED)
    assert earning.backlog() == 2
    assert (_balance(person=her), _balance(household=home)) == (2, 2)
    assert not Account.objects.filter(household=elsewhere).exists()
    assert earning.backlog() == 0
