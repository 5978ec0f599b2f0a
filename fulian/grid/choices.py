from django.db import models
from django.utils.translation import gettext_lazy as _


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
