"""Import pages: upload, the preview with every row's problems, import or cancel, templates."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from fulian.accounts.http import AuthedRequest
from fulian.core.exports import spreadsheet_response
from fulian.core.forms import add_service_errors
from fulian.core.scoping import can, can_anywhere, get_visible_or_404, grants_for
from fulian.core.views import render_list, requires_somewhere
from fulian.imports import engine, services, work
from fulian.imports.forms import CommitForm, UploadForm
from fulian.imports.models import ImportBatch
from fulian.imports.problems import batch_message, shown, shown_all

PROBLEMS_SHOWN = 200
UPDATES_SHOWN = 200


def _kind(name: str) -> engine.ImportKind:
    try:
        return engine.kind_named(name)
    except KeyError:
        raise Http404 from None


@requires_somewhere("imports.view")
def batch_list(request: AuthedRequest) -> HttpResponse:
    batches = ImportBatch.objects.visible_to(request.user).select_related("org", "uploaded_by")
    kinds = [k for k in engine.kinds().values() if can_anywhere(request.user, k.change_action)]
    return render_list(request, "imports/batch_list.html", "imports/batch_list.html", batches, {"kinds": kinds})


def batch_create(request: AuthedRequest, kind: str) -> HttpResponse:
    spec = _kind(kind)
    if not can_anywhere(request.user, spec.change_action):
        raise Http404
    # The uploader's own organisation when she may import there, else her one area if she has one.
    grants = grants_for(request.user, spec.change_action)
    own = request.user.org
    initial: dict[str, object] = {}
    if own is not None and can(request.user, spec.change_action, own):
        initial = {"org": own}
    elif len(grants) == 1:
        initial = {"org": grants[0].org_id}
    form = UploadForm(
        request.POST or None, request.FILES or None, user=request.user, action=spec.change_action, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.batch_upload(
                actor=request.user, kind=kind, org=form.cleaned_data["org"], upload=form.cleaned_data["file"]
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            return redirect("imports:detail", pk=batch.pk)
    return render(
        request,
        "imports/batch_form.html",
        {"form": form, "kind": spec, "columns": spec.template_headers.values()},
        status=400 if form.errors else 200,
    )


def template_download(request: AuthedRequest, kind: str) -> HttpResponse:
    """An empty sheet with the columns and one example row, ID and phone columns as Text."""
    spec = _kind(kind)
    fields = list(spec.template_headers)
    return spreadsheet_response(
        fmt="xlsx",
        basename=f"{kind}-template",
        title=spec.label(),
        headers=list(spec.template_headers.values()),
        rows=[spec.template_example],
        text_columns=[fields.index(f) for f in spec.text_columns],
    )


def batch_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    query = ImportBatch.objects.select_related("org", "uploaded_by", "committed_by")
    batch = get_visible_or_404(query, request.user, pk=pk)
    if batch.is_busy and work.sweep_stale(batch_id=batch.pk):
        # No worker came back for it: the page says so at once rather than polling on.
        batch = get_visible_or_404(query, request.user, pk=pk)
    spec = _kind(batch.kind)
    problems = batch.report.get("problems", [])
    context = {
        "batch": batch,
        "kind": spec,
        "problems": shown_all(problems[:PROBLEMS_SHOWN]),
        "more_problems": max(0, len(problems) - PROBLEMS_SHOWN),
        "notices": shown_all(batch.report.get("notices", [])),
        "message": batch_message(batch),
        "footer_rows": batch.report.get("footer_rows", []),
        "sample": engine.sample_for_reader(batch.report),
        # Each changed field named in the reader's language (the report has the uploader's).
        "updates": [
            {**u, "changes": [(spec.change_label(c["field"]), c["old"], c["new"]) for c in u["changes"]]}
            for u in batch.report.get("updates", [])[:UPDATES_SHOWN]
        ],
        "more_updates": max(0, batch.updated - UPDATES_SHOWN),
        "unchanged": batch.report.get("unchanged", [])[:UPDATES_SHOWN],
        "more_unchanged": max(0, batch.report.get("unchanged_rows", 0) - UPDATES_SHOWN),
        "can_import": can(request.user, spec.change_action, batch.org),
        "new_groups_close": sum(
            1
            for village in batch.report.get("new_groups", [])
            for group in village["groups"]
            if group["close_to"] or group["close_to_new"]
        ),
        "commit_form": CommitForm(initial={"sha256": batch.sha256, "valid_rows": batch.report.get("valid_rows", 0)}),
    }
    if request.htmx and batch.is_busy:  # type: ignore[attr-defined]
        return render(request, "imports/_status.html", context)
    if request.htmx:  # type: ignore[attr-defined]
        # Finished while the page was polling: the whole page shows the outcome.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "imports/batch_detail.html", context)


@require_POST
def batch_commit(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = get_visible_or_404(ImportBatch.objects.select_related("org"), request.user, pk=pk)
    form = CommitForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This preview is out of date. Reload the page to see the current one."))
        return redirect("imports:detail", pk=batch.pk)
    try:
        services.batch_commit(actor=request.user, batch=batch, **form.cleaned_data)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    return redirect("imports:detail", pk=batch.pk)


@require_POST
def batch_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = get_visible_or_404(ImportBatch.objects.select_related("org"), request.user, pk=pk)
    try:
        services.batch_cancel(actor=request.user, batch=batch)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.info(request, _("Cancelled: nothing was imported from %(file)s.") % {"file": batch.filename})
    return redirect("imports:detail", pk=batch.pk)


def batch_problems(request: AuthedRequest, pk: int) -> HttpResponse:
    """Every problem of the preview as a spreadsheet, to work through beside the file."""
    batch = get_visible_or_404(ImportBatch.objects.all(), request.user, pk=pk)
    return spreadsheet_response(
        fmt=request.GET.get("format", "xlsx"),
        basename=_("problems"),
        title=batch.filename,
        headers=[_("Row"), pgettext("a person or head of household", "Name"), _("Column"), _("Header"), _("Problem")],
        rows=(
            [p["row"], p.get("name", ""), p["column"], p["header"], p["message"]]
            for p in map(shown, batch.report.get("problems", []))
        ),
    )


def batch_undo(request: AuthedRequest, pk: int) -> HttpResponse:
    """Undo an import: a GET says whether it can be undone, listing the rows changed since that
    block it (row in the sheet, name, what changed); a POST undoes it."""
    batch = get_visible_or_404(ImportBatch.objects.select_related("org", "uploaded_by"), request.user, pk=pk)
    spec = _kind(batch.kind)
    if not can(request.user, spec.change_action, batch.org):
        raise PermissionDenied(_("You do not have permission to do this here."))
    refusal = services.undo_refusal(batch)
    blockers = [] if refusal else services.undo_blockers(batch)
    status = 200
    if request.method == "POST":
        try:
            services.batch_undo(actor=request.user, batch=batch)
        except services.UndoBlocked as e:
            blockers, refusal, status = e.blockers, "", 409
        except ValidationError as e:
            refusal, status = " ".join(e.messages), 400
        else:
            messages.success(
                request,
                _("The import of %(file)s is undone: its rows were removed.") % {"file": batch.filename},
            )
            return redirect("imports:detail", pk=batch.pk)
    context = {
        "batch": batch,
        "kind": spec,
        "refusal": refusal,
        "blockers": blockers[: services.BLOCKERS_SHOWN],
        "more_blockers": len(blockers) > services.BLOCKERS_SHOWN,
    }
    return render(request, "imports/batch_undo.html", context, status=status)
