"""人人手里有事做, made visible: each figure against counts made directly on the rows (a returned
or superseded record, an ended post, a record of another subtree each change it or not as they
should), the drill-downs, the exports (.xlsx, at once and in the background), scope and the
number of queries."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fulian.duties import counting, figures
from fulian.duties.choices import Category, RequestStatus
from fulian.duties.models import Request
from fulian.duties.tests import helpers as h
from fulian.exports import background, services
from fulian.exports.models import ExportJob, Status
from fulian.grid import coverage
from fulian.grid.choices import RecordStatus
from fulian.grid.models import Contact, WorkMode
from fulian.grid.tests.helpers import page_queries
from fulian.people.models import Post
from fulian.people.tests.helpers import post
from fulian.testing.world import World

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(coverage, "today", lambda: TODAY)


def day(month: int, d: int) -> datetime.date:
    return datetime.date(2026, month, d)


def set_status(record: Contact, status: str) -> None:
    Contact.objects.filter(pk=record.pk).update(status=status)


def confirmed(world: World, who: Any, on: datetime.date, **kwargs: Any) -> Contact:
    made = h.record(world, who, on=on, **kwargs)
    set_status(made, RecordStatus.CONFIRMED)
    # As the review service does: the summary of confirmed records counts it.
    counting.count(made, 1)
    return made


@pytest.fixture
def crowd(world: World) -> dict[str, Any]:
    """执委 of 新市镇 (回龙村, 大桥头村) and one of 炎陵县, each with what decides her figures."""
    people = {
        "month": h.zhiwei(world, "huilong", "甲月"),  # confirmed this month
        "year": h.zhiwei(world, "daqiaotou", "乙年"),  # confirmed in February only
        "pending": h.zhiwei(world, "huilong", "丙待"),  # a pending record in May
        "returned": h.zhiwei(world, "huilong", "丁退"),  # a returned record this month
        "ended": h.zhiwei(world, "huilong", "戊止"),  # confirmed this month, post ended
        "superseded": h.zhiwei(world, "huilong", "己替"),  # a superseded record this month
        "nothing": h.zhiwei(world, "daqiaotou", "庚无"),  # no record at all
        "yanling": h.zhiwei(world, "shucai", "辛炎"),  # 炎陵县, confirmed this month
    }
    confirmed(world, people["month"], day(6, 3), half_hours=3)
    confirmed(world, people["month"], day(3, 9), half_hours=2, work_mode="政策宣讲")
    confirmed(world, people["year"], day(2, 10), half_hours=4)
    h.record(world, people["pending"], on=day(5, 1))
    set_status(h.record(world, people["returned"], on=day(6, 1)), RecordStatus.RETURNED)
    confirmed(world, people["ended"], day(6, 2))
    Post.objects.filter(person=people["ended"]).update(end_date=day(6, 10))
    set_status(h.record(world, people["superseded"], on=day(6, 4)), RecordStatus.SUPERSEDED)
    confirmed(world, people["yanling"], day(6, 5), half_hours=8)
    return people


def direct(org: Any) -> dict[str, set[str]]:
    """The figures counted row by row in Python, from the paths of the rows' organisations."""
    path = org.path
    members = {
        p.person.name
        for p in Post.objects.select_related("person", "org")
        if p.end_date is None and p.org.path.startswith(path)
    }
    records = [c for c in Contact.objects.select_related("person", "org") if c.org.path.startswith(path)]
    month = {c.person.name for c in records if c.status == "confirmed" and c.happened_on >= day(6, 1)}
    year = {c.person.name for c in records if c.status == "confirmed" and c.happened_on >= day(1, 1)}
    # Silence is hers: any record of hers (but a returned one), wherever it is placed.
    recent = {
        c.person.name
        for c in Contact.objects.select_related("person")
        if c.status != "returned" and TODAY - datetime.timedelta(days=89) <= c.happened_on <= TODAY
    }
    return {
        "members": members,
        "active_month": members & month,
        "active_year": members & year,
        "silent": members - recent,
    }


