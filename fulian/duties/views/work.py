"""Duties pages: "my work" (``duties:work``) and the review of duty records — the list of the
records waiting for the user's review, bulk confirm, and confirm or return one record (in place
on the list with htmx, or as plain forms from the list or the record's own page)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fulian.accounts.http import AuthedRequest
from fulian.core.filters import MAX_ID
from fulian.core.forms import ReasonForm, add_service_errors
from fulian.core.scoping import AnyUser, can_anywhere, get_visible_or_404
from fulian.core.views import reason_page, render_list, requires_somewhere, wants_fragment
from fulian.duties import work_lists
from fulian.duties.review_forms import ReviewFilter
from fulian.duties.services import modes, review
from fulian.grid.models import Contact
from fulian.households.models import Household

REVIEW_PER_PAGE = 30
# Skipped records named one by one after a bulk confirm; the rest are counted.
SKIPPED_NAMED = 20


@requires_somewhere("duties.view")
@require_GET
def work(request: AuthedRequest) -> HttpResponse:
    """What waits for the user: on a 执委's phone her requests, reviews, overdue items and her
    records this month; for staff the same per organisation they handle requests for."""
    user = request.user
    links = {
        "record": can_anywhere(user, "grid.contact"),
        "request": can_anywhere(user, "duties.request"),
        "staff": can_anywhere(user, "duties.assess"),
        "configure": modes.may_configure(user),
    }
    return render(request, "duties/work.html", {"work": work_lists.mine(user), "links": links})


# --- the review list -------------------------------------------------------------------------


def _queue(user: AnyUser) -> Any:
    """The records waiting for the user's review, among those she sees."""
    return review.review_queue(user) & Contact.objects.visible_to(user, "grid.view")


def _households(user: AnyUser) -> Any:
    return Household.objects.with_archived().visible_to(user, "grid.view").only("pk", "head_name", "erased_at")


@requires_somewhere("duties.view")
@require_GET
def review_list(request: AuthedRequest) -> HttpResponse:
    """The records waiting for the user's review, newest first, with their photos; tick and
    confirm many, or confirm or return one."""
    filters = ReviewFilter(request.GET, queryset=_queue(request.user), user=request.user)
    rows = filters.qs.select_related("person", "work_mode", "org").prefetch_related(
        Prefetch("households", queryset=_households(request.user)), "photos"
    )
    context = {"form": filters.form, "query": _list_query(request.GET)}
    return render_list(
        request, "duties/review_list.html", "duties/_review_results.html", rows, context, REVIEW_PER_PAGE
    )


def _list_query(data: QueryDict) -> str:
    """The list's filters and page, to come back to after a confirmation."""
    query = QueryDict(mutable=True)
    for key in ("work_mode", "month", "person", "org", "org_text", "page"):
        value = data.get(key)
        if value:
            query[key] = str(value)
    return query.urlencode()


def _back_to_list(request: AuthedRequest) -> HttpResponse:
    query = _list_query(QueryDict(request.POST.get("query", "")))
    return redirect(reverse("duties:review") + (f"?{query}" if query else ""))


def _ids(values: list[str]) -> tuple[list[int], list[str]]:
    """The record ids ticked, once each, and what was sent that is not an id."""
    ids: list[int] = []
    bad: list[str] = []
    for value in values:
        text = value.strip()
        if text.isascii() and text.isdigit() and int(text) <= MAX_ID:
            if int(text) not in ids:
                ids.append(int(text))
        elif text:
            bad.append(text[:20])
    return ids, bad


