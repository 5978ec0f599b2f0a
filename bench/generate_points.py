"""The points ledger of the city bench (bench/points_scale.py), written by COPY.

On the city of bench/people_scale.py and the duty records of bench/generate_duties.py (five
years of them, bench/points_scale.py asks for them), it writes what five years of a city-wide
积分制 would leave behind:

- the city's scheme (``株洲市新时代文明实践积分``), made and adopted through
  ``fulian.points.services.schemes`` as an administrator would: one rule for each work mode
  (points per record, or per hour for 志愿服务, which earns for her household too), daily and
  yearly caps, levels; kept between runs;
- a person account for every 执委 with records: an earning entry for each confirmed record
  (the rule's points, within the caps, as ``earning.contact_post`` computes them, posted when the
  record was confirmed), except the ``backlog`` records left unposted for the backlog figure
  (the last year's records of the first 执委 by county: a county whose points were not posted);
  a few reversed (a record corrected) some days later; her household's account earns the
  志愿服务 points where the registry knows her household (as ``earning.household_of``);
- household accounts for ``household_share`` of the city's households (共得共享: the villages'
  households that take part), earning by hand from their village's staff (环境卫生, 最美庭院 …:
  ``source`` manual) a few times a year, sometimes a deduction;
- redemptions at the county's points store (积分超市, the city's for city-level 执委) when the
  balance allows, each with its order (handed over; those of the last fortnight waiting; a few
  cancelled with their refund). The items have no stock count (services and goods handed out
  from the federation's own supply), so no stock moves are written.

Every entry's ``balance_after`` is the account's running balance; the ids follow the time
they were posted across the whole city (as a real ledger fills), so one holder's entries are
spread over the table. ``points_account`` (balance, earned, spent) and ``points_accountyear``
are the sums of the entries: ``fulian.points.services.reconcile.reconcile()`` passes.

Rows are built in Python and sent with ``COPY … FROM STDIN`` with the secondary indexes,
unique constraints and foreign keys of the ledger tables dropped, then rebuilt (two
connections) and analysed. The scheme's rules are kept; everything else in the points tables
is emptied first (the bench database only: its name must contain "bench").
"""

from __future__ import annotations

import datetime
import random
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

SCHEME_NAME = "株洲市新时代文明实践积分"
# Emptied and written here (children first); the scheme tables stay.
TABLES = (
    "points_stockmove",
    "points_honour",
    "points_entry",
    "points_claim",
    "points_order",
    "points_accountyear",
    "points_account",
    "points_item",
    "points_store",
)
LOADED = ("points_entry", "points_order", "points_accountyear", "points_account")
# Work mode → (points, per hour): 志愿服务 earns for each hour, for her and her household.
RULES = {
    "入户走访": (2, False),
    "政策宣讲": (3, False),
    "矛盾调解": (5, False),
    "帮扶关爱": (2, False),
    "志愿服务": (2, True),
    "组织活动": (3, False),
    "建言献策": (2, False),
}
DAILY_CAP = 20
YEARLY_CAP = 3000
ITEMS = (  # name, kind, price
    ("洗衣液", "goods", 20),
    ("食用油", "goods", 50),
    ("理发服务", "service", 10),
    ("家电维修", "service", 30),
    ("电饭煲", "goods", 100),
)
MANUAL_REASONS = ("环境卫生评比：清洁户", "最美庭院", "孝老爱亲", "移风易俗：婚事新办", "参加村里义务劳动")
DEDUCT_REASONS = ("房前屋后乱堆乱放", "垃圾未分类")
REVERSAL_SHARE = 0.003
CANCEL_SHARE = 0.02
WAITING_DAYS = 14
# Kinds, as written (EntryKind values).
EARN, DEDUCT, REVERSAL, REDEEM, REFUND = "earn", "deduct", "reversal", "redeem", "refund"
EARNING = (EARN, DEDUCT, REVERSAL)


