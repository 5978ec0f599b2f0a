"""The household list import: one row per household, as villages keep them in Excel."""

from __future__ import annotations

import re
from collections import ChainMap
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fulian.core.ancestry import ancestries_of, within_q
from fulian.core.bulk import delete_quietly, insert_values
from fulian.core.personal import keyed_hash, mask_id_number, mask_mobile, mobile_tail_hash
from fulian.core.spreadsheets import Table
from fulian.core.validation import name_keys
from fulian.core.words import list_text
from fulian.households.choices import HouseholdCategory, labels_of
from fulian.households.models import Household, HouseholdMember
from fulian.households.services import household_update, household_values_clean
from fulian.households.signals import announce
from fulian.imports.engine import (
    Blocker,
    Change,
    Context,
    ImportKind,
    RowKey,
    RowProblems,
    Update,
    changed_since,
    match_stored_records,
    referred_changes,
    referred_elsewhere,
    referred_q,
    register,
)
from fulian.imports.places import PlaceFinder, place_key, place_label
from fulian.imports.problems import Msg, cell_text, msg
from fulian.orgs.choices import Level
from fulian.orgs.names import clean_text

COLUMNS = {
    "township": ["乡镇", "乡镇（街道）", "乡镇街道", "乡镇/街道", "街道", "所属乡镇"],
    "village": ["村（社区）", "村", "村社区", "村/社区", "村名", "所属村", "村委会", "社区", "所在村"],
    "group": ["村民小组", "组", "小组", "所属小组", "组别"],
    "head_name": ["户主姓名", "户主", "户主名字", "姓名", "名字"],
    "id_number": ["户主身份证号", "户主身份证号码", "身份证号", "身份证号码", "公民身份号码", "身份证"],
    "mobile": ["联系电话", "手机", "手机号", "手机号码", "电话", "联系方式"],
    "address": ["住址", "地址", "家庭住址", "详细地址"],
    "members_count": ["家庭人口", "人口数", "家庭人数", "人数", "户人口数", "家庭人口数"],
    "categories": ["户类别", "类别", "户类型", "家庭类别", "户属性"],
    "notes": ["备注"],
}
# The names officials write for each category (a cell may hold several: 脱贫户、低保户).
CATEGORY_NAMES = {
    "脱贫户": HouseholdCategory.LIFTED_OUT_OF_POVERTY,
    "脱贫": HouseholdCategory.LIFTED_OUT_OF_POVERTY,
    "低保户": HouseholdCategory.SUBSISTENCE_ALLOWANCE,
    "低保": HouseholdCategory.SUBSISTENCE_ALLOWANCE,
    "特困户": HouseholdCategory.EXTREME_HARDSHIP,
    "特困": HouseholdCategory.EXTREME_HARDSHIP,
    "五保户": HouseholdCategory.EXTREME_HARDSHIP,
    "困难家庭": HouseholdCategory.HARDSHIP,
    "困难户": HouseholdCategory.HARDSHIP,
    "军属": HouseholdCategory.MILITARY,
    "军属户": HouseholdCategory.MILITARY,
    "军人家庭": HouseholdCategory.MILITARY,
    "三留户": HouseholdCategory.LEFT_BEHIND,
    "留守户": HouseholdCategory.LEFT_BEHIND,
    "残疾人家庭": HouseholdCategory.DISABILITY,
    "残疾户": HouseholdCategory.DISABILITY,
    "单亲家庭": HouseholdCategory.SINGLE_PARENT,
    "单亲": HouseholdCategory.SINGLE_PARENT,
}
KNOWN_CATEGORIES = "脱贫户、低保户、特困户、困难家庭、军属、三留户、残疾人家庭、单亲家庭"
SEPARATORS = re.compile(r"[、，,;；/\s]+")


def parse_categories(text: Any, problems: RowProblems) -> int:
    flags = 0
    for token in SEPARATORS.split(str(text or "").strip()):
        if not token:
            continue
        flag = CATEGORY_NAMES.get(token)
        if flag is None:
            problems.add(
                "categories", msg("category_unknown", value=cell_text("categories", token), known=KNOWN_CATEGORIES)
            )
        else:
            flags |= flag
    return flags


def parse_count(value: Any, problems: RowProblems) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, int | float) and float(value).is_integer():
        return int(value)
    match = re.fullmatch(r"(\d+)\s*人?", str(value).strip())
    if match:
        return int(match.group(1))
    problems.add("members_count", msg("members_not_number", value=cell_text("members_count", value)))
    return None