def names(people: Any) -> set[str]:
    return {p.name for p in people}


def test_the_member_figures_match_counts_made_on_the_rows(world: World, crowd: dict[str, Any]) -> None:
    xinshi = world.org("xinshi")
    expected = direct(xinshi)
    assert expected["members"] == {"甲月", "乙年", "丙待", "丁退", "己替", "庚无"}  # 戊止's post ended
    assert expected["active_month"] == {"甲月"}  # the returned, superseded and pending do not count
    assert expected["active_year"] == {"甲月", "乙年"}
    assert expected["silent"] == {"乙年", "丁退", "庚无"}  # a pending or superseded record is a record
    counted = figures.member_figures(xinshi, TODAY)
    assert (counted.members, counted.active_month, counted.active_year, counted.silent) == (6, 1, 2, 3)
    assert names(figures.active_members(xinshi, figures.month_start(TODAY))) == expected["active_month"]
    assert names(figures.active_members(xinshi, figures.year_start(TODAY))) == expected["active_year"]
    assert names(figures.silent_members(xinshi, TODAY)) == expected["silent"]
    assert figures.member_count(xinshi) == 6
    assert figures.silent_count(xinshi, TODAY) == 3


def test_a_record_of_another_subtree_counts_only_there(world: World, crowd: dict[str, Any]) -> None:
    yanling, city = world.org("yanling"), world.org("city")
    assert names(figures.active_members(yanling, figures.month_start(TODAY))) == {"辛炎"}
    assert names(figures.silent_members(yanling, TODAY)) == set()
    assert names(figures.silent_members(city, TODAY)) == direct(city)["silent"]
    assert "辛炎" in names(figures.active_members(city, figures.month_start(TODAY)))
    # A 执委 of both 新市镇 and 霞阳镇: her record placed in 炎陵县 counts as work done there (active
    # in 炎陵县, not in 新市镇, nor in 新市镇's records by mode); silence is hers, so she is
    # silent nowhere.
    xinshi = world.org("xinshi")
    both = h.zhiwei(world, "huilong", "壬两")
    post(world, both, "xiayang")
    before = figures.by_mode_month(xinshi, 2026).total.total_records
    confirmed(world, both, day(6, 6), households=[h.household(world, "shucai", "炎户")])
    assert "壬两" in names(figures.active_members(yanling, figures.month_start(TODAY)))
    assert "壬两" not in names(figures.active_members(xinshi, figures.year_start(TODAY)))
    assert figures.by_mode_month(xinshi, 2026).total.total_records == before
    assert "壬两" not in names(figures.silent_members(xinshi, TODAY))
    assert "壬两" not in names(figures.silent_members(yanling, TODAY))


def test_the_silent_figure_follows_the_90_days(world: World) -> None:
    who = h.zhiwei(world, "huilong", "甲")
    xinshi = world.org("xinshi")
    h.record(world, who, on=TODAY - datetime.timedelta(days=90))
    assert names(figures.silent_members(xinshi, TODAY)) == {"甲"}
    h.record(world, who, on=TODAY - datetime.timedelta(days=89))
    assert names(figures.silent_members(xinshi, TODAY)) == set()


def test_records_and_hours_by_mode_and_month(world: World, crowd: dict[str, Any]) -> None:
    xinshi = world.org("xinshi")
    table = figures.by_mode_month(xinshi, 2026)
    visit, talk = WorkMode.objects.get(name="入户走访"), WorkMode.objects.get(name="政策宣讲")
    rows = {row.mode.pk if row.mode else None: row for row in table.rows}
    # Confirmed only, in 新市镇 only, the ended post's record too (it was confirmed).
    assert rows[visit.pk].records == [0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0]
    assert rows[visit.pk].half_hours == [0, 4, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0]
    assert rows[talk.pk].records[2] == 1
    assert table.total.total_records == 4
    assert table.total.total_hours == 5.5
    # Every mode in use is a row, zeros included.
    assert len(table.rows) == WorkMode.objects.filter(active=True).count()
    direct_total = sum(
        1
        for c in Contact.objects.select_related("org")
        if c.status == "confirmed" and c.org.path.startswith(xinshi.path) and c.happened_on.year == 2026
    )
    assert table.total.total_records == direct_total
    assert figures.by_mode_month(world.org("yanling"), 2026).total.total_records == 1
    assert figures.by_mode_month(xinshi, 2025).total.total_records == 0


