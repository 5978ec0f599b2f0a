"""The roster import: 执委 花名册, backbone activists and volunteers, one person per row."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, F, Field, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fulian.core.ancestry import ancestries_of, within_q
from fulian.core.bulk import delete_quietly, insert_many
from fulian.core.spreadsheets import Table, to_date
from fulian.core.validation import name_keys
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
from fulian.orgs.models import Organisation
from fulian.orgs.names import clean_text
from fulian.people.choices import Education, Gender, PoliticalStatus, PostKind, post_title
from fulian.people.models import Person, Post, Term
from fulian.people.services import PERSON_FIELDS, person_update, person_values_clean

COLUMNS = {
    "township": ["乡镇", "乡镇（街道）", "乡镇街道", "乡镇/街道", "街道", "所属乡镇"],
    "org": ["村（社区）", "村", "村社区", "村/社区", "所属村", "所在村", "所属组织", "组织", "妇联组织", "单位名称"],
    "group": ["村民小组", "组", "小组"],
    "name": ["姓名", "名字"],
    "gender": ["性别"],
    "birth_date": ["出生日期", "出生年月", "生日", "出生年月日"],
    "id_number": ["身份证号", "身份证号码", "公民身份号码", "身份证"],
    "mobile": ["手机", "手机号", "手机号码", "联系电话", "电话", "联系方式"],
    "ethnicity": ["民族"],
    "political_status": ["政治面貌"],
    "education": ["文化程度", "学历"],
    "occupation": ["工作单位", "职业", "工作单位及职务", "工作单位/职业", "现工作单位"],
    "address": ["住址", "家庭住址", "地址"],
    "skills": ["特长", "技能", "标签", "特长/标签", "个人特长"],
    "post": ["职务", "妇联职务", "职位", "身份"],
    "representative": ["她代表", "是否她代表"],
    "start_date": ["任职时间", "任职日期", "任职起始时间", "入选时间"],
    "volunteer_since": ["志愿者注册日期", "注册日期", "注册时间"],
    "notes": ["备注"],
}
POSTS = {
    "主席": PostKind.CHAIR,
    "妇联主席": PostKind.CHAIR,
    "副主席": PostKind.VICE_CHAIR,
    "专职副主席": PostKind.VICE_CHAIR,
    "兼职副主席": PostKind.PART_TIME_VICE_CHAIR,
    "执委": PostKind.MEMBER,
    "委员": PostKind.MEMBER,
    "妇联执委": PostKind.MEMBER,
}
BACKBONE = {"骨干", "妇女骨干"}
VOLUNTEER = {"志愿者", "巾帼志愿者"}
GENDERS = {"女": Gender.FEMALE, "男": Gender.MALE, "F": Gender.FEMALE, "M": Gender.MALE}
POLITICAL = {
    "中共党员": PoliticalStatus.PARTY_MEMBER,
    "党员": PoliticalStatus.PARTY_MEMBER,
    "中共预备党员": PoliticalStatus.PROBATIONARY,
    "预备党员": PoliticalStatus.PROBATIONARY,
    "共青团员": PoliticalStatus.LEAGUE,
    "团员": PoliticalStatus.LEAGUE,
    "民主党派": PoliticalStatus.DEMOCRATIC,
    "无党派人士": PoliticalStatus.INDEPENDENT,
    "无党派": PoliticalStatus.INDEPENDENT,
    "群众": PoliticalStatus.MASSES,
}
EDUCATION = {
    "研究生": Education.POSTGRADUATE,
    "硕士": Education.POSTGRADUATE,
    "博士": Education.POSTGRADUATE,
    "本科": Education.BACHELOR,
    "大学本科": Education.BACHELOR,
    "大学": Education.BACHELOR,
    "大专": Education.COLLEGE,
    "专科": Education.COLLEGE,
    "高中": Education.SECONDARY,
    "中专": Education.SECONDARY,
    "高中/中专": Education.SECONDARY,
    "职高": Education.SECONDARY,
    "中技": Education.SECONDARY,
    "初中": Education.JUNIOR,
    "小学": Education.PRIMARY,
    "文盲": Education.NONE,
    "未上学": Education.NONE,
}
YES = {"是", "√", "✓", "Y", "y", "1", "yes", "Yes", "TRUE", "True", "true"}


@dataclass
class Entry:
    """One row of the roster: the person, and the post she is given (if any)."""

    person: Person
    post: PostKind | None
    post_org: Organisation
    representative: bool
    start_date: datetime.date
    # The group cell as written, when it names a group the commit creates (for the preview).
    group_as_written: str = ""
    # Which place cells the row filled in, and whether it gave a volunteer date itself: a
    # re-imported row changes only what its cells say (an empty cell keeps the stored value).
    org_given: bool = False
    group_given: bool = False
    volunteer_given: bool = False


def _choice(value: Any, table: dict[str, Any], field_name: str, problems: RowProblems) -> Any:
    text = "".join(str(value or "").split())
    if not text:
        return ""
    if text in table:
        return table[text]
    problems.add(
        field_name, msg("choice_unknown", value=cell_text(field_name, text), known="、".join(dict.fromkeys(table)))
    )
    return ""


def _date(value: Any, field_name: str, problems: RowProblems) -> datetime.date | None:
    if value in (None, ""):
        return None
    try:
        return to_date(value)
    except ValueError:
        problems.add(field_name, msg("date_invalid", value=cell_text(field_name, value)))
        return None


def _prepare(context: Context, table: Table) -> None:
    context.cache["places"] = PlaceFinder(
        context.org, {Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE}, actor=context.actor
    )
    context.cache["today"] = timezone.localdate()


def _place(context: Context, values: dict[str, Any], problems: RowProblems) -> Organisation | None:
    """The row's organisation: the import's own when the cell is empty."""
    text = values.get("org")
    if not text:
        return context.org if context.org.level != Level.GROUP else None
    found, message = context.cache["places"].find_any(
        [Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY], text, values.get("township")
    )
    if message is not None:
        problems.add("org", message)
    return found


def _clean_row(context: Context, values: dict[str, Any], problems: RowProblems) -> Any:
    org = _place(context, values, problems)
    group = None
    if org is not None and org.level == Level.VILLAGE and values.get("group"):
        group, message = context.cache["places"].group(org, values.get("group"))
        if message is not None:
            problems.add("group", message)
    post_text = "".join(str(values.get("post") or "").split())
    post = POSTS.get(post_text)
    if post_text and post is None and post_text not in BACKBONE | VOLUNTEER:
        problems.add(
            "post",
            msg("choice_unknown", value=cell_text("post", post_text), known="、".join([*POSTS, *BACKBONE, *VOLUNTEER])),
        )
    start = _date(values.get("start_date"), "start_date", problems)
    raw = {
        "name": values.get("name"),
        "gender": _choice(values.get("gender"), GENDERS, "gender", problems),
        "birth_date": _date(values.get("birth_date"), "birth_date", problems),
        "id_number": values.get("id_number") or "",
        "mobile": str(values.get("mobile") or ""),
        "ethnicity": str(values.get("ethnicity") or "")[:20],
        "political_status": _choice(values.get("political_status"), POLITICAL, "political_status", problems),
        "education": _choice(values.get("education"), EDUCATION, "education", problems),
        "occupation": str(values.get("occupation") or "")[:100],
        "address": str(values.get("address") or "")[:200],
        "skills": str(values.get("skills") or "")[:200],
        "volunteer_since": _date(values.get("volunteer_since"), "volunteer_since", problems),
        "notes": str(values.get("notes") or ""),
    }
    today = context.cache["today"]
    if post_text in VOLUNTEER and raw["volunteer_since"] is None:
        raw["volunteer_since"] = start or today
    if post_text in BACKBONE:
        raw["backbone_since"] = start or today
    try:
        clean = person_values_clean(raw, today=today)
    except ValidationError as e:
        problems.add_validation(e, values)
        return None
    if problems or org is None:
        return None
    person = Person(**{k: v for k, v in clean.items() if k not in ("id_number", "mobile")})
    person.search_keys = name_keys(person.name)
    person.set_id_number(clean["id_number"])
    person.set_mobile(clean["mobile"])
    person.org = group or org
    representative = "".join(str(values.get("representative") or "").split()) in YES
    return Entry(
        person=person,
        post=post,
        post_org=org,
        representative=representative,
        start_date=start or today,
        group_as_written=clean_text(values.get("group")) if group is not None and group.pk is None else "",
        org_given=bool(values.get("org")),
        group_given=group is not None,
        volunteer_given=values.get("volunteer_since") not in (None, ""),
    )


def _place_of(entry: Entry) -> tuple[Any, str]:
    return entry.person.org, entry.group_as_written


def _duplicate_keys(entry: Entry) -> list[tuple[Any, ...]]:
    person = entry.person
    keys: list[tuple[Any, ...]] = (
        [("id_number", person.id_hash)]
        if person.id_hash
        else [("name", place_key(person.org), person.name, person.mobile_hash)]
    )
    if entry.post == PostKind.CHAIR:
        keys.append(("post", entry.post_org.pk, "chair"))
    return keys


def _check_stored(context: Context, rows: list[tuple[int, Any]]) -> dict[int, list[tuple[str, Msg | str]]]:
    found: dict[int, list[tuple[str, Msg | str]]] = {}
    # The ID number a problem names, masked (the holder stored may be outside the uploader's area:
    # the problem names no more than the row itself).
    ids = {e.person.id_hash: cell_text("id_number", e.person.id_number) for _n, e in rows if e.person.id_hash}
    # A row matching someone this import may update is an update, not a duplicate (``_match_stored``).
    matched = context.cache.get("matched", {})
    by_hash = {e.person.id_hash: number for number, e in rows if e.person.id_hash and number not in matched}
    hashes = list(by_hash)
    for start in range(0, len(hashes), 1000):
        for id_hash, archived_at in Person.objects.filter(id_hash__in=hashes[start : start + 1000]).values_list(
            "id_hash", "archived_at"
        ):
            code = "person_on_roster" if archived_at is None else "person_archived"
            found[by_hash[id_hash]] = [("id_number", msg(code, value=ids[id_hash]))]
    # A group the commit creates has nobody on its roster yet.
    without = [(n, e) for n, e in rows if not e.person.id_hash and e.person.org.pk is not None and n not in matched]
    if without:
        stored = set(
            Person.objects.filter(org_id__in={e.person.org.pk for _n, e in without}, id_hash__isnull=True).values_list(
                "org_id", "name", "mobile_hash"
            )
        )
        for number, e in without:
            if (e.person.org.pk, e.person.name, e.person.mobile_hash) in stored:
                found.setdefault(number, []).append(
                    ("name", msg("person_same_name", value=e.person.name, org=e.person.org.display_name))
                )
    chairs = {e.post_org.pk: (n, e.post_org, e.person.id_hash) for n, e in rows if e.post == PostKind.CHAIR}
    if chairs:
        # The chair's post is at an organisation inside the import's target: the uploader sees it.
        taken = Post.objects.filter(
            org_id__in=chairs, kind=PostKind.CHAIR, end_date__isnull=True, term__ended_on__isnull=True
        ).values_list("org_id", "person__name", "term__number", "person__id_hash")
        for org_id, holder, term, holder_hash in taken:
            number, org, id_hash = chairs[org_id]
            if id_hash and holder_hash == id_hash:
                continue  # she is the chair already: her row leaves the post as it is
            problem = msg(
                "chair_taken",
                org=org.display_name,
                holder=holder or str(gettext_lazy("(erased)")),
                term=term,
                link=reverse("people:roster", args=[org_id]),
            )
            found.setdefault(number, []).append(("post", problem))
    return found


def _notices(context: Context, rows: list[tuple[int, Any]]) -> list[Msg]:
    """The terms the posts of the valid rows go into, where that needs saying: an open term past
    its planned end (not changed over), or none open, so that the import opens one."""
    by_org: dict[int, tuple[Organisation, list[int]]] = {}
    starts: dict[int, list[tuple[int, datetime.date]]] = {}
    for number, entry in rows:
        if entry.post is not None:
            by_org.setdefault(entry.post_org.pk, (entry.post_org, []))[1].append(number)
            starts.setdefault(entry.post_org.pk, []).append((number, entry.start_date))
    if not by_org:
        return []
    latest: dict[int, Term] = {}
    for stored in Term.objects.filter(org_id__in=by_org).order_by("org_id", "-number"):
        latest.setdefault(stored.org_id, stored)
    today = context.cache["today"]
    notices = []
    for org_id, (org, numbers) in sorted(by_org.items(), key=lambda item: item[1][1][0]):
        term = latest.get(org_id)
        rows_text = _rows_text(numbers)
        name = org.display_name
        if term is None:
            notices.append(msg("term_first", org=name, rows=rows_text))
        elif term.ended_on is not None:
            notices.append(
                msg(
                    "term_opened", org=name, last=term.number, ended=term.ended_on, term=term.number + 1, rows=rows_text
                )
            )
        else:
            if term.end_date is not None and term.end_date < today:
                link = reverse("people:roster", args=[org_id])
                notices.append(
                    msg("term_overdue", org=name, term=term.number, end=term.end_date, rows=rows_text, link=link)
                )
            # A 任职时间 before the open term began is a post of an earlier term, which has ended.
            early = [number for number, start in starts[org_id] if start < term.start_date]
            if early:
                notices.append(
                    msg("post_before_term", org=name, term=term.number, start=term.start_date, rows=_rows_text(early))
                )
    return notices


def _rows_text(numbers: list[int], shown: int = 10) -> str:
    text = "、".join(str(n) for n in numbers[:shown])
    return f"{text}…" if len(numbers) > shown else text


def _match_stored(context: Context, rows: list[tuple[int, Any]]) -> dict[int, Any]:
    """The people rows match by ID number (or, without one, by name and mobile number in the same
    place) whom this import may update: current, on the books
    inside the import's target, and in the uploader's scope for changing people. Their current
    posts are kept as ``context.cache["posts"]`` (person id → {federation id: post})."""
    found: dict[int, Person] = {}
    if context.actor is None:  # the command line: every match stays a duplicate, as before
        return found
    scope = Person.objects.visible_to(context.actor, "people.change").filter(within_q(context.org))
    # A row without an ID number matches by the key that makes it a duplicate: the same name and
    # mobile number on the roster of the same place (so such a row never moves her).
    keys = (
        RowKey(number, e.person.id_hash, e.person.org.pk, e.person.name, e.person.mobile_hash) for number, e in rows
    )
    found.update(match_stored_records(scope, keys, name_field="name"))
    posts: dict[int, dict[int, str]] = {}
    ids = [person.pk for person in found.values()]
    for start in range(0, len(ids), 1000):
        for person_id, org_id, kind in Post.objects.filter(
            person_id__in=ids[start : start + 1000], end_date__isnull=True, term__ended_on__isnull=True
        ).values_list("person_id", "org_id", "kind"):
            posts.setdefault(person_id, {})[org_id] = kind
    context.cache["posts"] = posts
    return found


# The fields a re-imported row may change, in the preview's order (the ID number is the key).
UPDATED_FIELDS = [f for f in PERSON_FIELDS if f != "id_number"]


def _field(name: str) -> Field[Any, Any]:
    found = Person._meta.get_field(name)
    assert isinstance(found, Field)
    return found


def _shown(person: Person, field_name: str) -> str:
    """A stored or imported value as the preview shows it (the mobile number masked)."""
    if field_name == "mobile":
        return person.mobile_masked or ""
    value = getattr(person, field_name)
    if value in (None, ""):
        return ""
    model_field = _field(field_name)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    return value.isoformat() if isinstance(value, datetime.date) else str(value)


def _change_label(name: str) -> str:
    if name == "org":
        return _("Organisation")
    if name == "post":
        return _("Post")
    return str(capfirst(_field(name).verbose_name))


def _post_label(entry: Entry) -> str:
    return post_title(entry.post_org.display_name, entry.post) if entry.post else ""


def _diff(context: Context, entry: Entry, stored: Person, problems: RowProblems) -> list[Change]:
    """What a row changes in her stored record. An empty cell keeps the stored value; the dates
    a post word fills in (骨干, 志愿者) only fill an empty one; her place changes only when the row
    names one (a village named without a group keeps her in her group there); a post she holds
    in that federation's current term stays as it is, a new one is added."""
    new = entry.person
    changes = []
    for name in UPDATED_FIELDS:
        if name == "mobile":
            if new.mobile_hash and new.mobile_hash != stored.mobile_hash:
                changes.append(name)
            continue
        value = getattr(new, name)
        if value in (None, "") or value == getattr(stored, name):
            continue
        derived = name == "backbone_since" or (name == "volunteer_since" and not entry.volunteer_given)
        if derived and getattr(stored, name) is not None:
            continue
        changes.append(name)
    result = [Change(name, _change_label(name), _shown(stored, name), _shown(new, name)) for name in changes]
    place, old_place = new.org, stored.org
    if entry.org_given and place.pk != old_place.pk:
        in_group_there = old_place.level == Level.GROUP and old_place.parent_id == place.pk
        if entry.group_given or not in_group_there:
            result.append(Change("org", _change_label("org"), place_label(old_place), place_label(place)))
    if entry.post is not None:
        held = context.cache["posts"].get(stored.pk, {}).get(entry.post_org.pk)
        if held is None:
            result.append(Change("post", _change_label("post"), "", _post_label(entry)))
        elif held != entry.post:
            problems.add("post", msg("post_held", value=stored.name, post=held))
    return result


