"""The ledger: every change of a balance is one entry, posted here and nowhere else.

How it stays exact (DESIGN.md §3 "Ledgers"):

- the account row is locked (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's transactions
  begin ``IMMEDIATE`` and so hold the database's write lock) before anything is read, so two
  postings to one account run one after the other;
- the idempotency key is looked up under that lock (a key always belongs to one account), so
  a source processed twice, or two taps of one button, post once;
- the entry and the new balance are written in the same transaction; the database refuses a
  negative balance (a check constraint) as the last line of defence.

A correction is a reversal (a new entry pointing at the one it corrects); a reversal is never
reversed. Locks are taken in one order everywhere: account, then store item, then order.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from fulian.points.choices import EARNING_KINDS, EntryKind, HolderKind, Source
from fulian.points.models import Account, AccountYear, Entry

_P = ParamSpec("_P")
_R = TypeVar("_R")

# PostgreSQL's codes for "could not get the lock in time": serialization failure, deadlock,
# lock not available (lock_timeout), statement cancelled (statement_timeout).
_BUSY_SQLSTATES = frozenset({"40001", "40P01", "55P03", "57014"})


def busy(error: OperationalError) -> bool:
    """Whether a database error means "others hold the lock, try again" (SQLite's "database is
    locked" once its timeout has passed; PostgreSQL's lock timeout or deadlock), not a fault."""
    if "database is locked" in str(error) or "database table is locked" in str(error):
        return True
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) in _BUSY_SQLSTATES or getattr(cause, "pgcode", None) in _BUSY_SQLSTATES


