"""Running a points store (积分超市): the store itself (where and when to pick up) and the items
it offers. Stock is never set here: an item's stock changes only through
``fulian.points.services.store.stock_change`` (received, adjusted) and orders, each a stock move,
so that the stock always equals the sum of its moves."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fulian.core.scoping import AnyUser, require
from fulian.orgs.choices import Level
from fulian.points.choices import ItemKind, StockKind
from fulian.points.models import NAME_MAX_LENGTH, REASON_MAX_LENGTH, Item, Store
from fulian.points.services import store as store_services

PICKUP_DAYS_MAX = 365
PRICE_MAX = 1_000_000
LIMIT_MAX = 1000
STOCK_MAX = 1_000_000
# Groups and households do not run stores: a store is a federation's (a village's or above).
STORE_LEVELS = (Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)
# Goods are counted; honours (优先推荐评优) and services (免费体检) are not.
STOCKED_KINDS = (ItemKind.GOODS,)


def _text(errors: dict[str, str], values: dict[str, Any], field: str, limit: int, *, required: bool) -> str:
    text = str(values.get(field) or "").strip()
    if required and not text:
        errors[field] = _("This field is required.")
    elif len(text) > limit:
        errors[field] = _("At most %(n)d characters.") % {"n": limit}
    return text


def _store_values(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {
        "name": _text(errors, values, "name", NAME_MAX_LENGTH, required=True),
        "address": _text(errors, values, "address", REASON_MAX_LENGTH, required=True),
        "hours": _text(errors, values, "hours", NAME_MAX_LENGTH, required=False),
        "active": bool(values.get("active", True)),
    }
    days = values.get("pickup_days")
    if not isinstance(days, int) or not 1 <= days <= PICKUP_DAYS_MAX:
        errors["pickup_days"] = _("Give between 1 and %(max)d days to pick up an order.") % {"max": PICKUP_DAYS_MAX}
    cleaned["pickup_days"] = days
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def store_create(*, actor: AnyUser, org: Any, **values: Any) -> Store:
    """Open a store at ``org`` for the holders of its subtree: its name, the address where
    orders are picked up, the opening hours and the days an order waits."""
    require(actor, "points.store", org)
    if org.level not in STORE_LEVELS:
        raise ValidationError({"org": _("A store is run by a federation: a village or above.")})
    return Store.objects.create(org=org, **_store_values(values))


@transaction.atomic
def store_update(*, actor: AnyUser, store: Store, **values: Any) -> Store:
    """Change a store's name, address, hours, days to pick up, or close it (its waiting orders
    can still be handed over or cancelled). A change of the days applies to new orders."""
    require(actor, "points.store", store.org)
    locked = Store.objects.select_for_update().get(pk=store.pk)
    for field, value in _store_values(values).items():
        setattr(locked, field, value)
    locked.save()
    return locked


def _item_values(values: dict[str, Any], *, kind: str) -> dict[str, Any]:
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {
        "name": _text(errors, values, "name", NAME_MAX_LENGTH, required=True),
        "description": _text(errors, values, "description", REASON_MAX_LENGTH, required=False),
        "active": bool(values.get("active", True)),
        "position": values.get("position") or 0,
    }
    price = values.get("price")
    if not isinstance(price, int) or price <= 0:
        errors["price"] = _("The price must be more than 0 points.")
    elif price > PRICE_MAX:
        errors["price"] = _("The price can be at most %(max)d points.") % {"max": PRICE_MAX}
    cleaned["price"] = price
    limit = values.get("per_person_limit")
    if limit is not None and (not isinstance(limit, int) or not 1 <= limit <= LIMIT_MAX):
        errors["per_person_limit"] = _("A limit per holder is between 1 and %(max)d (leave it empty for none).") % {
            "max": LIMIT_MAX
        }
    cleaned["per_person_limit"] = limit
    opens, closes = values.get("opens_on"), values.get("closes_on")
    if opens is not None and closes is not None and closes < opens:
        errors["closes_on"] = _("The last day on offer cannot be before the first.")
    cleaned["opens_on"], cleaned["closes_on"] = opens, closes
    if not isinstance(cleaned["position"], int) or not 0 <= cleaned["position"] <= 32767:
        errors["position"] = _("The position is a number from 0 to 32767.")
    if kind not in ItemKind.values:
        errors["kind"] = _("Choose goods, an honour or a service.")
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def item_create(
    *,
    actor: AnyUser,
    store: Store,
    kind: str,
    stock: int | None = None,
    **values: Any,
) -> Item:
    """Offer an item: goods with their stock counted (``stock`` is what was received, written
    as a receipt), or an honour or a service without stock."""
    require(actor, "points.store", store.org)
    cleaned = _item_values(values, kind=kind)
    if kind in STOCKED_KINDS:
        if stock is not None and (not isinstance(stock, int) or not 0 <= stock <= STOCK_MAX):
            raise ValidationError({"stock": _("The stock is a number from 0 to %(max)d.") % {"max": STOCK_MAX}})
    elif stock:
        raise ValidationError({"stock": _("Honours and services have no stock: leave it empty.")})
    item = Item.objects.create(store=store, kind=kind, stock=0 if kind in STOCKED_KINDS else None, **cleaned)
    if stock:
        item = store_services.stock_change(
            actor=actor, item=item, delta=stock, kind=StockKind.RECEIPT, reason=_("first stock")
        )
    return item


@transaction.atomic
def item_update(*, actor: AnyUser, item: Item, kind: str, **values: Any) -> Item:
    """Change what an item is, its price, limit, dates or whether it is on offer. Its stock
    changes only by receipts and adjustments; goods stay goods (their stock has moves), and an
    honour or a service stays without stock. A new price applies to new orders."""
    require(actor, "points.store", item.store.org)
    locked = Item.objects.select_for_update().select_related("store").get(pk=item.pk)
    if (kind in STOCKED_KINDS) != (locked.kind in STOCKED_KINDS):
        raise ValidationError(
            {"kind": _("Goods stay goods, and honours and services stay without stock: offer a new item instead.")}
        )
    cleaned = _item_values(values, kind=kind)
    locked.kind = kind
    for field, value in cleaned.items():
        setattr(locked, field, value)
    locked.save()
    return locked


def on_offer(item: Item, on: datetime.date) -> bool:
    """Whether the item can be redeemed on ``on`` (the store open, the item on offer and in its
    dates); stock and balance are the service's to check when an order is placed."""
    return (
        item.store.active
        and item.active
        and (item.opens_on is None or item.opens_on <= on)
        and (item.closes_on is None or on <= item.closes_on)
    )
