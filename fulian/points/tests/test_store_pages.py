"""The points store pages: she redeems on her phone in two steps and sees her pickup code; a
double tap places one order; each refusal is said and takes nothing; staff keep the store and
its items, receive stock, and hand orders over at the counter by pickup code or redeem for her
from the page her QR code opens."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from fulian.duties.tests import helpers as h
from fulian.grid.coverage import today
from fulian.households.tests.helpers import household
from fulian.people.tests.helpers import person, post
from fulian.points.choices import ItemKind, OrderStatus, StockKind
from fulian.points.models import Account, Entry, Item, Order, StockMove, Store
from fulian.points.services import ledger, store
from fulian.points.tests.helpers import credit, shop
from fulian.testing.world import World

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def her(world: World) -> Account:
    """huilong_zhiwei on the books, with 35 points."""
    herself = h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"))
    account = ledger.account_for(person=herself)
    credit(account, 35, "t:35")
    account.refresh_from_db()
    return account


def _redeem(client: Client, item: Item, account: Account, *, quantity: int = 1, key: Any = None) -> Any:
    data = {"account": account.pk, "quantity": quantity, "client_key": str(key or uuid.uuid4()), "confirm": "1"}
    return client.post(reverse("points:item_redeem", kwargs={"pk": item.pk}), data)


def _nothing_written(account: Account, item: Item, balance: int, stock: int | None) -> None:
    account.refresh_from_db()
    item.refresh_from_db()
    assert (account.balance, item.stock) == (balance, stock)
    assert not Order.objects.exists()
    assert not Entry.objects.filter(kind="redeem").exists()


# --- the holder ---------------------------------------------------------------------------------


def test_she_sees_the_store_that_serves_her_with_its_items_and_her_balance(world: World, her: Account) -> None:
    made, item = shop(world, per_person_limit=2)
    Item.objects.create(store=made, name="优先推荐评优", kind=ItemKind.HONOUR, price=30)
    far, _far_item = shop(world, "xiayang")  # 炎陵县's store does not serve her
    client = world.client_for("huilong_zhiwei")
    page = client.get(reverse("points:store_list")).content.decode()
    assert reverse("points:store_detail", kwargs={"pk": made.pk}) in page
    assert reverse("points:store_detail", kwargs={"pk": far.pk}) not in page
    assert "35" in page
    detail = client.get(reverse("points:store_detail", kwargs={"pk": made.pk})).content.decode()
    assert "洗衣液" in detail
    assert "优先推荐评优" in detail
    assert "剩余 5 件" in detail
    assert reverse("points:item_detail", kwargs={"pk": item.pk}) in detail
    assert client.get(reverse("points:store_detail", kwargs={"pk": far.pk})).status_code == 404
    assert client.get(reverse("points:item_detail", kwargs={"pk": _far_item.pk})).status_code == 404


def test_she_redeems_in_two_steps_and_sees_her_pickup_code(world: World, her: Account) -> None:
    _store, item = shop(world)
    client = world.client_for("huilong_zhiwei")
    page = client.get(reverse("points:item_detail", kwargs={"pk": item.pk}))
    key = page.context["redeem"].initial["client_key"]
    assert f'value="{key}"' in page.content.decode()
    url = reverse("points:item_redeem", kwargs={"pk": item.pk})
    confirm = client.post(url, {"account": her.pk, "quantity": 2, "client_key": str(key)})
    assert confirm.status_code == 200
    assert not Order.objects.exists()  # the confirmation takes nothing yet
    assert confirm.context["points"] == 20
    assert confirm.context["after"] == 15
    placed = client.post(url, {"account": her.pk, "quantity": 2, "client_key": str(key), "confirm": "1"})
    order = Order.objects.get()
    assert placed.status_code == 302
    assert placed["Location"] == reverse("points:order_detail", kwargs={"pk": order.pk})
    shown = client.get(placed["Location"]).content.decode()
    assert order.pickup_code in shown
    assert "<svg" in shown  # its QR code
    assert order.expires_on.isoformat() in shown
    her.refresh_from_db()
    item.refresh_from_db()
    assert (her.balance, item.stock, order.quantity, order.points) == (15, 3, 2, 20)
    mine = client.get(reverse("points:order_mine")).content.decode()
    assert reverse("points:order_detail", kwargs={"pk": order.pk}) in mine


def test_a_double_tapped_redeem_places_one_order(world: World, her: Account) -> None:
    _store, item = shop(world)
    client = world.client_for("huilong_zhiwei")
    key = uuid.uuid4()
    first = _redeem(client, item, her, key=key)
    second = _redeem(client, item, her, key=key)
    assert first["Location"] == second["Location"]
    assert Order.objects.count() == 1
    her.refresh_from_db()
    assert her.balance == 25


def test_she_cancels_a_waiting_order_and_gets_points_and_stock_back(world: World, her: Account) -> None:
    _store, item = shop(world)
    client = world.client_for("huilong_zhiwei")
    _redeem(client, item, her, quantity=3)
    order = Order.objects.get()
    response = client.post(reverse("points:order_cancel", kwargs={"pk": order.pk}), {"reason": ""})
    assert response.status_code == 302
    order.refresh_from_db()
    her.refresh_from_db()
    item.refresh_from_db()
    assert (order.status, her.balance, item.stock) == (OrderStatus.CANCELLED, 35, 5)
    again = client.post(reverse("points:order_cancel", kwargs={"pk": order.pk}), {"reason": ""})
    assert again.status_code == 400
    assert "nothing was changed" in again.content.decode() or "未作任何改动" in again.content.decode()
    her.refresh_from_db()
    assert her.balance == 35


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("balance", "This needs 40 points; the balance is 35."),
        ("sold_out", "Sold out."),
        ("closed_store", "This store is closed."),
        ("off_offer", "This item is no longer on offer."),
        ("not_yet", "This item is on offer from"),
        ("limit", "At most 1 per holder; 1 already redeemed."),
    ],
)
def test_each_refusal_is_said_next_to_the_button_and_nothing_is_taken(
    world: World, her: Account, setup: str, message: str, settings: Any
) -> None:
    settings.LANGUAGE_CODE = "en"
    made, item = shop(world, stock=5)
    quantity = 1
    if setup == "balance":
        quantity = 4
    elif setup == "sold_out":
        store.stock_change(actor=world.user("xinshi_staff"), item=item, delta=-5, kind=StockKind.ADJUST, reason="盘点")
    elif setup == "closed_store":
        Store.objects.filter(pk=made.pk).update(active=False)
    elif setup == "off_offer":
        Item.objects.filter(pk=item.pk).update(active=False)
    elif setup == "not_yet":
        Item.objects.filter(pk=item.pk).update(opens_on=today() + datetime.timedelta(days=3))
    elif setup == "limit":
        Item.objects.filter(pk=item.pk).update(per_person_limit=1)
        store.order_place(actor=world.user("xinshi_staff"), account=her, item=item)
    her.refresh_from_db()
    item.refresh_from_db()
    balance, stock, orders, entries = her.balance, item.stock, Order.objects.count(), Entry.objects.count()
    client = world.client_for("huilong_zhiwei")
    client.cookies["django_language"] = "en"
    response = _redeem(client, item, her, quantity=quantity)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="refusal"' in body
    assert message in body
    assert "data-confirm-redeem" not in body  # no button to press again
    her.refresh_from_db()
    item.refresh_from_db()
    assert (her.balance, item.stock, Order.objects.count(), Entry.objects.count()) == (balance, stock, orders, entries)


def test_another_holder_can_neither_see_nor_cancel_her_order(world: World, her: Account) -> None:
    _store, item = shop(world)
    _redeem(world.client_for("huilong_zhiwei"), item, her)
    order = Order.objects.get()
    other = h.zhiwei(world, "daqiaotou", "李秀英", username="daqiaotou_zhiwei")
    credit(ledger.account_for(person=other), 50, "t:other")
    client = Client()
    client.force_login(world.user("daqiaotou_zhiwei"))
    assert client.get(reverse("points:order_detail", kwargs={"pk": order.pk})).status_code == 404
    assert client.post(reverse("points:order_cancel", kwargs={"pk": order.pk}), {"reason": "x"}).status_code == 404
    assert client.post(reverse("points:order_hand_over", kwargs={"pk": order.pk})).status_code == 404
    assert (
        reverse("points:order_detail", kwargs={"pk": order.pk})
        not in client.get(reverse("points:order_mine")).content.decode()
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.WAITING


def test_she_cannot_redeem_from_someone_elses_account(world: World, her: Account) -> None:
    _store, item = shop(world)
    other = ledger.account_for(person=h.zhiwei(world, "huilong", "李秀英"))
    credit(other, 50, "t:o")
    response = _redeem(world.client_for("huilong_zhiwei"), item, other)
    assert response.status_code == 400  # not one of her choices
    assert not Order.objects.exists()


def test_a_login_without_a_person_is_told_to_ask_for_a_link(world: World) -> None:
    response = world.client_for("xinshi_staff").get(reverse("points:order_mine"))
    assert 'data-testid="orders-no-person"' in response.content.decode()


# --- staff --------------------------------------------------------------------------------------


def test_staff_open_a_store_and_offer_goods_and_an_honour(world: World) -> None:
    client = world.client_for("xinshi_staff")
    response = client.post(
        reverse("points:store_create"),
        {
            "org": str(world.org("xinshi").pk),
            "name": "新市镇积分超市",
            "address": "新市镇妇联办公室",
            "hours": "工作日 8:30–17:30",
            "pickup_days": "7",
            "active": "on",
        },
    )
    made = Store.objects.get()
    assert response["Location"] == reverse("points:store_detail", kwargs={"pk": made.pk})
    assert (made.org, made.pickup_days) == (world.org("xinshi"), 7)
    url = reverse("points:item_create", kwargs={"pk": made.pk})
    goods = {"name": "洗衣液", "kind": "goods", "price": "10", "stock": "12", "per_person_limit": "2", "active": "on"}
    client.post(url, goods)
    client.post(url, {"name": "免费体检", "kind": "service", "price": "50", "active": "on"})
    soap, check = Item.objects.order_by("id")
    assert (soap.stock, soap.per_person_limit, check.stock) == (12, 2, None)
    assert list(StockMove.objects.values_list("delta", "kind")) == [(12, StockKind.RECEIPT)]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"price": "0"}, "price"),
        ({"price": "-5"}, "price"),
        ({"stock": "-1"}, "stock"),
        ({"opens_on": "2026-06-01", "closes_on": "2026-05-01"}, "closes_on"),
        ({"kind": "honour", "stock": "3"}, "stock"),
        ({"name": ""}, "name"),
    ],
)
def test_a_bad_item_is_refused_next_to_its_field_and_nothing_is_saved(
    world: World, changes: dict[str, str], field: str
) -> None:
    made, _item = shop(world)
    values = {"name": "毛巾", "kind": "goods", "price": "5", "stock": "3", "active": "on", **changes}
    response = world.client_for("xinshi_staff").post(reverse("points:item_create", kwargs={"pk": made.pk}), values)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert Item.objects.count() == 1


def test_staff_edit_an_item_but_not_its_stock(world: World) -> None:
    _made, item = shop(world)
    client = world.client_for("xinshi_staff")
    values = {"name": "洗衣液（大瓶）", "kind": "goods", "price": "15", "active": "on", "stock": "999"}
    assert client.post(reverse("points:item_edit", kwargs={"pk": item.pk}), values).status_code == 302
    item.refresh_from_db()
    assert (item.name, item.price, item.stock) == ("洗衣液（大瓶）", 15, 5)
    turned = client.post(reverse("points:item_edit", kwargs={"pk": item.pk}), {**values, "kind": "honour"})
    assert turned.status_code == 400
    assert turned.context["form"].errors["kind"]


def test_staff_receive_and_adjust_stock_with_a_reason_and_see_the_moves(world: World) -> None:
    _made, item = shop(world)
    client = world.client_for("xinshi_staff")
    url = reverse("points:item_stock", kwargs={"pk": item.pk})
    assert client.post(url, {"kind": "receipt", "delta": "10", "reason": ""}).status_code == 302
    refused = client.post(url, {"kind": "adjust", "delta": "-2", "reason": ""})
    assert refused.status_code == 400
    assert refused.context["stock_form"].errors["reason"]
    assert client.post(url, {"kind": "adjust", "delta": "-2", "reason": "破损"}).status_code == 302
    too_many = client.post(url, {"kind": "adjust", "delta": "-50", "reason": "盘点"})
    assert too_many.status_code == 400
    item.refresh_from_db()
    assert item.stock == 13
    page = client.get(reverse("points:item_detail", kwargs={"pk": item.pk})).content.decode()
    assert "破损" in page
    assert "-2" in page
    assert "+10" in page


def test_the_holder_cannot_keep_the_store(world: World, her: Account) -> None:
    made, item = shop(world)
    client = world.client_for("huilong_zhiwei")
    assert client.get(reverse("points:store_edit", kwargs={"pk": made.pk})).status_code == 403
    assert client.get(reverse("points:counter", kwargs={"pk": made.pk})).status_code == 403
    assert (
        client.post(reverse("points:item_stock", kwargs={"pk": item.pk}), {"kind": "receipt", "delta": 3}).status_code
        == 403
    )


def test_staff_hand_over_by_pickup_code_at_the_counter(world: World, her: Account) -> None:
    made, item = shop(world)
    _redeem(world.client_for("huilong_zhiwei"), item, her)
    order = Order.objects.get()
    client = world.client_for("xinshi_staff")
    counter = reverse("points:counter", kwargs={"pk": made.pk})
    found = client.get(counter, {"code": f" {order.pickup_code} "})
    assert found.context["found"] == order
    assert 'data-testid="counter-order"' in found.content.decode()
    fragment = client.get(counter, {"code": order.pickup_code}, HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode()
    assert order.pickup_code in fragment.content.decode()
    url = reverse("points:order_hand_over", kwargs={"pk": order.pk})
    done = client.post(url, {"pickup_code": order.pickup_code, "back": "counter"})
    assert done["Location"] == counter
    order.refresh_from_db()
    assert (order.status, order.closed_by) == (OrderStatus.HANDED_OVER, world.user("xinshi_staff"))
    # Handing over twice, or cancelling after: said plainly, nothing changed.
    twice = client.post(url, {"pickup_code": order.pickup_code, "back": "counter"}, follow=True)
    assert "nothing was changed" in twice.content.decode() or "未作任何改动" in twice.content.decode()
    late = client.post(reverse("points:order_cancel", kwargs={"pk": order.pk}), {"reason": "她不要了"})
    assert late.status_code == 400
    order.refresh_from_db()
    her.refresh_from_db()
    assert (order.status, her.balance) == (OrderStatus.HANDED_OVER, 25)
    # A code handed over is no longer found at the counter.
    assert client.get(counter, {"code": order.pickup_code}).context["found"] is None


def test_a_wrong_pickup_code_finds_nothing_and_hands_nothing_over(world: World, her: Account) -> None:
    made, item = shop(world)
    _redeem(world.client_for("huilong_zhiwei"), item, her)
    order = Order.objects.get()
    wrong = "000000" if order.pickup_code != "000000" else "111111"
    client = world.client_for("xinshi_staff")
    response = client.get(reverse("points:counter", kwargs={"pk": made.pk}), {"code": wrong})
    assert response.context["found"] is None
    assert 'data-testid="counter-none"' in response.content.decode()
    assert client.get(reverse("points:counter", kwargs={"pk": made.pk}), {"code": "12"}).status_code == 400
    swapped = client.get(reverse("points:counter", kwargs={"pk": made.pk}), {"code": "12"}, HTTP_HX_REQUEST="true")
    assert swapped.status_code == 200  # htmx swaps a 200 only
    assert "6 digits" in swapped.content.decode() or "6 位数字" in swapped.content.decode()
    client.post(reverse("points:order_hand_over", kwargs={"pk": order.pk}), {"pickup_code": wrong, "back": "counter"})
    order.refresh_from_db()
    assert order.status == OrderStatus.WAITING


def test_staff_cancel_an_order_with_a_reason(world: World, her: Account) -> None:
    _made, item = shop(world)
    _redeem(world.client_for("huilong_zhiwei"), item, her)
    order = Order.objects.get()
    client = world.client_for("xinshi_staff")
    url = reverse("points:order_cancel", kwargs={"pk": order.pk})
    assert client.post(url, {"reason": ""}).status_code == 400  # staff say why
    assert client.post(url, {"reason": "货品破损，改日再换"}).status_code == 302
    order.refresh_from_db()
    her.refresh_from_db()
    assert (order.status, order.close_reason, her.balance) == (OrderStatus.CANCELLED, "货品破损，改日再换", 35)


def test_her_qr_code_opens_her_page_at_the_counter_where_staff_redeem_for_her(world: World, her: Account) -> None:
    _made, item = shop(world)
    page = world.client_for("huilong_zhiwei").get(reverse("points:store_list")).content.decode()
    counter_url = reverse("points:counter_account", kwargs={"pk": her.pk})
    assert counter_url in page  # inside her QR code's title
    client = world.client_for("xinshi_staff")
    shown = client.get(counter_url)
    assert shown.status_code == 200
    assert shown.context["items"] == [item]
    key = str(uuid.uuid4())
    url = reverse("points:counter_redeem", kwargs={"pk": her.pk})
    first = client.post(url, {"item": item.pk, "quantity": 2, "client_key": key})
    again = client.post(url, {"item": item.pk, "quantity": 2, "client_key": key})
    order = Order.objects.get()
    assert first["Location"] == again["Location"] == reverse("points:order_detail", kwargs={"pk": order.pk})
    assert order.created_by == world.user("xinshi_staff")
    refused = client.post(url, {"item": item.pk, "quantity": 2, "client_key": str(uuid.uuid4())})
    assert refused.status_code == 400
    assert refused.context["form"].errors["quantity"]
    assert Order.objects.count() == 1
    # The holder herself cannot open the counter's page.
    assert world.client_for("huilong_zhiwei").get(counter_url).status_code == 403


def test_the_store_orders_list_filters_and_finds_by_code_or_name(world: World, her: Account) -> None:
    made, item = shop(world)
    client_her = world.client_for("huilong_zhiwei")
    _redeem(client_her, item, her)
    _redeem(client_her, item, her)
    first, second = Order.objects.order_by("id")
    store.order_cancel(actor=world.user("huilong_zhiwei"), order=first)
    client = world.client_for("xinshi_staff")
    url = reverse("points:store_orders", kwargs={"pk": made.pk})
    waiting = client.get(url, {"status": "waiting"}).context["page"].items
    assert waiting == [second]
    assert client.get(url, {"search": second.pickup_code}).context["page"].items == [second]
    assert client.get(url, {"search": "周桂"}).context["page"].items == [second, first]
    assert client.get(url, {"search": "李"}).context["page"].items == []


# --- query counts -------------------------------------------------------------------------------


def _orders(world: World, account: Account, item: Item, n: int) -> None:
    for _i in range(n):
        store.order_place(actor=world.user("xinshi_staff"), account=account, item=item)


def test_the_store_page_does_not_query_per_item(world: World, her: Account, django_assert_max_num_queries: Any) -> None:
    made, _item = shop(world)
    client = world.client_for("huilong_zhiwei")
    url = reverse("points:store_detail", kwargs={"pk": made.pk})
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for n in range(6):
        Item.objects.create(store=made, name=f"物品{n}", price=5, stock=3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(url).context["items"]) == 7


def test_the_orders_lists_do_not_query_per_order(
    world: World, her: Account, django_assert_max_num_queries: Any
) -> None:
    credit(her, 500, "t:500")
    made, item = shop(world, stock=50)
    staff, holder = world.client_for("xinshi_staff"), world.client_for("huilong_zhiwei")
    store_url, mine_url = reverse("points:store_orders", kwargs={"pk": made.pk}), reverse("points:order_mine")
    _orders(world, her, item, 2)
    staff.get(store_url)
    holder.get(mine_url)
    with django_assert_max_num_queries(20) as few_staff:
        staff.get(store_url)
    with django_assert_max_num_queries(20) as few_mine:
        holder.get(mine_url)
    _orders(world, her, item, 10)
    with django_assert_max_num_queries(len(few_staff.captured_queries)):
        assert len(staff.get(store_url).context["page"].items) == 12
    with django_assert_max_num_queries(len(few_mine.captured_queries)):
        assert len(holder.get(mine_url).context["page"].items) == 12


def test_the_store_list_does_not_query_per_store(world: World, django_assert_max_num_queries: Any) -> None:
    client = world.client_for("xinshi_staff")
    url = reverse("points:store_list")
    shop(world)
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for org in ("huilong", "daqiaotou", "youxian"):
        Store.objects.create(org=world.org(org), name=f"{org} 积分超市")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(url).context["page"].items) == 4


def test_she_chooses_to_pay_from_her_households_shared_points(world: World) -> None:
    id_number = "43022519800101002X"
    herself = person(world, "huilong", "周桂姣", id_number=id_number)
    post(world, herself, "huilong")
    herself.account = world.user("huilong_zhiwei")
    herself.save()
    home = household(world, "huilong", "周桂姣", id_number=id_number)
    shared = ledger.account_for(household=home)
    credit(shared, 60, "t:home")
    _store, item = shop(world)
    client = world.client_for("huilong_zhiwei")
    page = client.get(reverse("points:item_detail", kwargs={"pk": item.pk}))
    assert [value for value, _label in page.context["redeem"].fields["account"].choices] == [
        ledger.account_for(person=herself).pk,
        shared.pk,
    ]
    _redeem(client, item, shared, quantity=3)
    order = Order.objects.get()
    shared.refresh_from_db()
    assert (order.account, order.person, shared.balance) == (shared, herself, 30)
    assert (
        reverse("points:order_detail", kwargs={"pk": order.pk})
        in client.get(reverse("points:order_mine")).content.decode()
    )


def test_she_is_told_before_confirming_when_her_points_are_too_few(world: World, her: Account, settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
    _store, item = shop(world)
    client = world.client_for("huilong_zhiwei")
    client.cookies["django_language"] = "en"
    url = reverse("points:item_redeem", kwargs={"pk": item.pk})
    response = client.post(url, {"account": her.pk, "quantity": 4, "client_key": str(uuid.uuid4())})
    assert response.status_code == 400
    assert "This needs 40 points; the balance is 35." in response.content.decode()
    assert "points/item_detail.html" in [t.name for t in response.templates]
    assert not Order.objects.exists()


def test_a_holder_without_any_role_redeems_at_the_store_above_her(world: World) -> None:
    user = get_user_model().objects.create_user(username="shequ_zhiwei", password="Test-Passw0rd!")
    herself = h.zhiwei(world, "huilong", "刘冬梅", account=user)
    account = ledger.account_for(person=herself)
    credit(account, 20, "t:norole")
    made, item = shop(world)
    client = Client()
    client.force_login(user)
    listed = client.get(reverse("points:store_list"))
    assert listed.status_code == 200
    assert reverse("points:store_detail", kwargs={"pk": made.pk}) in listed.content.decode()
    _redeem(client, item, account)
    order = Order.objects.get()
    assert client.get(reverse("points:order_detail", kwargs={"pk": order.pk})).status_code == 200
    assert client.get(reverse("points:store_orders", kwargs={"pk": made.pk})).status_code == 403


def test_staff_edit_the_store_and_a_bad_value_is_said_next_to_its_field(world: World) -> None:
    made, _item = shop(world)
    client = world.client_for("xinshi_staff")
    url = reverse("points:store_edit", kwargs={"pk": made.pk})
    values = {"name": "新市镇巾帼积分超市", "address": "新市镇妇联", "hours": "", "pickup_days": "0", "active": ""}
    refused = client.post(url, values)
    assert refused.status_code == 400
    assert refused.context["form"].errors["pickup_days"]
    assert client.post(url, {**values, "pickup_days": "10"}).status_code == 302
    made.refresh_from_db()
    assert (made.name, made.pickup_days, made.active) == ("新市镇巾帼积分超市", 10, False)
    assert world.client_for("yanling_admin").post(url, {**values, "pickup_days": "3"}).status_code == 404