def refuse_when_busy(service: Callable[_P, _R]) -> Callable[_P, _R]:
    """A service that gives up waiting for a lock says so clearly (a ValidationError the form
    or the API shows: nothing was written, the transaction rolled back), never a server error.

    On SQLite every transaction takes the write lock at its start (``IMMEDIATE``) and waits
    up to the connection's timeout (20 s) for it; fifty redemptions at once queue behind one
    another, and one still waiting after that is refused here."""

    @functools.wraps(service)
    def refusing(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return service(*args, **kwargs)
        except OperationalError as error:
            if not busy(error):
                raise
            raise ValidationError(
                _("Many are using the points at this moment: nothing was changed. Try again in a moment.")
            ) from error

    return refusing


@dataclass(frozen=True)
class Posting:
    """What one entry says besides its account and amount."""

    kind: str
    reason: str
    occurred_on: datetime.date
    key: str
    source: str = ""
    rule: Any = None
    version: Any = None
    contact: Any = None
    award: Any = None
    claim: Any = None
    order: Any = None
    reverses: Any = None
    evidence: Any = None
    created_by: Any = None
    confirmed_by: Any = None


def account_for(*, person: Any = None, household: Any = None) -> Account:
    """The account of a person or a household, opened (placed where the holder is) on first use."""
    holder = person if person is not None else household
    if holder is None:
        raise ValueError("account_for needs a person or a household")
    lookup = {"person": person} if person is not None else {"household": household}
    found = Account.objects.filter(**lookup).first()
    if found is not None:
        return found
    account = Account(kind=HolderKind.PERSON if person is not None else HolderKind.HOUSEHOLD, **lookup)
    account.place_beside(holder)
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError:  # opened meanwhile by a parallel posting
        return Account.objects.get(**lookup)
    return account


def lock(account: Account) -> Account:
    """The account's row, locked until the transaction ends (call inside ``atomic``)."""
    return Account.objects.select_for_update().get(pk=account.pk)


def post(account: Account, amount: int, posting: Posting, *, locked: bool = False) -> Entry:
    """Post ``amount`` (signed) to ``account``; the entry already posted under the same key if
    there is one. A balance that would go below zero is refused (ValidationError on ``amount``)."""
    return post_many(account, [(amount, posting)], locked=locked)[0]


def post_many(account: Account, postings: list[tuple[int, Posting]], *, locked: bool = False) -> list[Entry]:
    """Post several amounts to one account under one lock (a year's backlog posts in batches):
    the entries in the order given, those already posted under their keys as they were."""
    if any(amount == 0 for amount, _posting in postings):
        raise ValidationError({"amount": _("An entry of zero points means nothing: enter some points.")})
    with transaction.atomic():
        current = account if locked else lock(account)
        keys = [posting.key for _amount, posting in postings]
        existing = {entry.idempotency_key: entry for entry in Entry.objects.filter(idempotency_key__in=keys)}
        balance, earned, spent = current.balance, current.earned, current.spent
        years: dict[int, int] = {}
        new: list[Entry] = []
        result: list[Entry] = []
        for amount, posting in postings:
            if posting.key in existing:
                done = existing[posting.key]
                if done.account_id != current.pk:
                    # A key names one posting of one account: the same key for another
                    # account is a client's mistake, never another holder's entry handed back.
                    raise ValidationError({"key": _("This key was already used for another posting.")})
                result.append(done)
                continue
            if balance + amount < 0:
                raise ValidationError(
                    {
                        "amount": _("Only %(balance)d points are left: %(amount)d cannot be taken.")
                        % {"balance": balance, "amount": -amount}
                    }
                )
            balance += amount
            if posting.kind in EARNING_KINDS:
                earned += amount
                years[posting.occurred_on.year] = years.get(posting.occurred_on.year, 0) + amount
            elif posting.kind in (EntryKind.REDEEM, EntryKind.REFUND):
                spent -= amount
            entry = _entry(current, amount, balance, posting)
            existing[posting.key] = entry
            new.append(entry)
            result.append(entry)
        if not new:
            return result
        now = timezone.now()
        Account.objects.filter(pk=current.pk).update(balance=balance, earned=earned, spent=spent, updated_at=now)
        # Both instances (equal, so a set would keep one): the caller's reads the new balance.
        for holder in (current, account):
            holder.balance, holder.earned, holder.spent, holder.updated_at = balance, earned, spent, now
        for year, amount in years.items():
            _add_to_year(current, year, amount)
        if len(new) == 1:
            new[0].save()
        else:
            Entry.objects.bulk_create(new)
        return result


def _entry(account: Account, amount: int, balance: int, posting: Posting) -> Entry:
    entry = Entry(
        account=account,
        kind=posting.kind,
        amount=amount,
        balance_after=balance,
        occurred_on=posting.occurred_on,
        year=posting.occurred_on.year,
        reason=posting.reason[:200],
        source=posting.source,
        rule=posting.rule,
        version=posting.version,
        contact=posting.contact,
        award=posting.award,
        claim=posting.claim,
        order=posting.order,
        reverses=posting.reverses,
        idempotency_key=posting.key,
        created_by=posting.created_by,
        confirmed_by=posting.confirmed_by,
    )
    if posting.evidence:
        entry.evidence = posting.evidence
    entry.place_beside(account)
    return entry


def _add_to_year(account: Account, year: int, amount: int) -> None:
    updated = AccountYear.objects.filter(account=account, year=year).update(earned=F("earned") + amount)
    if not updated:  # under the account's lock: nobody else opens this account's year meanwhile
        row = AccountYear(account=account, kind=account.kind, year=year, earned=amount)
        row.place_beside(account)
        row.save()


def reverse(entry: Entry, *, reason: str, actor: Any = None, key: str | None = None) -> Entry | None:
    """Take an entry back with a new entry of the opposite sign; the reversal already posted if
    there is one. Only an earning or a deduction is reversed (an order is cancelled instead), and
    never a reversal. If part of what it earned was spent meanwhile, what is left is taken back
    (the balance never goes below zero) and the entry says so. None: nothing to take back."""
    if entry.kind == EntryKind.REVERSAL:
        raise ValidationError(_("A reversal cannot be reversed: post a new entry instead."))
    if entry.kind not in (EntryKind.EARN, EntryKind.DEDUCT):
        raise ValidationError(_("Redemptions are taken back by cancelling their order."))
    with transaction.atomic():
        account = lock(entry.account)
        done = Entry.objects.filter(reverses=entry).first()
        if done is not None:
            return done
        amount = -entry.amount
        text = _("Reversed: %(reason)s") % {"reason": reason}
        if account.balance + amount < 0:
            amount = -account.balance
            text = _("Reversed (%(taken)d of %(points)d points; the rest had been spent): %(reason)s") % {
                "taken": -amount,
                "points": entry.amount,
                "reason": reason,
            }
        if amount == 0:
            return None
        posting = Posting(
            kind=EntryKind.REVERSAL,
            reason=text,
            occurred_on=entry.occurred_on,
            key=key or f"reverse:{entry.pk}",
            source=entry.source or Source.MANUAL,
            rule=entry.rule if entry.rule_id else None,
            version=entry.version if entry.version_id else None,
            contact=entry.contact if entry.contact_id else None,
            award=entry.award if entry.award_id else None,
            reverses=entry,
            created_by=actor,
        )
        return post(account, amount, posting, locked=True)
