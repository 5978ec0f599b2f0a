"""Earning without paperwork: a confirmed duty record and a campaign award post their points
through the rules of the scheme in force, automatically; a record corrected or an award
revoked posts its reversal.

The scheme that applies to a holder is the one of the nearest federation at or above her place
with a version adopted and in force on the day of the deed (``version_for``). Its rule for the
deed (the record's work mode, the award's level) gives the points: for each record or award, or
for each hour of the record (its half hours times the points, halved, rounded down); capped a
day and a year per holder and rule. A rule that needs two reviews above its threshold makes a
claim for a second reviewer instead of an entry. The idempotency keys (``duty:<record>:<account>``,
``award:<award>:<account>``) make every posting here safe to repeat: the backlog command runs
them all again and posts only what is missing.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Sum
from django.utils.translation import gettext as _

from fulian.campaigns.models import Award
from fulian.grid.choices import RecordStatus
from fulian.grid.models import Contact
from fulian.households.models import Household, HouseholdMember
from fulian.points.choices import ClaimStatus, Earner, EntryKind, Source, VersionStatus
from fulian.points.models import Account, Claim, Entry, Rule, SchemeVersion, ancestor_paths
from fulian.points.services import ledger
from fulian.points.services.ledger import Posting


def version_for(path: str, on: datetime.date) -> SchemeVersion | None:
    """The adopted version in force on ``on`` of the nearest scheme at or above ``path``."""
    versions = (
        SchemeVersion.objects.filter(
            scheme__org__path__in=ancestor_paths(path), status=VersionStatus.ADOPTED, valid_from__lte=on
        )
        .select_related("scheme__org")
        .order_by("-valid_from", "-number")
    )
    best: SchemeVersion | None = None
    for version in versions:
        if best is None or len(version.scheme.org.path) > len(best.scheme.org.path):
            best = version
    return best


class _Versions:
    """``version_for`` remembered for a batch (a backlog asks for the same few thousand times):
    the adopted versions above a place are read once per place and chosen from by day as
    ``version_for`` chooses (a year of records asks for every day of it); and the accounts of
    the persons met, opened once."""

    def __init__(self) -> None:
        self._found: dict[tuple[str, datetime.date], SchemeVersion | None] = {}
        self._above: dict[str, list[SchemeVersion]] = {}
        self._rules: dict[int, list[Rule]] = {}
        self._accounts: dict[tuple[str, int], list[Account]] = {}
        self._opened: dict[int, Account] = {}
        self._homes: dict[int, Household | None] = {}
        self._household_accounts: dict[int, Account] = {}

    def version(self, path: str, on: datetime.date) -> SchemeVersion | None:
        key = (path, on)
        if key not in self._found:
            if path not in self._above:
                self._above[path] = list(
                    SchemeVersion.objects.filter(
                        scheme__org__path__in=ancestor_paths(path), status=VersionStatus.ADOPTED
                    )
                    .select_related("scheme__org")
                    .order_by("-valid_from", "-number")
                )
            best: SchemeVersion | None = None
            for version in self._above[path]:
                if version.valid_from <= on and (
                    best is None or len(version.scheme.org.path) > len(best.scheme.org.path)
                ):
                    best = version
            self._found[key] = best
        return self._found[key]

    def accounts(self, earner: str, person: Any) -> list[Account]:
        key = (earner, person.pk)
        if key not in self._accounts:
            self._accounts[key] = _accounts(earner, person=person, versions=self)
        return self._accounts[key]

    def prime(self, records: Sequence[Contact]) -> None:
        """Read the accounts already opened for a batch's persons, their households (by ID
        number, as ``household_of``) and those households' accounts, a few queries in all (a
        backlog of a year meets every 执委; a query or two each was most of its time)."""
        persons = {record.person_id: record.person for record in records if record.person_id not in self._homes}
        for account in Account.objects.filter(person_id__in=[pk for pk in persons if pk not in self._opened]):
            self._opened[account.person_id] = account  # type: ignore[index]
        by_hash = {person.id_hash: pk for pk, person in persons.items() if person.id_hash}
        homes: dict[int, Household | None] = dict.fromkeys(persons)
        for member in (
            HouseholdMember.objects.filter(id_hash__in=list(by_hash), archived_at__isnull=True)
            .select_related("household")
            .order_by("pk")
        ):
            owner = by_hash[member.id_hash or ""]
            homes[owner] = homes[owner] or member.household
        for head in Household.objects.filter(id_hash__in=list(by_hash), archived_at__isnull=True):
            homes[by_hash[head.id_hash or ""]] = head  # the household she heads comes first
        self._homes.update(homes)
        wanted = [home.pk for home in homes.values() if home is not None and home.pk not in self._household_accounts]
        for account in Account.objects.filter(household_id__in=wanted):
            self._household_accounts[account.household_id] = account  # type: ignore[index]

    def rules(self, version: SchemeVersion) -> list[Rule]:
        if version.pk not in self._rules:
            self._rules[version.pk] = list(version.rules.all())
        return self._rules[version.pk]


def household_of(person: Any) -> Household | None:
    """Her household in the registry: the one she heads (same ID number), else one she is a
    member of. None when the registry does not know her by ID number."""
    if not person.id_hash:
        return None
    found = Household.objects.filter(id_hash=person.id_hash, archived_at__isnull=True).first()
    if found is None:
        member = (
            HouseholdMember.objects.filter(id_hash=person.id_hash, archived_at__isnull=True)
            .select_related("household")
            .first()
        )
        found = member.household if member is not None else None
    return found


@dataclass
class _Due:
    """Points a deed earns one account before the caps."""

    account: Account
    rule: Rule
    amount: int
    posting: Posting


def _record_points(rule: Rule, record: Contact) -> int:
    if rule.per_hour:
        return record.half_hours * rule.points // 2
    return rule.points


def _duty_dues(records: Iterable[Contact], versions: _Versions) -> list[_Due]:
    dues: list[_Due] = []
    for record in records:
        if record.status != RecordStatus.CONFIRMED or record.work_mode_id is None:
            continue
        version = versions.version(record.person.org.path, record.happened_on)
        if version is None:
            continue
        rule = next(
            (r for r in versions.rules(version) if r.source == Source.DUTY and r.work_mode_id == record.work_mode_id),
            None,
        )
        if rule is None:
            continue
        if rule.photo_required and not record.photo_count:  # type: ignore[attr-defined]
            continue
        amount = _record_points(rule, record)
        if amount <= 0:
            continue
        for account in versions.accounts(rule.earner, record.person):
            dues.append(
                _Due(
                    account,
                    rule,
                    amount,
                    Posting(
                        kind=EntryKind.EARN,
                        reason=_("%(rule)s, %(day)s") % {"rule": rule.name, "day": record.happened_on.isoformat()},
                        occurred_on=record.happened_on,
                        key=f"duty:{record.pk}:{account.pk}",
                        source=Source.DUTY,
                        rule=rule,
                        version=version,
                        contact=record,
                        confirmed_by=record.reviewed_by,
                    ),
                )
            )
    return dues


def _accounts(
    earner: str, *, person: Any = None, household: Any = None, versions: _Versions | None = None
) -> list[Account]:
    """The accounts a rule's earner names; with ``versions``, from what its ``prime`` read."""
    accounts: list[Account] = []
    if person is not None and earner in (Earner.PERSON, Earner.BOTH):
        known = versions._opened.get(person.pk) if versions is not None else None
        accounts.append(known if known is not None else ledger.account_for(person=person))
    if household is None and person is not None and earner in (Earner.HOUSEHOLD, Earner.BOTH):
        if versions is not None and person.pk in versions._homes:
            household = versions._homes[person.pk]
        else:
            household = household_of(person)
    if household is not None and earner in (Earner.HOUSEHOLD, Earner.BOTH):
        known = versions._household_accounts.get(household.pk) if versions is not None else None
        if known is None:
            known = ledger.account_for(household=household)
            if versions is not None:
                versions._household_accounts[household.pk] = known
        accounts.append(known)
    return accounts