def _answered(world: World, who: Any, category: str, recorded: datetime.date, answered: datetime.datetime) -> Request:
    made = h.request(world, who, category=category)
    Request.objects.filter(pk=made.pk).update(
        recorded_on=recorded, answered_at=answered, status=RequestStatus.ANSWERED, answer="已解决"
    )
    return made


def test_requests_by_category_and_status_with_the_average_time_to_answer(world: World) -> None:
    who = h.zhiwei(world, "huilong", "甲")
    other = h.zhiwei(world, "shucai", "炎")
    tz = timezone.get_current_timezone()
    _answered(world, who, Category.JOBS, day(6, 1), datetime.datetime(2026, 6, 5, 23, 30, tzinfo=tz))
    _answered(world, who, Category.JOBS, day(6, 1), datetime.datetime(2026, 6, 2, 0, 30, tzinfo=tz))
    h.request(world, who, category=Category.JOBS)
    h.request(world, who, category=Category.LAW)
    _answered(world, other, Category.JOBS, day(1, 1), datetime.datetime(2026, 6, 1, 9, tzinfo=tz))
    rows = {row.category: row for row in figures.requests_by_category(world.org("xinshi"))}
    jobs = rows[Category.JOBS]
    assert (jobs.total, jobs.answered, jobs.by_status["answered"], jobs.by_status["recorded"]) == (3, 2, 2, 1)
    assert jobs.answer_days == 2.5  # (4 + 1) / 2, by the local day of the answer
    assert rows[Category.LAW].total == 1
    assert rows[Category.LAW].answer_days is None
    assert rows[""].total == 4  # 炎陵县's request is not 新市镇's
    assert len(rows) == len(Category) + 1


