"""她代表 requests in the browser: recorded on a phone, listed with the overdue flagged, and
followed on the request's page, where each step the user may take now is a small form posted to
its own URL. Every read goes through ``visible_to``; every write through the request services."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fulian.accounts.http import AuthedRequest
from fulian.core.filters import MAX_ID
from fulian.core.forms import Form, add_service_errors
from fulian.core.scoping import AnyUser, can, can_anywhere, get_visible_or_404
from fulian.core.views import render_list, requires_somewhere
from fulian.duties.choices import OPEN_STATUSES, RequestStatus
from fulian.duties.models import Request, RequestPhoto, RequestStep
from fulian.duties.request_exports import REQUESTS
from fulian.duties.request_filters import RequestFilter
from fulian.duties.request_forms import (
    HOUSEHOLD_PREFIX,
    MEMBER_PREFIX,
    AcceptForm,
    AnswerForm,
    AssignForm,
    CloseForm,
    EscalateForm,
    RateForm,
    RequestForm,
    UpdateForm,
    target_label,
    target_value,
)
from fulian.duties.services import requests as services
from fulian.exports import views as export_views
from fulian.grid import coverage
from fulian.grid.mine import households_of
from fulian.grid.views.contacts import own_person
from fulian.households.models import Household, HouseholdMember, HouseholdQuerySet, MemberQuerySet
from fulian.orgs.choices import Level
from fulian.people.models import Person, Post

# Her own households offered first on the form; more are found by the search.
OFFERED_MAX = 30
FOUND_MAX = 20
# The 她代表 staff choose from (a city has 20,000 执委).
PEOPLE_MAX = 500
STEP_FLOW = (RequestStatus.ACCEPTED, RequestStatus.ASSIGNED, RequestStatus.IN_PROGRESS)


# --- recording ----------------------------------------------------------------------------


def _households(user: AnyUser) -> HouseholdQuerySet:
    return Household.objects.visible_to(user, "duties.request").select_related("org")


def _members(user: AnyUser) -> MemberQuerySet:
    return HouseholdMember.objects.visible_to(user, "duties.request").select_related("org", "household")


def _target(user: AnyUser, value: str) -> Household | HouseholdMember | None:
    """A household (``h12``) or person (``m34``) in the user's area, by the form's value."""
    value = (value or "").strip()
    digits = value[1:]
    if not (digits.isascii() and digits.isdigit() and int(digits) <= MAX_ID):
        return None
    if value[0] == HOUSEHOLD_PREFIX:
        return _households(user).filter(pk=int(digits)).first()
    if value[0] == MEMBER_PREFIX:
        return _members(user).filter(pk=int(digits)).first()
    return None


def _found(user: AnyUser, text: str) -> list[Household | HouseholdMember]:
    """Households and people of the user's area whose name (or pinyin, ``zth``) starts so."""
    text = text.strip()
    if not text:
        return []
    households = list(_households(user).search(text).order_by("head_name", "id")[:FOUND_MAX])
    members = list(_members(user).search(text).order_by("name", "id")[:FOUND_MAX])
    return [*households, *members]


def _representatives(user: AnyUser, own: Person | None) -> QuerySet[Person]:
    """The 她代表 staff may record for: people with a current post in their area (those marked
    as 她代表 or any 执委), and the user herself."""
    posts = Post.objects.visible_to(user, "duties.handle").current()
    people = Person.objects.filter(pk__in=posts.values("person_id"), archived_at__isnull=True)
    if own is not None:
        people = people | Person.objects.filter(pk=own.pk)
    ids = list(people.order_by("name", "id").values_list("pk", flat=True)[:PEOPLE_MAX])
    return Person.objects.filter(pk__in=ids).order_by("name", "id")


