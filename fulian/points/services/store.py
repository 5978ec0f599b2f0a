"""The points store (积分超市): items and their stock, and orders from placing to pickup.

Placing an order takes the points (a redemption entry) and reserves the stock (a stock move) in
one transaction, under the locks of the account and then the item (``ledger``'s order), so that
no number of simultaneous redemptions overspends a balance or oversells an item. A cancelled or
expired order gives both back; a handed-over one is final.
"""

from __future__ import annotations

import datetime
import secrets
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from fulian.core.scoping import AnyUser, can, require
from fulian.grid.coverage import today
from fulian.points.choices import EntryKind, OrderStatus, StockKind
from fulian.points.models import Account, Item, Order, StockMove, Store
from fulian.points.services import ledger
from fulian.points.services.holders import holds
from fulian.points.services.ledger import Posting, refuse_when_busy

QUANTITY_MAX = 20
# A count of goods received or adjusted at once; more is a typing mistake (and would
# overflow the column).
STOCK_DELTA_MAX = 100_000
LIVE_STATUSES = (OrderStatus.WAITING, OrderStatus.HANDED_OVER)


def _moved(
    item: Item,
    delta: int,
    kind: str,
    *,
    actor: Any = None,
    reason: str = "",
    order: Order | None = None,
    field: str = "quantity",
) -> None:
    """Change a locked item's stock by ``delta`` and write the move (nothing for a stockless item)."""
    if item.stock is None:
        return
    if item.stock + delta < 0:
        raise ValidationError({field: _("Only %(stock)d left in stock.") % {"stock": item.stock}})
    item.stock += delta
    Item.objects.filter(pk=item.pk).update(stock=item.stock)
    StockMove.objects.create(
        item=item, kind=kind, delta=delta, stock_after=item.stock, reason=reason, order=order, created_by=_author(actor)
    )


