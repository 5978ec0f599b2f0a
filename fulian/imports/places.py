"""Finding the organisation a row names: a village by its name or code (回龙村, 回龙村委会,
回龙村村民委员会, 430223123215), with its township when two villages share a name, and a group
under it (第一村民小组, 一组, 1组, 1队: any spelling of its number). Only organisations inside the
import's target (and so inside the uploader's scope) are found; any other is "not found here",
never "out of your scope". A group the village does not have yet is one the import creates: the
preview lists them (``planned_groups``), the commit adds them with the rows (``create_groups``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _

from fulian.core.scoping import can
from fulian.imports.problems import Msg, msg
from fulian.orgs.choices import Level
from fulian.orgs.models import NAME_MAX_LENGTH, Organisation
from fulian.orgs.names import (
    DEFAULT_GROUP_STYLE,
    clean_text,
    display_name,
    group_name,
    group_number,
    group_style,
    names_close,
)
from fulian.orgs.services import groups_find_or_create


@lru_cache(maxsize=10_000)
def _key(text: Any) -> str:
    # Cached: a county's file names its few hundred villages a hundred thousand times.
    return display_name("".join(str(text or "").split()))


class _Groups:
    """A village's groups as a row looks them up: by code or name, by number (whatever the
    spelling), and the style its numbered groups are written in (a new group follows it)."""

    def __init__(self, groups: list[Organisation]) -> None:
        self.by_text: dict[str, Organisation] = {}
        self.by_number: dict[int, Organisation] = {}
        # Numbers that two groups both give (第三村民小组 and 3组 added by hand): only the code
        # or the exact name tells them apart.
        self.ambiguous: dict[int, list[str]] = {}
        styles: Counter[tuple[str, str, str]] = Counter()
        for group in groups:
            for text in (group.code, clean_text(group.name), clean_text(group.display_name)):
                self.by_text.setdefault(text, group)
            number = group_number(group.name)
            if number is None:
                continue
            other = self.by_number.setdefault(number, group)
            if other is not group:
                self.ambiguous.setdefault(number, [other.display_name]).append(group.display_name)
            style = group_style(group.name)
            if style is not None:
                styles[style] += 1
        for number in self.ambiguous:
            del self.by_number[number]
        self.style = styles.most_common(1)[0][0] if styles else DEFAULT_GROUP_STYLE


class PlaceFinder:
    """The places below ``org``, looked up by name or code; loaded once per import."""

    def __init__(self, org: Organisation, levels: set[Level], actor: Any = None) -> None:
        self.org = org
        self.actor = actor
        # The groups rows name that the village does not have yet, by (village id, name).
        self.pending: dict[tuple[int, str], Organisation] = {}
        self._indexed: dict[int, _Groups] = {}
        self._allowed: dict[int, bool] = {}
        self._resolved: dict[tuple[int, str], tuple[Organisation | None, Msg | None]] = {}
        below = Organisation.objects.filter(path__startswith=org.path)
        self.by_code: dict[str, Organisation] = {}
        self.by_id: dict[int, Organisation] = {}
        self.by_name: dict[tuple[str, str], list[Organisation]] = {}
        self.groups: dict[int, list[Organisation]] = {}
        self.townships: dict[int, Organisation] = {}
        for place in below.only("id", "code", "name", "display_name", "level", "path", "parent_id", "depth"):
            self.by_code[place.code] = place
            self.by_id[place.pk] = place
            if place.level == Level.GROUP:
                self.groups.setdefault(place.parent_id or 0, []).append(place)
            elif place.level in levels:
                self.by_name.setdefault((place.level, _key(place.display_name)), []).append(place)
                if place.name != place.display_name:
                    self.by_name.setdefault((place.level, _key(place.name)), []).append(place)
            if place.level == Level.TOWNSHIP:
                self.townships[place.pk] = place

    def find(self, level: Level, text: Any, township: Any = None) -> tuple[Organisation | None, Msg | None]:
        """The organisation of ``level`` named ``text`` (or ``org`` itself when it is that
        level and the cell is empty), with a problem when there is none or more than one."""
        raw = "".join(str(text or "").split())
        if not raw:
            if self.org.level == level:
                return self.org, None
            return None, msg("place_required", level=str(level))
        if raw.isdigit():
            found = self.by_code.get(raw)
            if found is not None and found.level == level:
                return found, None
            return None, msg("place_no_code", level=str(level), value=raw, org=self.org.display_name)
        matches = list(dict.fromkeys(self.by_name.get((level, _key(raw)), [])))
        if township and len(matches) > 1:
            wanted = _key(township)
            matches = [
                m
                for m in matches
                if any(m.path.startswith(t.path) and _key(t.display_name) == wanted for t in self.townships.values())
            ]
        if len(matches) == 1:
            return matches[0], None
        if not matches:
            return None, msg("place_no_name", level=str(level), value=raw, org=self.org.display_name)
        return None, msg("place_ambiguous", count=len(matches), value=raw, org=self.org.display_name)

    def group(self, village: Organisation, text: Any) -> tuple[Organisation | None, Msg | None]:
        """A group of ``village`` by its code, its name, or its number in any spelling (``一组``,
        ``1组``, ``第一村民小组``, ``1队``, ``１组``, also after the village's name: ``回龙村1组``);
        empty is none. A group the village does not have yet is a new group, to be created by
        the import's commit (see ``planned_groups``), when the importer may add groups there."""
        if not text:
            return None, None
        # A county's file names the same few groups of a village thousands of times.
        key = (village.pk, str(text))
        resolved = self._resolved.get(key)
        if resolved is None:
            resolved = self._resolved[key] = self._group(village, text)
        return resolved

    def _group(self, village: Organisation, text: Any) -> tuple[Organisation | None, Msg | None]:
        raw = clean_text(text)
        if not raw:
            return None, None
        for prefix in (village.display_name, village.name):
            if raw.startswith(prefix) and len(raw) > len(prefix):
                raw = raw[len(prefix) :]
                break
        existing = self._village_groups(village)
        found = existing.by_text.get(raw)
        number = group_number(raw)
        if found is None and number is not None:
            found = existing.by_number.get(number)
        if found is not None:
            return found, None
        if number is not None and number in existing.ambiguous:
            return None, msg(
                "group_ambiguous",
                village=village.display_name,
                number=number,
                names="、".join(existing.ambiguous[number]),
                value=raw,
            )
        if raw.isdigit() and len(raw) > 3:
            return None, msg("group_no_code", village=village.display_name, value=raw)
        if not self._may_add_groups(village):
            return None, msg("group_not_allowed", village=village.display_name, value=raw)
        name = raw if number is None else group_name(number, existing.style)
        if len(name) > NAME_MAX_LENGTH:
            return None, msg("group_name_too_long", value=name[:40], n=NAME_MAX_LENGTH)
        return self.new_group(village, name), None

    def new_group(self, village: Organisation, name: str) -> Organisation:
        """The group ``name`` of ``village`` that the import will create (not saved: no ``pk``),
        one object however many rows name it."""
        key = (village.pk, name)
        group = self.pending.get(key)
        if group is None:
            group = Organisation(
                name=name, display_name=name, level=Level.GROUP, parent=village, depth=village.depth + 1
            )
            self.pending[key] = group
        return group

    def _village_groups(self, village: Organisation) -> _Groups:
        groups = self._indexed.get(village.pk)
        if groups is None:
            groups = self._indexed[village.pk] = _Groups(self.groups.get(village.pk, []))
        return groups

    def _may_add_groups(self, village: Organisation) -> bool:
        # IT staff's command line (no actor) may; anyone else needs to manage the village's
        # organisations, as on the village's page.
        allowed = self._allowed.get(village.pk)
        if allowed is None:
            allowed = self._allowed[village.pk] = self.actor is None or can(self.actor, "orgs.change", village)
        return allowed

    def find_any(self, levels: list[Level], text: Any, township: Any = None) -> tuple[Organisation | None, Msg | None]:
        """The organisation named ``text`` at the first of ``levels`` that has one (a roster
        names a village, or a township or county federation for its own committee)."""
        for level in levels:
            found, message = self.find(level, text, township)
            if found is not None:
                return found, None
            if self._ambiguous(level, text):
                return None, message
        return None, msg("org_not_found", value=" ".join(str(text).split())[:40], org=self.org.display_name)

    def _ambiguous(self, level: Level, text: Any) -> bool:
        return len(set(self.by_name.get((level, _key(text)), []))) > 1


def place_key(org: Organisation) -> Any:
    """What tells places apart before the commit: the id, or for a group still to be created its
    village and name."""
    return org.pk if org.pk is not None else ("new", org.parent_id, org.name)


def _order(group: Organisation) -> tuple[int, int, str]:
    number = group_number(group.name)
    return (0, number, "") if number is not None else (1, 0, group.name)


def planned_groups(finder: PlaceFinder, placed: Iterable[tuple[Organisation, str]]) -> list[dict[str, Any]]:
    """The groups the valid rows need and the villages lack, per village: each with the rows that
    go to it, the spellings the file used for it (``三组``, ``第三村民小组`` for ``3组``), and the
    village's groups its name is close to (``河东`` beside an existing ``河东组``), for staff to
    check before importing. ``placed`` is each valid row's place and its group cell as written."""
    rows: Counter[int] = Counter()
    spellings: dict[int, set[str]] = {}
    for org, spelling in placed:
        if org.pk is None:
            rows[id(org)] += 1
            if spelling:
                spellings.setdefault(id(org), set()).add(spelling)
    by_village: dict[int, list[Organisation]] = {}
    for (village_id, _name), group in finder.pending.items():
        if rows[id(group)]:
            by_village.setdefault(village_id, []).append(group)
    plan = []
    for village_id in sorted(by_village, key=lambda pk: finder.by_id[pk].path):
        village = finder.by_id[village_id]
        new = sorted(by_village[village_id], key=_order)
        stored = [g.name for g in finder.groups.get(village_id, [])]
        township = finder.by_id.get(village.parent_id or 0)
        plan.append(
            {
                "village": village.code,
                "village_name": village.display_name,
                "township_name": township.display_name if township is not None else "",
                "groups": [
                    {
                        "name": group.name,
                        "rows": rows[id(group)],
                        "spellings": sorted(spellings.get(id(group), set()) - {group.name}),
                        # A number is a number: 3组 beside 2组 is no typo. Only other names are compared.
                        "close_to": _close(group, stored),
                        "close_to_new": _close(group, [g.name for g in new]),
                    }
                    for group in new
                ],
            }
        )
    return plan


def _close(group: Organisation, names: list[str]) -> list[str]:
    if group_number(group.name) is not None:
        return []
    return [name for name in names if name != group.name and names_close(group.name, name)]


def create_groups(finder: PlaceFinder, places: Iterable[Organisation], actor: Any) -> list[Organisation]:
    """Create the new groups among ``places`` (inside the import's transaction), in order of
    number, and make each row's place the stored group. A group added meanwhile (another import,
    someone on the village's page) is used, not added again. Returns the groups created."""
    by_village: dict[int, dict[int, Organisation]] = {}
    for org in places:
        if org.pk is None:
            by_village.setdefault(org.parent_id or 0, {})[id(org)] = org
    created = []
    for village_id in sorted(by_village, key=lambda pk: finder.by_id[pk].path):
        village = finder.by_id[village_id]
        new = sorted(by_village[village_id].values(), key=_order)
        stored = groups_find_or_create(actor=actor, village=village, names=[g.name for g in new])
        for group, (real, made) in zip(new, stored, strict=True):
            finder.pending.pop((village.pk, group.name), None)
            for field in Organisation._meta.concrete_fields:
                setattr(group, field.attname, getattr(real, field.attname))
            group._state.adding, group._state.db = False, real._state.db
            finder.by_id[group.pk] = finder.by_code[group.code] = group
            finder.groups.setdefault(village.pk, []).append(group)
            if made:
                created.append(group)
        finder._indexed.pop(village.pk, None)
    finder._resolved.clear()
    return created


def place_label(org: Organisation) -> str:
    """A row's place as the preview shows it: ``3组（new group）`` for one the commit creates."""
    if org.pk is None:
        return _("%(name)s (new group)") % {"name": org.display_name}
    return org.display_name
