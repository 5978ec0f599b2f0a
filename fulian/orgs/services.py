"""Writes to the organisation tree: loading division codes, adding village groups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from fulian.audit.choices import Action
from fulian.audit.recorder import record
from fulian.core.pinyin import fit_keys, pinyin_keys
from fulian.core.scoping import AnyUser, require
from fulian.orgs.choices import Level
from fulian.orgs.loader import Division, LoadError, LoadProblem, Reading
from fulian.orgs.models import INITIALS_MAX_LENGTH, NAME_MAX_LENGTH, PINYIN_MAX_LENGTH, Organisation
from fulian.orgs.names import clean_text, display_name, group_number

_LEVEL_ORDER = [Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE, Level.GROUP]


@dataclass
class LoadResult:
    created: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    unchanged: int = 0


def _apply_name(org: Organisation, name: str) -> None:
    org.name = name
    org.display_name = display_name(name)
    full, initials = pinyin_keys(org.display_name)
    org.name_pinyin = fit_keys(full, PINYIN_MAX_LENGTH)
    org.name_initials = fit_keys(initials, INITIALS_MAX_LENGTH)


@transaction.atomic
def divisions_load(reading: Reading, *, source: str) -> LoadResult:
    """Create or update one organisation per division. All or nothing: any problem in the
    reading, or a parent that is neither in the file nor stored, and nothing is written.
    Loading the same file twice changes nothing; a changed name updates the organisation."""
    if reading.problems:
        raise LoadError(reading.problems)
    existing = {o.code: o for o in Organisation.objects.filter(code__in=list(reading.divisions))}
    parents_needed = {d.parent_code for d in reading.divisions.values() if d.parent_code} - set(reading.divisions)
    existing |= {o.code: o for o in Organisation.objects.filter(code__in=parents_needed)}
    missing = parents_needed - set(existing)
    if missing:
        raise LoadError(
            [
                LoadProblem(
                    source, 0, "parent", _("parent division %(code)s is neither in the file nor loaded.") % {"code": c}
                )
                for c in sorted(missing)
            ]
        )
    result = LoadResult()
    ordered: list[Division] = sorted(reading.divisions.values(), key=lambda d: (_LEVEL_ORDER.index(d.level), d.code))
    for division in ordered:
        parent = existing.get(division.parent_code) if division.parent_code else None
        org = existing.get(division.code)
        path = f"{parent.path if parent else '/'}{division.code}/"
        if org is None:
            org = Organisation(
                code=division.code, level=division.level, parent=parent, path=path, depth=path.count("/") - 1
            )
            _apply_name(org, division.name)
            org.save()
            existing[division.code] = org
            result.created.append(division.code)
            continue
        changed = False
        if org.name != division.name:
            _apply_name(org, division.name)
            result.renamed.append(division.code)
            changed = True
        if org.path != path:
            _move(org, parent, path, existing)
            result.moved.append(division.code)
            changed = True
        if changed:
            org.save()
        else:
            result.unchanged += 1
    if result.created or result.renamed or result.moved:
        record(
            Action.LOAD,
            changes={
                "source": source,
                "created": len(result.created),
                "renamed": result.renamed,
                "moved": result.moved,
            },
            object_repr=source,
        )
    return result


def _move(org: Organisation, parent: Organisation | None, path: str, loaded: dict[str, Organisation]) -> None:
    """Re-parent an organisation and rewrite the paths of its whole subtree.

    Descendants already in ``loaded`` are updated in place: the load handles them later and
    must see their new path, or it would move (and audit) each of them a second time."""
    old = org.path
    for descendant in Organisation.objects.filter(path__startswith=old).exclude(pk=org.pk):
        descendant = loaded.get(descendant.code, descendant)
        descendant.path = path + descendant.path[len(old) :]
        descendant.depth = descendant.path.count("/") - 1
        descendant.save()
    org.parent = parent
    org.path = path
    org.depth = path.count("/") - 1


@transaction.atomic
def group_create(*, actor: AnyUser, village: Organisation, name: str) -> Organisation:
    """Add a village group (村民小组) under a village; its code is the village's and a number."""
    require(actor, "orgs.change", village)
    return group_create_as_system(village=village, name=name)