@requires_somewhere("duties.request")
def request_create(request: AuthedRequest) -> HttpResponse:
    """Record a request (``?household=12`` for that household). A 执委 records as herself; staff
    may record for a 她代表 of their subtree."""
    user = request.user
    own = own_person(user)
    staff = can_anywhere(user, "duties.handle")
    if own is None and not staff:
        return render(request, "duties/request_form.html", {"no_person": True})
    offered: list[Household | HouseholdMember] = []
    opened_for = request.GET.get("household", "").strip()
    if opened_for:
        household = _target(user, HOUSEHOLD_PREFIX + opened_for)
        if household is None:
            raise Http404(_("Not found."))
        offered = [household]
    elif own is not None:
        offered = list(households_of(own).visible_to(user, "duties.request").select_related("org")[:OFFERED_MAX])
    visible: dict[str, Household | HouseholdMember] = {target_value(t): t for t in offered}
    if request.method == "POST":
        chosen = request.POST.get("target", "")
        if chosen and chosen not in visible:
            found = _target(user, chosen)
            if found is not None:
                visible[chosen] = found
                offered.append(found)
    found_now = _found(user, request.GET.get("find", "")) if request.method != "POST" else []
    for each in found_now:
        visible.setdefault(target_value(each), each)
        if each not in offered:
            offered.append(each)
    initial: dict[str, Any] = {"client_key": uuid.uuid4()}
    if opened_for:
        initial["target"] = target_value(offered[0])
    representatives = _representatives(user, own) if staff else None
    if representatives is not None and own is not None:
        initial["representative"] = own.pk
    posting = request.method == "POST"
    form = RequestForm(
        request.POST if posting else None,
        request.FILES if posting else None,
        offered=offered,
        visible=visible,
        representatives=representatives,
        initial=initial,
    )
    if posting and form.is_valid():
        data = form.cleaned_data
        household, member = form.household_and_member()
        try:
            made = services.request_record(
                actor=user,
                representative=data.get("representative") or own,  # type: ignore[arg-type]
                kind=data["kind"],
                category=data["category"],
                urgency=data["urgency"],
                description=data["description"],
                household=household,
                member=member,
                whom=data["whom"],
                photos=data["photos"],
                client_key=data["client_key"],
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(
                request,
                _("Request no. %(n)s recorded: %(org)s holds it, answer due by %(due)s.")
                % {"n": made.pk, "org": made.holder.display_name, "due": made.due_on.isoformat()},
            )
            return redirect("duties:request_detail", pk=made.pk)
    context = {
        "form": form,
        "person": own,
        "records_for_others": representatives is not None,
        "find": request.GET.get("find", ""),
        "back_url": reverse("duties:request_list"),
    }
    return render(request, "duties/request_form.html", context, status=400 if form.errors else 200)


@require_GET
@requires_somewhere("duties.request")
def request_whom(request: AuthedRequest) -> HttpResponse:
    """The households and people found by the form's search (an htmx fragment of choices)."""
    text = request.GET.get("find", "")[:50]
    found = _found(request.user, text)
    choices = [(target_value(t), target_label(t)) for t in found]
    return render(request, "duties/_request_found.html", {"choices": choices, "find": text})


# --- the list -----------------------------------------------------------------------------


@requires_somewhere("duties.view")
def request_list(request: AuthedRequest) -> HttpResponse:
    """Requests of the user's area, newest first; the overdue flagged with their days late."""
    filters = RequestFilter.of(request.GET, user=request.user)
    rows = filters.qs.select_related("household", "member", "holder", "assignee", "representative")
    context = {
        "form": filters.form,
        "today": coverage.today(),
        "can_record": can_anywhere(request.user, "duties.request"),
    }
    return render_list(request, "duties/request_list.html", "duties/_request_results.html", rows, context)


@require_GET
@requires_somewhere("duties.view")
def request_export(request: AuthedRequest) -> HttpResponse:
    """The list as .xlsx (or .csv): the same filters, the same scope (the export machinery)."""
    return export_views.export(request, REQUESTS)


# --- one request ----------------------------------------------------------------------------


def _request(request: AuthedRequest, pk: int) -> Request:
    rows = Request.objects.select_related("holder", "representative", "household", "member", "assignee", "created_by")
    return get_visible_or_404(rows, request.user, pk=pk)


def _actions(user: AnyUser, obj: Request) -> dict[str, bool]:
    """What the user may do with the request now (the services check it again)."""
    handles = can(user, "duties.handle", obj.holder)
    assigned = obj.assignee_id is not None and obj.assignee_id == getattr(user, "pk", None)
    return {
        "accept": handles and obj.status == RequestStatus.RECORDED,
        "assign": handles and obj.status in STEP_FLOW,
        "escalate": handles and obj.status in OPEN_STATUSES and obj.holder.level != Level.CITY,
        "update": (handles or assigned) and obj.status in STEP_FLOW,
        "answer": (handles or assigned) and obj.status in STEP_FLOW,
        "rate": obj.status == RequestStatus.ANSWERED and services.may_rate(user, obj),
        "close": handles and obj.status == RequestStatus.ANSWERED,
    }


def _forms(obj: Request, bound: dict[str, Form] | None = None) -> dict[str, Form]:
    forms: dict[str, Form] = {
        "accept": AcceptForm(),
        "assign": AssignForm(people=services.assignees(obj)),
        "escalate": EscalateForm(),
        "update": UpdateForm(),
        "answer": AnswerForm(),
        "rate": RateForm(),
        "close": CloseForm(),
    }
    return forms | (bound or {})


def _detail(request: AuthedRequest, obj: Request, bound: dict[str, Form] | None = None) -> HttpResponse:
    steps = list(
        RequestStep.objects.filter(request=obj)
        .select_related("actor", "from_org", "to_org", "assignee")
        .prefetch_related(Prefetch("photos", queryset=RequestPhoto.objects.order_by("id")))
        .order_by("id")
    )
    today = coverage.today()
    actions = _actions(request.user, obj)
    context = {
        "obj": obj,
        "steps": steps,
        "today": today,
        "overdue": obj.is_overdue(today),
        "days_late": (today - obj.due_on).days if obj.is_overdue(today) else 0,
        "actions": actions,
        "any_action": any(actions.values()),
        "forms": _forms(obj, bound),
    }
    return render(request, "duties/request_detail.html", context, status=400 if bound else 200)


@require_GET
def request_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _detail(request, _request(request, pk))


@require_GET
def request_photo(request: AuthedRequest, pk: int) -> FileResponse:
    """A request's photo, for those who may see the request (media files are never served directly)."""
    photo = RequestPhoto.objects.filter(pk=pk).first()
    if photo is None:
        raise Http404(_("Not found."))
    _request(request, photo.request_id)
    response = FileResponse(photo.image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _act(
    request: AuthedRequest,
    pk: int,
    verb: str,
    form: Callable[[Request], Form],
    call: Callable[[Request, dict[str, Any]], Request],
    done: str | Callable[[Request], str],
) -> HttpResponse:
    """One step posted to its own URL: its form checked, then the service (which refuses a step
    the request has moved past: a page left open while someone else acted); a refusal shows on
    the request's page beside the step's form, with what was typed."""
    obj = _request(request, pk)
    bound = form(obj)
    if bound.is_valid():
        try:
            moved = call(obj, bound.cleaned_data)
        except ValidationError as e:
            add_service_errors(bound, e)
        else:
            messages.success(request, done(moved) if callable(done) else done)
            return redirect("duties:request_detail", pk=obj.pk)
    return _detail(request, obj, {verb: bound})


@require_POST
def request_accept(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "accept",
        lambda obj: AcceptForm(request.POST),
        lambda obj, data: services.request_accept(actor=request.user, request=obj, note=data["note"]),
        _("Accepted."),
    )


@require_POST
def request_assign(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "assign",
        lambda obj: AssignForm(request.POST, people=services.assignees(obj)),
        lambda obj, data: services.request_assign(
            actor=request.user, request=obj, assignee=data["assignee"], note=data["note"]
        ),
        _("Assigned."),
    )


@require_POST
def request_escalate(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "escalate",
        lambda obj: EscalateForm(request.POST),
        lambda obj, data: services.request_escalate(actor=request.user, request=obj, reason=data["reason"]),
        lambda moved: _("Escalated to %(org)s.") % {"org": moved.holder.display_name},
    )


@require_POST
def request_update(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "update",
        lambda obj: UpdateForm(request.POST, request.FILES),
        lambda obj, data: services.request_update(
            actor=request.user, request=obj, note=data["note"], photos=data["photos"]
        ),
        _("Progress recorded."),
    )


@require_POST
def request_answer(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "answer",
        lambda obj: AnswerForm(request.POST),
        lambda obj, data: services.request_answer(actor=request.user, request=obj, answer=data["answer"]),
        _("Answered: her 她代表 now asks her whether she is satisfied."),
    )


@require_POST
def request_rate(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "rate",
        lambda obj: RateForm(request.POST),
        lambda obj, data: services.request_rate(
            actor=request.user, request=obj, satisfaction=data["satisfaction"], note=data["note"]
        ),
        _("Her satisfaction is recorded."),
    )


@require_POST
def request_close(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "close",
        lambda obj: CloseForm(request.POST),
        lambda obj, data: services.request_close(actor=request.user, request=obj, note=data["note"]),
        _("Closed."),
    )


urlpatterns: list[URLPattern] = [
    path("requests/", request_list, name="request_list"),
    path("requests/new/", request_create, name="request_create"),
    path("requests/export/", request_export, name="request_export"),
    path("requests/whom/", request_whom, name="request_whom"),
    path("requests/<int:pk>/", request_detail, name="request_detail"),
    path("requests/photos/<int:pk>/", request_photo, name="request_photo"),
    path("requests/<int:pk>/accept/", request_accept, name="request_accept"),
    path("requests/<int:pk>/assign/", request_assign, name="request_assign"),
    path("requests/<int:pk>/escalate/", request_escalate, name="request_escalate"),
    path("requests/<int:pk>/update/", request_update, name="request_update"),
    path("requests/<int:pk>/answer/", request_answer, name="request_answer"),
    path("requests/<int:pk>/rate/", request_rate, name="request_rate"),
    path("requests/<int:pk>/close/", request_close, name="request_close"),
]
