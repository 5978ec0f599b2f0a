"""Reading one row of the assignment import: who (her post at her federation), what (an area or
a household), how and when, and the rules of her level and her post's dates as problems naming
the cells. Nothing here writes."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from fulian.core.personal import keyed_hash, normalise_mobile
from fulian.core.scoping import can
from fulian.core.spreadsheets import Table, to_date
from fulian.grid import services
from fulian.grid.choices import Mode
from fulian.grid.models import NOTE_MAX_LENGTH, PARTNER_MAX_LENGTH
from fulian.households.models import Household
from fulian.imports.engine import Context, RowProblems
from fulian.imports.places import PlaceFinder
from fulian.imports.problems import ASSIGN_RULES, Msg, cell_text, msg
from fulian.imports.problems import text as text_problem
from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation
from fulian.orgs.names import clean_text, display_name
from fulian.people.models import Post

COLUMNS = {
    "member_org": ["执委所在组织", "执委所在妇联", "执委所属组织", "所在组织", "所属妇联", "妇联组织"],
    "member_name": ["执委姓名", "执委", "包保执委", "包保人", "包干执委", "姓名"],
    "member_id_number": ["执委身份证号", "执委身份证号码", "身份证号", "身份证号码"],
    "member_mobile": ["执委手机", "执委手机号", "执委电话", "执委联系电话", "手机", "手机号", "联系电话"],
    "target": ["包保对象", "包干对象", "包保区域", "包保村组", "责任区域"],
    "head_name": ["户主姓名", "户主"],
    "head_id_number": ["户主身份证号", "户主身份证号码"],
    "head_mobile": ["户主电话", "户主手机", "户主手机号", "户主联系电话"],
    "mode": ["包保方式", "包干方式", "包保模式", "方式"],
    "partner": ["合力联动网格员", "联动网格员", "网格员"],
    "start_date": ["开始日期", "起始日期", "开始时间", "包保开始日期"],
    "end_date": ["结束日期", "截止日期", "结束时间", "包保结束日期"],
    "note": ["备注"],
}
# The mode as officials write it (the Chinese names), or its English name or value.
MODES: dict[str, str] = {
    "就近包保": Mode.NEARBY,
    "就近": Mode.NEARBY,
    "巡回服务": Mode.CIRCUIT,
    "巡回": Mode.CIRCUIT,
    "驻点服务": Mode.STATIONED,
    "驻点": Mode.STATIONED,
    "合力联动": Mode.JOINT,
    "联动": Mode.JOINT,
    "nearby": Mode.NEARBY,
    "circuit": Mode.CIRCUIT,
    "circuitservice": Mode.CIRCUIT,
    "stationed": Mode.STATIONED,
    "stationedservice": Mode.STATIONED,
    "joint": Mode.JOINT,
}
KNOWN_MODES = "就近包保、巡回服务、驻点服务、合力联动"
# A target cell that says the row is for a household, named in the head's columns.
HOUSEHOLD_WORDS = frozenset({"户", "农户", "家庭", "住户", "户主"})
# The levels a 执委's federation, or an area she takes, may be.
MEMBER_LEVELS = [Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY, Level.CITY]
TARGET_LEVELS = [Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE]


@dataclass
class Entry:
    """One row: who (her post), what (an organisation or a household), how, and when."""

    post: Post
    target: Organisation | Household
    mode: str
    start_date: datetime.date
    end_date: datetime.date | None
    partner: str
    note: str
    # The column a problem with the target names: the target cell, or the head's name.
    target_field: str = "target"

    @property
    def target_key(self) -> tuple[str, int]:
        return ("household" if isinstance(self.target, Household) else "org", self.target.pk)

    @property
    def place(self) -> Organisation:
        return self.target.org if isinstance(self.target, Household) else self.target


class _Finder(PlaceFinder):
    """Places below the import's organisation; an assignment import never adds a group."""

    def _may_add_groups(self, village: Organisation) -> bool:
        return False


def _key(text: Any) -> str:
    return display_name("".join(str(text or "").split()))