def ensure_scheme(years: int, log: Callable[[str], None] = print) -> Any:
    """The city's adopted scheme, in force from 1 January ``years`` years ago (made once)."""
    from django.contrib.auth import get_user_model

    from fulian.grid.models import WorkMode
    from fulian.orgs.models import Organisation
    from fulian.points.choices import Earner, Source, VersionStatus
    from fulian.points.models import Scheme
    from fulian.points.services import schemes

    found = Scheme.objects.filter(name=SCHEME_NAME).first()
    valid_from = datetime.date(datetime.date.today().year - years, 1, 1)
    if found is not None:
        version = found.versions.filter(status=VersionStatus.ADOPTED).order_by("-number").first()
        if version is not None and version.valid_from <= valid_from:
            return version
        raise SystemExit(f"{SCHEME_NAME} exists but is not adopted from {valid_from}: drop it or use --regenerate")
    admin = get_user_model().objects.get(username="city_admin")
    city = Organisation.objects.get(level="city")
    made = schemes.scheme_create(actor=admin, org=city, name=SCHEME_NAME, valid_from=valid_from)
    version = made.versions.get()
    duty = schemes.category_save(actor=admin, version=version, name="履职尽责", position=1)
    for position, mode in enumerate(WorkMode.objects.order_by("position", "id")):
        points, per_hour = RULES.get(mode.name, (2, False))
        schemes.rule_save(
            actor=admin,
            version=version,
            category=duty,
            name=mode.name,
            source=Source.DUTY,
            work_mode=mode,
            points=points,
            per_hour=per_hour,
            daily_cap=DAILY_CAP,
            yearly_cap=YEARLY_CAP,
            reviews_required=1,
            earner=Earner.BOTH if per_hour else Earner.PERSON,
            position=position,
        )
    for name, threshold in (("一星", 100), ("二星", 300), ("三星", 600), ("四星", 1000), ("五星", 1500)):
        schemes.level_save(actor=admin, version=version, name=name, threshold=threshold)
    schemes.version_adopt(
        actor=admin, version=version, adopted_on=valid_from, decision=f"{valid_from.year - 1}年12月市妇联执委会表决通过"
    )
    log(f"scheme {SCHEME_NAME} adopted from {valid_from}")
    version.refresh_from_db()
    return version


class _Account:
    """One account being written: its place, its running figures, its entries' indexes."""

    __slots__ = ("balance", "earned", "id", "kind", "last", "place", "spent", "years")

    def __init__(self, pk: int, kind: str, place: tuple[Any, ...]) -> None:
        self.id, self.kind, self.place = pk, kind, place
        self.balance = self.earned = self.spent = 0
        self.years: dict[int, int] = defaultdict(int)
        self.last: datetime.datetime | None = None


def backlog_ids(backlog: int, today: datetime.date) -> list[int]:
    """The records left unposted: the last year's confirmed records of the 执委 taken county
    by county (a county whose points were not posted), the first ``backlog`` of them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.id FROM grid_contact c JOIN people_person p ON p.id = c.person_id
            WHERE c.status = 'confirmed' AND c.work_mode_id IS NOT NULL AND c.happened_on > %s
            ORDER BY p.county_id NULLS LAST, p.id, c.id LIMIT %s
            """,
            [today - datetime.timedelta(days=365), backlog],
        )
        return [row[0] for row in cursor.fetchall()]


