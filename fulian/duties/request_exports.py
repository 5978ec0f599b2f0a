"""The request list as .xlsx (``/duties/requests/export/``, registered with ``fulian.exports``):
exactly the rows the list shows, through its FilterSet. No phones: whom it is for by name only."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from fulian.duties.models import Request
from fulian.duties.request_filters import RequestFilter
from fulian.exports.kinds import ExportKind, register
from fulian.grid import coverage


def request_headers(*, members: bool = False) -> list[str]:
    return [
        _("No."),
        _("Division code"),
        _("Kind"),
        _("Category"),
        _("Urgency"),
        _("For whom"),
        _("Her representative (她代表)"),
        _("Held by"),
        _("Assigned to"),
        _("Status"),
        _("Recorded on"),
        _("Answer due by"),
        _("Days late"),
        _("Answered at"),
        _("Her satisfaction"),
        _("Description"),
        _("Answer given"),
    ]


def _whom(r: Request) -> str:
    if r.member_id:
        return r.member.name  # type: ignore[union-attr]
    if r.household_id:
        return str(r.household)
    return r.whom


def request_rows(records: Iterable[Any], *, full: bool, members: bool = False) -> Iterator[list[Any]]:
    today = coverage.today()
    iterator = iter(records)
    while chunk := list(islice(iterator, 1_000)):
        rows = Request.objects.filter(pk__in=[r.pk for r in chunk]).select_related(
            "org", "household", "member", "holder", "assignee", "representative"
        )
        by_id = {r.pk: r for r in rows}
        for each in chunk:
            r = by_id[each.pk]
            late = (today - r.due_on).days if r.is_overdue(today) else ""
            yield [
                r.pk,
                r.org.code,
                r.get_kind_display(),
                r.get_category_display(),
                r.get_urgency_display(),
                _whom(r),
                r.representative.name,
                r.holder.display_name,
                (r.assignee.full_name or r.assignee.username) if r.assignee else "",
                r.get_status_display(),
                r.recorded_on.isoformat(),
                r.due_on.isoformat(),
                late,
                timezone.localtime(r.answered_at).strftime("%Y-%m-%d %H:%M") if r.answered_at else "",
                r.get_satisfaction_display() if r.satisfaction else "",
                r.description,
                r.answer,
            ]


REQUESTS = register(
    ExportKind(
        name="duty_requests",
        filterset=RequestFilter,
        view="duties.view",
        reveal="households.reveal",
        rows_of=request_rows,
        headers=request_headers,
        basename=pgettext_lazy("file name", "requests"),
        title=gettext_lazy("Requests (她代表)"),
        list_url_name="duties:request_list",
        text_columns=(1,),
    )
)