def _prepare(context: Context, table: Table) -> None:
    context.cache["places"] = PlaceFinder(context.org, {Level.TOWNSHIP, Level.VILLAGE}, actor=context.actor)
    context.cache["today"] = timezone.localdate()


def _clean_row(context: Context, values: dict[str, Any], problems: RowProblems) -> Any:
    places: PlaceFinder = context.cache["places"]
    village, message = places.find(Level.VILLAGE, values.get("village"), values.get("township"))
    place = village
    if village is None:
        problems.add("village", message or msg("place_required", level="village"))
    else:
        group, message = places.group(village, values.get("group"))
        if message is not None:
            problems.add("group", message)
        place = group or village
    count = parse_count(values.get("members_count"), problems)
    flags = parse_categories(values.get("categories"), problems)
    raw = {
        "head_name": values.get("head_name"),
        "id_number": values.get("id_number") or "",
        "mobile": str(values.get("mobile") or ""),
        "address": str(values.get("address") or "")[:200],
        "members_count": count,
        "categories": flags,
        "notes": str(values.get("notes") or ""),
    }
    try:
        clean = household_values_clean(raw, today=context.cache["today"])
    except ValidationError as e:
        problems.add_validation(e, values)
        return None
    if problems or place is None:
        return None
    # A plain dict of column values, not a model object: a county's file has 100,000 rows.
    household = {
        "org": place,
        "head_name": clean["head_name"],
        "search_keys": name_keys(clean["head_name"]),
        "id_number": clean["id_number"] or None,
        "id_hash": keyed_hash(clean["id_number"]) if clean["id_number"] else None,
        "mobile": clean["mobile"] or None,
        "mobile_hash": keyed_hash(clean["mobile"]) if clean["mobile"] else None,
        "mobile_tail_hash": mobile_tail_hash(clean["mobile"]) if clean["mobile"] else None,
        "address": clean["address"],
        # An empty cell: the size follows the member list (none yet: the head alone).
        "members_count": clean["members_count"] or 1,
        "members_count_manual": clean["members_count"] is not None,
        "categories": clean["categories"],
        "notes": clean["notes"],
    }
    if not values.get("group"):  # a re-imported row naming only the village keeps a stored group
        household["no_group_given"] = True
    if place.pk is None:  # a group the commit creates: the preview lists how the rows wrote it
        household["group_as_written"] = clean_text(values.get("group"))
    return household


def _place_of(h: dict[str, Any]) -> tuple[Any, str]:
    return h["org"], h.get("group_as_written", "")


def _duplicate_keys(household: dict[str, Any]) -> list[tuple[Any, ...]]:
    if household["id_hash"]:
        return [("id_number", household["id_hash"])]
    return [("head_name", place_key(household["org"]), household["head_name"], household["mobile_hash"])]


def _check_stored(context: Context, rows: list[tuple[int, Any]]) -> dict[int, list[tuple[str, Msg | str]]]:
    found: dict[int, list[tuple[str, Msg | str]]] = {}
    # The ID number a problem names, masked (the household stored may be outside the uploader's
    # area: the problem names no more than the row itself).
    ids = {h["id_hash"]: cell_text("id_number", h["id_number"]) for _n, h in rows if h["id_hash"]}
    # A row matching a household this import may update is an update, not a duplicate.
    matched = context.cache.get("matched", {})
    by_hash = {h["id_hash"]: number for number, h in rows if h["id_hash"] and number not in matched}
    hashes = list(by_hash)
    for start in range(0, len(hashes), 1000):
        for id_hash, archived_at in Household.objects.filter(id_hash__in=hashes[start : start + 1000]).values_list(
            "id_hash", "archived_at"
        ):
            code = "household_registered" if archived_at is None else "household_archived"
            found[by_hash[id_hash]] = [("id_number", msg(code, value=ids[id_hash]))]
    # A group the commit creates has no households yet.
    without = [(n, h) for n, h in rows if not h["id_hash"] and h["org"].pk is not None and n not in matched]
    orgs = {h["org"].pk for _n, h in without}
    if orgs:
        stored = set(
            Household.objects.filter(org_id__in=orgs, id_hash__isnull=True).values_list(
                "org_id", "head_name", "mobile_hash"
            )
        )
        for number, h in without:
            if (h["org"].pk, h["head_name"], h["mobile_hash"]) in stored:
                problem = msg("household_same_name", value=h["head_name"], org=h["org"].display_name)
                found[number] = [("head_name", problem)]
    return found