def _cell(value: Any) -> str:
    """A cell as text: a number typed into a text column (a phone) without Excel's ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def prepare(context: Context, table: Table) -> None:
    """Once per file: the places below the import's organisation; posts and households are
    looked up per federation and per village as rows name them."""
    context.cache["places"] = _Finder(context.org, {*MEMBER_LEVELS, *TARGET_LEVELS})
    context.cache["today"] = timezone.localdate()
    context.cache["posts"] = {}
    context.cache["households"] = {}


def _date(value: Any, field_name: str, problems: RowProblems) -> datetime.date | None:
    if value in (None, ""):
        return None
    try:
        return to_date(value)
    except ValueError:
        problems.add(field_name, msg("date_invalid", value=cell_text(field_name, value)))
        return None


def _member_org(context: Context, values: dict[str, Any], problems: RowProblems) -> Organisation | None:
    """Her federation: the cell's township or village (county, city) inside the import's
    organisation, or that organisation itself when the cell is empty."""
    text = values.get("member_org")
    if not text:
        if context.org.level == Level.GROUP:
            problems.add("member_org", msg("place_required", level=str(Level.VILLAGE)))
            return None
        return context.org
    found, message = context.cache["places"].find_any(MEMBER_LEVELS, text)
    if message is not None:
        problems.add("member_org", message)
    return found


def _posts_at(context: Context, org: Organisation) -> list[Post]:
    posts: dict[int, list[Post]] = context.cache["posts"]
    if org.pk not in posts:
        posts[org.pk] = list(
            Post.objects.filter(org_id=org.pk, person__erased_at__isnull=True)
            .select_related("person", "org")
            .order_by("id")
        )
    return posts[org.pk]


def _find_post(context: Context, org: Organisation, values: dict[str, Any], problems: RowProblems) -> Post | None:
    """Her post at ``org``: she is named, and told apart from namesakes by her ID number or
    mobile number (a name alone does when she is the only one of that name there). Her current
    post, or her last one when all have ended (the period check then says so)."""
    name = clean_text(values.get("member_name"))
    if not name:
        problems.add("member_name", msg("name_required"))
        return None
    named = [p for p in _posts_at(context, org) if p.person.name == name]
    id_number = _cell(values.get("member_id_number")).replace(" ", "").upper()
    mobile = normalise_mobile(_cell(values.get("member_mobile")))
    chosen = named
    if id_number:
        chosen = [p for p in chosen if p.person.id_hash == keyed_hash(id_number)]
    if mobile:
        chosen = [p for p in chosen if p.person.mobile_hash == keyed_hash(mobile)]
    people = {p.person_id for p in chosen}
    if not people:
        code = "assign_member_other_key" if named else "assign_member_unknown"
        problems.add("member_name", msg(code, value=name, org=org.display_name))
        return None
    if len(people) > 1:
        # A namesake whose post there has ended is no longer one of its 执委: the name is hers.
        today = context.cache["today"]
        current = [p for p in chosen if p.end_date is None or p.end_date >= today]
        if len({p.person_id for p in current}) == 1:
            chosen, people = current, {current[0].person_id}
    if len(people) > 1:
        problems.add("member_name", msg("assign_member_ambiguous", count=len(people), value=name, org=org.display_name))
        return None
    return max(chosen, key=lambda p: (p.end_date is None, p.end_date or p.start_date, p.start_date, p.pk))


def _find_place(context: Context, text: str, home: Organisation | None) -> tuple[Organisation | None, Msg | None]:
    """The area a target cell names, inside the import's organisation: a county, township or
    village by name or code, or a group of her village (by its name or number, 1组, 第一村民小组).
    Namesakes are told apart by her federation (a township 执委's villages are in her township)."""
    places: _Finder = context.cache["places"]
    raw = "".join(text.split())
    where = context.org.display_name
    if raw.isdigit():
        found = places.by_code.get(raw)
        if found is not None and found.level in (*TARGET_LEVELS, Level.GROUP):
            return found, None
        return None, msg("org_not_found", value=raw, org=where)
    matches: list[Organisation] = []
    for level in TARGET_LEVELS:
        matches.extend(places.by_name.get((level, _key(raw)), []))
    matches = list(dict.fromkeys(matches))
    if len(matches) > 1 and home is not None:
        mine = [m for m in matches if m.path.startswith(home.path)]
        matches = mine or matches
    if len(matches) == 1:
        return matches[0], None
    if matches:
        return None, msg("assign_target_ambiguous", count=len(matches), value=raw, org=where)
    if home is not None and home.level == Level.VILLAGE:
        group, _message = places.group(home, raw)
        if group is not None and group.pk is not None:
            return group, None
    return None, msg("org_not_found", value=raw, org=where)


def _households_of(context: Context, place: Organisation) -> list[Household]:
    """The current households of a village (looked up once per village) or of a group."""
    village_id = int((place.parent_id if place.level == Level.GROUP else place.pk) or 0)
    cached: dict[int, list[Household]] = context.cache["households"]
    if village_id not in cached:
        cached[village_id] = list(
            Household.objects.filter(village_id=village_id, archived_at__isnull=True, erased_at__isnull=True)
            .select_related("org")
            .order_by("id")
        )
    found = cached[village_id]
    return [h for h in found if h.group_id == place.pk] if place.level == Level.GROUP else found


def _find_household(
    context: Context,
    values: dict[str, Any],
    place: Organisation | None,
    home: Organisation | None,
    problems: RowProblems,
) -> Household | None:
    """The household a row names by its head (with the head's ID number or phone to tell
    namesakes apart), in the village or group the target cell names, or else in her village."""
    name = clean_text(values.get("head_name"))
    if place is None:
        if home is None:
            return None
        if home.level != Level.VILLAGE:
            # Only a village 执委 takes households: the rule of her level, as the service says it.
            problems.add("head_name", msg("assign_household_elsewhere", household=name, org=home.display_name))
            return None
        place = home
    if place.level not in (Level.VILLAGE, Level.GROUP):
        problems.add("target", msg("assign_household_unknown", value=name, org=place.display_name))
        return None
    named = [h for h in _households_of(context, place) if h.head_name == name]
    id_number = _cell(values.get("head_id_number")).replace(" ", "").upper()
    mobile = normalise_mobile(_cell(values.get("head_mobile")))
    chosen = named
    if id_number:
        chosen = [h for h in chosen if h.id_hash == keyed_hash(id_number)]
    if mobile:
        chosen = [h for h in chosen if h.mobile_hash == keyed_hash(mobile)]
    if not chosen:
        code = "assign_household_other_key" if named else "assign_household_unknown"
        problems.add("head_name", msg(code, value=name, org=place.display_name))
        return None
    if len(chosen) > 1:
        problems.add(
            "head_name", msg("assign_household_ambiguous", count=len(chosen), value=name, org=place.display_name)
        )
        return None
    return chosen[0]


def _target(
    context: Context, values: dict[str, Any], home: Organisation | None, problems: RowProblems
) -> tuple[Organisation | Household | None, str]:
    """The row's target and the column that names it; ``home`` is her federation (its groups,
    households and the places in it are what a short name means)."""
    text = clean_text(values.get("target"))
    head = clean_text(values.get("head_name"))
    if text in HOUSEHOLD_WORDS and not head:
        problems.add("head_name", msg("assign_head_required"))
        return None, "head_name"
    if not text and not head:
        problems.add("target", msg("assign_target_required"))
        return None, "target"
    place = None
    if text and text not in HOUSEHOLD_WORDS:
        place, message = _find_place(context, text, home)
        if message is not None:
            problems.add("target", message)
            return None, "target"
    if not head:
        return place, "target"
    return _find_household(context, values, place, home, problems), "head_name"


def _mode(values: dict[str, Any], problems: RowProblems) -> str:
    text = "".join(str(values.get("mode") or "").split())
    if not text:
        problems.add("mode", msg("assign_mode_required", known=KNOWN_MODES))
        return ""
    mode = MODES.get(text) or MODES.get(text.lower())
    if mode is None:
        # Its English label as the pages show it ("Circuit service (巡回服务)") is accepted too.
        labels = {"".join(str(label).split()).lower(): value for value, label in Mode.choices}
        mode = labels.get(text.lower())
    if mode is None:
        problems.add("mode", msg("choice_unknown", value=cell_text("mode", text), known=KNOWN_MODES))
        return ""
    return mode


def _text(values: dict[str, Any], field_name: str, limit: int, problems: RowProblems) -> str:
    value = _cell(values.get(field_name))
    if len(value) > limit:
        problems.add(field_name, msg("assign_too_long", value=cell_text(field_name, value), n=limit))
    return value


def _rule_problems(context: Context, entry: Entry, problems: RowProblems) -> None:
    """The rules ``assignment_create`` checks on one assignment, as problems naming the cells:
    the uploader's reach, the rules of her level (``services.target_check``), her post's dates."""
    post, target = entry.post, entry.target
    actor = context.actor
    if actor is not None and not can(actor, "grid.assign", post.org):
        # Out of the uploader's reach reads as not found, as everywhere else.
        problems.add("member_org", msg("org_not_found", value=post.org.display_name, org=context.org.display_name))
        return
    if actor is not None and not can(actor, "grid.assign", entry.place):
        problems.add(entry.target_field, msg("org_not_found", value=_target_name(target), org=context.org.display_name))
        return
    try:
        services.target_check(post, target)
    except ValidationError as error:
        problems.add(entry.target_field, _level_problem(post, target, error))
    if post.end_date is not None and (entry.end_date is None or entry.end_date > post.end_date):
        problems.add("member_name", msg("assign_post_ended", person=post.person.name, date=post.end_date))
    if entry.start_date < post.start_date:
        problems.add("start_date", msg("assign_before_post", date=post.start_date))
    if entry.end_date is not None and entry.end_date < entry.start_date:
        problems.add("end_date", msg("assign_end_before_start"))


def _target_name(target: Organisation | Household) -> str:
    return target.head_name if isinstance(target, Household) else target.display_name


def target_params(target: Organisation | Household) -> dict[str, str]:
    """How a message names the target: an area by its name; a household by its head, put into
    words in the reader's language ("household of 周建国")."""
    if isinstance(target, Household):
        return {"household": target.head_name}
    return {"target": target.display_name}


def _level_problem(post: Post, target: Organisation | Household, error: ValidationError) -> Msg:
    """``target_check``'s refusal as a problem with the same message, kept as a code."""
    home = post.org
    if error.code == "target_archived":
        return msg("assign_target_archived", **target_params(target))
    if isinstance(target, Household):
        return msg("assign_household_elsewhere", household=target.head_name, org=home.display_name)
    if home.level not in ASSIGN_RULES:  # a federation whose 执委 take no areas: the service's words as they are
        return text_problem(error.messages[0])
    return msg("assign_target_level", target=target.display_name, org=home.display_name, rule=home.level)


def clean_row(context: Context, values: dict[str, Any], problems: RowProblems) -> Entry | None:
    """One row as an :class:`Entry`, or None with its problems (each naming its cell)."""
    org = _member_org(context, values, problems)
    post = _find_post(context, org, values, problems) if org is not None else None
    target, target_field = _target(context, values, org, problems)
    mode = _mode(values, problems)
    start = _date(values.get("start_date"), "start_date", problems) or context.cache["today"]
    end = _date(values.get("end_date"), "end_date", problems)
    partner = _text(values, "partner", PARTNER_MAX_LENGTH, problems)
    if mode == Mode.JOINT and not partner:
        problems.add("partner", msg("assign_partner_required"))
    note = _text(values, "note", NOTE_MAX_LENGTH, problems)
    if problems or post is None or target is None:
        return None
    entry = Entry(
        post=post,
        target=target,
        mode=mode,
        start_date=start,
        end_date=end,
        partner=partner,
        note=note,
        target_field=target_field,
    )
    _rule_problems(context, entry, problems)
    return None if problems else entry
