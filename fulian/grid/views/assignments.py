"""Grid pages: the assignments (包干) staff make, see, end and change. Every write goes through
``fulian.grid.services``; every row through ``visible_to``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fulian.accounts.http import AuthedRequest
from fulian.core.forms import add_service_errors
from fulian.core.paging import page_of
from fulian.core.scoping import can, can_anywhere, get_visible_or_404
from fulian.core.views import render_list, requires_somewhere
from fulian.grid import coverage, services
from fulian.grid.filters import AssignmentFilter
from fulian.grid.forms import MODE_HELP, AssignmentChangeForm, AssignmentEndForm, AssignmentForm, target_options
from fulian.grid.models import Assignment, active_q
from fulian.grid.services import TAKES
from fulian.households.models import Household
from fulian.orgs.choices import Level
from fulian.people.models import Post

# How far back (and forward) the detail page follows an assignment's chain of changes.
HISTORY_LIMIT = 50


@requires_somewhere("grid.view")
def assignment_list(request: AuthedRequest) -> HttpResponse:
    """The assignments the user may see, newest first, filtered by area, 执委, mode, level,
    status and date. No count: a city's list says its size only when its last page is shown."""
    filters = AssignmentFilter.of(request.GET, user=request.user)
    context = {"form": filters.form, "can_assign": can_anywhere(request.user, "grid.assign")}
    return render_list(
        request, "grid/assignment_list.html", "grid/_assignment_results.html", filters.qs, context, per_page=50
    )


def _assignable_posts(request: AuthedRequest) -> Any:
    """Current posts of the user's area whose 执委 take an area (not groups' posts)."""
    return (
        Post.objects.visible_to(request.user, "grid.assign")
        .current()
        .filter(org__level__in=[*TAKES, Level.VILLAGE])
        .select_related("person", "org")
    )


