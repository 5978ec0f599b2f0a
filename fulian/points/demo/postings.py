"""The demo's postings, all through ``fulian.points.services``: 周桂姣's household made known to the
registry (so her volunteer hours earn it too: 共得共享), the backlog of confirmed duty records and
standing awards posted by the rules, and what 新市镇's staff did by hand — awards and one deduction
with their reasons, one award above the scheme's threshold confirmed by 攸县's administrator and
one still waiting for her, and one award entered twice and reversed."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q

from fulian.accounts.models import User
from fulian.audit.recorder import audit_context
from fulian.campaigns.models import Entry as CampaignEntry
from fulian.campaigns.models import Nomination
from fulian.core.idnumber import parse_id_number
from fulian.grid.models import Assignment
from fulian.households.choices import Relation
from fulian.households.models import Household
from fulian.households.services import member_add
from fulian.orgs.models import Organisation
from fulian.people.models import Person
from fulian.points.choices import HolderKind
from fulian.points.models import Account, Claim, Entry
from fulian.points.services import earning, ledger, manual


@dataclass(frozen=True)
class ByHand:
    """One award or deduction by hand: to whom (``"her"`` or the n-th of the township's ranked
    holders), how many points, why, how many days ago; ``second`` is whether the county's
    administrator confirms it (above the threshold), ``reversed`` the reason it was taken back."""

    to: str | int
    amount: int
    reason: str
    days_ago: int
    second: bool = False
    reversed: str = ""


BY_HAND = (
    ByHand("her", 10, "参加攸县妇联执委履职能力培训班（两天），结业考核合格", 40),
    ByHand(0, 8, "春节前夕走访慰问辖区留守老人12户，群众来信表扬", 300),
    ByHand(1, 15, "带头参加汛期防汛值守志愿服务三天", 150),
    ByHand(2, 6, "协助镇妇联完成“两癌”免费筛查摸底登记", 95),
    ByHand(3, -5, "无故缺席新市镇妇联执委季度例会，按方案扣分", 60),
    ByHand(4, 25, "组织全村“两癌”筛查动员，带领120余名妇女参加筛查", 70, second=True),
    ByHand(5, 30, "获评攸县“最美巾帼志愿者”，按方案一次性奖励", 20),
    ByHand(6, 10, "参加镇妇联家庭教育讲座志愿服务", 33, reversed="与3月同一活动的履职记录重复计分，予以冲正"),
)


def her_household_known(*, her: Person, staff: User) -> Household | None:
    """周桂姣 listed as the spouse in a household of her village (one not in this year's 最美庭院
    round, nor held by her in the grid): the registry now knows her household, so her volunteer
    hours earn it too. None when her village has no such household or she is known already."""
    if earning.household_of(her) is not None or not her.id_number:
        return earning.household_of(her)
    taken = (
        Q(pk__in=Nomination.objects.filter(household__isnull=False).values("household_id"))
        | Q(pk__in=CampaignEntry.objects.values("household_id"))
        | Q(pk__in=Assignment.objects.filter(household__isnull=False).values("household_id"))
    )
    candidates = Household.objects.filter(village_id=her.org_id, archived_at__isnull=True).exclude(taken)
    for household in candidates.order_by("pk")[:50]:
        if household.members.filter(relation=Relation.SPOUSE).exists() or not household.id_number:
            continue
        if parse_id_number(household.id_number).gender != "M":
            continue
        with audit_context(actor=staff):
            member_add(
                actor=staff,
                household=household,
                values={"name": her.name, "relation": Relation.SPOUSE, "id_number": her.id_number},
            )
        return household
    return None


def ranked(township: Organisation, *, exclude: int) -> list[Account]:
    """The township's person accounts, the most earned first (ties: the account opened first)."""
    return list(
        Account.objects.filter(township=township, kind=HolderKind.PERSON)
        .exclude(person_id=exclude)
        .select_related("person")
        .order_by("-earned", "pk")
    )


def by_hand(*, her: Person, township: Organisation, staff: User, county: User, today: datetime.date) -> int:
    """新市镇's staff at work (``BY_HAND``); returns how many entries and claims they made."""
    holders = ranked(township, exclude=her.pk)
    mine = ledger.account_for(person=her)
    made = 0
    for number, deed in enumerate(BY_HAND, start=1):
        if deed.to != "her" and not holders:
            continue
        # Spread over the township's table, from its top down.
        account = mine if deed.to == "her" else holders[min(int(deed.to) * 3, len(holders) - 1)]
        with audit_context(actor=staff):
            posted = manual.manual_post(
                actor=staff,
                account=account,
                amount=deed.amount,
                reason=deed.reason,
                occurred_on=today - datetime.timedelta(days=deed.days_ago),
                key=f"demo:{number}",
            )
        made += 1
        if isinstance(posted, Claim) and deed.second:
            with audit_context(actor=county):
                manual.claim_confirm(actor=county, claim=posted)
        if isinstance(posted, Entry) and deed.reversed:
            with audit_context(actor=staff):
                manual.entry_reverse(actor=staff, entry=posted, reason=deed.reversed)
            made += 1
    return made
