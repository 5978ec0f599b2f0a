"""人人手里有事做, made visible: the figures of an organisation's 执委 and 她代表 requests.

Plain selectors taking an organisation already fetched through ``visible_to`` (the pages, the
exports and the API call the same ones). Each is one or two indexed queries:

- the 执委 of an organisation are the people holding a current post in its subtree
  (``people_post`` by its ancestry column, ``within_q``);
- whether one of them recorded a duty in a period is an ``EXISTS`` on her own records, served by
  the index ``grid_contact_person (person, happened_on)``; only records placed in the same
  subtree count (新市镇's figures never count a record of 炎陵县);
- records and hours by work mode and month, and requests by category and status, are grouped
  reads of ``grid_contact`` and ``duties_request`` through their ancestry indexes.

A record counts in the figures when it is confirmed (``Contact.objects.counted()``). A 执委 is
silent when she has no record (of any status but returned), wherever it is placed, dated in the
``SILENT_DAYS`` days up to the day asked: silence is a fact about her, while the work counted
(active this month or year, records by mode) is the work done in the subtree.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate

from fulian.core.ancestry import within_q
from fulian.duties.choices import Category, RequestStatus
from fulian.duties.models import ModeMonth, Request
from fulian.grid.choices import RecordStatus
from fulian.grid.models import Contact, WorkMode
from fulian.orgs.models import Organisation
from fulian.people.models import Person, Post

SILENT_DAYS = 90
MONTHS = tuple(range(1, 13))


def year_start(on: datetime.date) -> datetime.date:
    return on.replace(month=1, day=1)


def month_start(on: datetime.date) -> datetime.date:
    return on.replace(day=1)


def silent_since(on: datetime.date) -> datetime.date:
    """The first day of the ``SILENT_DAYS`` days up to ``on``: a record dated on or after it
    keeps a 执委 from being silent."""
    return on - datetime.timedelta(days=SILENT_DAYS - 1)


# --- the 执委 -------------------------------------------------------------------------------


def current_posts(org: Organisation) -> QuerySet[Post]:
    """The current posts held in the organisation's subtree."""
    return Post.objects.current().filter(within_q(org))


def member_q(org: Organisation) -> Q:
    """People holding a current post in the organisation's subtree: ``pk IN (their posts)``, which
    both databases read once (a semi-join; SQLite's correlated EXISTS probed the subtree's posts
    once for every person of the city: 30 s for a township of the demo)."""
    return Q(pk__in=current_posts(org).values("person_id"))


def _records_of_each(org: Organisation) -> QuerySet[Contact]:
    """One 执委's records placed in the subtree (the person index, then the row)."""
    return Contact.objects.filter(within_q(org), person=OuterRef("pk"))


def active_q(org: Organisation, since: datetime.date, until: datetime.date | None = None) -> Q:
    """People with a confirmed record in the subtree dated from ``since`` (to ``until``)."""
    records = _records_of_each(org).filter(status=RecordStatus.CONFIRMED, happened_on__gte=since)
    if until is not None:
        records = records.filter(happened_on__lte=until)
    return Q(Exists(records))


def silent_q(on: datetime.date) -> Q:
    """People with no record (but returned ones), wherever placed, in the ``SILENT_DAYS`` days up
    to ``on``: silence is hers, not a place's (one probe of her own records per person, on the
    index ``grid_contact_person_alive``)."""
    recent = (
        Contact.objects.filter(person=OuterRef("pk"), happened_on__gte=silent_since(on), happened_on__lte=on)
        .exclude(status=RecordStatus.RETURNED)
        .order_by()
    )
    return ~Q(Exists(recent))


def members(org: Organisation) -> QuerySet[Person]:
    """The 执委 of the organisation: people holding a current post in its subtree."""
    return Person.objects.filter(member_q(org))


def member_count(org: Organisation) -> int:
    """How many people hold a current post in the subtree (each counted once)."""
    return current_posts(org).order_by().values("person").distinct().count()


def active_members(org: Organisation, since: datetime.date, until: datetime.date | None = None) -> QuerySet[Person]:
    """The 执委 of the organisation with at least one confirmed record in its subtree dated from
    ``since`` (the first of the month, of the year)."""
    return members(org).filter(active_q(org, since, until))


def silent_members(org: Organisation, on: datetime.date) -> QuerySet[Person]:
    """The 执委 of the organisation with no record (returned ones aside) in the ``SILENT_DAYS``
    days up to ``on``."""
    return members(org).filter(silent_q(on))