def _match_stored(context: Context, rows: list[tuple[int, Any]]) -> dict[int, Any]:
    """The households rows match by the head's ID number (or, without one, by the head's name and
    phone in the same place: the key that makes it a duplicate) that this import may update:
    current, inside the import's target, and in the uploader's scope for changing households."""
    found: dict[int, Household] = {}
    if context.actor is None:  # the command line: every match stays a duplicate, as before
        return found
    scope = Household.objects.visible_to(context.actor, "households.change").filter(within_q(context.org))
    keys = (RowKey(number, h["id_hash"], h["org"].pk, h["head_name"], h["mobile_hash"]) for number, h in rows)
    found.update(match_stored_records(scope, keys, name_field="head_name"))
    return found


# The fields a re-imported row may change, by the names the preview gives them.
CHANGE_LABELS = {
    "head_name": gettext_lazy("Head of household"),
    "mobile": gettext_lazy("Phone"),
    "address": gettext_lazy("Address"),
    "members_count": gettext_lazy("Number of people"),
    "categories": gettext_lazy("Categories"),
    "notes": gettext_lazy("Notes"),
    "org": gettext_lazy("Village or group"),
}


def _change_label(name: str) -> str:
    return str(CHANGE_LABELS.get(name, name))


def _categories(flags: int) -> str:
    return list_text(labels_of(flags, HouseholdCategory))


def _diff(context: Context, h: dict[str, Any], stored: Household, problems: RowProblems) -> list[Change]:
    """What a row changes in its stored household. An empty cell keeps the stored value (an
    empty 家庭人口 keeps the stored size, by hand or following the members); a categories cell
    replaces the stored categories; a village named without a group keeps a stored group there."""
    changes = []
    if h["head_name"] != stored.head_name:
        changes.append(Change("head_name", _change_label("head_name"), stored.head_name, h["head_name"]))
    if h["mobile_hash"] and h["mobile_hash"] != stored.mobile_hash:
        changes.append(Change("mobile", _change_label("mobile"), stored.mobile_masked or "", mask_mobile(h["mobile"])))
    if h["address"] and h["address"] != stored.address:
        changes.append(Change("address", _change_label("address"), stored.address, h["address"]))
    if h["members_count_manual"] and h["members_count"] != stored.members_count:
        old, new = str(stored.members_count), str(h["members_count"])
        changes.append(Change("members_count", _change_label("members_count"), old, new))
    if h["categories"] and h["categories"] != stored.categories:
        old, new = _categories(stored.categories), _categories(h["categories"])
        changes.append(Change("categories", _change_label("categories"), old, new))
    if h["notes"] and h["notes"] != stored.notes:
        changes.append(Change("notes", _change_label("notes"), stored.notes, h["notes"]))
    place, old_place = h["org"], stored.org
    if place.pk != old_place.pk:
        in_group_there = old_place.level == Level.GROUP and old_place.parent_id == place.pk
        if not (in_group_there and h.get("no_group_given")):
            changes.append(Change("org", _change_label("org"), place_label(old_place), place_label(place)))
    return changes


def _update(context: Context, updates: list[Update]) -> int:
    """Write each row's changes through the service (checked, audited one by one; a household
    that moves takes its members along)."""
    for update in updates:
        h, household = update.record, update.stored
        fields = {change.field for change in update.changes}
        values = {name: h[name] for name in fields if name != "org"}
        household_update(
            actor=context.actor, household=household, values=values, org=h["org"] if "org" in fields else None
        )
    return len(updates)


def _write(context: Context, households: list[dict[str, Any]]) -> int:
    ancestry = ancestries_of({h["org"].pk: h["org"] for h in households}.values())
    placed = {
        org_id: {
            "org_id": org_id,
            "import_batch": context.batch_id,
            **{f"{level}_id": pk for level, pk in levels.items()},
        }
        for org_id, levels in ancestry.items()
    }
    numbers: list[int | None] = list(context.row_numbers) or [None] * len(households)
    for h, number in zip(households, numbers, strict=True):
        h["import_row"] = number
        h.pop("no_group_given", None)
    # A view of each record with its place's columns, not a copy: the records are most of the memory.
    rows = [ChainMap(h, placed[h["org"].pk]) for h in households]
    insert_values(Household, rows)
    announce(levels["village"] for levels in ancestry.values())
    return len(rows)


