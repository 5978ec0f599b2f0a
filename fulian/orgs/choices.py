from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """Administrative level of a federation organisation, top to bottom."""

    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    TOWNSHIP = "township", _("Township")
    VILLAGE = "village", _("Village")
    GROUP = "group", _("Village group")


# The level a division code of a given length denotes (统计用区划代码: 2+2+2+3+3 digits).
# Village groups have no official code; theirs is the village code and a 3-digit number.
LEVEL_BY_CODE_LENGTH = {
    2: Level.PROVINCE,
    4: Level.CITY,
    6: Level.COUNTY,
    9: Level.TOWNSHIP,
    12: Level.VILLAGE,
    15: Level.GROUP,
}
