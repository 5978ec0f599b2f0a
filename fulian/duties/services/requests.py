"""她代表 requests, followed to an answer: recorded by the 她代表, accepted by her federation,
assigned to a person there or escalated to the level above (村 → 镇 → 县 → 市), updated, answered,
rated by the woman through her 她代表, closed. Every step is a :class:`RequestStep` (append-only,
with its actor and time) and every change is audited; nothing is deleted."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fulian.accounts.choices import Role
from fulian.accounts.models import RoleGrant, User
from fulian.campaigns.holidays import add_working_days
from fulian.core.scoping import AnyUser, can, require
from fulian.duties.choices import (
    DEADLINE_DAYS,
    OPEN_STATUSES,
    Category,
    RequestKind,
    RequestStatus,
    Satisfaction,
    StepKind,
    Urgency,
)
from fulian.duties.models import TEXT_MAX_LENGTH, Request, RequestPhoto, RequestStep
from fulian.grid import coverage
from fulian.grid.services import _photos_checked
from fulian.households.models import Household, HouseholdMember
from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation
from fulian.people.models import Person, Post

MAX_PHOTOS = 6
# The levels a request climbs through; above the city there is nobody to escalate to here.
FEDERATION_LEVELS = (Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY, Level.CITY)
ASSIGNEE_ROLES = (Role.ADMIN, Role.STAFF, Role.MEMBER)


def _text(value: str, field: str, *, required: bool = False, limit: int = TEXT_MAX_LENGTH) -> str:
    value = value.strip()
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    if len(value) > limit:
        raise ValidationError({field: _("At most %(n)d characters.") % {"n": limit}})
    return value


def _step(request: Request, kind: str, actor: AnyUser, **values: Any) -> RequestStep:
    return RequestStep.objects.create(request=request, kind=kind, actor=_user(actor), **values)


def _user(actor: AnyUser) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _federation_of(org: Organisation) -> Organisation:
    """The federation that first holds a request placed at ``org``: its village (a group's
    requests go to the village), or ``org`` itself at a higher level."""
    if org.level == Level.GROUP and org.parent_id:
        return Organisation.objects.get(pk=org.parent_id)
    return org


def due_on(recorded: datetime.date, urgency: str) -> datetime.date:
    return add_working_days(recorded, DEADLINE_DAYS[Urgency(urgency)])


def _locked(request: Request) -> Request:
    # Only the request's own row, without a join: locking its holder too would queue every
    # action of one federation behind the others, and a join is re-checked against the row's
    # new version after a wait (PostgreSQL), which loses the row when its holder changed.
    locked = Request.objects.select_for_update().get(pk=request.pk)
    locked.holder = Organisation.objects.get(pk=locked.holder_id)
    return locked


def _require_holder(actor: AnyUser, request: Request) -> None:
    """Acting for the federation that holds the request: its staff (or those above), or the
    person it is assigned to."""
    if request.assignee_id is not None and request.assignee_id == getattr(actor, "pk", None):
        return
    require(actor, "duties.handle", request.holder)


def _require_status(request: Request, allowed: Sequence[str], message: str) -> None:
    if request.status not in allowed:
        raise ValidationError(message + " " + _("(now: %(status)s)") % {"status": request.get_status_display()})


@transaction.atomic
def request_record(
    *,
    actor: AnyUser,
    representative: Person,
    kind: str,
    category: str,
    urgency: str,
    description: str,
    household: Household | None = None,
    member: HouseholdMember | None = None,
    whom: str = "",
    photos: Sequence[Any] = (),
    client_key: uuid.UUID | None = None,
) -> Request:
    """A 她代表 records a need or suggestion; her federation holds it, due by the urgency's
    working days. The same ``client_key`` again returns the request already made."""
    Person.objects.select_for_update().filter(pk=representative.pk).first()
    if client_key is not None:
        made = Request.objects.filter(representative=representative, client_key=client_key).first()
        if made is not None:
            return made
    errors: dict[str, Any] = {}
    if kind not in RequestKind.values:
        errors["kind"] = _("Choose a need or a suggestion.")
    if category not in Category.values:
        errors["category"] = _("Choose a category.")
    if urgency not in Urgency.values:
        errors["urgency"] = _("Choose how urgent it is.")
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = _("At most %(n)d photos.") % {"n": MAX_PHOTOS}
    if member is not None and household is not None and member.household_id != household.pk:
        errors["member"] = _("This person is not of the household chosen.")
    if errors:
        raise ValidationError(errors)
    description = _text(description, "description", required=True)
    whom = _text(whom, "whom", limit=100)
    if member is not None and household is None:
        household = member.household
    for target in (household, member):
        if target is not None and not can(actor, "duties.request", target.org):
            raise ValidationError({"household": _("This household is not in your area.")})
    own = getattr(getattr(actor, "person", None), "pk", None)
    posts = Post.objects.filter(person=representative, end_date__isnull=True).select_related("org")
    post = next((p for p in posts if p.is_representative), None) or next(iter(posts), None)
    if post is None:
        raise ValidationError({"representative": _("She holds no current post: requests are taken by 执委.")})
    place = household.org if household is not None else post.org
    require(actor, "duties.request", post.org)
    if own != representative.pk and not can(actor, "duties.handle", post.org):
        raise ValidationError({"representative": _("You can record only your own requests.")})
    cleaned = _photos_checked(photos, "request")
    today = coverage.today()
    request = Request(
        representative=representative,
        kind=kind,
        category=category,
        urgency=urgency,
        household=household,
        member=member,
        whom=whom,
        description=description,
        holder=_federation_of(post.org),
        recorded_on=today,
        due_on=due_on(today, urgency),
        client_key=client_key,
        created_by=_user(actor),
    )
    request.place(place)
    request.save()
    step = _step(request, StepKind.RECORD, actor, to_org=request.holder)
    for photo in cleaned:
        RequestPhoto.objects.create(request=request, step=step, image=photo)
    return request


@transaction.atomic
def request_accept(*, actor: AnyUser, request: Request, note: str = "") -> Request:
    locked = _locked(request)
    require(actor, "duties.handle", locked.holder)
    _require_status(locked, [RequestStatus.RECORDED], _("Only a request just recorded or escalated is accepted."))
    locked.status = RequestStatus.ACCEPTED
    locked.save(update_fields=["status"])
    _step(locked, StepKind.ACCEPT, actor, note=_text(note, "note"), to_org=locked.holder)
    return locked


def assignees(request: Request) -> QuerySet[User]:
    """Who a request may be assigned to: the active accounts with a role at the federation
    holding it."""
    grants = RoleGrant.objects.filter(org=request.holder, role__in=ASSIGNEE_ROLES)
    return User.objects.filter(pk__in=grants.values("user_id"), is_active=True).order_by("username")


@transaction.atomic
def request_assign(*, actor: AnyUser, request: Request, assignee: Any, note: str = "") -> Request:
    locked = _locked(request)
    require(actor, "duties.handle", locked.holder)
    _require_status(
        locked,
        [RequestStatus.ACCEPTED, RequestStatus.ASSIGNED, RequestStatus.IN_PROGRESS],
        _("Accept the request before assigning it."),
    )
    if not assignees(locked).filter(pk=getattr(assignee, "pk", 0) or 0).exists():
        raise ValidationError({"assignee": _("Assign it to a person of %(org)s.") % {"org": locked.holder}})
    locked.assignee = assignee
    locked.status = RequestStatus.ASSIGNED
    locked.save(update_fields=["assignee", "status"])
    _step(locked, StepKind.ASSIGN, actor, note=_text(note, "note"), assignee=assignee)
    return locked


@transaction.atomic
def request_escalate(*, actor: AnyUser, request: Request, reason: str) -> Request:
    """Hand the request to the federation above the one holding it (村 → 镇 → 县 → 市); it is
    recorded there until that level accepts it. The deadline stays: the woman is still waiting."""
    locked = _locked(request)
    if locked.holder_id != request.holder_id:
        # Two escalations at once: the second would climb a level further than its caller saw.
        raise ValidationError(
            _("This request was meanwhile escalated to %(org)s: nothing was changed.") % {"org": locked.holder}
        )
    require(actor, "duties.handle", locked.holder)
    _require_status(locked, OPEN_STATUSES, _("Only an open request is escalated."))
    reason = _text(reason, "reason", required=True)
    above = Organisation.objects.filter(pk=locked.holder.parent_id or 0).first()
    if above is None or above.level not in FEDERATION_LEVELS or locked.holder.level == Level.CITY:
        raise ValidationError(
            {
                "reason": _("%(org)s is the top level here: there is nobody above to escalate to.")
                % {"org": locked.holder}
            }
        )
    before = locked.holder
    locked.holder = above
    locked.assignee = None
    locked.status = RequestStatus.RECORDED
    locked.save(update_fields=["holder", "assignee", "status"])
    _step(locked, StepKind.ESCALATE, actor, note=reason, from_org=before, to_org=above)
    return locked


@transaction.atomic
def request_update(*, actor: AnyUser, request: Request, note: str, photos: Sequence[Any] = ()) -> Request:
    """A dated progress note (with photos) by the person assigned or the holder's staff."""
    locked = _locked(request)
    _require_holder(actor, locked)
    _require_status(
        locked,
        [RequestStatus.ACCEPTED, RequestStatus.ASSIGNED, RequestStatus.IN_PROGRESS],
        _("Accept the request before recording its progress."),
    )
    note = _text(note, "note", required=True)
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("At most %(n)d photos.") % {"n": MAX_PHOTOS}})
    cleaned = _photos_checked(photos, "request")
    locked.status = RequestStatus.IN_PROGRESS
    locked.save(update_fields=["status"])
    step = _step(locked, StepKind.UPDATE, actor, note=note)
    for photo in cleaned:
        RequestPhoto.objects.create(request=locked, step=step, image=photo)
    return locked


