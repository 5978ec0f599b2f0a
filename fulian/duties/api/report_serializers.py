"""What the figures, reports and assessments API reads and writes: an organisation's figures
(``fulian.duties.figures``), the silent 执委, the annual 述职 reports and their generation runs,
the assessment schemes and the assessments with their items. Writes are checked here for their
shape only; the rules are the services' (``fulian.duties.services``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from fulian.core.api_fields import ModelSerializer, Serializer
from fulian.duties.choices import Grade, ItemSection, Measure, RequestStatus
from fulian.duties.models import Assessment, Report, ReportRun, Scheme, SchemeItem
from fulian.duties.services.reports import may_write_narrative

# --- figures -------------------------------------------------------------------------------


class DutyModeFiguresSerializer(Serializer[Any]):
    """One work mode's confirmed records and hours per month (12 numbers, January first)."""

    work_mode = serializers.IntegerField(allow_null=True, help_text="Null: records without a work mode")
    name = serializers.CharField()
    records = serializers.ListField(child=serializers.IntegerField(), min_length=12, max_length=12)
    hours = serializers.ListField(child=serializers.FloatField(), min_length=12, max_length=12)
    total_records = serializers.IntegerField()
    total_hours = serializers.FloatField()


class DutyCategoryFiguresSerializer(Serializer[Any]):
    """One category's 她代表 requests by status, and the average days from recorded to answered."""

    category = serializers.CharField(help_text="Empty in the last row: every category together")
    category_name = serializers.CharField(source="label")
    by_status = serializers.DictField(
        child=serializers.IntegerField(), help_text=f"A count per status: {', '.join(RequestStatus.values)}"
    )
    total = serializers.IntegerField()
    answered = serializers.IntegerField()
    answer_days = serializers.FloatField(allow_null=True, help_text="Null while none is answered")


class DutyFiguresSerializer(Serializer[Any]):
    """The figures of an organisation (its subtree) on a day: its 执委 with a confirmed record
    this month and this year and the silent ones (no record in 90 days), confirmed records and
    hours by work mode and month of ``year``, and 她代表 requests by category and status."""

    org = serializers.CharField(help_text="The organisation's division code")
    org_name = serializers.CharField()
    on = serializers.DateField()
    year = serializers.IntegerField()
    members = serializers.IntegerField(help_text="People holding a current post in the subtree")
    active_month = serializers.IntegerField()
    active_year = serializers.IntegerField()
    silent = serializers.IntegerField()
    modes = DutyModeFiguresSerializer(many=True)
    modes_total = DutyModeFiguresSerializer()
    requests = DutyCategoryFiguresSerializer(many=True, help_text="Each category, then all together")


class DutySilentMemberSerializer(Serializer[Any]):
    """A silent 执委: her posts in the subtree, her last record (none in 90 days), her confirmed
    records there this year."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    orgs = serializers.CharField(source="org_names", help_text="Where she holds her current posts in the subtree")
    posts = serializers.CharField(source="post_titles")
    last_record_on = serializers.DateField(allow_null=True)
    year_records = serializers.IntegerField()


# --- reports -------------------------------------------------------------------------------


class DutyReportRowSerializer(ModelSerializer[Report]):
    """A 执委's annual report, as listed (``written``: she has written her words)."""

    person_name = serializers.CharField(source="person.name", read_only=True)
    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.display_name", read_only=True)
    written = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = ["id", "person", "person_name", "year", "org", "org_name", "generated_at", "narrative_at", "written"]
        read_only_fields = fields

    def get_written(self, report: Report) -> bool:
        return bool(report.narrative.strip())


class DutyReportSerializer(DutyReportRowSerializer):
    """A 执委's annual report: the figures generated from her records (posts, records and hours
    by work mode, households, requests, campaign sheets) and the narrative in her words;
    ``may_write``: whether the caller may change it."""

    figures = serializers.JSONField(read_only=True)
    may_write = serializers.SerializerMethodField()

    class Meta(DutyReportRowSerializer.Meta):
        fields = [*DutyReportRowSerializer.Meta.fields, "figures", "narrative", "may_write"]
        read_only_fields = fields

    def get_may_write(self, report: Report) -> bool:
        return may_write_narrative(self.context["request"].user, report)


class DutyNarrativeSerializer(Serializer[Any]):
    narrative = serializers.CharField(
        allow_blank=True, trim_whitespace=False, help_text="In her words; empty clears it (at most 5000 characters)"
    )