def test_the_figures_page_links_each_figure_to_what_is_behind_it(world: World, crowd: dict[str, Any]) -> None:
    xinshi = world.org("xinshi")
    client = world.client_for("xinshi_staff")
    page = client.get(reverse("duties:figures"), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    text = page.content.decode()
    assert f"{reverse('duties:figures_people')}?kind=silent&amp;org={xinshi.pk}" in text
    visit = WorkMode.objects.get(name="入户走访")
    assert f"work_mode={visit.pk}&amp;month=2026-06&amp;status=confirmed" in text
    assert 'id="duty-figures-data"' in text
    assert page.context["members"].silent == 3
    people = client.get(reverse("duties:figures_people"), {"kind": "silent", "org": xinshi.pk})
    assert people.status_code == 200
    shown = people.content.decode()
    assert all(name in shown for name in ("乙年", "丁退", "庚无"))
    assert "甲月" not in shown
    assert [p.year_records for p in people.context["page"].items if p.name == "乙年"] == [1]
    assert [p.last_record_on for p in people.context["page"].items if p.name == "丁退"] == [None]
    year = client.get(reverse("duties:figures_people"), {"kind": "active_year", "org": xinshi.pk})
    assert {p.name for p in year.context["page"].items} == {"甲月", "乙年"}


def test_another_subtree_is_an_error_beside_the_picker_and_no_figure(world: World, crowd: dict[str, Any]) -> None:
    client = world.client_for("xinshi_staff")
    page = client.get(reverse("duties:figures"), {"org": world.org("yanling").pk}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 400
    assert "members" not in page.context
    people = client.get(reverse("duties:figures_people"), {"kind": "active_month", "org": world.org("shucai").pk})
    assert people.status_code == 400
    assert "辛炎" not in people.content.decode()
    export = client.get(
        reverse("duties:figures_export_people"), {"kind": "active_month", "org": world.org("yanling").pk}
    )
    assert export.status_code == 302  # back to the page, which says why
    assert world.client_for("nobody").get(reverse("duties:figures")).status_code == 403


def test_a_bad_year_or_kind_is_named(world: World) -> None:
    client = world.client_for("xinshi_staff")
    page = client.get(reverse("duties:figures"), {"year": "1999"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 400
    assert "greater than or equal to 2000" in page.content.decode()
    people = client.get(reverse("duties:figures_people"), {"kind": "busy"})
    assert people.status_code == 400


def xlsx(response: Any) -> list[list[Any]]:
    assert response.status_code == 200, response.content[:300]
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]


def test_each_figure_exports_to_xlsx(world: World, crowd: dict[str, Any]) -> None:
    xinshi = world.org("xinshi")
    client = world.client_for("xinshi_staff")
    silent = xlsx(client.get(reverse("duties:figures_export_people"), {"kind": "silent", "org": xinshi.pk}))
    assert sorted(row[1] for row in silent[1:]) == ["丁退", "乙年", "庚无"]
    by_name = {row[1]: row for row in silent[1:]}
    assert by_name["乙年"][4:] == ["2026-02-10", 1]
    modes = xlsx(client.get(reverse("duties:figures_export_modes"), {"org": xinshi.pk, "year": 2026}))
    visit = [row for row in modes[1:] if row[0] == "入户走访"]
    assert visit[0][2:] == [0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 3]
    assert visit[1][-1] == 4.5
    h.request(world, crowd["month"], category=Category.HEALTH)
    requests = xlsx(client.get(reverse("duties:figures_export_requests"), {"org": xinshi.pk}))
    assert [row[7] for row in requests[1:]] == [1]


@override_settings(FULIAN_EXPORT_SYNC_ROWS=1)
def test_a_long_drill_down_is_prepared_in_the_background(
    world: World, crowd: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    xinshi = world.org("xinshi")
    client = world.client_for("xinshi_staff")
    offer = client.get(reverse("duties:figures_export_people"), {"kind": "silent", "org": xinshi.pk})
    assert offer.status_code == 200
    assert not ExportJob.objects.exists()
    job = background.job_start(
        actor=world.user("xinshi_staff"),
        kind=services.kind_named("duty_figures_people"),
        query=services.QueryDict(f"kind=silent&org={xinshi.pk}"),
    )
    job = services.job_run(job.pk)
    assert (job.status, job.total) == (Status.DONE, 3)
    assert reverse("exports:detail", args=[job.pk]) in client.get(reverse("exports:list")).content.decode()
    body = client.get(reverse("exports:download", args=[job.pk]))
    assert sorted(row[1] for row in xlsx(body)[1:]) == ["丁退", "乙年", "庚无"]


def test_the_pages_queries_do_not_grow_with_the_rows(world: World, crowd: dict[str, Any]) -> None:
    xinshi = world.org("xinshi")
    client = world.client_for("xinshi_staff")
    people = reverse("duties:figures_people")
    client.get(reverse("duties:figures"))  # a warm session
    before = (
        page_queries(client, reverse("duties:figures")),
        page_queries(client, people, {"kind": "silent", "org": xinshi.pk}),
    )
    for n in range(4):
        who = h.zhiwei(world, "daqiaotou", f"新{n}")
        confirmed(world, who, day(1, 5 + n), work_mode="矛盾调解")
        h.request(world, who, category=Category.ELDERLY)
    after = (
        page_queries(client, reverse("duties:figures")),
        page_queries(client, people, {"kind": "silent", "org": xinshi.pk}),
    )
    assert after == before
    assert len(client.get(people, {"kind": "silent", "org": xinshi.pk}).context["page"].items) == 7