@transaction.atomic
def request_answer(*, actor: AnyUser, request: Request, answer: str) -> Request:
    locked = _locked(request)
    _require_holder(actor, locked)
    _require_status(
        locked,
        [RequestStatus.ACCEPTED, RequestStatus.ASSIGNED, RequestStatus.IN_PROGRESS],
        _("Accept the request before answering it."),
    )
    locked.answer = _text(answer, "answer", required=True)
    locked.answered_at = timezone.now()
    locked.status = RequestStatus.ANSWERED
    locked.save(update_fields=["answer", "answered_at", "status"])
    _step(locked, StepKind.ANSWER, actor, note=locked.answer)
    return locked


def may_rate(user: AnyUser, request: Request) -> bool:
    """The 她代表 asks the woman and enters her answer (or staff of the holder for her)."""
    own = getattr(getattr(user, "person", None), "pk", None)
    return own == request.representative_id or can(user, "duties.handle", request.holder)


@transaction.atomic
def request_rate(*, actor: AnyUser, request: Request, satisfaction: str, note: str = "") -> Request:
    """The woman's satisfaction with the answer: 满意 or 基本满意 closes the request; 不满意
    reopens it once (in progress again, at the same federation), and closes it the second time."""
    locked = _locked(request)
    if not may_rate(actor, locked):
        raise ValidationError(_("Her satisfaction is entered by her 她代表."))
    _require_status(locked, [RequestStatus.ANSWERED], _("Only an answered request is rated."))
    if satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": _("Choose how satisfied she is.")})
    note = _text(note, "note")
    locked.satisfaction = satisfaction
    _step(locked, StepKind.RATE, actor, satisfaction=satisfaction, note=note)
    if satisfaction == Satisfaction.UNSATISFIED and not locked.reopened:
        locked.reopened = True
        locked.status = RequestStatus.IN_PROGRESS
        locked.save(update_fields=["satisfaction", "reopened", "status"])
        _step(locked, StepKind.REOPEN, actor, note=note)
        return locked
    locked.status = RequestStatus.CLOSED
    locked.closed_at = timezone.now()
    locked.save(update_fields=["satisfaction", "status", "closed_at"])
    _step(locked, StepKind.CLOSE, actor)
    return locked


@transaction.atomic
def request_close(*, actor: AnyUser, request: Request, note: str) -> Request:
    """Close an answered request whose satisfaction could not be asked (she moved away): the
    holder's staff, with a note. A request without an answer is never closed."""
    locked = _locked(request)
    require(actor, "duties.handle", locked.holder)
    if not locked.answer:
        raise ValidationError(_("A request is closed only once it has an answer."))
    _require_status(locked, [RequestStatus.ANSWERED], _("Only an answered request is closed."))
    locked.status = RequestStatus.CLOSED
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "closed_at"])
    _step(locked, StepKind.CLOSE, actor, note=_text(note, "note", required=True))
    return locked
