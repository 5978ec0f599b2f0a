"""The annual 述职 report: each 执委's year generated from her records (posts held, confirmed
records by work mode, hours, households contacted, her 她代表 requests and their outcomes, the
campaign sheets she submitted as a rater) and the narrative she writes on her phone.

Figures are computed for a batch of people at once (:func:`figures_of`: a handful of GROUP BY
queries whatever the batch's size), so that the whole city's reports are a few hundred queries,
never a few per person. The background run (``fulian.duties.tasks``) calls
:func:`reports_generate` and then the assessment; ``report_runs.reports_start`` queues it."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from fulian.campaigns.choices import SheetStatus
from fulian.campaigns.models import ScoreSheet
from fulian.core.ancestry import ancestries_of, within_q
from fulian.core.scoping import AnyUser, can
from fulian.duties.choices import RequestStatus, Satisfaction
from fulian.duties.models import Report, ReportRun, Request
from fulian.grid.choices import RecordStatus
from fulian.grid.models import Contact, WorkMode
from fulian.orgs.models import Organisation
from fulian.people.models import Person, Post

BATCH = 500
NARRATIVE_MAX_LENGTH = 5000


def year_span(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def posts_in_year(year: int) -> Any:
    """Posts held at some time in ``year`` (begun by its end, not ended before it began)."""
    first, last = year_span(year)
    return Post.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=first), start_date__lte=last)


def members_of(org: Organisation, year: int) -> dict[int, int]:
    """The 执委 with a post in ``org``'s subtree in ``year``: person id → the organisation her
    report and assessment are placed at (her most local post there: a village 执委 at her
    village, a township 执委 at her township)."""
    rows = posts_in_year(year).filter(within_q(org)).values_list("person_id", "org_id", "org__path")
    best: dict[int, tuple[int, str]] = {}
    for person_id, org_id, path in rows:
        held = best.get(person_id)
        # The deepest post wins; between two at one depth, the lower id (stable across runs).
        if held is None or (len(path), -org_id) > (len(held[1]), -held[0]):
            best[person_id] = (org_id, path)
    return {person_id: org_id for person_id, (org_id, _path) in sorted(best.items())}


def batches(ids: Sequence[int], size: int = BATCH) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def figures_of(person_ids: Sequence[int], year: int) -> dict[int, dict[str, Any]]:
    """Each person's figures for ``year``, for a batch of people in six queries."""
    first, last = year_span(year)
    figures: dict[int, dict[str, Any]] = {pid: _empty() for pid in person_ids}
    ids = list(person_ids)

    posts = (
        posts_in_year(year).filter(person_id__in=ids).select_related("org").order_by("person_id", "start_date", "id")
    )
    for post in posts:
        figures[post.person_id]["posts"].append(
            {
                "org": post.org.display_name,
                "kind": post.kind,
                "from": post.start_date.isoformat(),
                "to": post.end_date.isoformat() if post.end_date else "",
            }
        )

    counted = Contact.objects.filter(
        person_id__in=ids, status=RecordStatus.CONFIRMED, happened_on__gte=first, happened_on__lte=last
    )
    modes = dict(WorkMode.objects.values_list("pk", "name"))
    by_mode = counted.values("person_id", "work_mode_id").annotate(n=Count("id"), h=Sum("half_hours"))
    for row in by_mode.order_by("person_id", "work_mode_id"):
        fig = figures[row["person_id"]]
        half_hours = row["h"] or 0
        fig["records"] += row["n"]
        fig["half_hours"] += half_hours
        name = modes.get(row["work_mode_id"], "") if row["work_mode_id"] else ""
        fig["by_mode"].append({"mode": name, "records": row["n"], "half_hours": half_hours})

    # Households contacted: those named on her confirmed records, and those of the people named.
    households: dict[int, set[int]] = defaultdict(set)
    through = Contact.households.through.objects.filter(
        contact__person_id__in=ids,
        contact__status=RecordStatus.CONFIRMED,
        contact__happened_on__gte=first,
        contact__happened_on__lte=last,
    )
    for person_id, household_id in through.values_list("contact__person_id", "household_id").distinct():
        households[person_id].add(household_id)
    members = Contact.members.through.objects.filter(
        contact__person_id__in=ids,
        contact__status=RecordStatus.CONFIRMED,
        contact__happened_on__gte=first,
        contact__happened_on__lte=last,
    )
    for person_id, household_id in members.values_list(
        "contact__person_id", "householdmember__household_id"
    ).distinct():
        households[person_id].add(household_id)
    for person_id, found in households.items():
        figures[person_id]["households"] = len(found)

    answered = Q(answered_at__isnull=False)
    requests = (
        Request.objects.filter(representative_id__in=ids, recorded_on__gte=first, recorded_on__lte=last)
        .values("representative_id")
        .annotate(
            recorded=Count("id"),
            answered=Count("id", filter=answered),
            closed=Count("id", filter=Q(status=RequestStatus.CLOSED)),
            satisfied=Count("id", filter=Q(satisfaction=Satisfaction.SATISFIED)),
            fairly=Count("id", filter=Q(satisfaction=Satisfaction.FAIRLY)),
            unsatisfied=Count("id", filter=Q(satisfaction=Satisfaction.UNSATISFIED)),
        )
        .order_by("representative_id")
    )
    for outcome in requests:
        counts = {key: value for key, value in outcome.items() if key != "representative_id"}
        figures[outcome["representative_id"]]["requests"] = counts

    start = timezone.make_aware(datetime.datetime(year, 1, 1))
    end = timezone.make_aware(datetime.datetime(year + 1, 1, 1))
    sheets = (
        ScoreSheet.objects.filter(
            rater_id__in=ids, status=SheetStatus.SUBMITTED, submitted_at__gte=start, submitted_at__lt=end
        )
        .values("rater_id")
        .annotate(n=Count("id"))
        .order_by("rater_id")
    )
    for rated in sheets:
        figures[rated["rater_id"]]["campaign_sheets"] = rated["n"]
    for fig in figures.values():
        fig["hours"] = f"{fig['half_hours'] / 2:g}"
    return figures