def group_create_as_system(*, village: Organisation, name: str) -> Organisation:
    """``group_create`` without a permission check, for loaders run by IT staff and the demo."""
    name = _group_name_checked(village, name)
    with transaction.atomic():
        # Lock the village, not only its groups: a village without groups has nothing else
        # to lock, and two first groups would both get number 001.
        village = Organisation.objects.select_for_update().get(pk=village.pk)
        _refuse_taken(Organisation.objects.filter(parent=village), name)
        return _group_insert(village, name)


def groups_find_or_create(
    *, actor: AnyUser | None, village: Organisation, names: Sequence[str]
) -> list[tuple[Organisation, bool]]:
    """The groups of ``village`` that ``names`` name, each created if the village has none (for
    an import): any spelling of a number finds the group of that number (``3组`` finds
    ``第三村民小组``), another name its exact namesake. Looked up under the village's lock, so an
    import whose preview is stale, or two imports one after the other, never add the same group
    twice. ``actor`` None is IT staff's command line; anyone else needs ``orgs.change`` there.
    Returns each group and whether it was created (its creation is audited like any other)."""
    if actor is not None:
        require(actor, "orgs.change", village)
    checked = [_group_name_checked(village, name) for name in names]
    with transaction.atomic():
        village = Organisation.objects.select_for_update().get(pk=village.pk)
        # One read of the village's groups for all the names: a county's import adds thousands.
        siblings = list(Organisation.objects.filter(parent=village).order_by("code"))
        found = []
        for name in checked:
            number, key = group_number(name), clean_text(name)
            same = next(
                (
                    g
                    for g in siblings
                    if clean_text(g.name) == key or (number is not None and group_number(g.name) == number)
                ),
                None,
            )
            if same is None:
                same = _group_insert(village, name, after=max((int(g.code[-3:]) for g in siblings), default=0))
                siblings.append(same)
                found.append((same, True))
            else:
                found.append((same, False))
        return found


def _group_name_checked(village: Organisation, name: str) -> str:
    name = name.strip()
    if village.level != Level.VILLAGE:
        raise ValidationError({"name": [_("Groups can only be added under a village or community.")]})
    if not name:
        raise ValidationError({"name": [_("Enter the group's name, such as 第一村民小组.")]})
    _check_length(name)
    return name


def _refuse_taken(siblings: QuerySet[Organisation], name: str) -> None:
    """A village's groups differ in name and in number: 3组 and 第三村民小组 are one group to an
    import, so a village cannot have both."""
    if siblings.filter(name=name).exists():
        raise ValidationError({"name": [_("This village already has a group called %(name)s.") % {"name": name}]})
    number = group_number(name)
    if number is None:
        return
    for other in siblings.only("name"):
        if group_number(other.name) == number:
            message = _("This village already has group %(number)d, called %(name)s.")
            raise ValidationError({"name": [message % {"number": number, "name": other.name}]})


def _group_insert(village: Organisation, name: str, *, after: int | None = None) -> Organisation:
    """A new group under ``village`` (locked by the caller), numbered after its highest group
    (``after``, when the caller has just read it)."""
    if after is None:
        codes = Organisation.objects.filter(parent=village).values_list("code", flat=True)
        after = max((int(code[-3:]) for code in codes), default=0)
    number = after + 1
    if number > 999:
        raise ValidationError({"name": [_("A village can have at most 999 groups.")]})
    code = f"{village.code}{number:03d}"
    group = Organisation(
        code=code, level=Level.GROUP, parent=village, path=f"{village.path}{code}/", depth=village.depth + 1
    )
    _apply_name(group, name)
    group.save()
    return group


def _check_length(name: str) -> None:
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError({"name": [_("The name is too long (at most 100 characters).")]})


@transaction.atomic
def group_rename(*, actor: AnyUser, group: Organisation, name: str) -> Organisation:
    """Rename a village group; names of divisions come from the official codes only."""
    require(actor, "orgs.change", group)
    name = name.strip()
    if group.level != Level.GROUP:
        raise ValidationError(
            {"name": [_("Only village groups can be renamed here; division names come from the official codes.")]}
        )
    if not name:
        raise ValidationError({"name": [_("Enter the group's name, such as 第一村民小组.")]})
    _check_length(name)
    _refuse_taken(Organisation.objects.filter(parent=group.parent).exclude(pk=group.pk), name)
    _apply_name(group, name)
    group.save()
    return group
