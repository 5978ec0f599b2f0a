"""Categories are bit flags: a household or member may be in several, and a filter on one is
a bitwise AND that works alike on SQLite and PostgreSQL without a join."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class HouseholdCategory(models.IntegerChoices):
    LIFTED_OUT_OF_POVERTY = 1, _("Lifted out of poverty (脱贫户)")
    SUBSISTENCE_ALLOWANCE = 2, _("Subsistence allowance (低保户)")
    EXTREME_HARDSHIP = 4, _("Extreme hardship support (特困户)")
    HARDSHIP = 8, _("Family in hardship (困难家庭)")
    MILITARY = 16, _("Military family (军属)")
    LEFT_BEHIND = 32, _("Left-behind household (三留户)")
    DISABILITY = 64, _("Family with a disabled member (残疾人家庭)")
    SINGLE_PARENT = 128, _("Single-parent family (单亲家庭)")


class MemberCategory(models.IntegerChoices):
    LEFT_BEHIND_CHILD = 1, _("Left-behind child (留守儿童)")
    LEFT_BEHIND_ELDERLY = 2, _("Left-behind elderly (留守老人)")
    LEFT_BEHIND_WOMAN = 4, _("Left-behind woman (留守妇女)")
    CHILD_IN_DIFFICULTY = 8, _("Child in difficulty (困境儿童)")
    DISABLED = 16, _("Person with a disability (残疾人)")


class Relation(models.TextChoices):
    """Relation to the head of the household (与户主关系)."""

    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    CHILD_IN_LAW = "child_in_law", _("Son- or daughter-in-law")
    PARENT = "parent", _("Parent")
    PARENT_IN_LAW = "parent_in_law", _("Parent-in-law")
    GRANDCHILD = "grandchild", _("Grandchild")
    GRANDPARENT = "grandparent", _("Grandparent")
    SIBLING = "sibling", _("Sibling")
    OTHER = "other", _("Other")


def flags_of(value: int, choices: type[models.IntegerChoices]) -> list[models.IntegerChoices]:
    """The categories set in ``value``, in declared order."""
    return [c for c in choices if value & c.value]


def labels_of(value: int, choices: type[models.IntegerChoices]) -> list[str]:
    return [str(c.label) for c in flags_of(value, choices)]