@requires_somewhere("duties.view")
@require_POST
def records_confirm(request: AuthedRequest) -> HttpResponse:
    """Confirm the ticked records; say how many were confirmed and each one skipped, why."""
    ids, bad = _ids(request.POST.getlist("record"))
    problems = [_("Record %(id)s is not waiting for your review.") % {"id": each} for each in bad]
    if not ids and not bad:
        messages.error(request, _("Tick the records to confirm first."))
        return _back_to_list(request)
    confirmed = 0
    if ids:
        try:
            confirmed, skipped = review.records_confirm(actor=request.user, ids=ids)
        except ValidationError as e:
            skipped = list(e.messages)
        problems += skipped
    if confirmed:
        messages.success(request, _("%(n)d records confirmed.") % {"n": confirmed})
    if problems:
        messages.warning(request, _("%(n)d records skipped:") % {"n": len(problems)})
        for problem in problems[:SKIPPED_NAMED]:
            messages.warning(request, problem)
        if len(problems) > SKIPPED_NAMED:
            messages.warning(request, _("And %(n)d more.") % {"n": len(problems) - SKIPPED_NAMED})
    return _back_to_list(request)


# --- one record ------------------------------------------------------------------------------


def _record(request: AuthedRequest, pk: int) -> Contact:
    """A record the user sees (else 404); whether it is hers to review the service says."""
    return get_visible_or_404(
        Contact.objects.select_related("person", "work_mode", "org", "reviewed_by"), request.user, pk=pk
    )


def _next_url(request: AuthedRequest, record: Contact) -> str:
    """Where a plain form goes back to: the page it was sent from (the list, the record)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("grid:contact_detail", kwargs={"pk": record.pk})


def _row(
    request: AuthedRequest, record: Contact, *, done: str = "", form: Any = None, problem: str = ""
) -> HttpResponse:
    """The list's row of one record after an action taken in place (htmx): what happened, or
    the refusal beside the buttons. Always a 200: htmx swaps only successful answers."""
    record = _record(request, record.pk)
    context = {
        "record": record,
        "done": done,
        "return_form": form,
        "problem": problem,
        "query": request.POST.get("query", ""),
        "households": list(record.households.filter(pk__in=_households(request.user).values("pk"))),
        "photos": list(record.photos.all()),
    }
    return render(request, "duties/_review_row.html", context)


@require_POST
def record_confirm(request: AuthedRequest, pk: int) -> HttpResponse:
    record = _record(request, pk)
    try:
        review.record_confirm(actor=request.user, record=record)
    except ValidationError as e:
        if wants_fragment(request):
            return _row(request, record, problem=" ".join(e.messages))
        messages.error(request, " ".join(e.messages))
    else:
        done = _("Confirmed: %(who)s, %(on)s.") % {"who": record.person.name, "on": record.happened_on}
        if wants_fragment(request):
            return _row(request, record, done=done)
        messages.success(request, done)
    return redirect(_next_url(request, record))


def record_return(request: AuthedRequest, pk: int) -> HttpResponse:
    """Return a record to its 执委 with a reason: in place on the list (htmx), else the reason
    page (which also serves the record's own page and a browser without scripts)."""
    record = _record(request, pk)
    subject = f"{record.person.name} · {record.happened_on}"
    done = _("Returned to %(who)s: %(on)s.") % {"who": record.person.name, "on": record.happened_on}
    if request.method == "POST" and wants_fragment(request):
        form = ReasonForm(request.POST)
        if form.is_valid():
            try:
                review.record_return(actor=request.user, record=record, reason=form.cleaned_data["reason"])
            except ValidationError as e:
                add_service_errors(form, e)
            else:
                return _row(request, record, done=done)
        return _row(request, record, form=form)
    return reason_page(
        request,
        act=lambda reason: review.record_return(actor=request.user, record=record, reason=reason),
        title=_("Return the record"),
        subject=subject,
        back_url=_next_url(request, record),
        consequences=[
            _("The record goes back to %(who)s with your reason; it does not count until she sends it again.")
            % {"who": record.person.name},
        ],
        button=_("Return"),
        done=done,
        help_text=_("She reads it on her phone: say what to correct."),
    )


urlpatterns: list[URLPattern] = [
    path("", work, name="work"),
    path("review/", review_list, name="review"),
    path("review/confirm/", records_confirm, name="records_confirm"),
    path("records/<int:pk>/confirm/", record_confirm, name="record_confirm"),
    path("records/<int:pk>/return/", record_return, name="record_return"),
]
