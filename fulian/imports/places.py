"""Finding the organisation a row names: a village by its name or code (回龙村, 回龙村委会,
回龙村村民委员会, 430223123215), with its township when two villages share a name, and a group
under it (第一村民小组, 一组, 1组). Only organisations inside the import's target (and so inside
the uploader's scope) are found; any other is "not found here", never "out of your scope"."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _

from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation
from fulian.orgs.names import display_name

CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def _group_number(text: str) -> int | None:
    """``第一村民小组`` / ``一组`` / ``1组`` / ``十二组`` → 1, 1, 1, 12."""
    match = re.fullmatch(r"第?([0-9]+|[一二三四五六七八九十]+)(村民小组|小组|组)?", text)
    if not match:
        return None
    token = match.group(1)
    if token.isdigit():
        return int(token)
    if token.startswith("十"):
        return 10 + CN_DIGITS.get(token[1:], 0) if len(token) > 1 else 10
    if len(token) == 3 and token[1] == "十":
        return CN_DIGITS[token[0]] * 10 + CN_DIGITS[token[2]]
    if len(token) == 2 and token[1] == "十":
        return CN_DIGITS[token[0]] * 10
    return CN_DIGITS.get(token) if len(token) == 1 else None


@lru_cache(maxsize=10_000)
def _key(text: Any) -> str:
    # Cached: a county's file names its few hundred villages a hundred thousand times.
    return display_name("".join(str(text or "").split()))


class PlaceFinder:
    """The places below ``org``, looked up by name or code; loaded once per import."""

    def __init__(self, org: Organisation, levels: set[Level]) -> None:
        self.org = org
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

    def find(self, level: Level, text: Any, township: Any = None) -> tuple[Organisation | None, str]:
        """The organisation of ``level`` named ``text`` (or ``org`` itself when it is that
        level and the cell is empty), with a message when there is none or more than one."""
        raw = "".join(str(text or "").split())
        if not raw:
            if self.org.level == level:
                return self.org, ""
            return None, _("Enter the %(level)s.") % {"level": Level(level).label}
        if raw.isdigit():
            found = self.by_code.get(raw)
            if found is not None and found.level == level:
                return found, ""
            return None, _("No %(level)s with code %(code)s in %(org)s.") % {
                "level": Level(level).label,
                "code": raw,
                "org": self.org,
            }
        matches = list(dict.fromkeys(self.by_name.get((level, _key(raw)), [])))
        if township and len(matches) > 1:
            wanted = _key(township)
            matches = [
                m
                for m in matches
                if any(m.path.startswith(t.path) and _key(t.display_name) == wanted for t in self.townships.values())
            ]
        if len(matches) == 1:
            return matches[0], ""
        if not matches:
            return None, _("No %(level)s named %(name)s in %(org)s.") % {
                "level": Level(level).label,
                "name": raw,
                "org": self.org,
            }
        return None, _("%(count)d places named %(name)s in %(org)s: add a township column, or give the code.") % {
            "count": len(matches),
            "name": raw,
            "org": self.org,
        }

    def group(self, village: Organisation, text: Any) -> tuple[Organisation | None, str]:
        """A group of ``village`` by name (第一村民小组) or number (一组, 1组); empty is none."""
        raw = "".join(str(text or "").split())
        if not raw:
            return None, ""
        groups = self.groups.get(village.pk, [])
        for group in groups:
            if raw in (group.code, group.display_name, group.name):
                return group, ""
        number = _group_number(raw)
        if number is not None:
            for group in groups:
                if _group_number(group.display_name) == number:
                    return group, ""
        return None, _("%(village)s has no group %(name)s: add it on the village's page, or leave the cell empty.") % {
            "village": village.display_name,
            "name": raw,
        }

    def find_any(self, levels: list[Level], text: Any, township: Any = None) -> tuple[Organisation | None, str]:
        """The organisation named ``text`` at the first of ``levels`` that has one (a roster
        names a village, or a township or county federation for its own committee)."""
        for level in levels:
            found, message = self.find(level, text, township)
            if found is not None:
                return found, ""
            if self._ambiguous(level, text):
                return None, message
        return None, _("No organisation named %(name)s in %(org)s.") % {"name": text, "org": self.org}

    def _ambiguous(self, level: Level, text: Any) -> bool:
        return len(set(self.by_name.get((level, _key(text)), []))) > 1