def _undo_blockers(batch: Any, limit: int) -> list[Blocker]:
    """The households this upload added that changed since (edited, archived, erased, given
    members, or named since by another app's records: a responsible 执委, a contact): undoing
    would lose that work."""
    since = batch.finished_at
    elsewhere = referred_elsewhere(Household)
    rows = (
        Household.objects.filter(import_batch=batch.pk)
        .annotate(
            has_members=Exists(HouseholdMember.objects.filter(household=OuterRef("pk"))),
            **{name: exists for name, (exists, _label) in elsewhere.items()},
        )
        .filter(Q(updated_at__gt=since) | Q(has_members=True) | referred_q(elsewhere))
        .order_by(F("import_row").asc(nulls_last=True), "id")
        .values_list("import_row", "head_name", "updated_at", "archived_at", "erased_at", "has_members", *elsewhere)
    )
    blockers = []
    for row, name, updated, archived, erased, has_members, *flags in rows[:limit]:
        changes = changed_since(since, updated=updated, archived=archived, erased=erased)
        if has_members:
            changes.append(_("members added since"))
        changes.extend(referred_changes(elsewhere, flags))
        blockers.append(Blocker(row=row, name=name or str(gettext_lazy("(erased)")), changes=tuple(changes)))
    return blockers


def _undo_delete(batch: Any) -> int:
    """Delete the households this upload created (none has members: that would have blocked)."""
    added = Household.objects.filter(import_batch=batch.pk)
    villages = set(added.values_list("village_id", flat=True).distinct())
    removed = delete_quietly(added)
    announce(villages)
    return removed


def _pack(h: dict[str, Any]) -> dict[str, Any]:
    return {**h, "org": place_key(h["org"])}


def _unpack(context: Context, h: dict[str, Any]) -> dict[str, Any]:
    places: PlaceFinder = context.cache["places"]
    if isinstance(h["org"], tuple):  # ("new", village id, name): a group the commit creates
        _new, village_id, name = h["org"]
        h["org"] = places.new_group(places.by_id[village_id], name)
    else:
        h["org"] = places.by_id[h["org"]]
    return h


def _describe(h: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (_("Village or group"), place_label(h["org"])),
        (_("Head of household"), h["head_name"]),
        (_("Head's ID number"), mask_id_number(h["id_number"]) if h["id_number"] else ""),
        (_("Phone"), mask_mobile(h["mobile"]) if h["mobile"] else ""),
        (_("Address"), h["address"]),
        (_("Number of people"), str(h["members_count"]) if h["members_count_manual"] else ""),
        (_("Categories"), list_text(labels_of(h["categories"], HouseholdCategory))),
    ]


HOUSEHOLDS = ImportKind(
    name="households",
    label=lambda: str(gettext_lazy("Household list")),
    name_field="head_name",
    columns=COLUMNS,
    required=["head_name"],
    template_headers={
        "township": "乡镇（街道）",
        "village": "村（社区）",
        "group": "村民小组",
        "head_name": "户主姓名",
        "id_number": "户主身份证号",
        "mobile": "联系电话",
        "address": "住址",
        "members_count": "家庭人口",
        "categories": "户类别",
        "notes": "备注",
    },
    template_example=[
        "新市镇",
        "回龙村",
        "第一村民小组",
        "周建国",
        "",
        "13807330000",
        "回龙村1组12号",
        4,
        "脱贫户、三留户",
        "",
    ],
    text_columns=["id_number", "mobile"],
    change_action="households.change",
    prepare=_prepare,
    clean_row=_clean_row,
    duplicate_keys=_duplicate_keys,
    check_stored=_check_stored,
    write_records=_write,
    describe=_describe,
    pack=_pack,
    unpack=_unpack,
    undo_blockers=_undo_blockers,
    undo_delete=_undo_delete,
    place_of=_place_of,
    match_stored=_match_stored,
    diff=_diff,
    update_records=_update,
    change_label=_change_label,
    columns_required_unless=lambda org: [] if org.level in (Level.VILLAGE, Level.GROUP) else ["village"],
)
register(HOUSEHOLDS)
