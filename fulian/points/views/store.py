"""The points store (积分超市 / 礼遇) in the browser.

A holder (a 执委 who signs in) sees the stores that serve her (run at or above her place), their
items, and redeems one on her phone in two steps (choose, confirm); the order's page shows its
pickup code large, with a QR code of it, until it is picked up. Store staff (``points.store`` at
the store's federation) keep the store and its items, receive and adjust stock, list the orders,
and at the counter hand an order over by its pickup code (typed, or typed by a USB scanner) or
redeem for a holder whose QR code opened her page on their phone.

Every read goes through ``visible_to`` (staff) or the holder's own accounts
(``services.holders``); every write through ``services.store`` and ``services.store_admin``.
Every form is a plain post, so the pages work without scripts on a weak network; htmx only
swaps the counter's result in place.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fulian.accounts.http import AuthedRequest
from fulian.campaigns import qr
from fulian.core.forms import add_service_errors
from fulian.core.paging import page_of
from fulian.core.scoping import AnyUser, can, can_anywhere, get_visible_or_404
from fulian.core.search import SearchFields, search_q
from fulian.core.views import requires_somewhere, wants_fragment
from fulian.grid.coverage import today
from fulian.points.choices import OrderStatus, StockKind
from fulian.points.models import Account, Item, Order, StockMove, Store, ancestor_paths
from fulian.points.services import store as services
from fulian.points.services import store_admin
from fulian.points.services.holders import holds, own_accounts, person_of
from fulian.points.store_forms import (
    CancelForm,
    CounterRedeemForm,
    HandOverForm,
    ItemForm,
    MyOrdersFilterForm,
    OrderFilterForm,
    PickupCodeForm,
    RedeemForm,
    StockForm,
    StoreForm,
)

ORDERS_PER_PAGE = 30
MOVES_SHOWN = 50
HOLDER_SEARCH = SearchFields(
    name="person__name", keys="person__search_keys", mobile_hash=None, mobile_tail_hash=None, id_hash=None
)


# --- who sees what ----------------------------------------------------------------------------


def _accounts(user: AnyUser) -> list[Account]:
    """Her own accounts (hers, her household's), with their places, for the holder's pages."""
    if person_of(user) is None:
        return []
    ids = [a.pk for a in own_accounts(user)]
    rows = Account.objects.filter(pk__in=ids).select_related("org", "person", "household")
    return sorted(rows, key=lambda a: ids.index(a.pk))


def _serving(accounts: list[Account]) -> set[str]:
    """The organisation paths whose stores serve her: her accounts' places and those above."""
    return {p for a in accounts for p in ancestor_paths(a.org.path)}


def _stores(user: AnyUser, accounts: list[Account]) -> QuerySet[Store]:
    """The stores a user may open: those of her area (staff, leaders) and those serving her."""
    rows = Store.objects.visible_to(user)
    paths = _serving(accounts)
    if paths:
        rows = rows | Store.objects.filter(org__path__in=paths)
    return rows


def _store(request: AuthedRequest, pk: int) -> tuple[Store, list[Account]]:
    accounts = _accounts(request.user)
    found = _stores(request.user, accounts).select_related("org").filter(pk=pk).first()
    if found is None:
        raise Http404(_("Not found."))
    return found, accounts


def _running(user: AnyUser, store: Store) -> Store:
    """The store, for a change only its staff make (403: it is visible, but not theirs to run)."""
    if not can(user, "points.store", store.org):
        raise PermissionDenied(_("Only the store's staff can do this."))
    return store


def _item(request: AuthedRequest, pk: int) -> tuple[Item, list[Account]]:
    item = Item.objects.select_related("store__org").filter(pk=pk).first()
    if item is None:
        raise Http404(_("Not found."))
    store, accounts = _store(request, item.store_id)
    item.store = store
    return item, accounts


def _order(request: AuthedRequest, pk: int) -> Order:
    """An order its holder placed (or her household's), or one of the user's area."""
    rows = Order.objects.select_related(
        "store__org", "item", "account__person", "account__household", "person", "created_by", "closed_by"
    )
    mine = rows.filter(pk=pk).first()
    if mine is not None and holds(request.user, mine.account):
        return mine
    return get_visible_or_404(rows, request.user, pk=pk)


def _payers(item: Item, accounts: list[Account]) -> list[Account]:
    """Her accounts this item's store serves."""
    return [a for a in accounts if a.org.path.startswith(item.store.org.path)]


def _posted(request: AuthedRequest) -> Any:
    """The form's data on a POST, even an empty one (a form sent empty is refused, not shown afresh)."""
    return request.POST if request.method == "POST" else None


# --- the stores -------------------------------------------------------------------------------


@require_GET
def store_list(request: AuthedRequest) -> HttpResponse:
    """The stores that serve her (with her balances and the code she shows at the counter), and
    for staff the stores of their area."""
    user = request.user
    accounts = _accounts(user)
    if not accounts and not can_anywhere(user, "points.view"):
        raise PermissionDenied(_("This page is not part of your role."))
    search = request.GET.get("search", "").strip()[:50]
    rows = _stores(user, accounts).select_related("org").order_by("org__path", "id")
    if search:
        rows = rows.filter(Q(name__contains=search) | Q(org__display_name__contains=search))
    page = page_of(rows, request.GET, 50)
    for row in page.items:
        row.runs = can(user, "points.store", row.org)  # type: ignore[attr-defined]
    codes = [
        (a, qr.svg(request.build_absolute_uri(reverse("points:counter_account", kwargs={"pk": a.pk})), scale=3))
        for a in accounts
    ]
    context = {
        "page": page,
        "search": search,
        "accounts": accounts,
        "codes": codes,
        "can_open": can_anywhere(user, "points.store"),
    }
    return render(request, "points/store_list.html", context)


@requires_somewhere("points.store")
def store_create(request: AuthedRequest) -> HttpResponse:
    """Open a store for the holders of a federation's subtree."""
    form = StoreForm(_posted(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            made = store_admin.store_create(actor=request.user, **data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Store opened: now add what it offers."))
            return redirect("points:store_detail", pk=made.pk)
    context = {"form": form, "title": _("Open a store"), "back_url": reverse("points:store_list")}
    return render(request, "points/store_form.html", context, status=400 if form.errors else 200)


@require_GET
def store_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """A store's page: where and when to pick up, and its items; its staff's links."""
    store, accounts = _store(request, pk)
    runs = can(request.user, "points.store", store.org)
    items = Item.objects.filter(store=store)
    if not runs:
        items = items.filter(active=True)
    on = today()
    shown = list(items.order_by("position", "id"))
    for item in shown:
        item.store = store
        item.open_now = store_admin.on_offer(item, on)  # type: ignore[attr-defined]
    payers = [a for a in accounts if a.org.path.startswith(store.org.path)]
    context = {
        "store": store,
        "items": shown,
        "runs": runs,
        "payers": payers,
        "waiting": Order.objects.visible_to(request.user, "points.store")
        .filter(store=store, status=OrderStatus.WAITING)
        .exists()
        if runs
        else False,
    }
    return render(request, "points/store_detail.html", context)


def store_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Change a store's name, address, hours, days to pick up, or close it."""
    store = _running(request.user, _store(request, pk)[0])
    initial = {f: getattr(store, f) for f in ("name", "address", "hours", "pickup_days", "active")}
    form = StoreForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            store_admin.store_update(actor=request.user, store=store, **form.cleaned_data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Store saved."))
            return redirect("points:store_detail", pk=store.pk)
    back = reverse("points:store_detail", kwargs={"pk": store.pk})
    context = {"form": form, "title": _("Edit the store"), "store": store, "back_url": back}
    return render(request, "points/store_form.html", context, status=400 if form.errors else 200)


# --- items ------------------------------------------------------------------------------------


def _item_values(data: dict[str, Any]) -> dict[str, Any]:
    values = dict(data)
    values["position"] = values.get("position") or 0
    return values


def item_create(request: AuthedRequest, pk: int) -> HttpResponse:
    """Offer an item in the store: goods with stock, or an honour or a service."""
    store = _running(request.user, _store(request, pk)[0])
    form = ItemForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            made = store_admin.item_create(actor=request.user, store=store, **_item_values(form.cleaned_data))
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Item added: %(name)s.") % {"name": made.name})
            return redirect("points:item_detail", pk=made.pk)
    back = reverse("points:store_detail", kwargs={"pk": store.pk})
    context = {"form": form, "title": _("Add an item"), "store": store, "back_url": back}
    return render(request, "points/store_form.html", context, status=400 if form.errors else 200)


def item_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Change an item (not its stock: that is received or adjusted on its page)."""
    item = _item(request, pk)[0]
    _running(request.user, item.store)
    fields = ("name", "kind", "description", "price", "per_person_limit", "opens_on", "closes_on", "position", "active")
    form = ItemForm(_posted(request), initial={f: getattr(item, f) for f in fields}, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            store_admin.item_update(actor=request.user, item=item, **_item_values(form.cleaned_data))
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Item saved."))
            return redirect("points:item_detail", pk=item.pk)
    back = reverse("points:item_detail", kwargs={"pk": item.pk})
    context = {"form": form, "title": _("Edit the item"), "store": item.store, "item": item, "back_url": back}
    return render(request, "points/store_form.html", context, status=400 if form.errors else 200)


def _item_page(
    request: AuthedRequest,
    item: Item,
    accounts: list[Account],
    *,
    redeem: RedeemForm | None = None,
    stock: StockForm | None = None,
) -> HttpResponse:
    runs = can(request.user, "points.store", item.store.org)
    payers = _payers(item, accounts)
    if redeem is None and payers:
        redeem = RedeemForm(accounts=payers, initial={"client_key": uuid.uuid4()})
    moves: list[StockMove] = []
    if runs and item.stocked:
        moves = list(
            StockMove.objects.filter(item=item).select_related("created_by", "order").order_by("-id")[:MOVES_SHOWN]
        )
    context = {
        "item": item,
        "store": item.store,
        "open_now": store_admin.on_offer(item, today()),
        "runs": runs,
        "redeem": redeem,
        "payers": payers,
        "stock_form": stock or StockForm(),
        "moves": moves,
        "more_moves": len(moves) == MOVES_SHOWN,
    }
    bound = (redeem is not None and redeem.is_bound) or (stock is not None and stock.is_bound)
    return render(request, "points/item_detail.html", context, status=400 if bound else 200)


@require_GET
def item_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """An item: its price, stock left, limit and dates, and her 兑换 button; for staff, its
    stock with the form to receive or adjust it, and its stock movements."""
    item, accounts = _item(request, pk)
    return _item_page(request, item, accounts)


@require_POST
def item_stock(request: AuthedRequest, pk: int) -> HttpResponse:
    """Stock received or adjusted (``services.store.stock_change``)."""
    item, accounts = _item(request, pk)
    _running(request.user, item.store)
    form = StockForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            changed = services.stock_change(
                actor=request.user, item=item, delta=data["delta"], kind=data["kind"], reason=data["reason"]
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            done = _("Received: %(n)d.") if data["kind"] == StockKind.RECEIPT else _("Adjusted by %(n)d.")
            messages.success(
                request, (done % {"n": data["delta"]}) + " " + _("In stock: %(s)d.") % {"s": changed.stock}
            )
            return redirect("points:item_detail", pk=item.pk)
    return _item_page(request, item, accounts, stock=form)


def _foreseen(item: Item, account: Account, quantity: int) -> str:
    """A refusal she can be told before the confirmation (the points, the stock left), read
    without locks; the service checks everything again when she confirms."""
    if item.stock is not None and item.stock < quantity:
        return _("Sold out.") if item.stock == 0 else _("Only %(stock)d left.") % {"stock": item.stock}
    if account.balance < item.price * quantity:
        return _("This needs %(points)d points; the balance is %(balance)d.") % {
            "points": item.price * quantity,
            "balance": account.balance,
        }
    return ""


@require_POST
def item_redeem(request: AuthedRequest, pk: int) -> HttpResponse:
    """Her redemption in two steps: the item's form posts here and the confirmation is shown;
    the confirmation posts here with ``confirm`` and the order is placed (once per client key,
    however often it is sent). A refusal is said next to the button and nothing is taken."""
    item, accounts = _item(request, pk)
    payers = _payers(item, accounts)
    if not payers:
        raise PermissionDenied(_("Only a holder this store serves can redeem here; staff redeem at the counter."))
    form = RedeemForm(request.POST, accounts=payers)
    if not form.is_valid():
        return _item_page(request, item, accounts, redeem=form)
    account = form.chosen()
    quantity = form.cleaned_data["quantity"]
    if request.POST.get("confirm") != "1":
        problem = _foreseen(item, account, quantity)
        if problem:
            form.add_error("quantity", problem)
            return _item_page(request, item, accounts, redeem=form)
    else:
        try:
            order = services.order_place(
                actor=request.user,
                account=account,
                item=item,
                quantity=quantity,
                client_key=form.cleaned_data["client_key"],
                person=person_of(request.user),
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Redeemed. Show this pickup code at the store."))
            return redirect("points:order_detail", pk=order.pk)
    points = item.price * quantity
    context = {
        "item": item,
        "store": item.store,
        "form": form,
        "account": account,
        "quantity": quantity,
        "points": points,
        "after": account.balance - points,
        "expires_on": today() + datetime.timedelta(days=item.store.pickup_days),
    }
    return render(request, "points/item_confirm.html", context, status=400 if form.errors else 200)


# --- orders -----------------------------------------------------------------------------------


@require_GET
def order_mine(request: AuthedRequest) -> HttpResponse:
    """Her orders (and her household's), newest first, by status."""
    accounts = _accounts(request.user)
    form = MyOrdersFilterForm(request.GET)
    rows = Order.objects.filter(account__in=accounts).select_related("item", "store").order_by("-id")
    if form.is_valid() and form.cleaned_data["status"]:
        rows = rows.filter(status=form.cleaned_data["status"])
    context = {
        "accounts": accounts,
        "form": form,
        "page": page_of(rows, request.GET, ORDERS_PER_PAGE),
        "linked": person_of(request.user) is not None,
        "today": today(),
    }
    return render(request, "points/order_mine.html", context)


def _order_page(
    request: AuthedRequest, order: Order, *, cancel: CancelForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    runs = can(user, "points.store", order.store.org)
    mine = holds(user, order.account)
    waiting = order.status == OrderStatus.WAITING
    on = today()
    context = {
        "order": order,
        "store": order.store,
        "runs": runs,
        "mine": mine,
        "waiting": waiting,
        "days_left": (order.expires_on - on).days if waiting else None,
        "qr": qr.svg(order.pickup_code, scale=6) if waiting and mine else "",
        "cancel_form": cancel or CancelForm(reason_required=not mine),
        "can_cancel": waiting and (runs or mine),
    }
    return render(request, "points/order_detail.html", context, status=status)


@require_GET
def order_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """An order: for her, its pickup code large with a QR code of it, until when and where to
    pick it up; for staff, 核销 (hand over) and cancel."""
    return _order_page(request, _order(request, pk))


@require_POST
def order_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    """Cancel a waiting order: its points and stock return. Staff say why."""
    order = _order(request, pk)
    form = CancelForm(request.POST, reason_required=not holds(request.user, order.account))
    if form.is_valid():
        try:
            services.order_cancel(actor=request.user, order=order, reason=form.cleaned_data["reason"])
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Order cancelled: %(points)d points returned.") % {"points": order.points})
            return redirect("points:order_detail", pk=order.pk)
    order.refresh_from_db()
    return _order_page(request, order, cancel=form, status=400)


@require_POST
def order_hand_over(request: AuthedRequest, pk: int) -> HttpResponse:
    """核销: staff hand the order over. From the counter the pickup code typed comes along and
    must be the order's; the counter is shown again for the next one."""
    order = _order(request, pk)
    form = HandOverForm(request.POST)
    form.is_valid()
    code = form.cleaned_data.get("pickup_code") or None
    back = (
        reverse("points:counter", kwargs={"pk": order.store_id})
        if request.POST.get("back") == "counter"
        else reverse("points:order_detail", kwargs={"pk": order.pk})
    )
    try:
        services.order_hand_over(actor=request.user, order=order, pickup_code=code)
    except ValidationError as e:
        for message in e.messages:
            messages.error(request, message)
        return redirect(back)
    messages.success(
        request,
        _("Handed over: %(item)s × %(quantity)d to %(holder)s.")
        % {"item": order.item.name, "quantity": order.quantity, "holder": _holder_name(order)},
    )
    return redirect(back)


def _holder_name(order: Order) -> str:
    if order.person is not None:
        return order.person.name
    return str(order.account)


def _order_rows(user: AnyUser, store: Store) -> QuerySet[Order]:
    return (
        Order.objects.visible_to(user, "points.store")
        .filter(store=store)
        .select_related("item", "person", "account__person", "account__household")
    )


def store_orders(request: AuthedRequest, pk: int) -> HttpResponse:
    """A store's orders for its staff: by status, found by pickup code or holder's name."""
    store = _running(request.user, _store(request, pk)[0])
    form = OrderFilterForm(request.GET)
    rows = _order_rows(request.user, store)
    if form.is_valid():
        status, search = form.cleaned_data["status"], form.cleaned_data["search"].strip()
        if status:
            rows = rows.filter(status=status)
        if search.isdigit():
            rows = rows.filter(pickup_code=search)
        elif search:
            by_name = search_q(search, HOLDER_SEARCH) or Q()
            rows = rows.filter(by_name | Q(account__household__head_name__startswith=search))
    rows = rows.order_by("-id")
    context = {"store": store, "form": form, "page": page_of(rows, request.GET, ORDERS_PER_PAGE)}
    template = "points/_order_results.html" if wants_fragment(request) else "points/order_list.html"
    return render(request, template, context)


# --- the counter ------------------------------------------------------------------------------


def counter(request: AuthedRequest, pk: int) -> HttpResponse:
    """The counter: a pickup code typed (or scanned) finds the waiting order, to hand over."""
    store = _running(request.user, _store(request, pk)[0])
    form = PickupCodeForm(request.GET if "code" in request.GET else None)
    found: Order | None = None
    looked = False
    if form.is_bound and form.is_valid():
        looked = True
        found = services.order_by_code(actor=request.user, store=store, pickup_code=form.cleaned_data["code"])
        if found is not None:
            found = _order_rows(request.user, store).filter(pk=found.pk).first()
    context = {
        "store": store,
        "form": form,
        "found": found,
        "looked": looked,
        "today": today(),
        "handed_today": _order_rows(request.user, store)
        .filter(status=OrderStatus.HANDED_OVER, closed_at__date=today())
        .order_by("-closed_at")[:10],
    }
    if wants_fragment(request):
        # htmx swaps only a 200: a code that is not six digits is said in the result itself.
        return render(request, "points/_order_found.html", {**context, "fragment": True})
    return render(request, "points/counter.html", context, status=400 if form.errors else 200)


def _counter_items(user: AnyUser, account: Account) -> list[Item]:
    """What staff may redeem for her: the items on offer today of the stores they run that
    serve her."""
    stores = Store.objects.visible_to(user, "points.store").filter(
        org__path__in=ancestor_paths(account.org.path), active=True
    )
    on = today()
    items = list(
        Item.objects.filter(store__in=stores, active=True)
        .select_related("store__org")
        .order_by("store", "position", "id")
    )
    return [i for i in items if store_admin.on_offer(i, on)]


def _counter_account_page(
    request: AuthedRequest, account: Account, form: CounterRedeemForm | None = None
) -> HttpResponse:
    items = _counter_items(request.user, account)
    if form is None:
        form = CounterRedeemForm(items=items, initial={"client_key": uuid.uuid4()})
    context = {
        "account": account,
        "items": items,
        "form": form,
        "orders": Order.objects.visible_to(request.user, "points.store")
        .filter(account=account, status=OrderStatus.WAITING)
        .select_related("item", "store")
        .order_by("-id")[:20],
    }
    return render(request, "points/counter_account.html", context, status=400 if form.is_bound else 200)


def _counter_account(request: AuthedRequest, pk: int) -> Account:
    rows = Account.objects.select_related("org", "person", "household")
    return get_visible_or_404(rows, request.user, action="points.store", pk=pk)


@require_GET
@requires_somewhere("points.store")
def counter_account(request: AuthedRequest, pk: int) -> HttpResponse:
    """The page her QR code opens on a staff phone: her balance, her waiting orders, and the
    items of the stores they run to redeem for her."""
    return _counter_account_page(request, _counter_account(request, pk))


@require_POST
@requires_somewhere("points.store")
def counter_redeem(request: AuthedRequest, pk: int) -> HttpResponse:
    """Redeem for her at the counter (``order_place`` by staff); the order's page follows,
    to hand it over there and then."""
    account = _counter_account(request, pk)
    form = CounterRedeemForm(request.POST, items=_counter_items(request.user, account))
    if form.is_valid():
        item = form.items[form.cleaned_data["item"]]
        try:
            order = services.order_place(
                actor=request.user,
                account=account,
                item=item,
                quantity=form.cleaned_data["quantity"],
                client_key=form.cleaned_data["client_key"],
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Redeemed for her: hand it over now, or she picks it up later."))
            return redirect("points:order_detail", pk=order.pk)
    return _counter_account_page(request, account, form)


urlpatterns: list[URLPattern] = [
    path("stores/", store_list, name="store_list"),
    path("stores/new/", store_create, name="store_create"),
    path("stores/<int:pk>/", store_detail, name="store_detail"),
    path("stores/<int:pk>/edit/", store_edit, name="store_edit"),
    path("stores/<int:pk>/items/new/", item_create, name="item_create"),
    path("stores/<int:pk>/orders/", store_orders, name="store_orders"),
    path("stores/<int:pk>/counter/", counter, name="counter"),
    path("items/<int:pk>/", item_detail, name="item_detail"),
    path("items/<int:pk>/edit/", item_edit, name="item_edit"),
    path("items/<int:pk>/stock/", item_stock, name="item_stock"),
    path("items/<int:pk>/redeem/", item_redeem, name="item_redeem"),
    path("orders/mine/", order_mine, name="order_mine"),
    path("orders/<int:pk>/", order_detail, name="order_detail"),
    path("orders/<int:pk>/cancel/", order_cancel, name="order_cancel"),
    path("orders/<int:pk>/hand-over/", order_hand_over, name="order_hand_over"),
    path("counter/account/<int:pk>/", counter_account, name="counter_account"),
    path("counter/account/<int:pk>/redeem/", counter_redeem, name="counter_redeem"),
]
