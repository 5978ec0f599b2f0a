"""Reviewing duty records: the level above confirms or returns them; nobody reviews her own.

Who reviews whom (the issue's rule, "a village chair confirms her village's 执委; township
staff confirm chairs"), always for a record the reviewer may see:

- a federation's staff (``duties.review``) review the records, placed in their subtree, of the
  执委 whose post (in force on the record's day, or now) is in their subtree, except the chair
  and vice-chairs (part-time ones too) of the very federation they hold their role at: the
  level above reviews those;
- a chair or vice-chair, through her current post (her reach ends with it), reviews her own
  federation's other 执委 (not its other leaders), for records placed in its subtree;
- nobody reviews a record of her own, nor one she entered for somebody else.

:func:`review_q` says it once as a condition; every check of one record asks it too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fulian.core.ancestry import within_q
from fulian.core.scoping import AnyUser, grants_for
from fulian.duties import counting
from fulian.duties.signals import record_confirmed
from fulian.grid import coverage
from fulian.grid.choices import RecordStatus
from fulian.grid.models import Contact
from fulian.grid.services import households_contacted
from fulian.people.choices import PostKind
from fulian.people.models import Person, Post

LEADER_POSTS = (PostKind.CHAIR, PostKind.VICE_CHAIR, PostKind.PART_TIME_VICE_CHAIR)
REASON_MAX_LENGTH = 200
BULK_MAX = 500


def own_person_id(user: AnyUser) -> int | None:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    return Person.objects.filter(account_id=user.pk).values_list("pk", flat=True).first()


def _posts_of_record_person() -> Any:
    """Posts of the record's 执委 in force on the record's day, or held now."""
    return Post.objects.filter(person_id=OuterRef("person_id")).filter(
        Q(end_date__isnull=True) | Q(start_date__lte=OuterRef("happened_on"), end_date__gte=OuterRef("happened_on"))
    )


def _leaders_at(org_ids: Iterable[int]) -> Q:
    """Records of a chair or vice-chair of one of ``org_ids``."""
    return Q(Exists(_posts_of_record_person().filter(kind__in=LEADER_POSTS, org_id__in=list(org_ids))))


def _led_posts(person_id: int) -> list[Post]:
    """Her current leader posts (started, not ended): the reach a chair reviews with."""
    today = coverage.today()
    return list(
        Post.objects.filter(
            person_id=person_id, end_date__isnull=True, start_date__lte=today, kind__in=LEADER_POSTS
        ).select_related("org")
    )


def review_q(user: AnyUser) -> Q | None:
    """The records ``user`` may review (any status), as one condition; None: none at all."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    conditions = Q()
    found = False
    grants = grants_for(user, "duties.review")
    if grants:
        found = True
        staff = Q()
        for grant in grants:
            in_reach = Post.scope_q(grant)
            staff |= Contact.scope_q(grant) & Q(Exists(_posts_of_record_person().filter(in_reach)))
        conditions |= staff & ~_leaders_at(g.org_id for g in grants)
    own = own_person_id(user)
    if own is not None:
        for post in _led_posts(own):
            found = True
            at_org = _posts_of_record_person().filter(org_id=post.org_id)
            conditions |= (
                within_q(post.org) & Q(Exists(at_org.exclude(kind__in=LEADER_POSTS))) & ~_leaders_at([post.org_id])
            )
    if not found:
        return None
    # Only what she may see: a post gives no reach beyond her roles.
    visible = Q()
    view_grants = grants_for(user, Contact.scope_view_action)
    if not view_grants:
        return None
    for grant in view_grants:
        visible |= Contact.scope_q(grant)
    conditions &= visible
    conditions &= ~Q(created_by_id=user.pk)
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


def _already(record: Contact) -> str:
    who = (record.reviewed_by.full_name or record.reviewed_by.username) if record.reviewed_by else ""
    by = _(" by %(who)s") % {"who": who} if who else ""
    messages = {
        RecordStatus.CONFIRMED: _("This record was already confirmed%(by)s: nothing was changed."),
        RecordStatus.RETURNED: _("This record was already returned%(by)s: nothing was changed."),
        RecordStatus.SUPERSEDED: _("This record was corrected by a later one: nothing was changed."),
    }
    return messages[RecordStatus(record.status)] % {"by": by}


def _check(actor: AnyUser, record: Contact) -> Contact:
    """The record locked, the actor's to review, and waiting; else a clear message (one outside
    her reach says no more than that, not its state)."""
    locked = Contact.objects.select_for_update(of=("self",)).select_related("reviewed_by").get(pk=record.pk)
    own = own_person_id(actor)
    if own is not None and locked.person_id == own:
        raise ValidationError(_("Nobody reviews her own record: the level above does."))
    if locked.created_by_id is not None and locked.created_by_id == getattr(actor, "pk", None):
        raise ValidationError(_("You entered this record for her: somebody else reviews it."))
    if not reviewable(actor, locked):
        raise ValidationError(_("This record is reviewed by the level above her, not by you."))
    if locked.status != RecordStatus.PENDING:
        raise ValidationError(_already(locked))
    return locked


def _supersede(record: Contact) -> Contact | None:
    """A confirmed correction replaces what it corrects: that one is kept, no longer counted
    (so the pair counts once), and its households' last contact no longer reads it."""
    if record.supersedes_id is None:
        return None
    old = Contact.objects.select_for_update().get(pk=record.supersedes_id)
    if old.status != RecordStatus.CONFIRMED:
        return None
    old.status = RecordStatus.SUPERSEDED
    old.save(update_fields=["status"])
    counting.count(old, -1)
    households_contacted(old, list(old.households.values_list("pk", flat=True)))
    return old


@transaction.atomic
def record_confirm(*, actor: AnyUser, record: Contact) -> Contact:
    """Confirm a record: it is locked from now on and counts in figures, reports and points."""
    locked = _check(actor, record)
    locked.status = RecordStatus.CONFIRMED
    locked.reviewed_by = actor  # type: ignore[assignment]
    locked.reviewed_at = timezone.now()
    locked.return_reason = ""
    locked.save(update_fields=["status", "reviewed_by", "reviewed_at", "return_reason"])
    counting.count(locked, 1)
    superseded = _supersede(locked)
    transaction.on_commit(
        lambda: record_confirmed.send_robust(sender=Contact, record=locked, superseded=superseded), robust=True
    )
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
    # One another reviewer took before the list was read: said with who did what, if she sees it.
    condition = review_q(actor)
    taken = (
        {
            r.pk: r
            for r in Contact.objects.filter(condition, pk__in=[i for i in ids if i not in found])
            .exclude(status=RecordStatus.PENDING)
            .select_related("person", "reviewed_by")
        }
        if condition is not None
        else {}
    )
    problems = [
        f"{taken[i].person.name} {taken[i].happened_on}: {_already(taken[i])}"
        if i in taken
        else _("Record %(id)s is not waiting for your review.") % {"id": i}
        for i in ids
        if i not in found
    ]
    confirmed = 0
    for record in found.values():
        try:
            record_confirm(actor=actor, record=record)
        except ValidationError as error:
            problems += [f"{record.person.name} {record.happened_on}: {m}" for m in error.messages]
        else:
            confirmed += 1
    return confirmed, problems
