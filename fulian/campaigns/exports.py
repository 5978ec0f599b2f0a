"""The exports of a campaign's lists to .xlsx (see ``fulian/exports``): nominations, entries with
their stage results, rater assignments with their sheet's state (the overdue list), objections
and awards, each through its list's FilterSet (``fulian.campaigns.selectors``), so that a file
holds exactly the rows its list shows. Phones are masked unless full personal data is asked for
(the reveal permission, audited by the export machinery).

The score sheets have one column per rubric item, which differ between campaigns: their export
is made at once by ``sheet_export`` (a view of ``views.progress``), within the at-once limit."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from itertools import islice
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from fulian.campaigns import selectors
from fulian.campaigns.models import STAGE_LEVELS, RubricItem
from fulian.core.personal import mask_mobile
from fulian.exports.kinds import ExportKind, register
from fulian.orgs.choices import Level

VIEW = "campaigns.view"
# The phones of nominators and objectors are the public's, as a household's are.
REVEAL = "households.reveal"
LIST_URL = "campaigns:progress_home"


def _chunks(records: Iterable[Any], size: int = 1_000) -> Iterator[list[Any]]:
    iterator = iter(records)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _village(org: Any) -> tuple[str, str]:
    """``("回龙村", "第一村民小组")`` for a group, ``("回龙村", "")`` for a village."""
    if org.level == Level.GROUP and org.parent is not None:
        return org.parent.display_name, org.display_name
    return org.display_name, ""


def _when(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "hour"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value.isoformat())


def _phone(value: str | None, full: bool) -> str:
    if not value:
        return ""
    return value if full else mask_mobile(value)


# --- Nominations ----------------------------------------------------------------------------


def nomination_headers(*, members: bool = False) -> list[str]:
    return [
        _("Id"),
        _("Division code"),
        _("Village"),
        _("Village group"),
        _("Head of household"),
        _("Nominated by"),
        _("Nominator"),
        _("Contact phone"),
        _("Reason"),
        _("Status"),
        _("Reason for rejecting"),
        _("Duplicate of"),
        _("Nominated at"),
    ]


def nomination_rows(records: Iterable[Any], *, full: bool) -> Iterator[list[Any]]:
    for n in records:
        village, group = _village(n.org)
        yield [
            n.pk,
            n.org.code,
            village,
            group,
            n.name,
            n.get_source_display(),
            n.nominator,
            _phone(n.phone, full),
            n.reason,
            n.get_status_display(),
            n.reject_reason,
            n.duplicate_of_id or "",
            _when(n.created_at),
        ]


NOMINATIONS = register(
    ExportKind(
        name="campaign_nominations",
        filterset=selectors.NominationListFilter,
        view=VIEW,
        reveal=REVEAL,
        rows_of=nomination_rows,
        headers=nomination_headers,
        basename=pgettext_lazy("file name", "nominations"),
        title=gettext_lazy("Nominations"),
        list_url_name=LIST_URL,
        text_columns=(1, 7),
    )
)


# --- Entries with their stage results -------------------------------------------------------


def entry_headers(*, members: bool = False) -> list[str]:
    headers = [_("Id"), _("Division code"), _("Village"), _("Village group"), _("Head of household")]
    headers += [_("Stage reached"), _("Status")]
    for level in STAGE_LEVELS:
        label = Level(level).label
        headers += [
            _("%(level)s rank") % {"level": label},
            _("%(level)s score") % {"level": label},
            _("%(level)s outcome") % {"level": label},
        ]
    return headers


def entry_rows(records: Iterable[Any], *, full: bool) -> Iterator[list[Any]]:
    from fulian.campaigns.models import Result

    for chunk in _chunks(records):
        results: dict[int, dict[str, Any]] = {}
        for result in Result.objects.filter(entry_id__in=[e.pk for e in chunk]).select_related("stage"):
            results.setdefault(result.entry_id, {})[result.stage.level] = result
        for e in chunk:
            village, group = _village(e.org)
            row = [e.pk, e.org.code, village, group, e.household.head_name]
            row += [e.stage.get_level_display(), e.get_status_display()]
            for level in STAGE_LEVELS:
                found = results.get(e.pk, {}).get(level)
                if found is None:
                    row += ["", "", ""]
                else:
                    row += [found.rank or "", _number(found.score), found.get_outcome_display()]
            yield row


def _number(value: Decimal | None) -> Any:
    return float(value) if value is not None else ""


ENTRIES = register(
    ExportKind(
        name="campaign_entries",
        filterset=selectors.EntryListFilter,
        view=VIEW,
        reveal=REVEAL,
        rows_of=entry_rows,
        headers=entry_headers,
        basename=pgettext_lazy("file name", "campaign entries"),
        title=gettext_lazy("Households in the campaign, with their stage results"),
        list_url_name=LIST_URL,
        text_columns=(1,),
    )
)


# --- Rater assignments with their sheet's state ---------------------------------------------


def sheet_state(assignment: Any, on: Any) -> str:
    if assignment.has_sheet:
        return str(_("Sheet submitted"))
    if assignment.stage.status == "scoring" and assignment.stage.deadline < on and assignment.entry.status == "active":
        return str(_("Overdue"))
    return str(_("Sheet missing"))


def assignment_headers(*, members: bool = False) -> list[str]:
    return [
        _("Id"),
        _("Division code"),
        _("Village"),
        _("Village group"),
        _("Head of household"),
        _("Stage"),
        _("Scoring deadline"),
        _("Rater"),
        _("Sheet"),
        _("Last reminded"),
        _("Assigned at"),
    ]


def assignment_rows(records: Iterable[Any], *, full: bool) -> Iterator[list[Any]]:
    from fulian.campaigns.services.common import today

    on = today()
    for a in records:
        village, group = _village(a.org)
        yield [
            a.pk,
            a.org.code,
            village,
            group,
            a.entry.household.head_name,
            a.stage.get_level_display(),
            _when(a.stage.deadline),
            a.person.name,
            sheet_state(a, on),
            _when(a.reminded_at),
            _when(a.created_at),
        ]


ASSIGNMENTS = register(
    ExportKind(
        name="campaign_raters",
        filterset=selectors.AssignmentListFilter,
        view=VIEW,
        reveal=REVEAL,
        rows_of=assignment_rows,
        headers=assignment_headers,
        basename=pgettext_lazy("file name", "rater assignments"),
        title=gettext_lazy("Rater assignments"),
        list_url_name=LIST_URL,
        text_columns=(1,),
    )
)


# --- Objections -----------------------------------------------------------------------------


def objection_headers(*, members: bool = False) -> list[str]:
    return [
        _("Id"),
        _("Division code"),
        _("Village"),
        _("Village group"),
        _("Head of household"),
        _("Stage"),
        _("Reason"),
        _("Name"),
        _("Contact phone"),
        _("Status"),
        _("Outcome"),
        _("Lodged at"),
        _("Handled at"),
    ]


def objection_rows(records: Iterable[Any], *, full: bool) -> Iterator[list[Any]]:
    for o in records:
        village, group = _village(o.org)
        yield [
            o.pk,
            o.org.code,
            village,
            group,
            o.entry.household.head_name,
            o.publicity.stage.get_level_display(),
            o.reason,
            o.name,
            _phone(o.phone, full),
            o.get_status_display(),
            o.outcome,
            _when(o.created_at),
            _when(o.handled_at),
        ]


OBJECTIONS = register(
    ExportKind(
        name="campaign_objections",
        filterset=selectors.ObjectionListFilter,
        view=VIEW,
        reveal=REVEAL,
        rows_of=objection_rows,
        headers=objection_headers,
        basename=pgettext_lazy("file name", "objections"),
        title=gettext_lazy("Objections"),
        list_url_name=LIST_URL,
        text_columns=(1, 8),
    )
)


# --- Awards ---------------------------------------------------------------------------------


def award_headers(*, members: bool = False) -> list[str]:
    return [
        _("Certificate number"),
        _("Title"),
        _("Division code"),
        _("Village"),
        _("Village group"),
        _("Head of household"),
        _("Level"),
        _("Issued on"),
        _("Plaque (挂牌)"),
        _("Revoked on"),
        _("Reason for revoking"),
    ]


def award_rows(records: Iterable[Any], *, full: bool) -> Iterator[list[Any]]:
    for a in records:
        village, group = _village(a.org)
        yield [
            a.certificate_no,
            a.title,
            a.org.code,
            village,
            group,
            a.household.head_name,
            a.stage.get_level_display(),
            _when(a.issued_on),
            _("Yes") if a.plaque else _("No"),
            _when(a.revoked_on),
            a.revoke_reason,
        ]


AWARDS = register(
    ExportKind(
        name="campaign_awards",
        filterset=selectors.AwardListFilter,
        view=VIEW,
        reveal=REVEAL,
        rows_of=award_rows,
        headers=award_headers,
        basename=pgettext_lazy("file name", "awards"),
        title=gettext_lazy("Awards"),
        list_url_name=LIST_URL,
        text_columns=(0, 2),
    )
)

KINDS = {kind.name: kind for kind in (NOMINATIONS, ENTRIES, ASSIGNMENTS, OBJECTIONS, AWARDS)}


# --- Score sheets: a column per rubric item -------------------------------------------------


def sheet_items(campaign: Any) -> list[RubricItem]:
    return list(RubricItem.objects.filter(rubric=campaign.rubric).select_related("section"))


def sheet_headers(items: list[RubricItem]) -> list[str]:
    headers = [
        _("Id"),
        _("Division code"),
        _("Village"),
        _("Village group"),
        _("Head of household"),
        _("Stage"),
        _("Rater"),
        _("Status"),
        _("Score"),
        _("Veto item hit"),
        _("Scored at"),
        _("Comment"),
    ]
    return headers + [f"{item.section.name} · {item.name}" for item in items]


def item_value(item: RubricItem, value: Any) -> Any:
    """What a rater gave an item, as a cell: points, faults found, a veto hit, or N/A."""
    if not isinstance(value, dict):
        return ""
    if value.get("na"):
        return _("N/A")
    if "v" in value:
        return float(Decimal(str(value["v"])))
    if "faults" in value:
        return _("%(n)s faults") % {"n": value["faults"]}
    if "hit" in value:
        return _("Hit") if value["hit"] else _("No")
    return ""


def sheet_rows(records: Iterable[Any], items: list[RubricItem]) -> Iterator[list[Any]]:
    for s in records:
        village, group = _village(s.org)
        yield [
            s.pk,
            s.org.code,
            village,
            group,
            s.entry.household.head_name,
            s.stage.get_level_display(),
            s.rater.name,
            s.get_status_display(),
            float(s.score),
            _("Yes") if s.vetoed else _("No"),
            _when(s.scored_at),
            s.comment,
        ] + [item_value(item, (s.items or {}).get(str(item.pk))) for item in items]
