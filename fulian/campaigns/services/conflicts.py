"""Declared interests (conflicts of interest beyond those found from the registry): a 执委 has
an interest in a household (her relatives, or another reason staff note), so she is never
assigned to score it, in any campaign (``fulian.campaigns.conflicts`` reads them)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from fulian.campaigns.choices import ConflictReason
from fulian.campaigns.models import Conflict
from fulian.campaigns.services.common import author, clean_text
from fulian.core.scoping import AnyUser, require
from fulian.households.models import Household

NOTE_LIMIT = 200
# What staff may declare: her own household and those she nominated are found without a declaration.
DECLARABLE = (ConflictReason.RELATIVE, ConflictReason.OTHER)


@transaction.atomic
def conflict_declare(*, actor: AnyUser, person: Any, household: Household, reason: str, note: str = "") -> Conflict:
    """Declare that ``person`` (a 执委) has an interest in ``household``; placed at the household,
    so that its area's staff see it. Refused when it is declared already."""
    require(actor, "campaigns.screen", household.org)
    if reason not in DECLARABLE:
        raise ValidationError({"reason": _("Choose relatives or another interest.")})
    if household.archived_at is not None:
        raise ValidationError(
            {"household": _("The household of %(name)s is archived.") % {"name": household.head_name}}
        )
    conflict = Conflict(
        person=person,
        household=household,
        reason=reason,
        note=clean_text(note, NOTE_LIMIT, "note", required=reason == ConflictReason.OTHER),
        declared_by=author(actor),
    )
    conflict.place(household.org, household.ancestry)
    try:
        with transaction.atomic():
            conflict.save()
    except IntegrityError:
        raise ValidationError(
            _("An interest of %(person)s in the household of %(name)s is already declared.")
            % {"person": person.name, "name": household.head_name}
        ) from None
    return conflict


@transaction.atomic
def conflict_remove(*, actor: AnyUser, conflict: Conflict) -> None:
    """Remove a declared interest (declared by mistake, or no longer true)."""
    require(actor, "campaigns.screen", conflict.org)
    conflict.delete()