def _still_due(dues: list[_Due]) -> list[_Due]:
    """The dues whose record is still confirmed and whose award still stands, read under the
    account's lock: a correction confirmed (or an award revoked) meanwhile reverses under the
    same lock, so a posting read before it is either reversed by it or not posted at all."""
    contact_ids = {due.posting.contact.pk for due in dues if due.posting.contact is not None}
    award_ids = {due.posting.award.pk for due in dues if due.posting.award is not None}
    confirmed = (
        set(Contact.objects.filter(pk__in=contact_ids, status=RecordStatus.CONFIRMED).values_list("pk", flat=True))
        if contact_ids
        else set()
    )
    standing = (
        set(Award.objects.filter(pk__in=award_ids, revoked_on__isnull=True).values_list("pk", flat=True))
        if award_ids
        else set()
    )
    return [
        due
        for due in dues
        if (due.posting.contact is None or due.posting.contact.pk in confirmed)
        and (due.posting.award is None or due.posting.award.pk in standing)
    ]


def _items(rule_ids: set[int]) -> dict[int, tuple[Any, ...]]:
    """Each rule of the schemes of ``rule_ids`` (all their versions) → the item it is: a new
    version's copy of a rule is the same item, so a cap counts what its earlier versions
    posted that day or year (a version adopted mid-year does not start the year's cap again)."""
    schemes = Rule.objects.filter(pk__in=rule_ids).values("version__scheme_id")
    rows = Rule.objects.filter(version__scheme_id__in=schemes).values_list(
        "pk", "version__scheme_id", "source", "work_mode_id", "award_level", "name"
    )
    return {
        pk: (scheme, source, mode, level, "" if mode or level else name)
        for pk, scheme, source, mode, level, name in rows
    }


