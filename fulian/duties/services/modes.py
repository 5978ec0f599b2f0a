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
    """Add a mode at the end of the list."""
    _require(actor)
    # The list locked: two modes of one name added at once make one and a clear message.
    list(WorkMode.objects.select_for_update().values_list("pk", flat=True))
    name, name_en = _clean(name, name_en)
    last = WorkMode.objects.order_by("-position").values_list("position", flat=True).first() or 0
    return WorkMode.objects.create(name=name, name_en=name_en, position=last + 10)


@transaction.atomic
def mode_update(*, actor: AnyUser, mode: WorkMode, name: str, name_en: str = "", active: bool = True) -> WorkMode:
    """Rename a mode, or retire it (``active=False``) or bring it back. The last mode in use is
    never retired (the form would offer none)."""
    _require(actor)
    # The whole (small) list locked: two administrators retiring the last two modes at once
    # leave one in use.
    modes = {m.pk: m for m in WorkMode.objects.select_for_update().order_by("pk")}
    if mode.pk not in modes:
        raise ValidationError(_("Unknown work mode."))
    locked = modes[mode.pk]
    locked.name, locked.name_en = _clean(name, name_en, besides=locked.pk)
    if not active and locked.active and sum(m.active for m in modes.values()) == 1:
        raise ValidationError({"active": _("Keep at least one work mode in use.")})
    locked.active = active
    locked.save()
    return locked


@transaction.atomic
def modes_reorder(*, actor: AnyUser, ids: list[int]) -> None:
    """Put the modes in the order given; those left out follow them, in their old order."""
    _require(actor)
    if len(ids) != len(set(ids)):
        raise ValidationError(_("Each work mode is listed once."))
    modes = list(WorkMode.objects.select_for_update().order_by("position", "id"))
    by_pk = {m.pk: m for m in modes}
    if any(pk not in by_pk for pk in ids):
        raise ValidationError(_("Unknown work mode."))
    order = [by_pk[pk] for pk in ids] + [m for m in modes if m.pk not in set(ids)]
    for position, mode in enumerate(order, start=1):
        if mode.position != position * 10:
            mode.position = position * 10
            mode.save(update_fields=["position"])