def _update(context: Context, updates: list[Update]) -> int:
    """Write each row's changes to her record through the service (checked, audited one by one),
    then the posts the rows add (each audited)."""
    with_posts = []
    for update in updates:
        entry, person = update.record, update.stored
        fields = {change.field for change in update.changes}
        values = {name: getattr(entry.person, name) for name in UPDATED_FIELDS if name in fields}
        place = entry.person.org if "org" in fields else None
        if values or place is not None:
            person_update(actor=context.actor, person=person, values=values, org=place)
        if "post" in fields:
            with_posts.append((person, entry))
    if with_posts:
        _give_posts(context, with_posts, ancestries_of({e.post_org.pk: e.post_org for _p, e in with_posts}.values()))
    return len(updates)


def _give_posts(
    context: Context,
    given: list[tuple[Person, Entry]],
    ancestry: dict[int, dict[str, int | None]],
    *,
    bulk: bool = False,
) -> None:
    """The posts of ``given`` in the current term of each federation (opening its first one),
    marked with the upload: an undo removes them. ``bulk``: new people's posts, inserted at once
    (the import's event covers them); otherwise each is saved with its own audit event."""
    orgs = {e.post_org.pk: e.post_org for _p, e in given}
    terms = {t.org_id: t for t in Term.objects.filter(org_id__in=orgs, ended_on__isnull=True)}
    for org_id, org in orgs.items():
        if org_id not in terms:
            start = min(e.start_date for _p, e in given if e.post_org.pk == org_id)
            last = Term.objects.filter(org=org).order_by("-number").first()
            terms[org_id] = Term.objects.create(
                org=org, number=(last.number + 1) if last else 1, start_date=start, import_batch=context.batch_id
            )
    posts = []
    for person, e in given:
        assert e.post is not None
        post = Post(
            person=person,
            term=terms[e.post_org.pk],
            kind=e.post,
            is_representative=e.representative,
            start_date=max(e.start_date, terms[e.post_org.pk].start_date),
            import_batch=context.batch_id,
        )
        post.place(e.post_org, ancestry[e.post_org.pk])
        if not bulk:
            post.save()
        posts.append(post)
    if bulk:
        insert_many(Post, posts)


