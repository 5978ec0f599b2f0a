"""Export pages: a list's export (at once, or offered in the background), the exports a
user asked for, one export's progress and its download."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from fulian.accounts.http import AuthedRequest
from fulian.core.exports import CSV, XLSX, download
from fulian.core.scoping import get_visible_or_404
from fulian.core.views import render_list, wants_fragment
from fulian.exports import background, services
from fulian.exports.kinds import ExportKind, kind_named
from fulian.exports.models import ExportJob, Status


def export(request: AuthedRequest, kind: ExportKind) -> HttpResponse:
    """The export behind a list page (``GET``: the same filters, the same scoped selector).
    Up to ``services.sync_rows()`` rows it downloads at once; a longer list gets a page that offers to
    prepare it in the background."""
    back = f"{reverse(kind.list_url_name)}?{services.filters_query(request.GET)}"
    full = request.GET.get("full") == "1"
    try:
        filters = services.checked_filters(kind, request.user, request.GET, full=full)
    except ValidationError:
        return redirect(back)
    limit = services.sync_rows()
    records = list(filters.qs[: limit + 1])
    if len(records) > limit:
        return render(
            request,
            "exports/confirm.html",
            {"kind": kind, "query": request.GET.urlencode(), "back": back, "limit": limit, "full": full},
        )
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    query = services.filters_query(request.GET)
    members = services.wants_members(kind, request.GET)
    if full:
        services.record_full_export(kind, filters, query, len(records), user=request.user, members=members)
    spreadsheet = services.spreadsheet_of(
        kind, records, fmt=fmt, full=full, user=request.user, filters=filters, query=query, members=members
    )
    return download(*spreadsheet)


@require_POST
def job_create(request: AuthedRequest) -> HttpResponse:
    try:
        kind = kind_named(request.POST.get("kind", ""))
    except KeyError:
        raise Http404 from None
    query = request.POST.get("query", "")
    try:
        job = background.job_start(actor=request.user, kind=kind, query=QueryDict(query))
    except ValidationError as e:
        for message in e.messages:
            messages.error(request, message)
        return redirect(f"{reverse(kind.list_url_name)}?{services.filters_query(QueryDict(query))}")
    return redirect("exports:detail", pk=job.pk)


def job_list(request: AuthedRequest) -> HttpResponse:
    jobs = ExportJob.objects.visible_to(request.user)
    return render_list(request, "exports/job_list.html", "exports/job_list.html", jobs, {})


def job_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    job = get_visible_or_404(ExportJob.objects.all(), request.user, pk=pk)
    template = "exports/_status.html" if wants_fragment(request) else "exports/job_detail.html"
    return render(request, template, {"job": job})


def job_download(request: AuthedRequest, pk: int) -> HttpResponse:
    job = get_visible_or_404(ExportJob.objects.all(), request.user, pk=pk)
    if job.status != Status.DONE or job.is_expired or not job.file:
        raise Http404
    try:
        body = services.job_file(actor=request.user, job=job)
    except PermissionDenied:
        # Refused, the job failed and its file deleted: the export's page says why.
        job.refresh_from_db()
        return render(request, "exports/job_detail.html", {"job": job}, status=403)
    return download(body, CSV if job.fmt == "csv" else XLSX, job.filename)
