from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class VersionStatus(models.TextChoices):
    """A scheme version is drafted, then adopted (frozen: a change is a new version)."""

    DRAFT = "draft", pgettext_lazy("scheme version", "Draft")
    ADOPTED = "adopted", pgettext_lazy("scheme version", "Adopted")


class Source(models.TextChoices):
    """What earns a rule's points."""

    DUTY = "duty", _("Confirmed duty record")
    AWARD = "award", _("Campaign award")
    VOLUNTEER = "volunteer", _("Verified volunteer hours")
    MANUAL = "manual", _("Awarded by staff")


class Earner(models.TextChoices):
    """Who a rule's points go to: the person, her household (共得共享), or both."""

    PERSON = "person", _("The person")
    HOUSEHOLD = "household", _("Her household")
    BOTH = "both", _("Both")


class HolderKind(models.TextChoices):
    PERSON = "person", _("Person")
    HOUSEHOLD = "household", _("Household")


class EntryKind(models.TextChoices):
    """What a ledger entry is. Earnings and deductions count towards the year's ranks;
    redemptions and refunds move the balance only."""

    EARN = "earn", pgettext_lazy("points entry", "Earned")
    DEDUCT = "deduct", pgettext_lazy("points entry", "Deducted")
    REVERSAL = "reversal", pgettext_lazy("points entry", "Reversal")
    REDEEM = "redeem", pgettext_lazy("points entry", "Redeemed")
    REFUND = "refund", pgettext_lazy("points entry", "Refunded")


# Entry kinds that count towards what a holder earned in a year (the ranks and honours).
EARNING_KINDS = (EntryKind.EARN, EntryKind.DEDUCT, EntryKind.REVERSAL)


class ClaimStatus(models.TextChoices):
    """A posting that waits for its second review (a manual award above the threshold, or a
    rule that needs two reviews above its threshold)."""

    PENDING = "pending", pgettext_lazy("points claim", "Waiting for a second review")
    POSTED = "posted", pgettext_lazy("points claim", "Posted")
    REFUSED = "refused", pgettext_lazy("points claim", "Refused")


class ItemKind(models.TextChoices):
    GOODS = "goods", _("Goods")
    HONOUR = "honour", _("Honour")
    SERVICE = "service", _("Service")


class OrderStatus(models.TextChoices):
    WAITING = "waiting", pgettext_lazy("points order", "Waiting for pickup")
    HANDED_OVER = "handed_over", pgettext_lazy("points order", "Handed over")
    CANCELLED = "cancelled", pgettext_lazy("points order", "Cancelled")
    EXPIRED = "expired", pgettext_lazy("points order", "Expired")


class StockKind(models.TextChoices):
    """A movement of an item's stock: received, adjusted (counted, broken), taken by an order,
    returned by a cancelled or expired order."""

    RECEIPT = "receipt", _("Received")
    ADJUST = "adjust", _("Adjusted")
    ORDER = "order", pgettext_lazy("stock", "Ordered")
    RETURN = "return", pgettext_lazy("stock", "Returned")


class HonourBasis(models.TextChoices):
    """How a 礼遇褒奖 honour is given: to the top of an organisation, or from a threshold."""

    RANK = "rank", _("Top of the organisation")
    THRESHOLD = "threshold", _("Points in the year from")