def _write(context: Context, entries: list[Entry]) -> int:
    places = {e.person.org.pk: e.person.org for e in entries} | {e.post_org.pk: e.post_org for e in entries}
    ancestry = ancestries_of(places.values())
    people = []
    numbers: list[int | None] = list(context.row_numbers) or [None] * len(entries)
    for e, number in zip(entries, numbers, strict=True):
        e.person.place(e.person.org, ancestry[e.person.org.pk])
        e.person.import_batch, e.person.import_row = context.batch_id, number
        people.append(e.person)
    insert_many(Person, people)
    _give_posts(context, [(e.person, e) for e in entries if e.post is not None], ancestry, bulk=True)
    return len(people)


def _undo_blockers(batch: Any, limit: int) -> list[Blocker]:
    """The people this upload added who changed since (edited, archived, erased, given another
    post, a post of theirs ended or changed, named since by another app's records: an
    assignment, a contact): undoing would lose that work."""
    since = batch.finished_at
    own = Post.objects.filter(person=OuterRef("pk"), import_batch=batch.pk)
    elsewhere = referred_elsewhere(Person)
    rows = (
        Person.objects.filter(import_batch=batch.pk)
        .annotate(
            other_post=Exists(Post.objects.filter(person=OuterRef("pk")).exclude(import_batch=batch.pk)),
            post_changed=Exists(own.filter(Q(end_date__isnull=False) | Q(updated_at__gt=since))),
            **{name: exists for name, (exists, _label) in elsewhere.items()},
        )
        .filter(Q(updated_at__gt=since) | Q(other_post=True) | Q(post_changed=True) | referred_q(elsewhere))
        .order_by(F("import_row").asc(nulls_last=True), "id")
        .values_list(
            "import_row", "name", "updated_at", "archived_at", "erased_at", "other_post", "post_changed", *elsewhere
        )
    )
    blockers = []
    for row, name, updated, archived, erased, other_post, post_changed, *flags in rows[:limit]:
        changes = changed_since(since, updated=updated, archived=archived, erased=erased)
        if other_post:
            changes.append(_("given a post since"))
        if post_changed:
            changes.append(_("a post from this file was ended or changed"))
        changes.extend(referred_changes(elsewhere, flags))
        blockers.append(Blocker(row=row, name=name or str(gettext_lazy("(erased)")), changes=tuple(changes)))
    # The posts it gave people already on the roster (a re-import): the undo removes them too.
    on_posts = referred_elsewhere(Post)
    given = (
        Post.objects.filter(import_batch=batch.pk)
        .exclude(person__import_batch=batch.pk)
        .annotate(**{name: exists for name, (exists, _label) in on_posts.items()})
        .filter(Q(end_date__isnull=False) | Q(updated_at__gt=since) | referred_q(on_posts))
        .order_by("id")
        .values_list("person__name", "end_date", "updated_at", *on_posts)
    )
    for name, end_date, updated, *flags in given[: max(0, limit - len(blockers))]:
        changes = []
        if end_date is not None or (updated is not None and updated > since):
            changes.append(_("a post from this file was ended or changed"))
        changes.extend(referred_changes(on_posts, flags))
        blockers.append(Blocker(row=None, name=name or str(gettext_lazy("(erased)")), changes=tuple(changes)))
    return blockers


