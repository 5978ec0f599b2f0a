"""The work modes (工作模式) duty records are filed under: a list the city federation keeps.
Renamed, reordered, added and retired (a retired mode stays on its records and is no longer
offered); never deleted, so no record loses its mode."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fulian.core.scoping import AnyUser, grants_for
from fulian.grid.models import WorkMode

NAME_MAX_LENGTH = 30


def may_configure(user: AnyUser) -> bool:
    """The list is the city's: an administrator whose role reaches the top of the tree."""
    return any(grant.is_root for grant in grants_for(user, "duties.configure"))


def _require(user: AnyUser) -> None:
    if not may_configure(user):
        raise PermissionDenied(_("The work modes are kept by the city federation's administrators."))


def _clean(name: str, name_en: str, *, besides: int | None = None) -> tuple[str, str]:
    name = " ".join(name.split())
    name_en = " ".join(name_en.split())
    if not name:
        raise ValidationError({"name": _("This field is required.")})
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError({"name": _("At most %(n)d characters.") % {"n": NAME_MAX_LENGTH}})
    if len(name_en) > 60:
        raise ValidationError({"name_en": _("At most %(n)d characters.") % {"n": 60}})
    if WorkMode.objects.filter(name=name).exclude(pk=besides or 0).exists():
        raise ValidationError({"name": _("There is already a work mode of this name.")})
    return name, name_en


@transaction.atomic
def mode_create(*, actor: AnyUser, name: str, name_en: str = "") -> WorkMode:
    _require(actor)
    name, name_en = _clean(name, name_en)
    last = WorkMode.objects.order_by("-position").values_list("position", flat=True).first() or 0
    return WorkMode.objects.create(name=name, name_en=name_en, position=last + 10)


@transaction.atomic
def mode_update(*, actor: AnyUser, mode: WorkMode, name: str, name_en: str = "", active: bool = True) -> WorkMode:
    """Rename a mode, or retire it (``active=False``) or bring it back."""
    _require(actor)
    locked = WorkMode.objects.select_for_update().get(pk=mode.pk)
    locked.name, locked.name_en = _clean(name, name_en, besides=locked.pk)
    if not active and locked.active and WorkMode.objects.filter(active=True).count() == 1:
        raise ValidationError({"active": _("Keep at least one work mode in use.")})
    locked.active = active
    locked.save()
    return locked


@transaction.atomic
def modes_reorder(*, actor: AnyUser, ids: list[int]) -> None:
    """Put the modes in the order given (those left out keep their place after them)."""
    _require(actor)
    modes = WorkMode.objects.select_for_update().in_bulk(ids)
    if len(modes) != len(set(ids)):
        raise ValidationError(_("Unknown work mode."))
    for position, pk in enumerate(ids, start=1):
        mode = modes[pk]
        mode.position = position * 10
        mode.save(update_fields=["position"])