def _post_dues(dues: Sequence[_Due]) -> list[Entry]:
    """Post the dues, one account at a time under its lock, within each rule's caps."""
    by_account: dict[int, list[_Due]] = defaultdict(list)
    for due in dues:
        by_account[due.account.pk].append(due)
    posted: list[Entry] = []
    items = _items({due.rule.pk for due in dues}) if dues else {}
    for account_dues in by_account.values():
        with transaction.atomic():
            account = ledger.lock(account_dues[0].account)
            keys = [due.posting.key for due in account_dues]
            done = set(Entry.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True))
            done |= set(Claim.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True))
            waiting = _still_due([due for due in account_dues if due.posting.key not in done])
            if not waiting:
                continue
            used_day, used_year = _used(account, items, {due.posting.occurred_on.year for due in waiting})
            postings: list[tuple[int, Posting]] = []
            for due in waiting:
                rule, on = due.rule, due.posting.occurred_on
                item = items[rule.pk]
                amount = due.amount
                if rule.daily_cap is not None:
                    amount = min(amount, rule.daily_cap - used_day[(item, on)])
                if rule.yearly_cap is not None:
                    amount = min(amount, rule.yearly_cap - used_year[(item, on.year)])
                if amount <= 0:
                    continue
                used_day[(item, on)] += amount
                used_year[(item, on.year)] += amount
                if (
                    rule.reviews_required == 2
                    and rule.two_reviews_above is not None
                    and amount > rule.two_reviews_above
                ):
                    _claim(account, amount, due)
                    continue
                postings.append((amount, due.posting))
            if postings:
                posted.extend(ledger.post_many(account, postings, locked=True))
    return posted


def _used(
    account: Account, items: dict[int, tuple[Any, ...]], years: set[int]
) -> tuple[defaultdict[Any, int], defaultdict[Any, int]]:
    """What the account already earned by each item (every version's rule for it), per day and
    per year; reversals free what they took back, waiting claims count. A record corrected by a
    later one no longer counts: its correction is posted before its reversal (so that the
    reversal can take back what the correction gives), and must not be capped by it."""
    rule_ids = list(items)
    used_day: defaultdict[Any, int] = defaultdict(int)
    used_year: defaultdict[Any, int] = defaultdict(int)
    rows = (
        Entry.objects.filter(account=account, rule_id__in=rule_ids, year__in=years)
        .exclude(contact__status=RecordStatus.SUPERSEDED)
        .values("rule_id", "occurred_on")
        .annotate(total=Sum("amount"))
    )
    claims = (
        Claim.objects.filter(
            account=account, rule_id__in=rule_ids, status=ClaimStatus.PENDING, occurred_on__year__in=years
        )
        .values("rule_id", "occurred_on")
        .annotate(total=Sum("amount"))
    )
    for row in [*rows, *claims]:
        item = items[row["rule_id"]]
        used_day[(item, row["occurred_on"])] += row["total"]
        used_year[(item, row["occurred_on"].year)] += row["total"]
    return used_day, used_year


def _claim(account: Account, amount: int, due: _Due) -> None:
    claim = Claim(
        account=account,
        amount=amount,
        reason=due.posting.reason,
        occurred_on=due.posting.occurred_on,
        rule=due.rule,
        contact=due.posting.contact,
        idempotency_key=due.posting.key,
    )
    claim.place_beside(account)
    claim.save()


def _records(ids: Iterable[int]) -> Any:
    return (
        Contact.objects.filter(pk__in=list(ids))
        .select_related("person__org", "reviewed_by")
        .annotate(photo_count=Count("photos"))
    )


def contact_post(record: Contact) -> list[Entry]:
    """Post the points of a confirmed duty record (again: nothing new)."""
    return _post_dues(_duty_dues(_records([record.pk]), _Versions()))


def contacts_post(ids: Sequence[int]) -> list[Entry]:
    """Post the points of many confirmed records (a backlog), idempotently."""
    records = list(_records(ids))
    return _post_dues(_duty_dues(records, _Versions()))


def contact_reverse(record: Contact, *, reason: str) -> list[Entry]:
    """A record no longer counts (corrected by a later one): its entries are reversed, its
    waiting claims refused."""
    Claim.objects.filter(contact=record, status=ClaimStatus.PENDING).update(
        status=ClaimStatus.REFUSED, refuse_reason=reason[:200]
    )
    entries = Entry.objects.filter(contact=record, kind=EntryKind.EARN, reversed_by__isnull=True)
    return [reversal for entry in entries if (reversal := ledger.reverse(entry, reason=reason)) is not None]