def _undo_delete(batch: Any) -> int:
    """Delete the posts, people and (left empty) terms this upload created; no row-by-row events
    (the undo records one). Returns the number of people."""
    delete_quietly(Post.objects.filter(import_batch=batch.pk))
    removed = delete_quietly(Person.objects.filter(import_batch=batch.pk))
    delete_quietly(Term.objects.filter(import_batch=batch.pk).exclude(Exists(Post.objects.filter(term=OuterRef("pk")))))
    return removed


def _describe(entry: Entry) -> list[tuple[str, str]]:
    person = entry.person
    return [
        (_("Organisation"), place_label(person.org)),
        (_("Full name"), person.name),
        (_("Gender"), str(person.get_gender_display())),
        (_("Date of birth"), person.birth_date.isoformat() if person.birth_date else ""),
        (_("ID number"), person.id_number_masked),
        (_("Mobile number"), person.mobile_masked),
        (_("Post"), _post_label(entry)),
    ]


PEOPLE = ImportKind(
    name="people",
    label=lambda: str(gettext_lazy("Roster (people)")),
    name_field="name",
    columns=COLUMNS,
    required=["name"],
    template_headers={
        "township": "乡镇（街道）",
        "org": "村（社区）",
        "name": "姓名",
        "gender": "性别",
        "birth_date": "出生日期",
        "id_number": "身份证号",
        "mobile": "手机号",
        "ethnicity": "民族",
        "political_status": "政治面貌",
        "education": "文化程度",
        "occupation": "工作单位/职业",
        "address": "住址",
        "skills": "特长",
        "post": "职务",
        "representative": "她代表",
        "start_date": "任职时间",
        "notes": "备注",
    },
    template_example=[
        "新市镇",
        "回龙村",
        "周桂姣",
        "女",
        "",
        "",
        "13807330000",
        "汉族",
        "中共党员",
        "高中/中专",
        "村干部",
        "回龙村3组",
        "调解，种植",
        "主席",
        "是",
        "2021-09-01",
        "",
    ],
    text_columns=["id_number", "mobile"],
    change_action="people.change",
    prepare=_prepare,
    clean_row=_clean_row,
    duplicate_keys=_duplicate_keys,
    check_stored=_check_stored,
    write_records=_write,
    describe=_describe,
    undo_blockers=_undo_blockers,
    undo_delete=_undo_delete,
    place_of=_place_of,
    notices=_notices,
    match_stored=_match_stored,
    diff=_diff,
    update_records=_update,
    change_label=_change_label,
)
register(PEOPLE)