def _empty() -> dict[str, Any]:
    return {
        "posts": [],
        "records": 0,
        "half_hours": 0,
        "hours": "0",
        "by_mode": [],
        "households": 0,
        "requests": {"recorded": 0, "answered": 0, "closed": 0, "satisfied": 0, "fairly": 0, "unsatisfied": 0},
        "campaign_sheets": 0,
    }


def _store(year: int, placed: dict[int, int], figures: dict[int, dict[str, Any]]) -> None:
    """Write a batch's reports: existing ones get their figures refreshed (their narrative
    kept), the missing ones are made; two queries and one insert."""
    now = timezone.now()
    existing = {r.person_id: r for r in Report.objects.filter(person_id__in=list(placed), year=year)}
    orgs = {o.pk: o for o in Organisation.objects.filter(pk__in=set(placed.values()))}
    ancestry = ancestries_of(orgs.values())
    changed, new = [], []
    for person_id, org_id in placed.items():
        report = existing.get(person_id)
        if report is None:
            report = Report(person_id=person_id, year=year)
            new.append(report)
        else:
            changed.append(report)
        report.place(orgs[org_id], ancestry[org_id])
        report.figures, report.generated_at = figures[person_id], now
    if changed:
        fields = ["figures", "generated_at", "org", "city", "county", "township", "village", "group"]
        Report.objects.bulk_update(changed, fields)
    if new:
        Report.objects.bulk_create(new)


def report_generate(*, person: Person, year: int) -> Report:
    """Generate (or refresh) one 执委's report for ``year``, placed at her most local post that
    year (or where she is on the books if she held none)."""
    rows = posts_in_year(year).filter(person=person).values_list("org_id", "org__path")
    org_id = max(rows, key=lambda r: (len(r[1]), -r[0]))[0] if rows else person.org_id
    with transaction.atomic():
        _store(year, {person.pk: org_id}, figures_of([person.pk], year))
    return Report.objects.get(person=person, year=year)


def reports_generate(
    *, org: Organisation, year: int, run: ReportRun | None = None, on_batch: Callable[[int], None] | None = None
) -> int:
    """Generate the reports of every 执委 with a post in ``org``'s subtree in ``year``, in
    batches (each its own transaction, so that progress shows and a failure keeps the batches
    done); ``run.done`` follows. Returns how many."""
    placed = members_of(org, year)
    ids = list(placed)
    if run is not None:
        ReportRun.objects.filter(pk=run.pk).update(total=len(ids), done=0)
    done = 0
    for batch in batches(ids):
        with transaction.atomic():
            _store(year, {pid: placed[pid] for pid in batch}, figures_of(batch, year))
        done += len(batch)
        if run is not None:
            ReportRun.objects.filter(pk=run.pk).update(done=done)
        if on_batch is not None:
            on_batch(done)
    return done


def may_write_narrative(user: AnyUser, report: Report) -> bool:
    """She writes her own; staff who assess her organisation write it for her."""
    own = report.person.account_id is not None and report.person.account_id == getattr(user, "pk", None)
    return own or can(user, "duties.assess", report.org)


@transaction.atomic
def report_narrative(*, actor: AnyUser, report: Report, text: str) -> Report:
    """Set the narrative section of a report (in her words)."""
    if not may_write_narrative(actor, report):
        raise PermissionDenied(_("Only she, or the staff who assess her, may write this report."))
    text = (text or "").strip()
    if len(text) > NARRATIVE_MAX_LENGTH:
        raise ValidationError(
            {"narrative": _("At most %(n)s characters (this has %(m)s).") % {"n": NARRATIVE_MAX_LENGTH, "m": len(text)}}
        )
    report = Report.objects.select_for_update().get(pk=report.pk)
    report.narrative, report.narrative_at = text, timezone.now()
    report.save(update_fields=["narrative", "narrative_at"])
    return report


def people_in(ids: Iterable[int]) -> dict[int, Person]:
    return {p.pk: p for p in Person.objects.filter(pk__in=list(ids)).only("pk", "name", "org_id")}
