from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Mode(models.TextChoices):
    """How a 执委 takes responsibility for her area (the modes Zhuzhou's federations name)."""

    NEARBY = "nearby", _("Nearby, one to one (就近包保)")
    CIRCUIT = "circuit", _("Circuit service (巡回服务)")
    STATIONED = "stationed", _("Stationed service (驻点服务)")
    JOINT = "joint", _("Joint with the grid worker (合力联动)")


class ContactMode(models.TextChoices):
    """How a 执委 was in touch: the kinds of "what she did" the grid, duties and care share."""

    VISIT = "visit", _("Home visit")
    CALL = "call", _("Phone call")
    MESSAGE = "message", _("Message (WeChat, SMS)")
    ACTIVITY = "activity", _("Activity or meeting")
    OTHER = "other", _("Other")


class RecordStatus(models.TextChoices):
    """Where a duty record (a contact) stands in its review by the level above."""

    PENDING = "pending", _("Waiting for review")
    CONFIRMED = "confirmed", pgettext_lazy("duty record", "Confirmed")
    RETURNED = "returned", pgettext_lazy("duty record", "Returned")
    # A confirmed record corrected by a later one (``Contact.supersedes``): kept, not counted.
    # (A context: campaigns' "Superseded" is a sheet voided, 已作废.)
    SUPERSEDED = "superseded", pgettext_lazy("duty record", "Superseded")


# The seven work modes a new deployment starts with (the seed's "七种工作模式"); the city
# federation renames, reorders, adds and retires them on the duties pages.
DEFAULT_WORK_MODES = (
    ("入户走访", "Home visits"),
    ("政策宣讲", "Policy outreach"),
    ("矛盾调解", "Mediation"),
    ("帮扶关爱", "Help and care"),
    ("志愿服务", "Volunteer service"),
    ("组织活动", "Organising activities"),
    ("建言献策", "Advice and proposals"),
)
