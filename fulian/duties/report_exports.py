"""The export of an organisation's assessment results for a year (``.xlsx``), registered with
``fulian.exports``: the rows the assessment list shows, with their grade, the cap and the flag
for the next 换届."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from fulian.duties.report_forms import AssessmentFilter
from fulian.exports.kinds import ExportKind, register


def assessment_headers(*, members: bool = False) -> list[str]:
    return [
        _("Year"),
        _("Division code"),
        _("Organisation"),
        _("Executive member"),
        _("Score"),
        _("Grade"),
        _("Over the cap on excellent"),
        _("Flagged for the next election"),
    ]


def assessment_rows(records: Iterable[Any], *, full: bool) -> Iterator[list[Any]]:
    for a in records:
        yield [
            a.year,
            a.org.code,
            a.org.display_name,
            a.person.name,
            float(a.score),
            a.get_grade_display(),
            _("Yes") if a.capped else "",
            _("Yes") if a.flagged else "",
        ]


ASSESSMENTS = register(
    ExportKind(
        name="duties_assessments",
        filterset=AssessmentFilter,
        view="duties.view",
        reveal="people.reveal",
        rows_of=assessment_rows,
        headers=assessment_headers,
        basename=pgettext_lazy("file name", "assessment results"),
        title=gettext_lazy("Assessment results of the executive members"),
        list_url_name="duties:assessments",
        text_columns=(1,),
    )
)