def generate(
    *,
    years: int = 5,
    household_share: float = 0.08,
    backlog: int = 100_000,
    seed: int = 14,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Empty the points tables (but the schemes) and write five years of the ledger."""
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from bench.generate_city import connect_factory, drop_ddl, rebuild_ddl, run_parallel
    from bench.generate_duties import Copier
    from fulian.grid import coverage
    from fulian.points.models import Account, AccountYear, Entry, Item, Order, Store

    if connection.vendor != "postgresql" or "bench" not in settings.DATABASES["default"]["NAME"]:
        raise SystemExit("generate_points writes by COPY into a PostgreSQL database whose name contains 'bench'.")
    start = time.perf_counter()
    pick = random.Random(seed)  # noqa: S311 - made-up data
    today = coverage.today()
    now = timezone.now()
    tz = timezone.get_current_timezone()
    version = ensure_scheme(years, log)
    rules = {r.work_mode_id: r for r in version.rules.all()}
    first_day = version.valid_from
    figures: dict[str, Any] = {}

    def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
        return min(now, datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=tz))

    with connection.cursor() as cursor:
        cursor.execute("SELECT id, username FROM accounts_user WHERE username IN ('city_admin', 'bench_village')")
        users = {name: pk for pk, name in cursor.fetchall()}
        staff = users.get("bench_village") or users["city_admin"]
        cursor.execute("SELECT id, level, path FROM orgs_organisation WHERE level IN ('city', 'county')")
        federations = cursor.fetchall()
    city_id = next(pk for pk, level, _path in federations if level == "city")
    skip = set(backlog_ids(backlog, today))
    log(f"{len(skip):,} records of the last year left for the backlog figure")
    connect = connect_factory()
    with connect() as conn:
        ddl = _capture_ddl(conn)
        drop_ddl(conn, ddl)
    log(f"{len(ddl)} indexes, unique constraints and foreign keys of the ledger dropped for the load")

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY")
        # Stores (the city's and each county's) and their items, through the ORM: a few rows.
        stores: dict[int, tuple[int, list[tuple[int, str, int]]]] = {}
        for org_id, level, _path in federations:
            store = Store.objects.create(
                org_id=org_id,
                name="株洲市妇联积分超市" if level == "city" else "县妇联积分超市",
                address="妇女儿童活动中心一楼",
                hours="周一至周五 9:00-17:00",
            )
            made = [
                Item.objects.create(store=store, name=name, kind=kind, price=price, stock=None, position=n)
                for n, (name, kind, price) in enumerate(ITEMS)
            ]
            stores[org_id] = (store.pk, [(i.pk, i.name, i.price) for i in made])

        # Accounts: every 执委 with a confirmed record; her household where the registry knows
        # it (as earning.household_of: the household she heads, else one she is a member of);
        # a share of the city's households.
        cursor.execute(
            """
            SELECT p.id, p.org_id, p.city_id, p.county_id, p.township_id, p.village_id, p.group_id
            FROM people_person p
            WHERE EXISTS (SELECT 1 FROM grid_contact c WHERE c.person_id = p.id AND c.status = 'confirmed')
            ORDER BY p.id
            """
        )
        persons = cursor.fetchall()
        cursor.execute(
            """
            SELECT DISTINCT ON (p.id) p.id, h.id FROM people_person p
            JOIN households_household h ON h.id_hash = p.id_hash AND h.archived_at IS NULL
            WHERE p.id_hash IS NOT NULL ORDER BY p.id, h.id
            """
        )
        home_of = dict(cursor.fetchall())
        cursor.execute(
            """
            SELECT DISTINCT ON (p.id) p.id, m.household_id FROM people_person p
            JOIN households_householdmember m ON m.id_hash = p.id_hash AND m.archived_at IS NULL
            WHERE p.id_hash IS NOT NULL ORDER BY p.id, m.id
            """
        )
        for person_id, household_id in cursor.fetchall():
            home_of.setdefault(person_id, household_id)
        cursor.execute(
            """
            SELECT id, org_id, city_id, county_id, township_id, village_id, group_id
            FROM households_household WHERE archived_at IS NULL AND (hashint8(id) & 1023) < %s
               OR id = ANY(%s)
            ORDER BY id
            """,
            [round(household_share * 1024), list(home_of.values())],
        )
        households = cursor.fetchall()
        accounts: dict[tuple[str, int], _Account] = {}
        account_rows: list[dict[str, Any]] = []
        for kind, rows in (("person", persons), ("household", households)):
            for row in rows:
                account = _Account(len(account_rows) + 1, kind, tuple(row[1:]))
                accounts[(kind, row[0])] = account
                account_rows.append({"person_id" if kind == "person" else "household_id": row[0]})
        log(f"{len(persons):,} person and {len(households):,} household accounts (+{time.perf_counter() - start:.0f}s)")

        # Events of every account: (posted at, seq, account, kind, amount, occurred on, extra).
        events: list[tuple[Any, ...]] = []
        seq = 0

        def event(
            posted: datetime.datetime, account: _Account, kind: str, amount: int, on: datetime.date, **extra: Any
        ) -> int:
            nonlocal seq
            seq += 1
            events.append((posted, seq, account, kind, amount, on, extra))
            return seq

        server = connection.connection.cursor(name="points_records")
        server.itersize = 50_000
        server.execute(
            """
            SELECT person_id, id, happened_on, work_mode_id, half_hours, reviewed_by_id, reviewed_at
            FROM grid_contact WHERE status = 'confirmed' AND work_mode_id IS NOT NULL AND happened_on >= %s
            ORDER BY person_id, happened_on, id
            """,
            [first_day],
        )
        used_day: dict[tuple[int, int, datetime.date], int] = defaultdict(int)
        used_year: dict[tuple[int, int, int], int] = defaultdict(int)
        records = 0
        current = None
        for person_id, record_id, day, mode_id, half_hours, reviewer, reviewed_at in server:
            if person_id != current:  # the caps are per account: hers, counted as she goes
                used_day.clear()
                used_year.clear()
                current = person_id
            rule = rules.get(mode_id)
            if rule is None or record_id in skip:
                continue
            records += 1
            amount = half_hours * rule.points // 2 if rule.per_hour else rule.points
            holders = [accounts[("person", person_id)]]
            if rule.earner == "both" and person_id in home_of:
                holders.append(accounts[("household", home_of[person_id])])
            for account in holders:
                capped = min(
                    amount,
                    DAILY_CAP - used_day[(account.id, rule.pk, day)],
                    YEARLY_CAP - used_year[(account.id, rule.pk, day.year)],
                )
                if capped <= 0:
                    continue
                used_day[(account.id, rule.pk, day)] += capped
                used_year[(account.id, rule.pk, day.year)] += capped
                posted = reviewed_at or at(day, 20)
                n = event(
                    posted,
                    account,
                    EARN,
                    capped,
                    day,
                    rule=rule.pk,
                    contact=record_id,
                    reviewer=reviewer,
                    name=rule.name,
                )
                if pick.random() < REVERSAL_SHARE:
                    later = posted + datetime.timedelta(days=pick.randint(3, 40), hours=1)
                    if later < now:
                        event(
                            later,
                            account,
                            REVERSAL,
                            -capped,
                            day,
                            rule=rule.pk,
                            contact=record_id,
                            reverses=n,
                            name=rule.name,
                        )
        server.close()
        used_day.clear()
        log(f"{records:,} records earn: {len(events):,} entries (+{time.perf_counter() - start:.0f}s)")

        # Households of the villages that take part: earned by hand a few times a year.
        days = (today - first_day).days
        for (kind, _pk), account in accounts.items():
            if kind != "household":
                continue
            for _ in range(pick.randint(years, years * 3)):
                day = first_day + datetime.timedelta(days=pick.randrange(days))
                if pick.random() < 0.08:
                    event(at(day, 10, pick.randrange(60)), account, DEDUCT, -5, day, reason=pick.choice(DEDUCT_REASONS))
                else:
                    amount = pick.choice((5, 5, 10, 10, 10, 20))
                    event(
                        at(day, 10, pick.randrange(60)), account, EARN, amount, day, reason=pick.choice(MANUAL_REASONS)
                    )
        # Redemptions: a few times a year for each holder, placed in time among the earnings
        # (taken only where the balance allows them when they come: see the walk below).
        for account in accounts.values():
            per_year = 2.0 if account.kind == "person" else 0.6
            for _ in range(round(pick.gauss(per_year * years, per_year))):
                day = first_day + datetime.timedelta(days=pick.randrange(days))
                event(at(day, 15, pick.randrange(60)), account, REDEEM, 0, day)
        log(f"{len(events):,} events; ordering them in time (+{time.perf_counter() - start:.0f}s)")
        events.sort(key=lambda e: (e[0], e[1]))

        # Walk the city's ledger in time: running balances, orders, ids in posting order.
        county_store = {pk: stores[pk] for pk in stores}
        final_id: dict[int, int] = {}
        entry = Copier(cursor, Entry, ["id"])
        order_rows: list[dict[str, Any]] = []
        entry_id = 0
        redeemed = cancelled = reversed_ = skipped_redeem = 0
        version_id = version.pk
        for posted, n, account, kind, amount, on, extra in events:
            place = account.place
            row: dict[str, Any] = {}
            if kind == REDEEM:
                store_id, items = county_store.get(place[2] or city_id, county_store[city_id])
                affordable = [i for i in items if i[2] <= account.balance]
                if not affordable:
                    skipped_redeem += 1
                    continue
                item_id, item_name, price = pick.choice(affordable)
                quantity = 1
                order_id = len(order_rows) + 1
                waiting = posted.date() > today - datetime.timedelta(days=WAITING_DAYS)
                cancel = not waiting and pick.random() < CANCEL_SHARE
                order_rows.append(
                    {
                        "id": order_id,
                        "store_id": store_id,
                        "item_id": item_id,
                        "account_id": account.id,
                        "person_id": account_rows[account.id - 1].get("person_id"),
                        "quantity": quantity,
                        "points": price,
                        "status": "waiting" if waiting else "cancelled" if cancel else "handed_over",
                        "pickup_code": f"{order_id % 1_000_000:06d}",
                        "expires_on": posted.date() + datetime.timedelta(days=14),
                        "created_by_id": staff,
                        "created_at": posted,
                        "closed_by_id": None if waiting else staff,
                        "closed_at": None if waiting else posted + datetime.timedelta(days=2),
                        "close_reason": "不需要了" if cancel else "",
                        "_place": place,
                        "_account": account,
                    }
                )
                amount = -price
                row = {
                    "order_id": order_id,
                    "reason": f"兑换：{item_name} × {quantity}",
                    "idempotency_key": f"order:{order_id}",
                    "created_by_id": staff,
                }
                redeemed += 1
                if cancel:
                    # The refund comes two days later: its own event, written in time order
                    # by the next run's walk would be exact; here it follows at once (the
                    # order was cancelled at the counter the same day).
                    _write(entry, account, entry_id + 1, kind, amount, on, posted, row, version_id, place)
                    entry_id += 1
                    kind, amount, on = REFUND, price, posted.date()
                    row = {
                        "order_id": order_id,
                        "reason": f"订单已取消：{item_name}",
                        "idempotency_key": f"order:{order_id}:refund",
                        "created_by_id": staff,
                    }
                    cancelled += 1
            elif kind == EARN and "contact" in extra:
                row = {
                    "source": "duty",
                    "rule_id": extra["rule"],
                    "version_id": version_id,
                    "contact_id": extra["contact"],
                    "confirmed_by_id": extra["reviewer"],
                    "reason": f"{extra['name']}，{on.isoformat()}",
                    "idempotency_key": f"duty:{extra['contact']}:{account.id}",
                }
            elif kind == REVERSAL:
                reverses = final_id.get(extra["reverses"])
                if reverses is None:
                    continue
                amount = max(amount, -account.balance)
                if amount == 0:
                    continue
                row = {
                    "source": "duty",
                    "rule_id": extra["rule"],
                    "version_id": version_id,
                    "contact_id": extra["contact"],
                    "reverses_id": reverses,
                    "reason": f"已冲正：记录更正（{extra['name']}）",
                    "idempotency_key": f"reverse:{reverses}",
                    "created_by_id": staff,
                }
                reversed_ += 1
            else:  # earned or deducted by hand
                if kind == DEDUCT and account.balance < -amount:
                    continue
                row = {
                    "source": "manual",
                    "reason": extra["reason"],
                    "idempotency_key": f"bench:manual:{n}",
                    "created_by_id": staff,
                }
            entry_id += 1
            final_id[n] = entry_id
            _write(entry, account, entry_id, kind, amount, on, posted, row, version_id, place)
        entry.flush()
        figures |= {
            "entries": entry.count,
            "redemptions": redeemed,
            "cancelled": cancelled,
            "reversals": reversed_,
            "redemptions_not_affordable": skipped_redeem,
        }
        events.clear()
        final_id.clear()
        log(f"{entry.count:,} entries written (+{time.perf_counter() - start:.0f}s)")

        orders_copy = Copier(cursor, Order, ["id"])
        for order in order_rows:
            place = order.pop("_place")
            order.pop("_account")
            orders_copy.add(order | _placed(place))
        orders_copy.flush()
        accounts_copy = Copier(cursor, Account, ["id"])
        years_copy = Copier(cursor, AccountYear, ["account_id"])
        for account, holder in zip(accounts.values(), account_rows, strict=True):
            accounts_copy.add(
                {
                    "id": account.id,
                    "kind": account.kind,
                    "person_id": None,
                    "household_id": None,
                    **holder,
                    "balance": account.balance,
                    "earned": account.earned,
                    "spent": account.spent,
                    "updated_at": account.last,
                    **_placed(account.place),
                }
            )
            for year, earned in account.years.items():
                years_copy.add(
                    {"account_id": account.id, "kind": account.kind, "year": year, "earned": earned}
                    | _placed(account.place)
                )
        accounts_copy.flush()
        years_copy.flush()
        figures |= {"orders": orders_copy.count, "accounts": accounts_copy.count, "account_years": years_copy.count}
        for table, last in (
            ("points_entry", entry_id),
            ("points_order", len(order_rows)),
            ("points_account", len(accounts)),
        ):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [max(1, last)])
        log(
            f"{orders_copy.count:,} orders, {accounts_copy.count:,} accounts, {years_copy.count:,} account years "
            f"(+{time.perf_counter() - start:.0f}s)"
        )
    started = time.perf_counter()
    timings = rebuild_ddl(connect, ddl)
    figures |= {
        "index_build_s": round(timings["index_build_s"], 1),
        "fk_validate_s": round(timings["fk_validate_s"], 1),
    }
    log(f"ledger indexes and foreign keys rebuilt in {time.perf_counter() - started:.0f}s")
    run_parallel(connect, [f"VACUUM (ANALYZE) {table}" for table in (*LOADED, "points_store", "points_item")])
    figures["seconds"] = round(time.perf_counter() - start, 1)
    log(f"analysed (+{figures['seconds']:.0f}s)")
    return figures


def _capture_ddl(conn: Any) -> list[Any]:
    """The secondary indexes, unique constraints and foreign keys of (and into) the ledger
    tables, saved in generate_city's table first (an interrupted load is repaired by the next:
    here, or by a city load)."""
    from bench.generate_city import SAVED_DDL, Ddl

    tables = list(LOADED)
    with conn.cursor() as cur:
        cur.execute(
            f"CREATE TABLE IF NOT EXISTS {SAVED_DDL} (kind text, tbl text, name text, definition text, size bigint)"
        )
        cur.execute(f"SELECT kind, tbl, name, definition, size FROM {SAVED_DDL}")  # noqa: S608
        saved = [Ddl(*row) for row in cur.fetchall()]
        if saved:
            print(f"# restoring {len(saved)} objects saved by an interrupted load", flush=True)
            return saved
        cur.execute(
            """
            SELECT c.conname, t.relname, pg_get_constraintdef(c.oid), c.contype
            FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid LEFT JOIN pg_class r ON r.oid = c.confrelid
            WHERE (c.contype = 'f' AND (t.relname = ANY(%s) OR r.relname = ANY(%s)))
               OR (c.contype = 'u' AND t.relname = ANY(%s))
            ORDER BY t.relname, c.conname
            """,
            (tables, tables, tables),
        )
        found = [Ddl("fk" if kind == "f" else "unique", table, name, d) for name, table, d, kind in cur.fetchall()]
        cur.execute(
            """
            SELECT i.relname, t.relname, pg_get_indexdef(i.oid) FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relname = ANY(%s) AND NOT x.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid
                              AND c.contype IN ('p', 'u', 'x'))
            """,
            (tables,),
        )
        found += [Ddl("index", table, name, definition) for name, table, definition in cur.fetchall()]
        with cur.copy(f"COPY {SAVED_DDL} (kind, tbl, name, definition, size) FROM STDIN") as copy:
            for d in found:
                copy.write_row((d.kind, d.table, d.name, d.definition, d.size))
    conn.commit()
    return found


def _placed(place: tuple[Any, ...]) -> dict[str, Any]:
    org, city, county, township, village, group = place
    return {
        "org_id": org,
        "city_id": city,
        "county_id": county,
        "township_id": township,
        "village_id": village,
        "group_id": group,
    }


def _write(
    copier: Any,
    account: _Account,
    entry_id: int,
    kind: str,
    amount: int,
    on: datetime.date,
    posted: datetime.datetime,
    row: dict[str, Any],
    version_id: int,
    place: tuple[Any, ...],
) -> None:
    """One entry: the account's running figures move as ``ledger.post_many`` moves them."""
    account.balance += amount
    if account.balance < 0:  # pragma: no cover - the walk never overspends
        raise AssertionError(f"account {account.id} below zero")
    if kind in EARNING:
        account.earned += amount
        account.years[on.year] += amount
    elif kind in (REDEEM, REFUND):
        account.spent -= amount
    account.last = posted
    copier.add(
        {
            "id": entry_id,
            "account_id": account.id,
            "kind": kind,
            "amount": amount,
            "balance_after": account.balance,
            "occurred_on": on,
            "year": on.year,
            "posted_at": posted,
            "source": "",
            "evidence": "",
            **row,
            **_placed(place),
        }
    )