def _author(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


@refuse_when_busy
@transaction.atomic
def stock_change(*, actor: AnyUser, item: Item, delta: int, kind: str, reason: str) -> Item:
    """Receive stock (a positive number) or adjust it (either sign, with a reason)."""
    require(actor, "points.store", item.store.org)
    if item.stock is None:
        raise ValidationError({"delta": _("This item has no stock to count.")})
    if kind not in (StockKind.RECEIPT, StockKind.ADJUST):
        raise ValidationError({"kind": _("Stock is received or adjusted here.")})
    if abs(delta) > STOCK_DELTA_MAX:
        raise ValidationError({"delta": _("At most %(max)d at a time.") % {"max": STOCK_DELTA_MAX}})
    if kind == StockKind.RECEIPT and delta <= 0:
        raise ValidationError({"delta": _("Enter how many were received (more than 0).")})
    if kind == StockKind.ADJUST and delta == 0:
        raise ValidationError({"delta": _("Enter by how many the stock changes (more or fewer than 0).")})
    if kind == StockKind.ADJUST and not reason.strip():
        raise ValidationError({"reason": _("Say why the stock is adjusted, and by how many.")})
    locked = Item.objects.select_for_update().get(pk=item.pk)
    _moved(locked, delta, kind, actor=actor, reason=reason.strip(), field="delta")
    return locked


def _pickup_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def _open(item: Item, on: datetime.date) -> str | None:
    """Why the item cannot be redeemed today, or None."""
    if not item.store.active:
        return _("This store is closed.")
    if not item.active:
        return _("This item is no longer on offer.")
    if item.opens_on is not None and on < item.opens_on:
        return _("This item is on offer from %(day)s.") % {"day": item.opens_on.isoformat()}
    if item.closes_on is not None and on > item.closes_on:
        return _("This item was on offer until %(day)s.") % {"day": item.closes_on.isoformat()}
    return None


@refuse_when_busy
def order_place(
    *,
    actor: AnyUser,
    account: Account,
    item: Item,
    quantity: int = 1,
    client_key: uuid.UUID | None = None,
    person: Any = None,
) -> Order:
    """Redeem ``quantity`` of ``item`` from ``account``: by its holder on her phone, or by store
    staff at the counter. The same ``client_key`` returns the order already placed (a
    double tap, a resend after a dropped connection)."""
    store = item.store
    at_counter = can(actor, "points.store", store.org)
    if not at_counter and not holds(actor, account):
        raise PermissionDenied(_("You can only redeem your own points."))
    if not account.org.path.startswith(store.org.path):  # type: ignore[attr-defined]
        raise ValidationError({"item": _("This store serves another area.")})
    if not 1 <= quantity <= QUANTITY_MAX:
        raise ValidationError({"quantity": _("Redeem between 1 and %(max)d at a time.") % {"max": QUANTITY_MAX}})
    with transaction.atomic():
        locked_account = ledger.lock(account)
        if client_key is not None:
            done = Order.objects.filter(account=account, client_key=client_key).first()
            if done is not None:
                return done
        # ``of=("self",)``: a join would lock the store's row too, and every redemption in the
        # store would wait for every other one.
        locked = Item.objects.select_for_update(of=("self",)).select_related("store").get(pk=item.pk)
        closed = _open(locked, today())
        if closed:
            raise ValidationError({"item": closed})
        if locked.per_person_limit is not None:
            had = (
                Order.objects.filter(item=locked, account=account, status__in=LIVE_STATUSES).aggregate(
                    n=Sum("quantity")
                )["n"]
                or 0
            )
            if had + quantity > locked.per_person_limit:
                raise ValidationError(
                    {
                        "quantity": _("At most %(limit)d per holder; %(had)d already redeemed.")
                        % {"limit": locked.per_person_limit, "had": had}
                    }
                )
        if locked.stock is not None and locked.stock < quantity:
            raise ValidationError(
                {
                    "quantity": _("Sold out.")
                    if locked.stock == 0
                    else _("Only %(stock)d left.") % {"stock": locked.stock}
                }
            )
        points = locked.price * quantity
        if locked_account.balance < points:
            raise ValidationError(
                {
                    "quantity": _("This needs %(points)d points; the balance is %(balance)d.")
                    % {"points": points, "balance": locked_account.balance}
                }
            )
        order = Order(
            store=store,
            item=locked,
            account=account,
            person=person if person is not None else account.person,
            quantity=quantity,
            points=points,
            expires_on=today() + datetime.timedelta(days=store.pickup_days),
            client_key=client_key,
            created_by=_author(actor),
        )
        order.place_beside(account)
        for _attempt in range(5):
            order.pickup_code = _pickup_code()
            try:
                with transaction.atomic():
                    order.save()
                break
            except IntegrityError:
                order.pk = None
        else:  # pragma: no cover - a million codes per store
            raise ValidationError(_("Could not find a free pickup code: try again."))
        ledger.post(
            locked_account,
            -points,
            Posting(
                kind=EntryKind.REDEEM,
                reason=_("Redeemed: %(item)s × %(quantity)d") % {"item": locked.name, "quantity": quantity},
                occurred_on=today(),
                key=f"order:{order.pk}",
                order=order,
                created_by=_author(actor),
            ),
            locked=True,
        )
        _moved(locked, -quantity, StockKind.ORDER, actor=actor, order=order)
        return order


def _locked_order(order: Order) -> tuple[Account, Item, Order]:
    account = ledger.lock(order.account)
    item = Item.objects.select_for_update(of=("self",)).select_related("store__org").get(pk=order.item_id)
    return account, item, Order.objects.select_for_update().get(pk=order.pk)


@refuse_when_busy
def order_hand_over(*, actor: AnyUser, order: Order, pickup_code: str | None = None) -> Order:
    """Staff hand a waiting order over (the holder shows its pickup code)."""
    require(actor, "points.store", order.store.org)
    with transaction.atomic():
        _account, _item, locked = _locked_order(order)
        if locked.status != OrderStatus.WAITING:
            raise ValidationError(
                _("This order is %(status)s: nothing was changed.") % {"status": locked.get_status_display()}
            )
        if pickup_code is not None and pickup_code.strip() != locked.pickup_code:
            raise ValidationError({"pickup_code": _("This is not the order's pickup code.")})
        locked.status = OrderStatus.HANDED_OVER
        locked.closed_by = _author(actor)
        locked.closed_at = timezone.now()
        locked.save()
        return locked


def _give_back(locked_account: Account, item: Item, order: Order, status: str, *, actor: Any, reason: str) -> Order:
    if order.status != OrderStatus.WAITING:
        raise ValidationError(
            _("This order is %(status)s: nothing was changed.") % {"status": order.get_status_display()}
        )
    order.status = status
    order.closed_by = _author(actor)
    order.closed_at = timezone.now()
    order.close_reason = reason[:200]
    order.save()
    ledger.post(
        locked_account,
        order.points,
        Posting(
            kind=EntryKind.REFUND,
            reason=(_("Order cancelled: %(item)s") if status == OrderStatus.CANCELLED else _("Order expired: %(item)s"))
            % {"item": item.name},
            occurred_on=today(),
            key=f"order:{order.pk}:refund",
            order=order,
            created_by=_author(actor),
        ),
        locked=True,
    )
    _moved(item, order.quantity, StockKind.RETURN, actor=actor, order=order, reason=reason)
    return order


@refuse_when_busy
def order_cancel(*, actor: AnyUser, order: Order, reason: str = "") -> Order:
    """Cancel a waiting order (its holder, or store staff): the points and the stock return."""
    if not can(actor, "points.store", order.store.org) and not holds(actor, order.account):
        raise PermissionDenied(_("You can only cancel your own orders."))
    with transaction.atomic():
        account, item, locked = _locked_order(order)
        return _give_back(account, item, locked, OrderStatus.CANCELLED, actor=actor, reason=reason.strip())


def orders_expire(*, on: datetime.date | None = None) -> int:
    """Expire the waiting orders not picked up in time (run daily): points and stock return."""
    on = on or today()
    expired = 0
    for order in Order.objects.filter(status=OrderStatus.WAITING, expires_on__lt=on).only(
        "pk", "account_id", "item_id"
    ):
        with transaction.atomic():
            account, item, locked = _locked_order(order)
            if locked.status == OrderStatus.WAITING:
                _give_back(account, item, locked, OrderStatus.EXPIRED, actor=None, reason=_("not picked up in time"))
                expired += 1
    return expired


def order_by_code(*, actor: AnyUser, store: Store, pickup_code: str) -> Order | None:
    """The waiting order of a store with this pickup code, for staff at the counter."""
    require(actor, "points.store", store.org)
    return Order.objects.filter(store=store, status=OrderStatus.WAITING, pickup_code=pickup_code.strip()).first()