@dataclass
class MemberFigures:
    """The "N of M" figures of an organisation's 执委 on a day."""

    members: int
    active_month: int
    active_year: int
    silent: int

    @staticmethod
    def share(part: int, whole: int) -> str:
        return f"{part * 100 / whole:.0f}%" if whole else "–"

    @property
    def active_month_share(self) -> str:
        return self.share(self.active_month, self.members)

    @property
    def active_year_share(self) -> str:
        return self.share(self.active_year, self.members)

    @property
    def silent_share(self) -> str:
        return self.share(self.silent, self.members)


def member_figures(org: Organisation, on: datetime.date) -> MemberFigures:
    """The 执委 with a confirmed record this month, this year, and the silent, of all those
    holding a current post in the subtree: one query (three counts over one set of people)."""
    counts = members(org).aggregate(
        everyone=Count("pk"),
        month=Count("pk", filter=active_q(org, month_start(on), on)),
        year=Count("pk", filter=active_q(org, year_start(on), on)),
        silent=Count("pk", filter=silent_q(on)),
    )
    return MemberFigures(
        members=counts["everyone"], active_month=counts["month"], active_year=counts["year"], silent=counts["silent"]
    )


def silent_count(org: Organisation, on: datetime.date) -> int:
    """The silent figure: how many 执委 of the organisation have no record in 90 days."""
    return silent_members(org, on).count()


def with_details(people: QuerySet[Person], org: Organisation, on: datetime.date) -> QuerySet[Person]:
    """The drill-down's columns: her last record (but returned ones; the date that decides
    whether she is silent), her confirmed records in the subtree this year, and her current
    posts there (``posts_here``)."""
    records = Contact.objects.filter(within_q(org), person=OuterRef("pk")).order_by()
    last = (
        Contact.objects.filter(person=OuterRef("pk"), happened_on__lte=on)
        .exclude(status=RecordStatus.RETURNED)
        .order_by()
        .values("person")
    )
    this_year = records.filter(
        status=RecordStatus.CONFIRMED, happened_on__gte=year_start(on), happened_on__lte=on
    ).values("person")
    return people.annotate(
        last_record_on=Subquery(last.annotate(last=Max("happened_on")).values("last")),
        year_records=Coalesce(Subquery(this_year.annotate(n=Count("pk")).values("n")), Value(0)),
    ).prefetch_related(
        Prefetch("posts", queryset=current_posts(org).select_related("org").order_by("id"), to_attr="posts_here")
    )


# --- records and hours by work mode and month ---------------------------------------------


def mode_month_rows(org: Organisation, year: int, *, rows: QuerySet[ModeMonth] | None = None) -> QuerySet[Any]:
    """One row per work mode of the confirmed records in the subtree in ``year``: ``work_mode``
    and, per month, ``r<m>`` (records) and ``h<m>`` (half hours). One grouped query over the
    summary (``ModeMonth``, kept on every confirmation), by its ancestry index (level, month)."""
    aggregates: dict[str, Any] = {}
    for month in MONTHS:
        in_month = Q(month=datetime.date(year, month, 1))
        aggregates[f"r{month}"] = Coalesce(Sum("records", filter=in_month), 0)
        aggregates[f"h{month}"] = Coalesce(Sum("half_hours", filter=in_month), 0)
    return (
        (ModeMonth.objects.all() if rows is None else rows)
        .filter(within_q(org), month__gte=datetime.date(year, 1, 1), month__lte=datetime.date(year, 12, 1))
        .order_by()
        .values("work_mode")
        .annotate(**aggregates)
        .order_by("work_mode")
    )


@dataclass
class ModeRow:
    """One work mode's records and half hours per month (index 0 is January)."""

    mode: WorkMode | None
    records: list[int] = field(default_factory=lambda: [0] * 12)
    half_hours: list[int] = field(default_factory=lambda: [0] * 12)

    @property
    def hours(self) -> list[float]:
        return [h / 2 for h in self.half_hours]

    @property
    def total_records(self) -> int:
        return sum(self.records)

    @property
    def total_hours(self) -> float:
        return sum(self.half_hours) / 2

    @property
    def cells(self) -> list[tuple[int, int, float]]:
        """(month, records, hours) for each month: the table's cells."""
        return [(m, self.records[m - 1], self.half_hours[m - 1] / 2) for m in MONTHS]


@dataclass
class ModeTable:
    year: int
    rows: list[ModeRow]

    @property
    def total(self) -> ModeRow:
        whole = ModeRow(mode=None)
        for row in self.rows:
            for i in range(12):
                whole.records[i] += row.records[i]
                whole.half_hours[i] += row.half_hours[i]
        return whole


