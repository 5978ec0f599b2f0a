"""Imports through the API: upload (multipart), read the preview, import or cancel."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fulian.core.api import ScopedViewSetMixin
from fulian.core.api_fields import ModelSerializer, Serializer
from fulian.core.scoping import get_visible_or_404
from fulian.core.spreadsheets.base import error_text
from fulian.imports import engine, services, work
from fulian.imports.models import ImportBatch
from fulian.imports.problems import batch_message, shown_all
from fulian.orgs.api.fields import OrgCodeField


class ProblemSerializer(Serializer[Any]):
    """What stops one row: where, whose, and what is wrong (a code, its values, and in words)."""

    row = serializers.IntegerField(help_text="The row as Excel shows it")
    column = serializers.CharField(help_text="The column's letter, or empty")
    header = serializers.CharField(help_text="The column's header as written in the file")
    name = serializers.CharField(required=False, help_text="The row's name cell (person, head of household)")
    code = serializers.CharField(
        required=False, help_text="What is wrong, as a stable code (absent in reports checked before codes)"
    )
    params = serializers.DictField(required=False, help_text="The values the message names (the cell as written…)")
    message = serializers.CharField(help_text="The problem in words, in the language of the request")
    link = serializers.CharField(required=False, help_text="A page that helps fix it (path)")
    link_text = serializers.CharField(required=False, help_text="The link's text, in the language of the request")


class NoticeSerializer(Serializer[Any]):
    """What the import does that its rows do not show (a term it opens, an overdue term it fills)."""

    code = serializers.CharField()
    params = serializers.DictField()
    message = serializers.CharField(help_text="In the language of the request")
    link = serializers.CharField(required=False)
    link_text = serializers.CharField(required=False)


class FooterRowSerializer(Serializer[Any]):
    """A line below the data that is no record (填表人：…, 合计), skipped."""

    row = serializers.IntegerField()
    text = serializers.CharField(help_text="The line as written (填表人：… 填报日期：…)")


class ChangeSerializer(Serializer[Any]):
    """One field a re-imported row changes in its stored record (personal data masked)."""

    field = serializers.CharField()
    label = serializers.CharField(  # type: ignore[assignment]  # the report's key, not the field's label
        help_text="The field's name, in the language of the request"
    )
    old = serializers.CharField(help_text="The stored value")
    new = serializers.CharField(help_text="The sheet's value")


class UpdateSerializer(Serializer[Any]):
    """A row that updates the stored record it matches."""

    row = serializers.IntegerField()
    name = serializers.CharField()
    changes = ChangeSerializer(many=True)


class UnchangedSerializer(Serializer[Any]):
    """A row that matches a stored record and changes nothing."""

    row = serializers.IntegerField()
    name = serializers.CharField()


class ReportSerializer(Serializer[Any]):
    """The preview: counts, each row's problems, and what the import will do. Empty until the
    file is checked; ``file_error`` only when the file could not be read."""

    rows = serializers.IntegerField(required=False)
    valid_rows = serializers.IntegerField(required=False)
    rows_with_problems = serializers.IntegerField(required=False)
    problems = ProblemSerializer(many=True, required=False)
    problems_truncated = serializers.BooleanField(required=False)
    file_error = serializers.CharField(
        required=False, help_text="A problem with the whole file, in the language of the request"
    )
    notices = NoticeSerializer(many=True, required=False, help_text="What the import does that its rows do not show")
    footer_rows = FooterRowSerializer(
        many=True, required=False, help_text="Lines below the data that are no record, skipped"
    )
    updates = UpdateSerializer(many=True, required=False, help_text="Rows that update a stored record")
    updates_truncated = serializers.BooleanField(required=False)
    unchanged = UnchangedSerializer(many=True, required=False, help_text="Rows that change nothing")
    unchanged_rows = serializers.IntegerField(required=False)


class BatchSerializer(ModelSerializer[ImportBatch]):
    org = serializers.CharField(source="org.code", read_only=True)
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True)
    committed_by = serializers.CharField(
        source="committed_by.username", read_only=True, allow_null=True, help_text="Who chose to import it"
    )
    undone_by = serializers.CharField(source="undone_by.username", read_only=True, allow_null=True, default=None)
    message = serializers.SerializerMethodField(
        help_text="Why it failed or must be previewed again; a problem with the file, in the language of the request"
    )
    report = serializers.SerializerMethodField(
        help_text="The preview (empty until checked); its problems are in the language of the request"
    )

    def get_message(self, batch: ImportBatch) -> str:
        return batch_message(batch)

    @extend_schema_field(ReportSerializer)
    def get_report(self, batch: ImportBatch) -> dict[str, Any]:
        report = dict(batch.report)
        for key in ("problems", "notices"):
            if key in report:
                report[key] = shown_all(report[key])
        text_of = report.pop("file_error_text", None)
        if text_of:
            report["file_error"] = error_text(text_of["template"], text_of.get("params") or {})
        if "sample" in report:
            report["sample"] = engine.sample_for_reader(report)
            report.pop("sample_by_language", None)
        # The fingerprint the commit checks against is the server's business.
        report.pop("plan", None)
        if report.get("updates"):
            label = engine.kind_named(batch.kind).change_label
            report["updates"] = [
                {**u, "changes": [{**c, "label": label(c["field"])} for c in u["changes"]]} for u in report["updates"]
            ]
        return report

    new_rows = serializers.IntegerField(
        source="added", read_only=True, help_text="Rows that add a record (in the preview; then imported)"
    )
    updated_rows = serializers.IntegerField(
        source="updated",
        read_only=True,
        help_text="Rows that update a stored record matched by ID number; report.updates lists the changes",
    )
    unchanged_rows = serializers.IntegerField(
        source="report.unchanged_rows",
        read_only=True,
        default=0,
        help_text="Rows that match a stored record and change nothing (not written, not a problem)",
    )

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "kind",
            "org",
            "filename",
            "sha256",
            "size",
            "status",
            "progress",
            "total",
            "imported",
            "new_rows",
            "updated_rows",
            "unchanged_rows",
            "message",
            "report",
            "uploaded_by",
            "committed_by",
            "created_at",
            "finished_at",
            "undone_at",
            "undone_by",
        ]
        read_only_fields = fields


class UploadSerializer(Serializer[Any]):
    kind = serializers.ChoiceField(choices=["people", "households", "assignments"])
    org = OrgCodeField(action="imports.view")
    file = serializers.FileField()


class CommitSerializer(Serializer[Any]):
    sha256 = serializers.CharField(max_length=64, help_text="The file's sha256 from the preview")
    valid_rows = serializers.IntegerField(min_value=0, help_text="valid_rows from the preview")


class BlockerSerializer(Serializer[Any]):
    row = serializers.IntegerField(allow_null=True, help_text="The row in the sheet")
    name = serializers.CharField()
    changes = serializers.ListField(child=serializers.CharField(), help_text="What changed since the import")


class UndoBlockedSerializer(Serializer[Any]):
    detail = serializers.CharField()
    blockers = BlockerSerializer(many=True)
    more = serializers.BooleanField(help_text="More rows changed than are listed")


class ImportBatchViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Spreadsheet imports of people and households in the caller's subtree. Upload a file,
    poll the upload until ``status`` is ``previewed`` (``report`` lists every row's problems),
    then import its valid rows with the preview's ``sha256`` and ``valid_rows``, or cancel.
    A row whose ID number matches a record in the caller's scope updates it (``updated_rows``;
    ``report.updates`` lists each changed field, old → new, personal data masked) or leaves it
    unchanged (``unchanged_rows``); the others add one (``new_rows``). Adds and updates are
    imported together, or nothing.
    ``imported``, ``cancelled`` and ``failed`` are final (``message`` says why it failed);
    ``queued``, ``checking`` and ``importing`` are still running and may be cancelled too."""

    scoped_model = ImportBatch
    serializer_class = BatchSerializer

    def refine_queryset(self, queryset: QuerySet[ImportBatch]) -> QuerySet[ImportBatch]:
        return queryset.select_related("org", "uploaded_by", "committed_by", "undone_by").order_by("-id")

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """One upload; a running one that stopped giving signs of life is failed first (the page
        does the same), so that polling it ends."""
        batch = self.get_object()
        if batch.is_busy:
            work.sweep_stale(batch_id=batch.pk)
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(request={"multipart/form-data": UploadSerializer}, responses={201: BatchSerializer})
    def create(self, request: Request) -> Response:
        data = self.validated(UploadSerializer)
        batch = services.batch_upload(actor=request.user, kind=data["kind"], org=data["org"], upload=data["file"])
        batch.refresh_from_db()
        return Response(BatchSerializer(batch).data, status=201)

    @extend_schema(request=CommitSerializer, responses={200: BatchSerializer})
    @action(detail=True, methods=["post"], url_path="commit")
    def commit(self, request: Request, pk: str | None = None) -> Response:
        """Import the valid rows, as previewed; 400 if the preview is out of date."""
        batch = get_visible_or_404(ImportBatch.objects.select_related("org"), request.user, pk=pk)
        data = self.validated(CommitSerializer)
        services.batch_commit(actor=request.user, batch=batch, **data)
        batch.refresh_from_db()
        return Response(BatchSerializer(batch).data)

    @extend_schema(request=None, responses={200: BatchSerializer})
    @action(detail=True, methods=["post"], url_path="cancel")
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Import nothing from this upload (in any state that is not final); 400 once it is final."""
        batch = get_visible_or_404(ImportBatch.objects.select_related("org"), request.user, pk=pk)
        return Response(BatchSerializer(services.batch_cancel(actor=request.user, batch=batch)).data)

    @extend_schema(request=None, responses={200: BatchSerializer, 409: UndoBlockedSerializer})
    @action(detail=True, methods=["post"], url_path="undo")
    def undo(self, request: Request, pk: str | None = None) -> Response:
        """Undo an import within 7 days: delete every row it created, if none changed since; 409
        lists the rows that changed (row in the sheet, name, what changed), 400 says why an
        import cannot be undone at all."""
        batch = get_visible_or_404(ImportBatch.objects.select_related("org"), request.user, pk=pk)
        try:
            services.batch_undo(actor=request.user, batch=batch)
        except services.UndoBlocked as e:
            body = {"detail": e.messages[0], "blockers": [b.as_dict() for b in e.blockers], "more": e.more}
            return Response(body, status=409)
        batch = self.get_queryset().get(pk=batch.pk)
        return Response(BatchSerializer(batch).data)
