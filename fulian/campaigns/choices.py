from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignKind(models.TextChoices):
    COURTYARD = "courtyard", _("Most beautiful courtyard (最美庭院)")
    FAMILY = "family", _("Most beautiful family (最美家庭)")
    CIVILISED = "civilised", _("Civilised family (文明家庭)")
    OTHER = "other", _("Other")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Being set up")
    OPEN = "open", _("Under way")
    CLOSED = "closed", _("Closed")


class ItemKind(models.TextChoices):
    POINTS = "points", _("Points")
    DEDUCTION = "deduction", _("Deduction per fault")
    VETO = "veto", _("Veto (一票否决)")


class StageStatus(models.TextChoices):
    PENDING = "pending", _("Not reached yet")
    SCORING = "scoring", _("Scoring")
    RANKED = "ranked", _("Ranked")
    PUBLICITY = "publicity", _("In publicity (公示)")
    DONE = "done", _("Done")


class NominationSource(models.TextChoices):
    PUBLIC = "public", _("Nominated by the public (群众举荐)")
    SELF = "self", _("Self-nominated (自荐)")
    FEDERATION = "federation", _("Nominated by the federation (妇联推荐)")


class NominationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be screened")
    ACCEPTED = "accepted", _("Accepted")
    MERGED = "merged", _("Merged as a duplicate")
    REJECTED = "rejected", _("Rejected")


class EntryStatus(models.TextChoices):
    ACTIVE = "active", _("In the running")
    OUT = "out", _("Not promoted")
    DISQUALIFIED = "disqualified", _("Disqualified (veto)")
    REMOVED = "removed", _("Removed")
    WINNER = "winner", _("Awarded")


class Decision(models.TextChoices):
    """A reviewer's adjustment of the ranking, with a reason."""

    AUTO = "auto", _("By rank and quota")
    INCLUDE = "include", _("Promoted by the reviewer")
    EXCLUDE = "exclude", _("Held back by the reviewer")


class Outcome(models.TextChoices):
    PENDING = "pending", _("Not decided yet")
    PROMOTED = "promoted", _("Promoted")
    NOT_PROMOTED = "not_promoted", _("Not promoted")
    DISQUALIFIED = "disqualified", _("Disqualified (veto)")
    REMOVED = "removed", _("Removed after an objection")
    AWARDED = "awarded", _("Awarded")


class SheetStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    SUPERSEDED = "superseded", _("Superseded")


class FlagKind(models.TextChoices):
    BIAS = "bias", _("A rater far from her co-raters")
    AGREEMENT = "agreement", _("Low agreement among raters")
    PHOTO = "photo", _("The same photo for two households")


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    INVESTIGATING = "investigating", _("Being investigated")
    UPHELD = "upheld", _("Upheld: removed from the list")
    DISMISSED = "dismissed", _("Dismissed")


class ConflictReason(models.TextChoices):
    OWN = "own", _("Her own household")
    RELATIVE = "relative", _("A household of her relatives")
    NOMINATOR = "nominator", _("She nominated it")
    OTHER = "other", _("Other declared interest")
