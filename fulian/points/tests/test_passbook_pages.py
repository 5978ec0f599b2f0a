"""The passbook (积分存折) through the pages: hers on her phone with entries of several sources
and their provenance, her household's on a second tab, her code for the store counter, a year
printed; staff's account list searched, filtered and exported exactly as shown; nobody else's."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from fulian.duties.services.review import record_confirm
from fulian.duties.tests import helpers as h
from fulian.grid.tests.helpers import page_queries
from fulian.households.tests.helpers import household
from fulian.people.models import Person
from fulian.points.models import Account, Entry
from fulian.points.services import earning, ledger
from fulian.points.tests.helpers import credit, scheme
from fulian.testing import html
from fulian.testing.ids import id_number
from fulian.testing.world import World

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

ID_NUMBER = id_number()
# The exports tested here (the exports' meta-test checks that every points export is named by one part).
EXPORT_KINDS = ["points_accounts"]


@pytest.fixture
def her(world: World) -> Person:
    """周桂姣, a 执委 of 回龙村 linked to huilong_zhiwei's login, under 攸县's scheme."""
    scheme(world)
    return h.zhiwei(world, account=world.user("huilong_zhiwei"))


def _confirmed(world: World, who: Person, on: datetime.date | None = None) -> Any:
    record = h.record(world, who, actor=world.user("xinshi_staff"), on=on)
    record_confirm(actor=world.user("youxian_admin"), record=record)
    record.refresh_from_db()
    earning.contact_post(record)
    return record


def _several_sources(world: World, who: Person) -> Account:
    """A visit confirmed (2 points, from a verified record), 5 points by staff, then reversed."""
    _confirmed(world, who)
    account = ledger.account_for(person=who)
    credit(account, 5, "manual:1")
    ledger.reverse(Entry.objects.get(idempotency_key="manual:1"), reason="错记")
    account.refresh_from_db()
    return account


def test_her_passbook_shows_her_balance_and_each_entry_with_its_provenance(world: World, her: Person) -> None:
    account = _several_sources(world, her)
    page = world.client_for("huilong_zhiwei").get(reverse("points:mine"))
    assert page.status_code == 200
    assert html.parse(page).select_one("[data-testid=passbook-balance]").text == "2"
    rows = html.select(page, "[data-testid=passbook-entries] tbody tr")
    # Newest first: the reversal, the manual award, the visit.
    assert [r.attrs["data-kind"] for r in rows] == ["reversal", "earn", "earn"]
    reversal, manual, visit = rows
    assert reversal.select("[data-reversal]")
    assert "-5" in reversal.text
    assert manual.select("[data-provenance=manual]")
    assert manual.select("[data-reversed]")
    assert visit.select("[data-provenance=verified]")
    assert not visit.select("[data-provenance=manual]")
    # The visit links to its duty record, which she may open.
    [link] = visit.select("a.fl-pb-source")
    assert link.attrs["href"] == reverse(
        "grid:contact_detail", args=[Entry.objects.get(contact__isnull=False).contact_id]
    )
    assert not manual.select("a.fl-pb-source")
    assert [r.text.split()[-1] for r in rows] == ["2", "7", "2"]  # the balance after each
    assert account.balance == 2


def test_her_level_next_level_and_places_this_year(world: World, her: Person) -> None:
    account = ledger.account_for(person=her)
    credit(account, 12, "m1")
    other = ledger.account_for(person=h.zhiwei(world, "huilong", "钟桃华"))
    credit(other, 30, "m2")
    page = world.client_for("huilong_zhiwei").get(reverse("points:mine"))
    parsed = html.parse(page)
    level = parsed.select_one("[data-testid=passbook-level]").text
    assert "一星" in level
    assert "38" in level
    assert "二星" in level
    places = parsed.select_one("[data-testid=passbook-places]").text
    assert "回龙村: no. 2" in places
    assert "新市镇: no. 2" in places
    assert parsed.select_one("[data-testid=passbook-year]").text == "12"


def test_her_household_shares_a_second_tab_and_her_code_opens_the_counter(world: World) -> None:
    scheme(world)
    home = household(world, "huilong", "周建国", id_number=ID_NUMBER)
    herself = h.zhiwei(world, account=world.user("huilong_zhiwei"))
    Person.objects.filter(pk=herself.pk).update(id_hash=home.id_hash)
    shared = ledger.account_for(household=home)
    credit(shared, 20, "home:1")
    client = world.client_for("huilong_zhiwei")
    mine = client.get(reverse("points:mine"))
    tabs = html.select(mine, "[data-testid=passbook-tabs] a")
    assert len(tabs) == 2
    qr = html.parse(mine).select_one("[data-testid=passbook-qr]")
    own = Account.objects.get(person=herself)
    assert f"/points/counter/account/{own.pk}/" in qr.select("svg title")[0].text
    household_tab = client.get(reverse("points:mine"), {"tab": "household"})
    assert html.parse(household_tab).select_one("[data-testid=passbook-balance]").text == "20"
    assert "周建国" in html.parse(household_tab).select_one("[data-testid=passbook-holder]").text
    assert client.get(reverse("points:account_detail", args=[shared.pk])).status_code == 200


def test_another_zhiwei_and_another_countys_staff_cannot_open_her_account(world: World, her: Person) -> None:
    account = _several_sources(world, her)
    h.zhiwei(world, "daqiaotou", "李芳", username="daqiaotou_zhiwei")
    for username in ("daqiaotou_zhiwei", "yanling_admin", "yanling_staff"):
        client = world.client_for(username)
        for name in ("points:account_detail", "points:account_print", "points:account_export"):
            assert client.get(reverse(name, args=[account.pk])).status_code == 404, (username, name)
    # Staff of her township see it.
    assert world.client_for("xinshi_staff").get(reverse("points:account_detail", args=[account.pk])).status_code == 200


def test_staff_without_a_person_land_on_the_account_list_and_others_are_told_why(world: World) -> None:
    response = world.client_for("xinshi_staff").get(reverse("points:mine"))
    assert response.status_code == 302
    assert response["Location"] == reverse("points:account_list")
    page = world.client_for("nobody").get(reverse("points:mine"))
    assert page.status_code == 200
    assert html.select(page, "[data-testid=passbook-none]")


def test_the_passbook_pages_its_entries_without_more_queries_for_more_entries(world: World, her: Person) -> None:
    account = ledger.account_for(person=her)
    _confirmed(world, her)
    credit(account, 3, "q:0")
    client = world.client_for("huilong_zhiwei")
    url = reverse("points:mine")
    client.get(url)
    few = page_queries(client, url)
    for n in range(1, 40):
        credit(account, 1, f"q:{n}")
    _confirmed(world, her, on=datetime.date.today() - datetime.timedelta(days=1))
    many = page_queries(client, url)
    assert many == few
    assert few <= 30
    rows = html.select(client.get(url), "[data-testid=passbook-entries] tbody tr")
    assert len(rows) == 30
    assert html.select(client.get(url, {"page": 2}), "[data-testid=passbook-entries] tbody tr")


def test_a_year_prints_on_a_page_of_its_own_and_exports(world: World, her: Person) -> None:
    account = ledger.account_for(person=her)
    credit(account, 4, "y1", on=datetime.date(2025, 3, 1))
    credit(account, 6, "y2", on=datetime.date(2026, 4, 1))
    client = world.client_for("huilong_zhiwei")
    printed = client.get(reverse("points:account_print", args=[account.pk]), {"year": 2026})
    assert printed.status_code == 200
    sheet = html.parse(printed).select_one("[data-testid=passbook-print]").text
    assert "2026-04-01" in sheet
    assert "2025-03-01" not in sheet
    assert "Balance brought forward" in sheet
    exported = client.get(reverse("points:account_export", args=[account.pk]), {"year": 2025})
    rows = list(load_workbook(io.BytesIO(exported.content)).active.iter_rows(values_only=True))
    dates = [row[0] for row in rows if row and row[0] and str(row[0]).startswith("20")]
    assert dates == ["2025-03-01"]


@pytest.fixture
def accounts(world: World) -> dict[str, Account]:
    scheme(world)
    made = {}
    for name, points in (("钟桃华", 60), ("钟秀英", 12), ("李芳", 3)):
        account = ledger.account_for(person=h.zhiwei(world, "huilong", name))
        credit(account, points, f"a:{name}")
        made[name] = account
    home = ledger.account_for(household=household(world, "daqiaotou", "钟建国"))
    credit(home, 25, "a:home")
    made["钟建国"] = home
    outside = ledger.account_for(person=h.zhiwei(world, "shucai", "钟桂兰"))
    credit(outside, 99, "a:out")
    return made


NAMES = ("钟桃华", "钟秀英", "李芳", "钟建国", "钟桂兰")


def _shown(page: Any) -> list[str]:
    rows = html.select(page, "[data-testid=account-results] tbody tr")
    return [next(n for n in NAMES if n in row.text) for row in rows]


def test_staff_list_their_areas_accounts_largest_balance_first_with_search_and_filters(
    world: World, accounts: dict[str, Account]
) -> None:
    client = world.client_for("xinshi_staff")
    url = reverse("points:account_list")
    assert _shown(client.get(url)) == ["钟桃华", "钟建国", "钟秀英", "李芳"]
    assert _shown(client.get(url, {"search": "钟"})) == ["钟桃华", "钟建国", "钟秀英"]
    assert _shown(client.get(url, {"search": "zxy"})) == ["钟秀英"]
    assert _shown(client.get(url, {"kind": "household"})) == ["钟建国"]
    assert _shown(client.get(url, {"org": "430223123215"})) == ["钟桃华", "钟秀英", "李芳"]
    assert _shown(client.get(url, {"level": "一星"})) == ["钟建国", "钟秀英"]  # 10 to 49 points
    assert _shown(client.get(url, {"level": "二星"})) == ["钟桃华"]
    bad = client.get(url, {"org": "430225"})
    assert bad.status_code == 200
    assert _shown(bad) == []
    assert html.select(bad, "div.invalid-feedback")


def test_the_account_list_sorts_by_this_years_points(world: World, accounts: dict[str, Account]) -> None:
    credit(accounts["李芳"], 100, "old", on=datetime.date(2020, 5, 1))
    client = world.client_for("xinshi_staff")
    url = reverse("points:account_list")
    assert _shown(client.get(url))[0] == "李芳"
    assert _shown(client.get(url, {"sort": "year"})) == ["钟桃华", "钟建国", "钟秀英", "李芳"]


def test_the_account_export_holds_exactly_the_rows_shown(world: World, accounts: dict[str, Account]) -> None:
    client = world.client_for("xinshi_staff")
    for params in (
        {},
        {"search": "钟"},
        {"kind": "person"},
        {"level": "一星"},
        {"org": "430223123215", "search": "李"},
    ):
        shown = _shown(client.get(reverse("points:account_list"), params))
        response = client.get(reverse("points:account_list_export"), params)
        assert response.status_code == 200
        rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
        exported = [row[1] for row in rows if row and row[1] in NAMES]
        assert exported == shown, params


def test_the_account_list_takes_no_more_queries_for_more_accounts(world: World, accounts: dict[str, Account]) -> None:
    client = world.client_for("xinshi_staff")
    url = reverse("points:account_list")
    client.get(url)
    few = page_queries(client, url)
    for n in range(12):
        credit(ledger.account_for(person=h.zhiwei(world, "daqiaotou", f"王{n}")), n + 1, f"more:{n}")
    assert page_queries(client, url) == few
    assert few <= 20


def test_grant_honours_gives_the_years_honours_once(world: World) -> None:
    from fulian.orgs.choices import Level
    from fulian.points.choices import HolderKind, HonourBasis
    from fulian.points.models import Honour, HonourRule

    made = scheme(world)
    HonourRule.objects.create(
        version=made.versions.get(),
        title="文明实践之星",
        basis=HonourBasis.RANK,
        holder_kind=HolderKind.PERSON,
        level=Level.VILLAGE,
        top=1,
    )
    credit(ledger.account_for(person=h.zhiwei(world, "huilong", "钟桃华")), 9, "h1", on=datetime.date(2025, 3, 1))
    out = io.StringIO()
    call_command("grant_honours", "--year", "2025", stdout=out)
    assert out.getvalue().startswith("1 honours given")
    call_command("grant_honours", "--year", "2025", stdout=io.StringIO())
    assert Honour.objects.count() == 1


def test_her_home_page_shows_her_points_and_staff_see_no_card(world: World, her: Person) -> None:
    credit(ledger.account_for(person=her), 8, "home:card")
    card = html.parse(world.client_for("huilong_zhiwei").get(reverse("home"))).select_one("[data-testid=home-points]")
    assert "8" in card.text
    assert card.select(f'a[href="{reverse("points:mine")}"]')
    assert not html.select(world.client_for("xinshi_staff").get(reverse("home")), "[data-testid=home-points]")


def test_the_menu_has_points_for_those_who_see_passbooks_and_for_holders(world: World) -> None:
    link = f'href="{reverse("points:mine")}"'

    def has_entry(username: str) -> bool:
        return link in world.client_for(username).get(reverse("accounts:me")).content.decode()

    assert has_entry("xinshi_staff")
    assert not has_entry("nobody")
    assert not has_entry("security")
    h.zhiwei(world, account=world.user("nobody"))  # a holder with no role at all
    assert has_entry("nobody")


def test_the_account_export_prepared_in_the_background_holds_only_the_requesters_area(
    world: World, accounts: dict[str, Account]
) -> None:
    from django.http import QueryDict

    from fulian.exports import background, services
    from fulian.points.exports import ACCOUNTS

    def exported(username: str) -> str:
        job = background.job_start(actor=world.user(username), kind=ACCOUNTS, query=QueryDict("format=csv"))
        job = services.job_run(job.pk)
        assert job.status == "done", job.message
        return services.job_file(actor=world.user(username), job=job).decode("utf-8-sig")

    outsider, insider = exported("xinshi_staff"), exported("yanling_admin")
    assert ("钟桃华" in outsider, "钟桂兰" in outsider) == (True, False)
    assert ("钟桃华" in insider, "钟桂兰" in insider) == (False, True)
