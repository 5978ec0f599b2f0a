"""The duty records and 她代表 requests of the city bench (bench/duties_scale.py), written by COPY.

On the city of bench/people_scale.py (its ~20,000 执委 with current posts, its 1.3 million
households): ``years`` years of duty records (``grid_contact``), ``per_year`` a 执委 on average,
each placed as ``fulian.grid.services.contact_record`` places it (a village 执委's visits and
calls at one household of her village — the household's own place — and linked to it; the
rest at the place where she lives), most confirmed a few days after, those of the last ten days
mostly waiting, a few returned; then ``requests`` 她代表 requests by village 执委 (placed at the
household they concern, held by her village or, escalated, by its township), in every state,
with their steps (recorded, accepted, assigned, progress, answered, rated, closed; reopened
ones) — about 5 steps each.

Rows are made as text here and sent with ``COPY … FROM STDIN`` (millions of rows: the ORM and
even ``insert_values`` would take most of an hour). Columns come from the models, so a field
added later with a default is filled with it. Afterwards each household's ``last_contact_on``
is its latest counted record (as ``households_contacted`` keeps it), the grid's coverage summary
is recounted and the tables are analysed.

Deadlines are counted in calendar days here (2, 7 or 14 for the urgencies), not through the
holiday calendar, to keep 200,000 rows quick; nothing in the bench depends on the difference.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable, Iterable
from typing import Any

# Tables this generator owns: emptied before it writes (children first).
TABLES = (
    "duties_requestphoto",
    "duties_requeststep",
    "duties_request",
    "grid_contactphoto",
    "grid_contact_members",
    "grid_contact_households",
    "grid_contact",
)
CHUNK = 50_000
WAITING_DAYS = 10
MODES = (  # (work mode, how, weight)
    ("入户走访", "visit", 34),
    ("政策宣讲", "activity", 12),
    ("矛盾调解", "visit", 6),
    ("帮扶关爱", "call", 22),
    ("志愿服务", "activity", 10),
    ("组织活动", "activity", 10),
    ("建言献策", "other", 6),
)
NOTES = ("入户走访，了解家庭近况", "电话问候独居老人", "宣讲两癌免费筛查政策", "组织家庭教育讲座", "调解邻里纠纷")
CATEGORIES = ("jobs", "family", "childcare", "elderly", "health", "law", "policy", "other")
URGENCY_DAYS = (("normal", 14, 80), ("urgent", 7, 17), ("critical", 2, 3))
# Status of a request by its age: the old ones closed, the recent ones still moving.
OLD_STATUSES = (("closed", 90), ("answered", 4), ("in_progress", 3), ("assigned", 2), ("accepted", 1))
NEW_STATUSES = (
    ("recorded", 20),
    ("accepted", 15),
    ("assigned", 15),
    ("in_progress", 20),
    ("answered", 15),
    ("closed", 15),
)
SATISFACTION = (("satisfied", 70), ("fairly", 22), ("unsatisfied", 8))


def _text(value: Any) -> str:
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return str(value)


class Copier:
    """Rows of one model, as ``{attname: value}``, sent by COPY in chunks; the columns are the
    model's, those not given take the field's default (None where it has none)."""

    def __init__(self, cursor: Any, model: Any, given: Iterable[str]) -> None:
        self.cursor = cursor
        fields = [f for f in model._meta.concrete_fields if not (f.primary_key and f.attname not in given)]
        self.table = model._meta.db_table
        self.columns = [f.column for f in fields]
        self.order = [f.attname for f in fields]
        self.defaults = {f.attname: f.get_default() for f in fields}
        self.lines: list[str] = []
        self.count = 0

    def add(self, row: dict[str, Any]) -> None:
        self.lines.append("\t".join(_text(row.get(a, self.defaults[a])) for a in self.order))
        if len(self.lines) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self.lines:
            return
        with self.cursor.copy(f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN") as copy:
            copy.write(("\n".join(self.lines) + "\n").encode())
        self.count += len(self.lines)
        self.lines = []


def _weighted(pick: random.Random, choices: Any) -> Any:
    values, weights = zip(*[(c[:-1] if len(c) > 2 else c[0], c[-1]) for c in choices], strict=True)
    return pick.choices(values, weights)[0]


def generate(
    *,
    years: int = 3,
    per_year: int = 50,
    requests: int = 200_000,
    seed: int = 13,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Empty the duty tables and write the records and requests; returns the figures."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from bench.generate_city import POINTS_TABLES
    from fulian.core.ancestry import ancestries_of
    from fulian.grid import coverage
    from fulian.grid.models import Contact, WorkMode
    from fulian.orgs.models import Organisation

    start = time.perf_counter()
    pick = random.Random(seed)  # noqa: S311 - made-up data
    today = coverage.today()
    now = timezone.now()
    tz = timezone.get_current_timezone()
    users = dict(
        get_user_model()
        .objects.filter(username__in=["xinshi_staff", "youxian_admin", "city_admin", "bench_village"])
        .values_list("username", "pk")
    )
    orgs = list(Organisation.objects.only("id", "path", "level", "code", "parent_id"))
    by_pk = {o.pk: o for o in orgs}
    ancestry = ancestries_of(orgs)
    modes = {m.name: m.pk for m in WorkMode.objects.all()}
    mode_choices = [(modes[name], how, w) for name, how, w in MODES if name in modes]
    xinshi = next(o for o in orgs if o.code == "430223123")
    youxian = next(o for o in orgs if o.code == "430223")

    def reviewer(place: int) -> int | None:
        path = by_pk[place].path
        if path.startswith(xinshi.path):
            return users.get("xinshi_staff")
        if path.startswith(youxian.path):
            return users.get("youxian_admin")
        return users.get("city_admin")

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT DISTINCT ON (p.person_id) p.person_id, p.org_id, o.level, pe.org_id
            FROM people_post p JOIN orgs_organisation o ON o.id = p.org_id
            JOIN people_person pe ON pe.id = p.person_id
            WHERE p.end_date IS NULL AND o.level <> 'city'
            ORDER BY p.person_id, (o.level = 'village') DESC, p.id
            """
        )
        people = cursor.fetchall()
        villages = sorted({org for _p, org, level, _home in people if level == "village"})
        cursor.execute(
            """
            SELECT village_id, array_agg(id ORDER BY id), array_agg(org_id ORDER BY id)
            FROM households_household WHERE archived_at IS NULL AND village_id = ANY(%s) GROUP BY village_id
            """,
            [villages],
        )
        homes = {v: list(zip(ids, places, strict=True)) for v, ids, places in cursor.fetchall()}
    log(f"{len(people):,} 执委, {sum(len(h) for h in homes.values()):,} households in their villages")

    def at(day: datetime.date, hour: int) -> datetime.datetime:
        return min(now, datetime.datetime.combine(day, datetime.time(hour), tzinfo=tz))

    days = years * 365
    figures: dict[str, Any] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        # The points ledger's entries point at the records: emptied with them.
        cursor.execute(f"TRUNCATE {', '.join((*POINTS_TABLES, *TABLES))} RESTART IDENTITY")
        contacts = Copier(cursor, Contact, ["id"])
        links = Copier(cursor, Contact.households.through, ["contact_id", "household_id"])
        next_id = 1
        for person_id, post_org, level, home in people:
            households = homes.get(post_org, []) if level == "village" else []
            for _ in range(max(1, round(pick.gauss(per_year, per_year / 4) * years))):
                ago = pick.randrange(days)
                day = today - datetime.timedelta(days=ago)
                work_mode, how = _weighted(pick, mode_choices)
                chosen = (
                    pick.choice(households) if households and how in ("visit", "call") and pick.random() < 0.8 else None
                )
                place = chosen[1] if chosen else home
                row: dict[str, Any] = {
                    "id": next_id,
                    "person_id": person_id,
                    "mode": how,
                    "happened_on": day,
                    "whom": "户主" if chosen else "村里妇女",
                    "location": "",
                    "note": pick.choice(NOTES),
                    "created_at": at(day, 20),
                    "work_mode_id": work_mode,
                    "half_hours": pick.choice((1, 2, 2, 3, 4, 4, 6, 8)),
                    "status": "confirmed",
                    "org_id": place,
                    **{f"{level_}_id": pk for level_, pk in ancestry[place].items()},
                }
                if ago <= WAITING_DAYS and pick.random() < 0.85:
                    row["status"] = "pending"
                else:
                    returned = pick.random() < 0.003
                    row |= {
                        "status": "returned" if returned else "confirmed",
                        "reviewed_by_id": reviewer(place),
                        "reviewed_at": at(day + datetime.timedelta(days=pick.randint(1, 5)), 10),
                        "return_reason": "请补充走访对象" if returned else "",
                    }
                contacts.add(row)
                if chosen:
                    links.add({"contact_id": next_id, "household_id": chosen[0]})
                next_id += 1
        contacts.flush()
        links.flush()
        cursor.execute("SELECT setval(pg_get_serial_sequence('grid_contact', 'id'), %s)", [next_id])
        figures |= {"records": contacts.count, "record_households": links.count}
        log(f"{contacts.count:,} records, {links.count:,} household links (+{time.perf_counter() - start:.0f}s)")
        figures |= _requests(cursor, pick, people, homes, by_pk, ancestry, users, requests, days, today, at)
        log(f"{figures['requests']:,} requests, {figures['steps']:,} steps (+{time.perf_counter() - start:.0f}s)")
        cursor.execute("UPDATE households_household SET last_contact_on = NULL WHERE last_contact_on IS NOT NULL")
        cursor.execute(
            """
            UPDATE households_household h SET last_contact_on = x.last
            FROM (SELECT l.household_id, max(c.happened_on) AS last
                  FROM grid_contact_households l JOIN grid_contact c ON c.id = l.contact_id
                  WHERE c.status NOT IN ('returned', 'superseded') GROUP BY l.household_id) x
            WHERE h.id = x.household_id
            """
        )
        figures["households_contacted"] = cursor.rowcount
    log(f"households' last contact set (+{time.perf_counter() - start:.0f}s)")
    coverage.refresh_all()
    with connection.cursor() as cursor:
        for table in (*TABLES, "households_household"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    figures["seconds"] = round(time.perf_counter() - start, 1)
    return figures


def _requests(
    cursor: Any,
    pick: random.Random,
    people: list[tuple[int, int, str, int]],
    homes: dict[int, list[tuple[int, int]]],
    by_pk: dict[int, Any],
    ancestry: dict[int, dict[str, int | None]],
    users: dict[str, int],
    count: int,
    days: int,
    today: datetime.date,
    at: Callable[[datetime.date, int], datetime.datetime],
) -> dict[str, int]:
    from fulian.duties.models import Request, RequestStep

    representatives = [(p, org) for p, org, level, _home in people if level == "village" and homes.get(org)]
    requests = Copier(cursor, Request, ["id"])
    steps = Copier(cursor, RequestStep, ["request_id"])
    staff = users.get("bench_village") or users.get("city_admin")
    for request_id in range(1, count + 1):
        person_id, village = pick.choice(representatives)
        household, place = pick.choice(homes[village])
        recent = pick.random() < 0.1
        ago = pick.randrange(60) if recent else pick.randrange(60, days)
        recorded = today - datetime.timedelta(days=ago)
        urgency, due_days = _weighted(pick, URGENCY_DAYS)
        status = _weighted(pick, NEW_STATUSES if recent else OLD_STATUSES)
        escalated = pick.random() < 0.05 and by_pk[village].parent_id is not None
        holder = by_pk[village].parent_id if escalated else village
        kinds = ["record"]
        if escalated:
            kinds += ["escalate"]
        flow = ["accept", "assign", "update", "answer", "rate", "close"]
        upto = {"recorded": 0, "accepted": 1, "assigned": 2, "in_progress": 3, "answered": 4, "closed": 6}[status]
        kinds += flow[:upto]
        satisfaction = _weighted(pick, SATISFACTION) if status == "closed" else ""
        reopened = satisfaction == "unsatisfied"
        if reopened:
            kinds[-2:-2] = ["rate", "reopen", "update", "answer"]
        span = max(1, min(ago, 20))
        times = [
            at(recorded + datetime.timedelta(days=span * i // max(1, len(kinds) - 1)), 9 + i % 8)
            for i in range(len(kinds))
        ]
        answered = next((t for k, t in zip(kinds, times, strict=True) if k == "answer"), None)
        requests.add(
            {
                "id": request_id,
                "representative_id": person_id,
                "kind": "need" if pick.random() < 0.85 else "suggestion",
                "category": pick.choice(CATEGORIES),
                "urgency": urgency,
                "household_id": household,
                "description": "想找一份离家近的工作",
                "status": status,
                "holder_id": holder,
                "assignee_id": staff if upto >= 2 else None,
                "recorded_on": recorded,
                "due_on": recorded + datetime.timedelta(days=due_days),
                "answer": "已答复" if answered else "",
                "answered_at": answered,
                "satisfaction": satisfaction,
                "reopened": reopened,
                "closed_at": times[-1] if status == "closed" else None,
                "created_by_id": staff,
                "created_at": times[0],
                "org_id": place,
                **{f"{level}_id": pk for level, pk in ancestry[place].items()},
            }
        )
        for kind, when in zip(kinds, times, strict=True):
            steps.add(
                {
                    "request_id": request_id,
                    "kind": kind,
                    "actor_id": staff,
                    "at": when,
                    "note": "已处理" if kind in ("update", "answer", "escalate") else "",
                    "from_org_id": village if kind == "escalate" else None,
                    "to_org_id": village if kind == "record" else holder if kind == "escalate" else None,
                    "assignee_id": staff if kind == "assign" else None,
                    "satisfaction": satisfaction if kind == "rate" else "",
                }
            )
    requests.flush()
    steps.flush()
    cursor.execute("SELECT setval(pg_get_serial_sequence('duties_request', 'id'), %s)", [count + 1])
    return {"requests": requests.count, "steps": steps.count}