def award_post(award: Award) -> list[Entry]:
    """Post the points of a campaign award to the household (its rule's level is the stage's)."""
    award = Award.objects.select_related("stage", "household__org").get(pk=award.pk)
    if award.revoked_on is not None:
        return []
    version = version_for(award.household.org.path, award.issued_on)
    if version is None:
        return []
    rule = version.rules.filter(source=Source.AWARD, award_level=award.stage.level).first()
    if rule is None:
        return []
    # An award is the household's: it earns, whatever the rule says of persons.
    account = ledger.account_for(household=award.household)
    due = _Due(
        account,
        rule,
        rule.points,
        Posting(
            kind=EntryKind.EARN,
            reason=_("%(rule)s: %(title)s") % {"rule": rule.name, "title": award.title},
            occurred_on=award.issued_on,
            key=f"award:{award.pk}:{account.pk}",
            source=Source.AWARD,
            rule=rule,
            version=version,
            award=award,
        ),
    )
    return _post_dues([due])


def award_reverse(award: Award) -> list[Entry]:
    """A revoked award takes its points back."""
    entries = Entry.objects.filter(award=award, kind=EntryKind.EARN, reversed_by__isnull=True)
    reason = _("award revoked: %(reason)s") % {"reason": award.revoke_reason}
    return [reversal for entry in entries if (reversal := ledger.reverse(entry, reason=reason)) is not None]


def backlog(*, since: datetime.date | None = None, batch: int = 2000) -> int:
    """Post every confirmed record and standing award not yet posted (from ``since``), and
    reverse the earnings of records corrected and awards revoked since; returns the number of
    entries posted. Safe to rerun: what is posted is skipped by its key."""
    records = Contact.objects.filter(status=RecordStatus.CONFIRMED, work_mode__isnull=False)
    awards = Award.objects.filter(revoked_on__isnull=True)
    if since is not None:
        records = records.filter(happened_on__gte=since)
        awards = awards.filter(issued_on__gte=since)
    posted = 0
    versions = _Versions()
    # NOT EXISTS, not NOT IN (subquery): an anti-join. At city scale (millions of entries) the
    # NOT IN list does not fit in work_mem and PostgreSQL re-scans it for every record.
    # In the order of their 执委: a batch then holds all of a few hundred persons' records, each
    # account is locked and written once per batch (in the order of the records, a batch met a
    # new account at almost every record).
    ids = list(
        records.exclude(Exists(Entry.objects.filter(contact=OuterRef("pk"))))
        .values_list("pk", flat=True)
        .order_by("person_id", "happened_on", "pk")
    )
    for start in range(0, len(ids), batch):
        chunk = list(_records(ids[start : start + batch]).order_by("person_id", "happened_on", "pk"))
        versions.prime(chunk)
        posted += len(_post_dues(_duty_dues(chunk, versions)))
    for award in awards.exclude(pk__in=Entry.objects.filter(award__isnull=False).values("award_id")):
        posted += len(award_post(award))
    return posted + _reversals_missed(since)


def _reversals_missed(since: datetime.date | None) -> int:
    """Reverse what a receiver failed to: earnings of records since corrected, and of awards
    since revoked, not yet reversed (a reversal is keyed, so this is safe beside the receiver)."""
    # From the few corrected records and revoked awards to their entries (the entry's partial
    # indexes on contact and award), never a join over the whole ledger (34 s on 5 million).
    corrected = Contact.objects.filter(status=RecordStatus.SUPERSEDED)
    revoked = Award.objects.filter(revoked_on__isnull=False)
    if since is not None:
        corrected = corrected.filter(happened_on__gte=since)
    earned = Entry.objects.filter(kind=EntryKind.EARN).exclude(Exists(Entry.objects.filter(reverses=OuterRef("pk"))))
    if since is not None:
        earned = earned.filter(occurred_on__gte=since)
    # Two queries, not one with OR: each side then reads its own partial index.
    stale = [
        *earned.filter(contact_id__in=list(corrected.values_list("pk", flat=True))).select_related("contact"),
        *earned.filter(award_id__in=list(revoked.values_list("pk", flat=True))).select_related("award"),
    ]
    done = 0
    for entry in stale:
        if entry.award_id is not None:
            reason = _("award revoked: %(reason)s") % {"reason": entry.award.revoke_reason}  # type: ignore[union-attr]
        else:
            later = Contact.objects.filter(supersedes_id=entry.contact_id).values_list("pk", flat=True).first()
            reason = _("corrected by a later record (no. %(number)d)") % {"number": later or 0}
        if ledger.reverse(entry, reason=reason) is not None:
            done += 1
    return done
