"""Points by hand: staff award or deduct with a reason and evidence; above the scheme's threshold
a second reviewer confirms; staff reverse an entry. Nobody posts to her own account or her
household's, nor confirms what she asked for; only accounts in her reach."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fulian.core.photos import clean_photo
from fulian.core.scoping import AnyUser, require
from fulian.grid.coverage import today
from fulian.points.choices import ClaimStatus, EntryKind, Source
from fulian.points.models import REASON_MAX_LENGTH, Account, Claim, Entry
from fulian.points.services import ledger
from fulian.points.services.earning import version_for
from fulian.points.services.holders import holds
from fulian.points.services.ledger import Posting, refuse_when_busy

AMOUNT_MAX = 10_000
DEFAULT_SECOND_REVIEW_ABOVE = 20


def _reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": _("Say why (it shows in the passbook).")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": _("At most %(max)d characters.") % {"max": REASON_MAX_LENGTH}})
    return reason


def _not_own(actor: AnyUser, account: Account) -> None:
    if holds(actor, account):
        raise PermissionDenied(_("Nobody awards or deducts points on her own account or her household's."))


def second_review_above(account: Account, on: datetime.date) -> int:
    version = version_for(account.org.path, on)  # type: ignore[attr-defined]
    return version.second_review_above if version is not None else DEFAULT_SECOND_REVIEW_ABOVE


@refuse_when_busy
def manual_post(
    *,
    actor: AnyUser,
    account: Account,
    amount: int,
    reason: str,
    occurred_on: datetime.date | None = None,
    evidence: Any = None,
    key: str | None = None,
) -> Entry | Claim:
    """Award (``amount`` > 0) or deduct (< 0) by hand: an entry at once, or a claim waiting for
    a second reviewer when more than the scheme's threshold. ``key`` makes a resend post once."""
    require(actor, "points.post", account.org)  # type: ignore[attr-defined]
    _not_own(actor, account)
    reason = _reason(reason)
    occurred_on = occurred_on or today()
    if occurred_on > today():
        raise ValidationError({"occurred_on": _("The day cannot be in the future.")})
    if amount == 0 or abs(amount) > AMOUNT_MAX:
        raise ValidationError(
            {"amount": _("Enter between 1 and %(max)d points, or a deduction.") % {"max": AMOUNT_MAX}}
        )
    if evidence:  # phones put the GPS position of the house in a photo: stored re-encoded, without it
        try:
            evidence = clean_photo(evidence, name="evidence")
        except ValidationError as e:
            raise ValidationError({"evidence": e.messages}) from None
    key = f"manual:{key}" if key else f"manual:{timezone.now().timestamp()}:{account.pk}:{getattr(actor, 'pk', 0)}"
    if abs(amount) > second_review_above(account, occurred_on):
        with transaction.atomic():
            # Under the account's lock, like every posting: two taps of one button at once
            # find the first one's claim instead of both inserting (a unique-key error).
            locked = ledger.lock(account)
            existing = Claim.objects.filter(idempotency_key=key).first()
            if existing is not None:
                if existing.account_id != account.pk:
                    raise ValidationError({"key": _("This key was already used for another posting.")})
                return existing
            if locked.balance + amount < 0:
                # Said now, not when the second reviewer confirms (the ledger checks again then).
                raise ValidationError(
                    {
                        "amount": _("Only %(balance)d points are left: %(amount)d cannot be taken.")
                        % {"balance": locked.balance, "amount": -amount}
                    }
                )
            claim = Claim(
                account=account,
                amount=amount,
                reason=reason,
                occurred_on=occurred_on,
                idempotency_key=key,
                created_by=actor,  # type: ignore[misc]
            )
            if evidence:
                claim.evidence = evidence
            claim.place_beside(account)
            claim.save()
            return claim
    return ledger.post(
        account,
        amount,
        Posting(
            kind=EntryKind.EARN if amount > 0 else EntryKind.DEDUCT,
            reason=reason,
            occurred_on=occurred_on,
            key=key,
            source=Source.MANUAL,
            evidence=evidence,
            created_by=actor,
        ),
    )


@refuse_when_busy
def claim_confirm(*, actor: AnyUser, claim: Claim) -> Entry:
    """The second reviewer confirms a claim: its entry is posted."""
    require(actor, "points.post", claim.org)  # type: ignore[attr-defined]
    _not_own(actor, claim.account)
    with transaction.atomic():
        account = ledger.lock(claim.account)
        locked = Claim.objects.select_for_update().get(pk=claim.pk)
        if locked.status != ClaimStatus.PENDING:
            raise ValidationError(_("This claim was already decided: nothing was changed."))
        if locked.created_by_id is not None and locked.created_by_id == getattr(actor, "pk", None):
            raise ValidationError(_("A second reviewer is somebody else than who asked."))
        # A rule's claim comes from a record somebody confirmed: that was the first review.
        if locked.contact_id is not None and locked.contact.reviewed_by_id == getattr(actor, "pk", None):  # type: ignore[union-attr]
            raise ValidationError(_("You confirmed the record: the second review is somebody else's."))
        locked.status = ClaimStatus.POSTED
        locked.decided_by = actor  # type: ignore[assignment]
        locked.decided_at = timezone.now()
        locked.save()
        return ledger.post(
            account,
            locked.amount,
            Posting(
                kind=EntryKind.EARN if locked.amount > 0 else EntryKind.DEDUCT,
                reason=locked.reason,
                occurred_on=locked.occurred_on,
                key=locked.idempotency_key,
                source=locked.rule.source if locked.rule_id else Source.MANUAL,  # type: ignore[union-attr]
                rule=locked.rule,
                version=locked.rule.version if locked.rule_id else None,  # type: ignore[union-attr]
                contact=locked.contact,
                claim=locked,
                evidence=locked.evidence,
                created_by=locked.created_by,
                confirmed_by=actor,
            ),
            locked=True,
        )


@refuse_when_busy
@transaction.atomic
def claim_refuse(*, actor: AnyUser, claim: Claim, reason: str) -> Claim:
    """The second reviewer refuses a claim, with a reason: nothing is posted."""
    require(actor, "points.post", claim.org)  # type: ignore[attr-defined]
    _not_own(actor, claim.account)
    locked = Claim.objects.select_for_update().get(pk=claim.pk)
    if locked.status != ClaimStatus.PENDING:
        raise ValidationError(_("This claim was already decided: nothing was changed."))
    locked.status = ClaimStatus.REFUSED
    locked.refuse_reason = _reason(reason)
    locked.decided_by = actor  # type: ignore[assignment]
    locked.decided_at = timezone.now()
    locked.save()
    return locked


@refuse_when_busy
def entry_reverse(*, actor: AnyUser, entry: Entry, reason: str) -> Entry:
    """Staff take an entry back (a mistake): a reversal, never an edit."""
    require(actor, "points.post", entry.org)  # type: ignore[attr-defined]
    _not_own(actor, entry.account)
    reason = _reason(reason)
    if entry.kind == EntryKind.REVERSAL:
        raise ValidationError(_("A reversal cannot be reversed: post a new entry instead."))
    if Entry.objects.filter(reverses=entry).exists():
        raise ValidationError(_("This entry was already reversed."))
    reversal = ledger.reverse(entry, reason=reason, actor=actor)
    if reversal is None:
        raise ValidationError(_("The balance is 0: there is nothing left to take back."))
    return reversal
