"""The points API: schemes and rules kept on a draft and frozen once adopted; balances, the
passbook and reversals; manual awards with their second review; ranks and honours; the store's
items, stock and orders (idempotent on a weak network); the auditors' reconciliation — each with
the services' rules, for the roles that use them, every answer as the published schema says."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fulian.duties.tests import helpers as h
from fulian.grid.models import WorkMode
from fulian.grid.tests.test_api import conforms
from fulian.households.tests.helpers import household
from fulian.people.models import Person
from fulian.points.api.urls import router
from fulian.points.choices import ClaimStatus, OrderStatus
from fulian.points.models import Account, Claim, Honour, HonourRule, Item, Order
from fulian.points.services import ledger, store
from fulian.points.tests.helpers import credit, scheme, shop
from fulian.points.tests.scope_cases import CASES
from fulian.testing.world import World

pytestmark = pytest.mark.django_db

BASE = "/api/v1/points/"
ROLES = ["huilong_zhiwei", "xinshi_staff", "youxian_admin"]


def _api(world: World, username: str) -> Any:
    """The API as ``username``, answering in English (the messages are checked in English)."""
    client = world.api_for(username)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


def _herself(world: World) -> Person:
    """周桂姣, a 执委 of 回龙村 whose login is ``huilong_zhiwei``."""
    return h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"))


def _account(world: World, points: int = 30) -> Account:
    account = ledger.account_for(person=_herself(world))
    if points:
        credit(account, points, f"test:{points}", on=datetime.date.today())
    account.refresh_from_db()
    return account


def _errors(response: Any, path: str, method: str = "post") -> Any:
    assert response.status_code == 400, response.content[:300]
    return conforms(response, BASE + path, method)


# --- every route is in the scope tests -------------------------------------------------------


def test_every_method_of_every_points_api_detail_route_has_a_scope_case() -> None:
    detail_actions = {"retrieve": "get", "update": "put", "partial_update": "patch", "destroy": "delete"}
    served: set[tuple[str, str]] = set()
    for _prefix, viewset, basename in router.registry:
        for name, method in detail_actions.items():
            if hasattr(viewset, name):
                served.add((f"api:{basename}-detail", method))
        extras: list[Any] = viewset.get_extra_actions()
        for extra in extras:
            if extra.detail:
                served |= {(f"api:{basename}-{extra.url_name}", method) for method in extra.mapping}
    covered = {(name, method) for case in CASES for name, method, _status in case.detail_checks()}
    assert served
    assert served - covered == set()


# --- schemes and rules -------------------------------------------------------------------------


@pytest.mark.parametrize("username", ROLES)
def test_every_role_reads_the_scheme_that_applies_with_its_version(world: World, username: str) -> None:
    made = scheme(world)
    api = _api(world, username)
    listed = conforms(api.get(reverse("api:points-scheme-list")), BASE + "schemes/")
    assert [row["id"] for row in listed["results"]] == [made.pk]
    version = listed["results"][0]["versions"][0]
    assert (version["status"], version["decision"]) == ("adopted", "2019年12月村民代表大会表决通过")
    detail = conforms(api.get(reverse("api:points-version-detail", args=[version["id"]])), BASE + "versions/{id}/")
    assert [rule["name"] for rule in detail["rules"]] == ["入户走访", "志愿服务", "县级表彰"]
    assert [level["threshold"] for level in detail["levels"]] == [10, 50]
    rules = conforms(api.get(reverse("api:points-rule-list"), {"source": "award"}), BASE + "rules/")
    assert [rule["name"] for rule in rules["results"]] == ["县级表彰"]


def _rule_body(version_id: int, category_id: int, **values: Any) -> dict[str, Any]:
    return {
        "version": version_id,
        "category": category_id,
        "name": "宣传走访",
        "source": "duty",
        "work_mode": WorkMode.objects.get(name="政策宣讲").pk,
        "points": 3,
        "daily_cap": 6,
        "yearly_cap": 200,
        **values,
    }


def test_rules_change_on_a_draft_only_and_an_adopted_version_is_refused_naming_it(world: World) -> None:
    version = scheme(world, adopt=False).versions.get()
    category = version.categories.first()
    assert category is not None
    admin = _api(world, "youxian_admin")
    rules = reverse("api:points-rule-list")
    # Bad input: negative points, a rule without the caps the scheme requires.
    negative = admin.post(rules, _rule_body(version.pk, category.pk, points=-3), format="json")
    assert "points" in _errors(negative, "rules/")
    uncapped = admin.post(rules, _rule_body(version.pk, category.pk, daily_cap=None), format="json")
    assert "daily_cap" in _errors(uncapped, "rules/")
    # Staff do not keep schemes.
    assert (
        _api(world, "xinshi_staff").post(rules, _rule_body(version.pk, category.pk), format="json").status_code == 403
    )
    made = admin.post(rules, _rule_body(version.pk, category.pk), format="json")
    assert made.status_code == 201, made.content[:300]
    rule = conforms(made, BASE + "rules/", "post")
    assert (rule["points"], rule["work_mode_name"], rule["earner"]) == (3, "Policy outreach", "person")
    url = reverse("api:points-rule-detail", args=[rule["id"]])
    changed = admin.patch(url, {"points": 4}, format="json")
    assert conforms(changed, BASE + "rules/{id}/", "patch")["points"] == 4
    assert admin.delete(url).status_code == 204
    # Adopted: frozen, and the refusal names the version.
    adopted = admin.post(
        reverse("api:points-version-adopt", args=[version.pk]),
        {"adopted_on": "2019-12-20", "decision": "村民代表大会"},
        format="json",
    )
    assert conforms(adopted, BASE + "versions/{id}/adopt/", "post")["status"] == "adopted"
    frozen = version.rules.first()
    assert frozen is not None
    refused = admin.patch(reverse("api:points-rule-detail", args=[frozen.pk]), {"points": 9}, format="json")
    assert "adopted" in _errors(refused, "rules/{id}/", "patch")["version"][0]
    added = admin.post(rules, _rule_body(version.pk, category.pk), format="json")
    assert "version" in _errors(added, "rules/")
    again = admin.post(
        reverse("api:points-version-adopt", args=[version.pk]), {"adopted_on": "2019-12-20", "decision": "再次"}
    )
    assert "version" in _errors(again, "versions/{id}/adopt/")
    frozen.refresh_from_db()
    assert frozen.points == 2


# --- balances and the passbook -------------------------------------------------------------------


def test_a_member_reads_her_own_balance_and_passbook(world: World) -> None:
    account = _account(world)
    mine = _api(world, "huilong_zhiwei")
    own = conforms(mine.get(reverse("api:points-account-mine")), BASE + "accounts/mine/")
    assert [(row["id"], row["balance"], row["earned_this_year"]) for row in own] == [(account.pk, 30, 30)]
    passbook = conforms(mine.get(reverse("api:points-entry-list"), {"account": account.pk}), BASE + "entries/")
    assert [(row["amount"], row["balance_after"], row["verified"]) for row in passbook["results"]] == [(30, 30, False)]
    same = mine.get(reverse("api:points-account-entries", args=[account.pk]))
    assert conforms(same, BASE + "accounts/{id}/entries/")["results"] == passbook["results"]


def test_a_holder_without_any_role_reaches_her_own_accounts_and_orders_only(world: World) -> None:
    herself = h.zhiwei(world, "huilong", "周桂姣", account=world.user("nobody"))
    account = ledger.account_for(person=herself)
    credit(account, 30, "test:nobody")
    other = ledger.account_for(person=h.zhiwei(world, "huilong", "李四"))
    _shop, item = shop(world)
    order = store.order_place(actor=world.user("nobody"), account=account, item=item)
    api = _api(world, "nobody")
    listed = conforms(api.get(reverse("api:points-account-list")), BASE + "accounts/")
    assert [row["id"] for row in listed["results"]] == [account.pk]
    assert api.get(reverse("api:points-account-detail", args=[other.pk])).status_code == 404
    orders = conforms(api.get(reverse("api:points-order-list")), BASE + "orders/")
    assert [row["id"] for row in orders["results"]] == [order.pk]
    # The store serving her village is hers to read, and she redeems there.
    stores = conforms(api.get(reverse("api:points-store-list")), BASE + "stores/")
    assert [row["id"] for row in stores["results"]] == [item.store_id]
    placed = api.post(reverse("api:points-order-list"), {"item": item.pk}, format="json")
    assert placed.status_code == 201, placed.content[:300]


def test_staff_search_accounts_by_name_and_filter_by_kind(world: World) -> None:
    account = _account(world)
    home = household(world, "huilong", "周建国")
    household_account = ledger.account_for(household=home)
    staff = _api(world, "xinshi_staff")
    found = conforms(staff.get(reverse("api:points-account-list"), {"search": "周桂"}), BASE + "accounts/")
    assert [row["id"] for row in found["results"]] == [account.pk]
    homes = staff.get(reverse("api:points-account-list"), {"kind": "household"}).json()
    assert [row["id"] for row in homes["results"]] == [household_account.pk]
    assert staff.get(reverse("api:points-account-list"), {"kind": "cat"}).status_code == 400


def test_staff_reverse_an_entry_once_and_never_a_reversal(world: World) -> None:
    account = _account(world)
    entry = account.entries.get()
    staff = _api(world, "xinshi_staff")
    url = reverse("api:points-entry-reverse", args=[entry.pk])
    assert "reason" in _errors(staff.post(url, {}), "entries/{id}/reverse/")
    # A member does not reverse.
    assert _api(world, "huilong_zhiwei").post(url, {"reason": "录错了"}).status_code == 403
    done = staff.post(url, {"reason": "录错了"})
    assert done.status_code == 201, done.content[:300]
    reversal = conforms(done, BASE + "entries/{id}/reverse/", "post")
    assert (reversal["amount"], reversal["kind"], reversal["reverses"]) == (-30, "reversal", entry.pk)
    again = staff.post(url, {"reason": "再来"})
    assert _errors(again, "entries/{id}/reverse/") == {"detail": "This entry was already reversed."}
    of_reversal = staff.post(reverse("api:points-entry-reverse", args=[reversal["id"]]), {"reason": "再来"})
    assert "cannot be reversed" in _errors(of_reversal, "entries/{id}/reverse/")["detail"]
    shown = conforms(staff.get(reverse("api:points-entry-detail", args=[entry.pk])), BASE + "entries/{id}/")
    assert shown["reversed_by"] == reversal["id"]
    account.refresh_from_db()
    assert (account.balance, account.entries.count()) == (0, 2)


# --- manual postings and claims ------------------------------------------------------------------


def test_a_manual_award_posts_once_per_key_and_a_large_one_waits_for_a_second_reviewer(world: World) -> None:
    account = _account(world, 0)
    staff = _api(world, "xinshi_staff")
    url = reverse("api:points-manual-posts")
    key = str(uuid.uuid4())
    body = {"account": account.pk, "amount": 5, "reason": "协助组织活动", "client_key": key}
    made = staff.post(url, body, format="json")
    assert made.status_code == 201, made.content[:300]
    posted = conforms(made, BASE + "manual-posts/", "post")
    assert (posted["entry"]["amount"], posted["claim"]) == (5, None)
    again = staff.post(url, body, format="json")
    assert again.status_code == 200
    assert conforms(again, BASE + "manual-posts/", "post")["entry"]["id"] == posted["entry"]["id"]
    assert account.entries.count() == 1
    # Above the scheme's threshold (20 by default): a claim for a second reviewer.
    large = conforms(
        staff.post(url, {"account": account.pk, "amount": 50, "reason": "县级表彰"}, format="json"),
        BASE + "manual-posts/",
        "post",
    )
    assert (large["entry"], large["claim"]["status"]) == (None, "pending")
    claim_url = reverse("api:points-claim-confirm", args=[large["claim"]["id"]])
    own = staff.post(claim_url)
    assert _errors(own, "claims/{id}/confirm/") == {"detail": "A second reviewer is somebody else than who asked."}
    confirmed = _api(world, "youxian_admin").post(claim_url)
    assert conforms(confirmed, BASE + "claims/{id}/confirm/", "post")["status"] == "posted"
    account.refresh_from_db()
    assert account.balance == 55
    pending = conforms(_api(world, "youxian_admin").get(reverse("api:points-claim-list")), BASE + "claims/")
    assert [row["status"] for row in pending["results"]] == ["posted"]


def test_manual_postings_refuse_bad_input_naming_the_field(world: World) -> None:
    account = _account(world, 5)
    # 新市镇's staff member is a holder too (linked before her first request: a login's person
    # is read once per request).
    h.zhiwei(world, "xinshi", "刘芳", account=world.user("xinshi_staff"))
    staff = _api(world, "xinshi_staff")
    url = reverse("api:points-manual-posts")
    body = {"account": account.pk, "amount": -10, "reason": "扣分"}
    assert "amount" in _errors(staff.post(url, body, format="json"), "manual-posts/")
    assert "client_key" in _errors(
        staff.post(url, {**body, "amount": 1, "client_key": "not-a-uuid"}, format="json"), "manual-posts/"
    )
    assert "reason" in _errors(staff.post(url, {**body, "reason": " "}, format="json"), "manual-posts/")
    outside = ledger.account_for(person=h.zhiwei(world, "shucai", "钟桂兰"))
    assert "account" in _errors(staff.post(url, {**body, "account": outside.pk}, format="json"), "manual-posts/")
    # Nobody awards herself.
    hers = ledger.account_for(person=Person.objects.get(name="刘芳"))
    refused = staff.post(url, {**body, "account": hers.pk, "amount": 5}, format="json")
    assert refused.status_code == 403
    assert not hers.entries.exists()
    account.refresh_from_db()
    assert account.balance == 5


def test_a_claim_is_refused_with_a_reason(world: World) -> None:
    account = _account(world)
    claim = Claim(account=account, amount=40, reason="县级表彰", occurred_on=datetime.date.today(), idempotency_key="c")
    claim.place_beside(account)
    claim.save()
    admin = _api(world, "youxian_admin")
    url = reverse("api:points-claim-refuse", args=[claim.pk])
    assert "reason" in _errors(admin.post(url, {}), "claims/{id}/refuse/")
    refused = conforms(admin.post(url, {"reason": "材料不全"}), BASE + "claims/{id}/refuse/", "post")
    assert (refused["status"], refused["refuse_reason"]) == (ClaimStatus.REFUSED, "材料不全")


# --- ranks and honours ---------------------------------------------------------------------------


def test_ranks_of_an_organisation_and_year_page_without_a_count(world: World) -> None:
    first = _account(world, 30)
    second = ledger.account_for(person=h.zhiwei(world, "huilong", "李四"))
    credit(second, 50, "test:second")
    staff = _api(world, "xinshi_staff")
    url = reverse("api:points-rank-list")
    year = datetime.date.today().year
    ranks = conforms(staff.get(url, {"org": world.org("xinshi").code, "year": year, "page_size": 1}), BASE + "ranks/")
    assert [(row["rank"], row["account"], row["earned"]) for row in ranks["results"]] == [(1, second.pk, 50)]
    following = conforms(staff.get(ranks["next"]), BASE + "ranks/")
    assert [(row["rank"], row["account"]) for row in following["results"]] == [(2, first.pk)]
    assert following["next"] is None
    assert "org" in _errors(staff.get(url), "ranks/", "get")
    assert "org" in _errors(staff.get(url, {"org": world.org("yanling").code}), "ranks/", "get")
    assert "kind" in _errors(staff.get(url, {"org": world.org("xinshi").code, "kind": "x"}), "ranks/", "get")
    assert "year" in _errors(staff.get(url, {"org": world.org("xinshi").code, "year": "1"}), "ranks/", "get")


def test_honours_are_listed_for_staff_and_for_the_holder(world: World) -> None:
    account = _account(world)
    version = scheme(world).versions.get()
    rule = HonourRule.objects.create(version=version, title="文明实践之星", basis="threshold", threshold=10)
    honour = Honour(rule=rule, account=account, year=2026, earned=30, within=world.org("huilong"))
    honour.place_beside(account)
    honour.save()
    for username in ROLES:
        listed = conforms(_api(world, username).get(reverse("api:points-honour-list")), BASE + "honours/")
        assert [(row["id"], row["title"]) for row in listed["results"]] == [(honour.pk, "文明实践之星")]


# --- the store -----------------------------------------------------------------------------------


def test_staff_offer_change_and_stock_an_item(world: World) -> None:
    made, _item = shop(world)
    staff = _api(world, "xinshi_staff")
    url = reverse("api:points-item-list")
    body = {"store": made.pk, "name": "毛巾", "kind": "goods", "price": 5, "stock": 10}
    assert "price" in _errors(staff.post(url, {**body, "price": -5}, format="json"), "items/")
    assert _api(world, "huilong_zhiwei").post(url, body, format="json").status_code == 403
    created = staff.post(url, body, format="json")
    assert created.status_code == 201, created.content[:300]
    item = conforms(created, BASE + "items/", "post")
    assert (item["stock"], item["price"]) == (10, 5)
    detail = reverse("api:points-item-detail", args=[item["id"]])
    changed = staff.patch(detail, {"price": 6, "per_person_limit": 2}, format="json")
    assert (conforms(changed, BASE + "items/{id}/", "patch")["price"], changed.json()["stock"]) == (6, 10)
    stock = reverse("api:points-item-stock", args=[item["id"]])
    received = staff.post(stock, {"kind": "receipt", "delta": 5}, format="json")
    assert conforms(received, BASE + "items/{id}/stock/", "post")["stock"] == 15
    assert "reason" in _errors(staff.post(stock, {"kind": "adjust", "delta": -2}, format="json"), "items/{id}/stock/")
    assert "delta" in _errors(
        staff.post(stock, {"kind": "adjust", "delta": -99, "reason": "盘点"}, format="json"), "items/{id}/stock/"
    )
    for username in ROLES:
        listed = conforms(_api(world, username).get(url, {"store": made.pk}), BASE + "items/")
        assert item["id"] in [row["id"] for row in listed["results"]]


def test_a_member_redeems_once_per_key_and_staff_hand_it_over_by_pickup_code(world: World) -> None:
    account = _account(world, 30)
    _store, item = shop(world)
    mine = _api(world, "huilong_zhiwei")
    url = reverse("api:points-order-list")
    key = str(uuid.uuid4())
    placed = mine.post(url, {"item": item.pk, "quantity": 2, "client_key": key}, format="json")
    assert placed.status_code == 201, placed.content[:300]
    order = conforms(placed, BASE + "orders/", "post")
    assert (order["points"], order["status"], len(order["pickup_code"])) == (20, "waiting", 6)
    again = mine.post(url, {"item": item.pk, "quantity": 2, "client_key": key}, format="json")
    assert again.status_code == 200
    assert conforms(again, BASE + "orders/", "post")["id"] == order["id"]
    account.refresh_from_db()
    item.refresh_from_db()
    assert (account.balance, item.stock, Order.objects.count()) == (10, 3, 1)
    # Staff hand it over with the code she shows; the holder cannot cancel it after that.
    staff = _api(world, "xinshi_staff")
    hand_over = reverse("api:points-order-hand-over", args=[order["id"]])
    assert "pickup_code" in _errors(staff.post(hand_over, {"pickup_code": "000000x"}), "orders/{id}/hand-over/")
    assert mine.post(hand_over, {"pickup_code": order["pickup_code"]}).status_code == 403
    done = staff.post(hand_over, {"pickup_code": order["pickup_code"]})
    assert conforms(done, BASE + "orders/{id}/hand-over/", "post")["status"] == OrderStatus.HANDED_OVER
    late = mine.post(reverse("api:points-order-cancel", args=[order["id"]]), {"reason": "不要了"})
    assert "status" in _errors(late, "orders/{id}/cancel/")
    for username in ROLES:
        listed = conforms(_api(world, username).get(url, {"status": "handed_over"}), BASE + "orders/")
        assert [row["id"] for row in listed["results"]] == [order["id"]]


def test_a_waiting_order_cancelled_returns_the_points_and_the_stock(world: World) -> None:
    account = _account(world, 30)
    _store, item = shop(world)
    mine = _api(world, "huilong_zhiwei")
    order = conforms(
        mine.post(reverse("api:points-order-list"), {"item": item.pk}, format="json"), BASE + "orders/", "post"
    )
    cancelled = mine.post(reverse("api:points-order-cancel", args=[order["id"]]), {"reason": "不要了"})
    assert conforms(cancelled, BASE + "orders/{id}/cancel/", "post")["status"] == "cancelled"
    account.refresh_from_db()
    item.refresh_from_db()
    assert (account.balance, item.stock) == (30, 5)


def test_redemptions_refuse_bad_input_naming_the_field_and_take_nothing(world: World) -> None:
    account = _account(world, 15)
    made, item = shop(world, stock=1)
    mine = _api(world, "huilong_zhiwei")
    url = reverse("api:points-order-list")
    assert "quantity" in _errors(mine.post(url, {"item": item.pk, "quantity": -1}, format="json"), "orders/")
    assert "client_key" in _errors(mine.post(url, {"item": item.pk, "client_key": "x1"}, format="json"), "orders/")
    expensive = Item.objects.create(store=made, name="电饭煲", price=100)
    assert "quantity" in _errors(mine.post(url, {"item": expensive.pk}, format="json"), "orders/")
    closed = Item.objects.create(store=made, name="旧毛巾", price=1, active=False)
    assert "item" in _errors(mine.post(url, {"item": closed.pk}, format="json"), "orders/")
    assert mine.post(url, {"item": item.pk}, format="json").status_code == 201
    sold_out = mine.post(url, {"item": item.pk}, format="json")
    assert _errors(sold_out, "orders/")["quantity"] == ["Sold out."]
    outside = shop(world, "xiayang")[1]
    assert "item" in _errors(mine.post(url, {"item": outside.pk}, format="json"), "orders/")
    account.refresh_from_db()
    assert (account.balance, Order.objects.filter(account=account).count()) == (5, 1)


# --- reconciliation ------------------------------------------------------------------------------


def test_the_auditor_reconciles_and_sees_every_difference(world: World) -> None:
    account = _account(world, 30)
    shop(world)
    auditor = _api(world, "auditor")
    url = reverse("api:points-reconciliation")
    clean = conforms(auditor.get(url), BASE + "reconciliation/")
    assert (clean["ok"], clean["accounts"], clean["entries"], clean["items"]) == (True, 1, 1, 1)
    Account.objects.filter(pk=account.pk).update(balance=31)  # a deliberate fault
    found = conforms(auditor.get(url), BASE + "reconciliation/")
    assert found["ok"] is False
    assert [(d["what"], d["id"], d["stored"], d["summed"]) for d in found["differences"]] == [
        ("balance", account.pk, 31, 30)
    ]
    county = conforms(_api(world, "youxian_admin").get(url), BASE + "reconciliation/")
    assert county["ok"] is False
    elsewhere = conforms(_api(world, "yanling_admin").get(url), BASE + "reconciliation/")
    assert (elsewhere["ok"], elsewhere["accounts"]) == (True, 0)
    assert "org" in _errors(
        _api(world, "youxian_admin").get(url, {"org": world.org("yanling").code}), "reconciliation/", "get"
    )
    for username in ("xinshi_staff", "huilong_zhiwei"):
        assert _api(world, username).get(url).status_code == 403


# --- query counts --------------------------------------------------------------------------------


def _count_queries(api: Any, url: str, params: dict[str, Any]) -> int:
    api.get(url, params)  # the first request of an account loads its grants
    with CaptureQueriesContext(connection) as captured:
        response = api.get(url, params)
    assert response.status_code == 200, response.content[:300]
    return len(captured)


def _more_rows(world: World, n: int) -> None:
    """``n`` more holders in 回龙村 with an entry, a claim, an order and an honour each."""
    made_store = Item.objects.filter(name="洗衣液").first()
    rule = HonourRule.objects.first()
    for i in range(n):
        account = ledger.account_for(person=h.zhiwei(world, "huilong", f"王{Person.objects.count()}"))
        credit(account, 30, f"more:{account.pk}")
        claim = Claim(
            account=account, amount=40, reason="奖", occurred_on=datetime.date.today(), idempotency_key=f"c{account.pk}"
        )
        claim.place_beside(account)
        claim.save()
        assert made_store is not None
        assert rule is not None
        store.order_place(actor=world.user("xinshi_staff"), account=account, item=made_store)
        honour = Honour(rule=rule, account=account, year=2026, earned=30, within=world.org("huilong"))
        honour.place_beside(account)
        honour.save()
        Item.objects.create(store=made_store.store, name=f"物品{i}{account.pk}", price=1)


LISTS = [
    ("api:points-scheme-list", {}),
    ("api:points-rule-list", {}),
    ("api:points-account-list", {}),
    ("api:points-entry-list", {}),
    ("api:points-claim-list", {}),
    ("api:points-honour-list", {}),
    ("api:points-store-list", {}),
    ("api:points-item-list", {}),
    ("api:points-order-list", {}),
    ("api:points-rank-list", {"org": "430223123215"}),
]


@pytest.mark.parametrize(("name", "params"), LISTS, ids=[name for name, _params in LISTS])
@pytest.mark.parametrize("username", ["huilong_zhiwei", "xinshi_staff"])
def test_more_rows_do_not_add_queries_to_a_list(world: World, name: str, params: dict[str, Any], username: str) -> None:
    _account(world)
    version = scheme(world).versions.get()
    HonourRule.objects.create(version=version, title="之星", basis="threshold", threshold=10)
    shop(world, stock=100)
    api = _api(world, username)
    url = reverse(name)
    _more_rows(world, 2)
    few = _count_queries(api, url, params)
    _more_rows(world, 5)
    assert _count_queries(api, url, params) == few
