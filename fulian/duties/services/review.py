"""Reviewing duty records: the level above confirms or returns them; nobody reviews her own.

Who reviews whom (the issue's rule, "a village chair confirms her village's 执委; township
staff confirm chairs"):

- a federation's staff (``duties.review``) review the records in their subtree, except those
  of the chair and vice-chairs of the very federation they hold their role at (the level above
  reviews those);
- a chair or vice-chair (a current post) reviews her own federation's other 执委, whose
  records are placed in its subtree.

:func:`review_queue` says it once as a queryset; every check of one record asks it too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fulian.core.ancestry import within_q
from fulian.core.scoping import AnyUser, grants_for
from fulian.grid.choices import RecordStatus
from fulian.grid.models import Contact
from fulian.grid.services import households_contacted
from fulian.people.choices import PostKind
from fulian.people.models import Person, Post

LEADER_POSTS = (PostKind.CHAIR, PostKind.VICE_CHAIR)
REASON_MAX_LENGTH = 200
BULK_MAX = 500


def own_person_id(user: AnyUser) -> int | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Person.objects.filter(account_id=user.pk).values_list("pk", flat=True).first()


def _leaders_at(org_ids: Iterable[int]) -> Any:
    return Post.objects.filter(end_date__isnull=True, kind__in=LEADER_POSTS, org_id__in=list(org_ids)).values(
        "person_id"
    )


def review_q(user: AnyUser) -> Q | None:
    """The records ``user`` may review (any status), as one condition; None: none at all."""
    conditions = Q()
    found = False
    grants = grants_for(user, "duties.review")
    if grants:
        found = True
        staff = Q()
        for grant in grants:
            staff |= Contact.scope_q(grant)
        conditions |= staff & ~Q(person_id__in=_leaders_at(g.org_id for g in grants))
    own = own_person_id(user)
    if own is not None:
        led = Post.objects.filter(person_id=own, end_date__isnull=True, kind__in=LEADER_POSTS).select_related("org")
        for post in led:
            found = True
            members = Post.objects.filter(org_id=post.org_id, end_date__isnull=True).exclude(kind__in=LEADER_POSTS)
            conditions |= within_q(post.org) & Q(person_id__in=members.values("person_id"))
    if not found:
        return None
    if own is not None:
        conditions &= ~Q(person_id=own)
    return conditions


def review_queue(user: AnyUser) -> Any:
    """Records waiting for ``user``'s review (the review list; bulk confirm takes from it)."""
    condition = review_q(user)
    if condition is None:
        return Contact.objects.none()
    return Contact.objects.filter(condition, status=RecordStatus.PENDING)


def reviewable(user: AnyUser, record: Contact) -> bool:
    condition = review_q(user)
    return condition is not None and Contact.objects.filter(condition, pk=record.pk).exists()


def _check(actor: AnyUser, record: Contact) -> Contact:
    """The record locked, waiting, and the actor's to review; else a clear message."""
    locked = Contact.objects.select_for_update().select_related("reviewed_by").get(pk=record.pk)
    if locked.person_id == own_person_id(actor) or locked.created_by_id == getattr(actor, "pk", None):
        raise ValidationError(_("Nobody reviews her own record: the level above does."))
    if locked.status != RecordStatus.PENDING:
        who = locked.reviewed_by.full_name or locked.reviewed_by.username if locked.reviewed_by else ""
        raise ValidationError(
            _("This record is already %(status)s%(by)s: nothing was changed.")
            % {"status": locked.get_status_display(), "by": _(" by %(who)s") % {"who": who} if who else ""}
        )
    if not reviewable(actor, locked):
        raise ValidationError(_("This record is reviewed by the level above her, not by you."))
    return locked


def _supersede(record: Contact) -> None:
    """A confirmed correction replaces what it corrects: that one is kept, no longer counted."""
    if record.supersedes_id is None:
        return
    old = Contact.objects.select_for_update().get(pk=record.supersedes_id)
    if old.status == RecordStatus.CONFIRMED:
        old.status = RecordStatus.SUPERSEDED
        old.save(update_fields=["status"])


@transaction.atomic
def record_confirm(*, actor: AnyUser, record: Contact) -> Contact:
    """Confirm a record: it is locked from now on and counts in figures, reports and points."""
    locked = _check(actor, record)
    locked.status = RecordStatus.CONFIRMED
    locked.reviewed_by = actor  # type: ignore[assignment]
    locked.reviewed_at = timezone.now()
    locked.return_reason = ""
    locked.save(update_fields=["status", "reviewed_by", "reviewed_at", "return_reason"])
    _supersede(locked)
    return locked


@transaction.atomic
def record_return(*, actor: AnyUser, record: Contact, reason: str) -> Contact:
    """Return a record to its 执委 with a reason; she corrects it and sends it again."""
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": _("Say why the record is returned.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": _("At most %(n)d characters.") % {"n": REASON_MAX_LENGTH}})
    locked = _check(actor, record)
    locked.status = RecordStatus.RETURNED
    locked.reviewed_by = actor  # type: ignore[assignment]
    locked.reviewed_at = timezone.now()
    locked.return_reason = reason
    locked.save(update_fields=["status", "reviewed_by", "reviewed_at", "return_reason"])
    # A returned record no longer counts as the households' last contact.
    households_contacted(locked, list(locked.households.values_list("pk", flat=True)))
    return locked


def records_confirm(*, actor: AnyUser, ids: Sequence[int]) -> tuple[int, list[str]]:
    """Confirm many records from the review list: each in its own transaction, so one that
    another reviewer took meanwhile is skipped and said, not the whole lot. (confirmed, problems)"""
    if len(ids) > BULK_MAX:
        raise ValidationError(_("At most %(n)d records at once.") % {"n": BULK_MAX})
    records = review_queue(actor).filter(pk__in=list(ids)).select_related("person")
    found = {r.pk: r for r in records}
    problems = [_("Record %(id)s is not waiting for your review.") % {"id": i} for i in ids if i not in found]
    confirmed = 0
    for record in found.values():
        try:
            record_confirm(actor=actor, record=record)
        except ValidationError as error:
            problems += [f"{record.person.name} {record.happened_on}: {m}" for m in error.messages]
        else:
            confirmed += 1
    return confirmed, problems