@requires_somewhere("grid.assign")
def assignment_create(request: AuthedRequest) -> HttpResponse:
    """Step one: find the 执委 (``?post=``); step two: tick what she takes, how and from when.
    One service call for all the targets: all made, or none with the reason beside its field."""
    post_ref = request.GET.get("post", "").strip()
    if not post_ref:
        search = request.GET.get("search", "").strip()[:50]
        posts = _assignable_posts(request).search(search).order_by("-id")
        page = page_of(posts, request.GET, per_page=30)
        # How much each already answers for (current or upcoming), for the page's posts only.
        today = coverage.today()
        held = dict(
            Assignment.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
            .filter(post_id__in=[p.pk for p in page.items])
            .order_by()
            .values("post_id")
            .annotate(n=Count("pk"))
            .values_list("post_id", "n")
        )
        for p in page.items:
            p.held = held.get(p.pk, 0)
        return render(request, "grid/assignment_pick.html", {"search": search, "page": page})
    if not (post_ref.isascii() and post_ref.isdigit()):
        return redirect("grid:assignment_create")
    post = get_visible_or_404(
        Post.objects.select_related("person", "org", "org__parent"),
        request.user,
        pk=int(post_ref),
        action="grid.assign",
    )
    options = target_options(request.user, post)
    form = AssignmentForm(request.POST or None, options=options)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.assignment_create(
                actor=request.user,
                post=post,
                targets=form.chosen(),
                mode=form.cleaned_data["mode"],
                start_date=form.cleaned_data["start_date"],
                end_date=form.cleaned_data["end_date"],
                partner=form.cleaned_data["partner"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            n = len(made)
            messages.success(request, ngettext("%(n)d assignment made.", "%(n)d assignments made.", n) % {"n": n})
            if n == 1:
                return redirect("grid:assignment_detail", pk=made[0].pk)
            return redirect(f"{reverse('grid:assignment_list')}?{urlencode({'person': post.person_id})}")
    context = {
        "form": form,
        "post": post,
        "has_households": any(o.is_household for o in options),
        "modes": [(value, label, MODE_HELP[value]) for value, label in form.fields["mode"].choices],  # type: ignore[attr-defined]
    }
    return render(request, "grid/assignment_form.html", context, status=400 if form.errors else 200)


def _assignment(request: AuthedRequest, pk: int, *, assign: bool = False) -> Assignment:
    """One assignment the user sees (404 otherwise); ``assign``: she must also be able to assign
    at the 执委's federation (the services' rule), else 403."""
    assignment = get_visible_or_404(
        Assignment.objects.select_related("person", "post__org", "target_org__parent", "household__org__parent"),
        request.user,
        pk=pk,
    )
    if assign and not can(request.user, "grid.assign", assignment.post.org):
        raise PermissionDenied(_("You do not have permission to do this here."))
    return assignment


def _history(request: AuthedRequest, assignment: Assignment) -> tuple[list[Assignment], list[Assignment]]:
    """The assignments this one replaced (oldest first) and those that replaced it, among those
    the user may see."""
    rows = Assignment.objects.visible_to(request.user).select_related("person", "post__org")
    earlier: list[Assignment] = []
    current = assignment
    while current.previous_id and len(earlier) < HISTORY_LIMIT:
        found = rows.filter(pk=current.previous_id).first()
        if found is None:
            break
        earlier.insert(0, found)
        current = found
    later: list[Assignment] = []
    current = assignment
    while len(later) < HISTORY_LIMIT:
        found = rows.filter(previous=current).order_by("id").first()
        if found is None:
            break
        later.append(found)
        current = found
    return earlier, later


def _coverage(request: AuthedRequest, assignment: Assignment) -> dict[str, Any]:
    """How the target stands today: a household's flag and who answers for it; an area's
    figures (households covered) and who answers for it at the level of this assignment."""
    today = coverage.today()
    target = assignment.target
    current = Assignment.objects.visible_to(request.user).filter(active_q(today)).select_related("person")
    if isinstance(target, Household):
        target.refresh_from_db(fields=["covered", "last_contact_on"])
        responsible = current.filter(household=target)
        return {"household": target, "responsible": list(responsible)}
    figure, _parts = coverage.figures(target)
    responsible = current.filter(target_org=target, tier=assignment.tier)
    return {"figure": figure, "responsible": list(responsible)}


def assignment_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    assignment = _assignment(request, pk)
    earlier, later = _history(request, assignment)
    today = coverage.today()
    may_assign = can(request.user, "grid.assign", assignment.post.org)
    audit_url = ""
    if can(request.user, "audit.view", assignment.org):
        audit_url = (
            f"{reverse('audit:list')}?{urlencode({'object_type': 'grid.assignment', 'search': str(assignment)})}"
        )
    context = {
        "assignment": assignment,
        "earlier": earlier,
        "later": later,
        "in_force": assignment.is_active(today),
        "upcoming": assignment.start_date > today,
        "open": assignment.end_date is None or assignment.end_date >= today,
        "may_assign": may_assign,
        "audit_url": audit_url,
        "standing": _coverage(request, assignment),
        "today": today,
    }
    return render(request, "grid/assignment_detail.html", context)


def assignment_end(request: AuthedRequest, pk: int) -> HttpResponse:
    """End a responsibility on a day (her last): GET shows the form, POST ends it."""
    assignment = _assignment(request, pk, assign=True)
    form = AssignmentEndForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_end(
                actor=request.user,
                assignment=assignment,
                on=form.cleaned_data["end_date"],
                reason=form.cleaned_data["end_reason"],
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("The assignment ends on %(date)s.") % {"date": form.cleaned_data["end_date"]})
            return redirect("grid:assignment_detail", pk=assignment.pk)
    return render(
        request,
        "grid/assignment_end.html",
        {"assignment": assignment, "form": form},
        status=400 if form.errors else 200,
    )


def assignment_change(request: AuthedRequest, pk: int) -> HttpResponse:
    """Hand over to another 执委 of the same federation, or change the mode, from a day: the
    old assignment ends the day before and the new one points back to it."""
    assignment = _assignment(request, pk, assign=True)
    form = AssignmentChangeForm(
        request.POST if request.method == "POST" else None, user=request.user, assignment=assignment
    )
    if request.method == "POST" and form.is_valid():
        try:
            new = services.assignment_change(
                actor=request.user,
                assignment=assignment,
                on=form.cleaned_data["on"],
                post=form.cleaned_data["post"],
                mode=form.cleaned_data["mode"],
                partner=form.cleaned_data["partner"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Changed from %(date)s.") % {"date": form.cleaned_data["on"]})
            return redirect("grid:assignment_detail", pk=new.pk)
    modes = [(value, label, MODE_HELP[value]) for value, label in form.fields["mode"].choices]  # type: ignore[attr-defined]
    return render(
        request,
        "grid/assignment_change.html",
        {"assignment": assignment, "form": form, "modes": modes},
        status=400 if form.errors else 200,
    )


urlpatterns: list[URLPattern] = [
    path("assignments/", assignment_list, name="assignment_list"),
    path("assignments/new/", assignment_create, name="assignment_create"),
    path("assignments/<int:pk>/", assignment_detail, name="assignment_detail"),
    path("assignments/<int:pk>/end/", assignment_end, name="assignment_end"),
    path("assignments/<int:pk>/change/", assignment_change, name="assignment_change"),
]
