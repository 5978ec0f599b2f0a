from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext


class Gender(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class PoliticalStatus(models.TextChoices):
    """政治面貌, as the forms of the Organisation Department list it."""

    PARTY_MEMBER = "party", _("CPC member")
    PROBATIONARY = "probationary", _("CPC probationary member")
    LEAGUE = "league", _("Communist Youth League member")
    DEMOCRATIC = "democratic", _("Democratic party member")
    INDEPENDENT = "independent", _("Without party affiliation")
    MASSES = "masses", _("Ordinary citizen")


class Education(models.TextChoices):
    """文化程度."""

    POSTGRADUATE = "postgraduate", _("Postgraduate")
    BACHELOR = "bachelor", _("Bachelor's degree")
    COLLEGE = "college", _("Junior college")
    SECONDARY = "secondary", _("Senior high / vocational school")
    JUNIOR = "junior", _("Junior high school")
    PRIMARY = "primary", _("Primary school")
    NONE = "none", _("No schooling")


class PostKind(models.TextChoices):
    """The posts of a federation's executive committee, in order of rank."""

    CHAIR = "chair", _("Chair")
    VICE_CHAIR = "vice_chair", _("Vice-chair")
    PART_TIME_VICE_CHAIR = "part_time_vice_chair", _("Part-time vice-chair")
    MEMBER = "member", _("Executive member")


POST_RANK = {kind: rank for rank, kind in enumerate(PostKind)}


class PersonKind(models.TextChoices):
    """The filters of the people list."""

    EXECUTIVE = "executive", _("Executive members (current post)")
    BACKBONE = "backbone", _("Backbone activists")
    VOLUNTEER = "volunteer", _("Volunteers")
    REPRESENTATIVE = "representative", _("Her representatives")


def post_title(org_name: str, kind: str) -> str:
    """A post with the federation it is held at, in the order of the reader's language:
    ``新市镇主席``, ``Chair, 新市镇``."""
    return pgettext("post at a federation", "%(post)s, %(org)s") % {"post": PostKind(kind).label, "org": org_name}
