"""Forms of the points store pages: a store and its items (staff), stock received or adjusted,
the redemption a holder confirms on her phone, the counter's pickup code, an order's cancel
reason, and the orders list's filters. The services check everything again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fulian.core.forms import Form
from fulian.core.scoping import AnyUser
from fulian.orgs.forms import OrgChoiceField
from fulian.points.choices import HolderKind, ItemKind, OrderStatus, StockKind
from fulian.points.models import NAME_MAX_LENGTH, REASON_MAX_LENGTH, Account, Item
from fulian.points.services.store import QUANTITY_MAX
from fulian.points.services.store_admin import LIMIT_MAX, PICKUP_DAYS_MAX, PRICE_MAX, STOCK_MAX

PICKUP_CODE_LENGTH = 6
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StoreForm(Form):
    """A store's name, where and when orders are picked up, and how long an order waits."""

    name = forms.CharField(
        label=_("Store name"),
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": _("such as 新市镇积分超市")}),
    )
    address = forms.CharField(
        label=_("Where to pick up"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": _("such as 新市镇妇联办公室（镇政府一楼）")}),
    )
    hours = forms.CharField(
        label=_("Opening hours"),
        max_length=NAME_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("such as 工作日 8:30–17:30")}),
    )
    pickup_days = forms.IntegerField(
        label=_("Days to pick up an order"),
        min_value=1,
        max_value=PICKUP_DAYS_MAX,
        initial=14,
        help_text=_("An order not picked up in time expires: its points and stock return."),
    )
    active = forms.BooleanField(label=_("Open for redemptions"), required=False, initial=True)

    def __init__(self, *args: Any, user: AnyUser | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user is not None:  # a new store: the federation that runs it
            self.fields = {
                "org": OrgChoiceField(user=user, action="points.store", label=_("Run by")),
                **self.fields,
            }


class ItemForm(Form):
    """What a store offers: goods (counted), an honour or a service (not counted)."""

    name = forms.CharField(
        label=_("Item name"),
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": _("such as 洗衣液、优先推荐评优、免费体检")}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=ItemKind.choices,
        help_text=_("Goods have a stock; honours and services have none."),
    )
    description = forms.CharField(label=_("Description"), max_length=REASON_MAX_LENGTH, required=False)
    price = forms.IntegerField(label=_("Price in points"), min_value=1, max_value=PRICE_MAX)
    stock = forms.IntegerField(
        label=_("Stock received now"),
        min_value=0,
        max_value=STOCK_MAX,
        required=False,
        help_text=_("Goods only. Later receipts and adjustments are made on the item's page."),
    )
    per_person_limit = forms.IntegerField(
        label=_("At most per holder"),
        min_value=1,
        max_value=LIMIT_MAX,
        required=False,
        help_text=_("Leave empty for no limit. Orders cancelled or expired do not count."),
    )
    opens_on = forms.DateField(label=_("On offer from"), required=False, widget=DATE)
    closes_on = forms.DateField(label=_("On offer until"), required=False, widget=DATE)
    position = forms.IntegerField(
        label=_("Position in the list"), min_value=0, max_value=32767, initial=0, required=False
    )
    active = forms.BooleanField(label=_("On offer"), required=False, initial=True)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:  # stock changes only by receipts and adjustments
            del self.fields["stock"]


class StockForm(Form):
    """Stock received (a positive number) or adjusted (either sign, with a reason)."""

    kind = forms.ChoiceField(
        label=_("What happened"),
        choices=[(StockKind.RECEIPT, _("Received")), (StockKind.ADJUST, _("Adjusted (counted, broken, lost)"))],
        widget=forms.RadioSelect,
        initial=StockKind.RECEIPT,
    )
    delta = forms.IntegerField(
        label=_("How many"),
        min_value=-STOCK_MAX,
        max_value=STOCK_MAX,
        help_text=_("An adjustment that takes stock away is negative, such as -2."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX_LENGTH, required=False)


class RedeemForm(Form):
    """A holder's redemption: which of her accounts pays, how many; ``client_key`` is made
    when the form is drawn, so a double tap or a resend places one order."""

    account = forms.TypedChoiceField(label=_("Pay from"), coerce=int, widget=forms.RadioSelect)
    quantity = forms.IntegerField(
        label=pgettext_lazy("store", "Quantity"),
        min_value=1,
        max_value=QUANTITY_MAX,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    client_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, accounts: list[Account], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.accounts = {a.pk: a for a in accounts}
        field: Any = self.fields["account"]
        field.choices = [(a.pk, account_label(a)) for a in accounts]
        if accounts and "account" not in self.initial:
            self.initial["account"] = accounts[0].pk

    def chosen(self) -> Account:
        return self.accounts[self.cleaned_data["account"]]


def account_label(account: Account) -> str:
    """'My points (35)' or "My household's points, shared (120)"."""
    if account.kind == HolderKind.PERSON:
        return str(_("My points (balance %(n)d)") % {"n": account.balance})
    return str(_("My household's points, shared (balance %(n)d)") % {"n": account.balance})


class CounterRedeemForm(Form):
    """Staff redeem an item for the holder in front of them (her QR code opened the page)."""

    item = forms.TypedChoiceField(label=pgettext_lazy("points store", "Item"), coerce=int)
    quantity = forms.IntegerField(
        label=pgettext_lazy("store", "Quantity"),
        min_value=1,
        max_value=QUANTITY_MAX,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    client_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, items: list[Item], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = {i.pk: i for i in items}
        field: Any = self.fields["item"]
        field.choices = [(i.pk, i.name) for i in items]


class PickupCodeForm(Form):
    """The pickup code typed at the counter, or typed by a USB scanner (which ends with Enter)."""

    code = forms.CharField(
        label=_("Pickup code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "autofocus": True, "placeholder": "123456"}
        ),
    )

    def clean_code(self) -> str:
        # A scanner may add spaces; people type the code as they read it: keep only the digits.
        code = "".join(ch for ch in self.cleaned_data["code"] if ch.isdigit())
        if len(code) != PICKUP_CODE_LENGTH:
            raise forms.ValidationError(_("A pickup code has 6 digits."))
        return code


class HandOverForm(Form):
    """核销: the pickup code confirms it is the order in hand (absent on the order's own page)."""

    pickup_code = forms.CharField(max_length=20, required=False, widget=forms.HiddenInput)


class CancelForm(Form):
    """Why an order is cancelled (staff must say; a holder may)."""

    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX_LENGTH, required=False)

    def __init__(self, *args: Any, reason_required: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required


class OrderFilterForm(Form):
    """The filters of a store's orders: status, and a pickup code or holder's name."""

    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All")), *list(OrderStatus.choices)], required=False)
    search = forms.CharField(label=_("Pickup code or name"), max_length=50, required=False)


class MyOrdersFilterForm(Form):
    """A holder's own orders, by status."""

    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All")), *list(OrderStatus.choices)], required=False)
