"""Duties pages: a 执委's own duty records (``records_mine``), and one record changed while it
waits or was returned (``record_edit``) or corrected once confirmed (``record_correct``). The
form is the grid's one duty record form (``fulian.grid.views.contacts.record_page``); the
record's page is ``grid:contact_detail``."""

from __future__ import annotations

import datetime
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from fulian.accounts.http import AuthedRequest
from fulian.core.paging import page_of
from fulian.core.views import requires_somewhere
from fulian.duties.services.records import may_edit
from fulian.grid import coverage
from fulian.grid.choices import RecordStatus
from fulian.grid.models import Contact
from fulian.grid.views.contacts import contact_of, may_correct, own_person, record_page

MINE_PER_PAGE = 30
# Returned and superseded records do not count in her month (a correction replaces the old one).
NOT_COUNTED = (RecordStatus.RETURNED, RecordStatus.SUPERSEDED)


def month_summary(records: Any, today: datetime.date) -> dict[str, Any]:
    """This month's records of a list of hers (returned and superseded left out): how many,
    the hours, how many confirmed. One query."""
    first = today.replace(day=1)
    totals = (
        records.filter(happened_on__gte=first, happened_on__lte=today)
        .exclude(status__in=NOT_COUNTED)
        .aggregate(
            count=Count("pk"),
            half_hours=Sum("half_hours"),
            confirmed=Count("pk", filter=Q(status=RecordStatus.CONFIRMED)),
        )
    )
    return {
        "count": totals["count"],
        "hours": (totals["half_hours"] or 0) / 2,
        "confirmed": totals["confirmed"],
        "month": first,
    }


@require_GET
@requires_somewhere("grid.contact")
def records_mine(request: AuthedRequest) -> HttpResponse:
    """Her own duty records on her phone, newest first by month, each with its work mode, hours
    and review; this month's count and hours at the top."""
    person = own_person(request.user)
    context: dict[str, Any] = {"person": person}
    if person is None:
        return render(request, "duties/record_mine.html", context)
    records = Contact.objects.visible_to(request.user).filter(person=person)
    page = page_of(records.select_related("work_mode").order_by("-happened_on", "-id"), request.GET, MINE_PER_PAGE)
    months = [(first, list(rows)) for first, rows in groupby(page.items, key=lambda r: r.happened_on.replace(day=1))]
    context |= {"page": page, "months": months, "summary": month_summary(records, coverage.today())}
    return render(request, "duties/record_mine.html", context)


def record_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Change a record of hers while it waits for review or after it was returned (a returned
    one goes back to review). A confirmed record is locked: its page offers a correction."""
    record = contact_of(request, pk)
    if record.locked:
        messages.info(request, _("A confirmed record is not changed: make a correction with a reason."))
        return redirect("grid:contact_detail", pk=record.pk)
    if not may_edit(request.user, record):
        raise PermissionDenied(_("You can change only your own records."))
    return record_page(request, record=record)


def record_correct(request: AuthedRequest, pk: int) -> HttpResponse:
    """Correct a confirmed record: a new record, prefilled from it, with a required reason; it
    supersedes the old one once confirmed, and both stay visible."""
    record = contact_of(request, pk)
    if record.status != RecordStatus.CONFIRMED:
        messages.info(request, _("Only a confirmed record is corrected; this one can still be changed."))
        return redirect("grid:contact_detail", pk=record.pk)
    if not may_correct(request.user, record):
        raise PermissionDenied(_("You can correct only your own records."))
    return record_page(request, record=record, correcting=True)


urlpatterns: list[URLPattern] = [
    path("records/mine/", records_mine, name="records_mine"),
    path("records/<int:pk>/edit/", record_edit, name="record_edit"),
    path("records/<int:pk>/correct/", record_correct, name="record_correct"),
]
