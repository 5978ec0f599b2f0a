"""The roster import: 执委 花名册, backbone activists and volunteers, one person per row."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fulian.core.ancestry import ancestries_of
from fulian.core.bulk import delete_quietly, insert_many
from fulian.core.spreadsheets import Table, to_date
from fulian.core.validation import name_keys
from fulian.imports.engine import Blocker, Context, ImportKind, RowProblems, changed_since, register
from fulian.imports.places import PlaceFinder, place_key, place_label
from fulian.imports.problems import Msg, cell_text, msg
from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation
from fulian.orgs.names import clean_text
from fulian.people.choices import Education, Gender, PoliticalStatus, PostKind, post_title
from fulian.people.models import Person, Post, Term
from fulian.people.services import person_values_clean

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
    by_hash = {e.person.id_hash: number for number, e in rows if e.person.id_hash}
    hashes = list(by_hash)
    for start in range(0, len(hashes), 1000):
        for id_hash, archived_at in Person.objects.filter(id_hash__in=hashes[start : start + 1000]).values_list(
            "id_hash", "archived_at"
        ):
            code = "person_on_roster" if archived_at is None else "person_archived"
            found[by_hash[id_hash]] = [("id_number", msg(code, value=ids[id_hash]))]
    # A group the commit creates has nobody on its roster yet.
    without = [(n, e) for n, e in rows if not e.person.id_hash and e.person.org.pk is not None]
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
    chairs = {e.post_org.pk: (n, e.post_org) for n, e in rows if e.post == PostKind.CHAIR}
    if chairs:
        # The chair's post is at an organisation inside the import's target: the uploader sees it.
        taken = Post.objects.filter(
            org_id__in=chairs, kind=PostKind.CHAIR, end_date__isnull=True, term__ended_on__isnull=True
        ).values_list("org_id", "person__name", "term__number")
        for org_id, holder, term in taken:
            number, org = chairs[org_id]
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
    with_posts = [e for e in entries if e.post is not None]
    orgs = {e.post_org.pk: e.post_org for e in with_posts}
    terms = {t.org_id: t for t in Term.objects.filter(org_id__in=orgs, ended_on__isnull=True)}
    for org_id, org in orgs.items():
        if org_id not in terms:
            start = min(e.start_date for e in with_posts if e.post_org.pk == org_id)
            last = Term.objects.filter(org=org).order_by("-number").first()
            terms[org_id] = Term.objects.create(
                org=org, number=(last.number + 1) if last else 1, start_date=start, import_batch=context.batch_id
            )
    posts = []
    for e in with_posts:
        assert e.post is not None
        post = Post(
            person=e.person,
            term=terms[e.post_org.pk],
            kind=e.post,
            is_representative=e.representative,
            start_date=max(e.start_date, terms[e.post_org.pk].start_date),
            import_batch=context.batch_id,
        )
        post.place(e.post_org, ancestry[e.post_org.pk])
        posts.append(post)
    insert_many(Post, posts)
    return len(people)


def _undo_blockers(batch: Any, limit: int) -> list[Blocker]:
    """The people this upload added who changed since (edited, archived, erased, given another
    post, a post of theirs ended or changed): undoing would lose that work."""
    since = batch.finished_at
    own = Post.objects.filter(person=OuterRef("pk"), import_batch=batch.pk)
    rows = (
        Person.objects.filter(import_batch=batch.pk)
        .annotate(
            other_post=Exists(Post.objects.filter(person=OuterRef("pk")).exclude(import_batch=batch.pk)),
            post_changed=Exists(own.filter(Q(end_date__isnull=False) | Q(updated_at__gt=since))),
        )
        .filter(Q(updated_at__gt=since) | Q(other_post=True) | Q(post_changed=True))
        .order_by(F("import_row").asc(nulls_last=True), "id")
        .values_list("import_row", "name", "updated_at", "archived_at", "erased_at", "other_post", "post_changed")
    )
    blockers = []
    for row, name, updated, archived, erased, other_post, post_changed in rows[:limit]:
        changes = changed_since(since, updated=updated, archived=archived, erased=erased)
        if other_post:
            changes.append(_("given a post since"))
        if post_changed:
            changes.append(_("a post from this file was ended or changed"))
        blockers.append(Blocker(row=row, name=name or str(gettext_lazy("(erased)")), changes=tuple(changes)))
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
        (_("Post"), post_title(entry.post_org.display_name, entry.post) if entry.post else ""),
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
)
register(PEOPLE)