def modes_by_id(ids: set[int]) -> dict[int, WorkMode]:
    """The city's work modes in use and any retired one named in ``ids``."""
    return {m.pk: m for m in WorkMode.objects.filter(Q(active=True) | Q(pk__in=ids))}


def by_mode_month(org: Organisation, year: int) -> ModeTable:
    """Confirmed records and hours in the subtree per work mode and month of ``year``: every
    mode in use (zeros included), retired ones with records, and records without a mode last."""
    found = {row["work_mode"]: row for row in mode_month_rows(org, year)}
    modes = modes_by_id({pk for pk in found if pk is not None})
    rows = []
    for pk, mode in sorted(modes.items(), key=lambda item: (item[1].position, item[0])):
        rows.append(_mode_row(mode, found.get(pk)))
    if None in found:
        rows.append(_mode_row(None, found[None]))
    return ModeTable(year=year, rows=rows)


def _mode_row(mode: WorkMode | None, values: dict[str, Any] | None) -> ModeRow:
    row = ModeRow(mode=mode)
    if values:
        row.records = [values[f"r{m}"] for m in MONTHS]
        row.half_hours = [values[f"h{m}"] for m in MONTHS]
    return row


# --- 她代表 requests ------------------------------------------------------------------------


ANSWERED_Q = Q(answered_at__isnull=False)


def request_category_rows(org: Organisation, *, rows: QuerySet[Request] | None = None) -> QuerySet[Any]:
    """One row per category of the requests placed in the subtree: ``category``, a count per
    status (``s_<status>``), ``total``, ``answered`` and ``answer_time`` (the sum of the days
    from recorded to answered, over the answered ones). One grouped query."""
    days = ExpressionWrapper(TruncDate("answered_at") - F("recorded_on"), output_field=DurationField())
    aggregates: dict[str, Any] = {f"s_{status}": Count("pk", filter=Q(status=status)) for status in RequestStatus}
    return (
        (Request.objects.all() if rows is None else rows)
        .filter(within_q(org))
        .order_by()
        .values("category")
        .annotate(
            **aggregates,
            total=Count("pk"),
            answered=Count("pk", filter=ANSWERED_Q),
            answer_time=Sum(days, filter=ANSWERED_Q),
        )
        .order_by("category")
    )


@dataclass
class CategoryRow:
    """One category's requests by status, and the average days from recorded to answered."""

    category: str
    label: str
    by_status: dict[str, int]
    total: int
    answered: int
    answer_days: float | None

    @property
    def cells(self) -> list[tuple[str, int]]:
        return [(status, self.by_status.get(status, 0)) for status in RequestStatus.values]


def average_days(total: datetime.timedelta | None, answered: int) -> float | None:
    if not answered or total is None:
        return None
    return round(total.total_seconds() / 86400 / answered, 1)


def requests_by_category(org: Organisation) -> list[CategoryRow]:
    """The requests placed in the subtree by category (every category, in the list's order)
    and status, with the average time to answer (recorded → answered, in days) per category;
    the last row is all categories together."""
    found = {row["category"]: row for row in request_category_rows(org)}
    rows = []
    everything: dict[str, Any] = {"total": 0, "answered": 0, "time": datetime.timedelta(0)}
    by_status_all: dict[str, int] = dict.fromkeys(RequestStatus.values, 0)
    for category in Category:
        values = found.get(category.value) or {}
        by_status = {status: values.get(f"s_{status}", 0) for status in RequestStatus.values}
        for status, n in by_status.items():
            by_status_all[status] += n
        answered = values.get("answered", 0)
        answer_time = as_duration(values.get("answer_time"))
        everything["total"] += values.get("total", 0)
        everything["answered"] += answered
        everything["time"] += answer_time or datetime.timedelta(0)
        rows.append(
            CategoryRow(
                category=category.value,
                label=str(category.label),
                by_status=by_status,
                total=values.get("total", 0),
                answered=answered,
                answer_days=average_days(answer_time, answered),
            )
        )
    rows.append(
        CategoryRow(
            category="",
            label="",
            by_status=by_status_all,
            total=everything["total"],
            answered=everything["answered"],
            answer_days=average_days(everything["time"], everything["answered"]),
        )
    )
    return rows


def as_duration(value: Any) -> datetime.timedelta | None:
    """A sum of day differences as a timedelta (SQLite may give microseconds)."""
    if value is None or isinstance(value, datetime.timedelta):
        return value
    return datetime.timedelta(microseconds=int(value))