class DutyReportRunSerializer(ModelSerializer[ReportRun]):
    """Generating an organisation's reports and assessments for a year, in the background:
    ``done`` of ``total`` 执委, its status, and the message of a failure."""

    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.display_name", read_only=True)
    progress = serializers.SerializerMethodField(help_text="Percent done")

    class Meta:
        model = ReportRun
        fields = [
            "id",
            "org",
            "org_name",
            "year",
            "status",
            "total",
            "done",
            "progress",
            "message",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_progress(self, run: ReportRun) -> int:
        return min(100, run.done * 100 // run.total) if run.total else 0


class DutyReportRunStartSerializer(Serializer[Any]):
    org = serializers.CharField(max_length=19, help_text="The organisation's id or division code")
    year = serializers.IntegerField(min_value=0, max_value=9999)


# --- schemes and assessments ------------------------------------------------------------------


class DutySchemeItemSerializer(ModelSerializer[SchemeItem]):
    class Meta:
        model = SchemeItem
        fields = ["id", "section", "name", "measure", "points", "max_points", "position"]
        read_only_fields = fields


class DutySchemeSerializer(ModelSerializer[Scheme]):
    """An assessment scheme for a year: its items, grade thresholds and cap on 优秀 (percent
    per organisation); ``org`` is the federation keeping it."""

    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.display_name", read_only=True)
    items = DutySchemeItemSerializer(many=True, read_only=True)

    class Meta:
        model = Scheme
        fields = [
            "id",
            "org",
            "org_name",
            "year",
            "name",
            "excellent_min",
            "competent_min",
            "basic_min",
            "excellent_share",
            "items",
        ]
        read_only_fields = fields


class DutyAssessmentItemSerializer(Serializer[Any]):
    """One item of her scheme: what it counted (``units``) and gave (``points``; a deduction
    takes them away), and a reviewer's entry for a manual item."""

    item = serializers.IntegerField()
    section = serializers.ChoiceField(choices=ItemSection.choices)
    name = serializers.CharField()
    measure = serializers.ChoiceField(choices=Measure.choices)
    units = serializers.CharField(allow_null=True, help_text="Null until computed")
    points = serializers.CharField(allow_null=True, help_text="Null until computed")
    entered_units = serializers.DecimalField(
        max_digits=6, decimal_places=1, allow_null=True, help_text="A reviewer's units (manual items)"
    )
    note = serializers.CharField(allow_blank=True)


class DutyAssessmentRowSerializer(ModelSerializer[Assessment]):
    """A 执委's assessment for a year, as listed: her score, grade (``capped``: 优秀 by score
    but over her organisation's cap) and ``flagged`` (不称职: looked at before the next 换届)."""

    person_name = serializers.CharField(source="person.name", read_only=True)
    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.display_name", read_only=True)
    grade = serializers.ChoiceField(choices=[("", ""), *Grade.choices], read_only=True)
    flagged = serializers.BooleanField(read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "person",
            "person_name",
            "year",
            "org",
            "org_name",
            "scheme",
            "score",
            "grade",
            "capped",
            "flagged",
            "computed_at",
        ]
        read_only_fields = fields


class DutyAssessmentSerializer(DutyAssessmentRowSerializer):
    """A 执委's assessment with each item of her scheme."""

    items = serializers.SerializerMethodField()

    class Meta(DutyAssessmentRowSerializer.Meta):
        fields = [*DutyAssessmentRowSerializer.Meta.fields, "items"]
        read_only_fields = fields

    @staticmethod
    def _rows(assessment: Assessment) -> list[dict[str, Any]]:
        entries = {entry.item_id: entry for entry in assessment.entries.all()}
        items = sorted(assessment.scheme.items.all(), key=lambda i: (i.position, i.pk))
        rows = []
        for item in items:
            computed = (assessment.details or {}).get(str(item.pk)) or {}
            entry = entries.get(item.pk)
            rows.append(
                {
                    "item": item.pk,
                    "section": item.section,
                    "name": item.name,
                    "measure": item.measure,
                    "units": computed.get("units"),
                    "points": computed.get("points"),
                    "entered_units": entry.units if entry else None,
                    "note": entry.note if entry else "",
                }
            )
        return rows

    @extend_schema_field(DutyAssessmentItemSerializer(many=True))
    def get_items(self, assessment: Assessment) -> list[dict[str, Any]]:
        return DutyAssessmentItemSerializer(self._rows(assessment), many=True).data  # type: ignore[return-value]


class DutyEntryWriteSerializer(Serializer[Any]):
    """A reviewer's units for a manual item of the assessment's scheme."""

    item = serializers.IntegerField(min_value=1, help_text="A manual item of her scheme")
    units = serializers.DecimalField(max_digits=6, decimal_places=1, help_text="From 0 to 999")
    note = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")
