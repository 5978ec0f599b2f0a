"""The import engine: a spreadsheet checked row by row, then all valid rows written at once.

Each kind of import (people, households) is an :class:`ImportKind` registered by its own app:
its columns with their usual header variants, which are required, how one row becomes a record
(or the problems that stop it), the keys that make two rows duplicates, and how the valid
records are written. The engine is the same for the pages, the API, the background task and
the ``import_people``/``import_households`` commands:

* :func:`evaluate` reads the file and checks every row, writing nothing;
* :func:`write` evaluates again under a lock on the target organisation and writes the valid
  rows in one transaction — or nothing, when the file changed since the preview or new
  problems appeared (another import, a record added meanwhile).

A row that matches a stored record (``match_stored``: by its natural key, current, inside the
import's target and the uploader's scope) is not a duplicate: it updates that record with the
values the sheet changes (``diff``, old → new), or leaves it unchanged. Adds and updates are
written together, all or nothing.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, Model, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fulian.audit.choices import Action
from fulian.audit.recorder import record as audit
from fulian.core.spreadsheets import Row, SpreadsheetError, Table, read_table
from fulian.core.words import list_text
from fulian.imports.places import PlaceFinder, create_groups, planned_groups
from fulian.imports.problems import Msg, cell_text, from_validation, msg, text

MAX_ROWS = 100_000
MAX_BYTES = 20 * 1024 * 1024
# Problems kept in a report: enough to fix a file, not a copy of it.
MAX_PROBLEMS = 5_000
# Valid rows shown in the preview as they will be stored, so that a column read the wrong way
# (a phone number taken for the address) is seen before anything is written.
SAMPLE_ROWS = 20
# Files at least this long are cleaned by two processes (see ``_cleaned``).
PARALLEL_ROWS = 20_000
# Updates listed in a report (each with its changes); the rest are counted.
MAX_UPDATES_LISTED = 5_000


# The characters of a row's name shown beside its number in the problems.
NAME_CHARS = 20


@dataclass(frozen=True)
class Problem:
    """What stops one row: its number as Excel shows it, the column, the name the row gives (to
    find it), and what is wrong and what to do, as a code and its values (``problems.Msg``),
    put into words in the language of whoever reads it."""

    row: int
    column: str
    header: str
    problem: Msg
    name: str = ""

    @property
    def code(self) -> str:
        return self.problem.code

    @property
    def message(self) -> str:
        """In the active language."""
        return str(self.problem)

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "header": self.header,
            "name": self.name,
            **self.problem.as_dict(),
        }


@dataclass
class Context:
    """What a row is checked against: the target organisation, the places below it, the keys
    seen earlier in the file, and (filled by the kind) whatever it looked up once."""

    org: Any
    actor: Any
    seen: dict[tuple[Any, ...], int] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)
    # Set for the write: the upload being imported (its rows are marked with it, so that the
    # import can be undone) and the sheet row of each record written, in order.
    batch_id: int | None = None
    row_numbers: list[int] = field(default_factory=list)
    # What the upload was made for besides its organisation (a campaign's nominations: its id),
    # given at the upload and kept in the batch's report (``"params"``).
    params: dict[str, Any] = field(default_factory=dict)


class RowProblems:
    """The problems of one row, named by field; the engine turns them into :class:`Problem`s.
    A problem is a ``Msg`` (``problems.msg(code, **values)``); plain text is kept as text."""

    def __init__(self) -> None:
        self.items: list[tuple[str, Msg]] = []
        # The row's name cell (the person, the household's head), shown beside its number.
        self.name = ""

    def add(self, field_name: str, message: Msg | str) -> None:
        self.items.append((field_name, message if isinstance(message, Msg) else text(message)))

    def add_validation(self, error: ValidationError, values: Mapping[str, Any]) -> None:
        """A record's ValidationError (field → errors with their codes), each naming the cell."""
        for field_name, errors in error.error_dict.items():
            for item in errors:
                self.add(field_name, from_validation(field_name, item, values.get(field_name)))

    def __bool__(self) -> bool:
        return bool(self.items)


@dataclass(frozen=True)
class Change:
    """One field a row changes in its stored record, as the preview shows it (personal data
    masked): the field, its label, the stored value and the sheet's."""

    field: str
    label: str
    old: str
    new: str


@dataclass
class Update:
    """A row that matches a stored record: the record the row makes, the stored one, and what
    it changes (none: the row leaves it unchanged)."""

    row: int
    record: Any
    stored: Any
    changes: list[Change]
    name: str = ""

    def as_dict(self) -> dict[str, Any]:
        changes = [{"field": c.field, "label": c.label, "old": c.old, "new": c.new} for c in self.changes]
        return {"row": self.row, "name": self.name, "changes": changes}


@dataclass
class ImportKind:
    """One kind of import, declared by the app that owns the records."""

    name: str
    label: Callable[[], str]
    # The column that names a row (the person, the household's head): shown with its problems.
    name_field: str
    columns: Mapping[str, Sequence[str]]
    required: Sequence[str]
    # The header text used in the template for each field, in order.
    template_headers: dict[str, str]
    template_example: list[object]
    text_columns: Sequence[str]
    change_action: str
    prepare: Callable[[Context, Table], None]
    clean_row: Callable[[Context, dict[str, Any], RowProblems], Any]
    # Keys of a cleaned record that must be unique within the file and against what is stored.
    duplicate_keys: Callable[[Any], Iterable[tuple[Any, ...]]]
    check_stored: Callable[[Context, list[tuple[int, Any]]], dict[int, list[tuple[str, Msg | str]]]]
    write_records: Callable[[Context, list[Any]], int]
    # For cleaning a big file in two processes: a record as plain data, and back.
    pack: Callable[[Any], Any] | None = None
    unpack: Callable[[Context, Any], Any] | None = None
    # A valid record as the preview shows it: (column label, value) pairs, personal data masked.
    describe: Callable[[Any], list[tuple[str, str]]] = lambda record: []
    columns_required_unless: Callable[[Any], Sequence[str]] = lambda org: ()
    # Undoing an import (``imports.services.batch_undo``): the rows it created that changed since
    # it ran (at most ``limit``), and the deletion of every row it created (returns how many).
    undo_blockers: Callable[[Any, int], list[Blocker]] | None = None
    undo_delete: Callable[[Any], int] | None = None
    # A valid record's place and its group cell as written, for a kind whose rows may name
    # village groups that do not exist yet (its ``prepare`` keeps a ``PlaceFinder`` as
    # ``context.cache["places"]``): the preview lists those groups, the commit creates them.
    place_of: Callable[[Any], tuple[Any, str]] | None = None
    # What the commit does that the rows do not show (a term it opens, an overdue term posts go
    # into): ``Msg``s shown above the import button. Rows are (sheet row, record).
    notices: Callable[[Context, list[tuple[int, Any]]], list[Msg]] = lambda context, rows: []
    # Re-importing a corrected sheet. ``match_stored``: the stored records that rows match by
    # their natural key (the ID number; without one, the duplicate key) and that the import may
    # update — current, inside the target and the uploader's scope — by row (kept as
    # ``context.cache["matched"]``, so that ``check_stored`` does not call them duplicates).
    # ``diff``: what a matched row changes, old → new (empty: unchanged); a problem it adds
    # stops the row. ``update_records``: writes the changes (each record's own audit event),
    # returns how many.
    match_stored: Callable[[Context, list[tuple[int, Any]]], dict[int, Any]] | None = None
    diff: Callable[[Context, Any, Any, RowProblems], list[Change]] | None = None
    update_records: Callable[[Context, list[Update]], int] | None = None
    # The label of a changed field in the active language: the page shows a preview's changes
    # in its reader's language, whatever the uploader's was.
    change_label: Callable[[str], str] = lambda field_name: field_name


@dataclass(frozen=True)
class Blocker:
    """A row created by an import and changed since, which stops its undo: the row in the
    sheet, the name, and what happened to it."""

    row: int | None
    name: str
    changes: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "name": self.name, "changes": list(self.changes)}


@dataclass(frozen=True)
class RowKey:
    """What a row is matched to a stored record by: its ID number's hash, or, without one, its
    name and mobile number's hash in its place (``org_id`` None: a group the commit creates)."""

    row: int
    id_hash: str | None
    org_id: int | None
    name: str
    mobile_hash: str | None


def match_stored_records(scope: Any, keys: Iterable[RowKey], *, name_field: str) -> dict[int, Any]:
    """The records of ``scope`` (already narrowed to those the import may update) that rows match,
    by row: by ID number, or without one by the key that makes two rows duplicates (the same
    name, ``name_field``, and mobile number in the same place, among records without an ID
    number). Looked up 1,000 keys at a time."""
    keys = list(keys)
    found: dict[int, Any] = {}
    by_hash = {k.id_hash: k.row for k in keys if k.id_hash}
    hashes = list(by_hash)
    for start in range(0, len(hashes), 1000):
        for record in scope.filter(id_hash__in=hashes[start : start + 1000]).select_related("org"):
            found[by_hash[record.id_hash]] = record
    keyed = {(k.org_id, k.name, k.mobile_hash): k.row for k in keys if not k.id_hash and k.org_id is not None}
    if keyed:
        places = {org_id for org_id, _name, _mobile in keyed}
        for record in scope.filter(org_id__in=places, id_hash__isnull=True).select_related("org"):
            row = keyed.get((record.org_id, getattr(record, name_field), record.mobile_hash))
            if row is not None:
                found.setdefault(row, record)
    return found


def referred_elsewhere(model: type[Model], *, prefix: str = "elsewhere") -> dict[str, tuple[Exists, str]]:
    """Whether other apps' records point at a row of ``model`` (the grid's assignments and contacts
    point at households and people), one ``Exists`` per relation, by annotation name, with the name
    of those records. An import's undo deletes rows quietly: a row something else points at is work
    done since (and its deletion would fail on a protected key or silently drop a link). The
    registries do not know the apps built on them; the model does."""
    own = model._meta.app_label
    relations = [rel for rel in model._meta.related_objects if rel.related_model._meta.app_label != own]
    return {
        f"{prefix}_{index}": (
            Exists(rel.related_model._default_manager.filter(**{rel.field.name: OuterRef("pk")})),
            str(rel.related_model._meta.verbose_name_plural),
        )
        for index, rel in enumerate(relations)
    }


def referred_q(referrers: Mapping[str, tuple[Exists, str]]) -> Q:
    """Rows annotated with ``referrers`` that any of them points at (no relation: none)."""
    found = Q(pk__in=[])
    for name in referrers:
        found |= Q(**{name: True})
    return found


def referred_changes(referrers: Mapping[str, tuple[Exists, str]], flags: Sequence[bool]) -> list[str]:
    """What a :class:`Blocker` says of a row the records of other apps point at (``flags``: the
    row's annotations, in order)."""
    names = [label for (_exists, label), flag in zip(referrers.values(), flags, strict=True) if flag]
    return [_("now in other records: %(records)s") % {"records": list_text(names)}] if names else []


def changed_since(since: Any, *, updated: Any, archived: Any = None, erased: Any = None) -> list[str]:
    """What happened to a row since its import, in words (for :class:`Blocker`)."""
    if erased is not None:
        return [_("erased")]
    if archived is not None:
        return [_("archived on %(date)s") % {"date": _local(archived)}]
    if updated is not None and updated > since:
        return [_("changed on %(date)s") % {"date": _local(updated)}]
    return []


def _local(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


_KINDS: dict[str, ImportKind] = {}


def register(kind: ImportKind) -> None:
    _KINDS[kind.name] = kind


def kind_named(name: str) -> ImportKind:
    return _KINDS[name]


def kinds() -> dict[str, ImportKind]:
    return dict(_KINDS)


@dataclass
class Evaluation:
    """The outcome of checking a file: counts, the problems, and the valid records."""

    sha256: str
    total: int = 0
    # The rows that add a record.
    records: list[tuple[int, Any]] = field(default_factory=list)
    # The rows that match a stored record: changing it, or leaving it as it is.
    updates: list[Update] = field(default_factory=list)
    unchanged: list[Update] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    problem_rows: int = 0
    title: str = ""
    columns: dict[str, str] = field(default_factory=dict)
    file_error: str = ""
    # The same, as its English template and values: read later in the reader's language.
    file_error_text: dict[str, Any] = field(default_factory=dict)
    sample: list[dict[str, Any]] = field(default_factory=list)
    # The same rows in every language of the site: labels and values (a gender, a post) are words.
    sample_by_language: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # The village groups the valid rows name that do not exist yet, per village (``planned_groups``).
    new_groups: list[dict[str, Any]] = field(default_factory=list)
    # Lines below the data that are no record (填表人：…, 合计): skipped, and shown as skipped.
    footer: list[dict[str, Any]] = field(default_factory=list)
    notices: list[Msg] = field(default_factory=list)
    # The name cell of each row checked against what is stored (for problems found there).
    names: dict[int, str] = field(default_factory=dict, repr=False)
    # What the rows were checked against, for the write that follows in the same transaction.
    context: Context | None = field(default=None, repr=False)
    # The upload's parameters (``Context.params``), kept in the report for the import that follows.
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def valid(self) -> int:
        """Rows without problems: to add, to update, or unchanged."""
        return len(self.records) + len(self.updates) + len(self.unchanged)

    @property
    def plan(self) -> str:
        """A fingerprint of what the commit would do: which rows add, which update which stored
        record (as it was when read) with which changes, which leave one unchanged. The commit
        refuses when it differs from the preview's (a record changed meanwhile)."""
        digest = hashlib.sha256()
        for number, _record in self.records:
            digest.update(f"add {number};".encode())
        for kind, items in (("update", self.updates), ("same", self.unchanged)):
            for item in items:
                changes = [[c.field, c.old, c.new] for c in item.changes]
                digest.update(json.dumps([kind, item.row, _stamp(item.stored), changes]).encode())
        return digest.hexdigest()

    def candidates(self) -> list[tuple[int, Any]]:
        """Every row without problems, in order (for checking them again)."""
        rows = [*self.records, *((u.row, u.record) for u in (*self.updates, *self.unchanged))]
        return sorted(rows, key=lambda item: item[0])

    def report(self) -> dict[str, Any]:
        """The machine-readable report (``--json``, the API, the page)."""
        return {
            "sha256": self.sha256,
            "rows": self.total,
            "valid_rows": self.valid,
            "new_rows": len(self.records),
            "updated_rows": len(self.updates),
            "unchanged_rows": len(self.unchanged),
            "updates": [u.as_dict() for u in self.updates[:MAX_UPDATES_LISTED]],
            "updates_truncated": len(self.updates) > MAX_UPDATES_LISTED,
            "unchanged": [{"row": u.row, "name": u.name} for u in self.unchanged[:MAX_UPDATES_LISTED]],
            "plan": self.plan,
            "rows_with_problems": self.problem_rows,
            "title": self.title,
            "columns": self.columns,
            "file_error": self.file_error,
            "file_error_text": self.file_error_text,
            "problems": [p.as_dict() for p in self.problems[:MAX_PROBLEMS]],
            "problems_truncated": len(self.problems) > MAX_PROBLEMS,
            "sample": self.sample,
            "sample_by_language": self.sample_by_language,
            "new_groups": self.new_groups,
            "new_groups_count": sum(len(v["groups"]) for v in self.new_groups),
            "footer_rows": self.footer,
            "notices": [notice.as_dict() for notice in self.notices],
            **({"params": self.params} if self.params else {}),
        }


def _stamp(stored: Any) -> str:
    updated = getattr(stored, "updated_at", None)
    return f"{stored.pk}@{updated.isoformat() if updated is not None else ''}"


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def evaluate(
    kind: ImportKind,
    data: bytes,
    filename: str,
    *,
    org: Any,
    actor: Any,
    progress: Callable[[int, int], None] | None = None,
    params: Mapping[str, Any] | None = None,
) -> Evaluation:
    """Check every row of ``data``; nothing is written. A problem with the whole file (not a
    spreadsheet, too big, no header) is ``file_error``. ``params``: what the upload was made for
    besides its organisation (``Context.params``)."""
    result = Evaluation(sha256=file_hash(data), params=dict(params or {}))
    try:
        table = read_table(
            data,
            filename,
            columns=dict(kind.columns),
            required=[*kind.required, *kind.columns_required_unless(org)],
            max_rows=MAX_ROWS,
            max_bytes=MAX_BYTES,
        )
    except SpreadsheetError as e:
        result.file_error = e.message
        if e.template:
            result.file_error_text = {"template": e.template, "params": e.params}
        return result
    result.total, result.title, result.columns = len(table.rows), table.title, dict(table.columns)
    result.footer = [{"row": number, "text": line} for number, line in table.footer]
    context = Context(org=org, actor=actor, params=dict(result.params))
    kind.prepare(context, table)
    letters = table.column_letters
    context.cache["letters"], context.cache["headers"] = dict(letters), dict(table.columns)

    def problem(number: int, field_name: str, message: Msg, name: str) -> Problem:
        return Problem(number, letters.get(field_name, ""), table.columns.get(field_name, ""), message, name)

    candidates: list[tuple[int, Any]] = []
    rows, table.rows = table.rows, []
    for index, (number, found, record) in enumerate(_cleaned(kind, context, rows)):
        if record is not None and not found:
            for key in kind.duplicate_keys(record):
                first = context.seen.setdefault(key, number)
                if first != number:
                    found.add(key[0], msg(_DUPLICATE.get(key[0], "duplicate_name"), row=first, value=found.name))
                    break
        if found:
            result.problem_rows += 1
            result.problems.extend(problem(number, f, m, found.name) for f, m in found.items)
        else:
            candidates.append((number, record))
            result.names[number] = found.name
        if progress is not None and index % 2000 == 0:
            progress(index, result.total)
    _sort_out(kind, context, result, candidates)
    result.sample_by_language = _samples(kind, result.records[:SAMPLE_ROWS])
    result.sample = result.sample_by_language.get(translation.get_language() or "", [])
    result.problems.sort(key=lambda p: p.row)
    result.context = context
    result.new_groups = _planned(kind, result)
    result.notices = kind.notices(context, result.records)
    return result


# The problem of a row that repeats an earlier one, by the key they share.
_DUPLICATE = {"id_number": "duplicate_id", "post": "duplicate_chair"}


def _samples(kind: ImportKind, records: list[tuple[int, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The first valid rows as they will be stored, described in each language of the site (the
    preview is read later, by anyone, in English or Chinese)."""
    samples = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            samples[language] = [
                {"row": number, "values": [[str(label), str(value)] for label, value in kind.describe(record)]}
                for number, record in records
            ]
    return samples


def sample_for_reader(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The preview's sample rows in the active language (a report from before: as it was made)."""
    by_language = report.get("sample_by_language") or {}
    return by_language.get(translation.get_language() or "") or report.get("sample", [])


def _sort_out(kind: ImportKind, context: Context, result: Evaluation, candidates: list[tuple[int, Any]]) -> None:
    """Compare the rows without problems so far with what is stored: each adds a record, updates
    one, leaves one unchanged, or has a problem (a duplicate of a record it may not update)."""
    letters, headers = context.cache["letters"], context.cache["headers"]
    matched = kind.match_stored(context, candidates) if kind.match_stored is not None else {}
    context.cache["matched"] = matched
    stored = kind.check_stored(context, candidates)
    for number, record in candidates:
        found: list[tuple[str, Any]] = stored.get(number, [])
        if not found and number in matched:
            assert kind.diff is not None
            problems = RowProblems()
            changes = kind.diff(context, record, matched[number], problems)
            found = problems.items
            if not found:
                update = Update(number, record, matched[number], changes, name=result.names.get(number, ""))
                (result.updates if changes else result.unchanged).append(update)
                continue
        if found:
            result.problem_rows += 1
            result.problems.extend(
                Problem(
                    number,
                    letters.get(f, ""),
                    headers.get(f, ""),
                    m if isinstance(m, Msg) else text(m),
                    result.names.get(number, ""),
                )
                for f, m in found
            )
        else:
            result.records.append((number, record))


def _finder(kind: ImportKind, context: Context | None) -> PlaceFinder | None:
    if kind.place_of is None or context is None:
        return None
    finder = context.cache.get("places")
    return finder if isinstance(finder, PlaceFinder) else None


def _planned(kind: ImportKind, evaluation: Evaluation) -> list[dict[str, Any]]:
    finder = _finder(kind, evaluation.context)
    if finder is None or not finder.pending:
        return []
    assert kind.place_of is not None
    return planned_groups(finder, (kind.place_of(record) for record in _written(evaluation)))


def _written(evaluation: Evaluation) -> Iterator[Any]:
    """The records the commit writes: added, then updated."""
    yield from (record for _number, record in evaluation.records)
    yield from (update.record for update in evaluation.updates)


def planned_keys(new_groups: Iterable[Mapping[str, Any]]) -> set[tuple[str, str]]:
    """(village code, group name) of each group a preview said the import would create."""
    return {(village["village"], group["name"]) for village in new_groups for group in village["groups"]}


def _clean(kind: ImportKind, context: Context, row: Row) -> tuple[int, RowProblems, Any]:
    found = RowProblems()
    found.name = cell_text(kind.name_field, row.values.get(kind.name_field))[:NAME_CHARS]
    for field_name, cell in row.formulas.items():
        found.add(field_name, msg("formula_uncalculated", cell=cell))
    for field_name, message in row.errors.items():
        if field_name not in row.formulas:
            found.add(field_name, message)
    record = kind.clean_row(context, row.values, found) if not found else None
    return row.number, found, (None if found else record)


def _cleaned(kind: ImportKind, context: Context, rows: list[Row]) -> Iterator[tuple[int, RowProblems, Any]]:
    """Every row cleaned, in order; rows are freed as they are read. A big file is cleaned by
    two processes (the machine's second core): a worker process cleans the second half while
    this process cleans the first, and returns its results pickled (``kind.pack``). The worker
    is forked (``concurrent.futures`` with the fork start method), so it inherits the rows, the
    kind and the context instead of receiving them pickled. It only computes: it touches
    neither the database nor anything shared, and the database connection it inherited is never
    used nor closed (a pool's worker ends with ``os._exit``)."""
    if (
        len(rows) < PARALLEL_ROWS
        or kind.pack is None
        or "fork" not in multiprocessing.get_all_start_methods()
        or (os.cpu_count() or 1) < 2
    ):
        for index in range(len(rows)):
            row, rows[index] = rows[index], None  # type: ignore[call-overload]
            yield _clean(kind, context, row)
        return
    half = len(rows) // 2
    with ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_adopt,
        initargs=(kind, context, rows, half),  # inherited through the fork, not pickled
    ) as pool:
        # Leaving the block (this process failed first, or the caller stopped reading) waits
        # for the worker to finish its half; its results are then dropped.
        second_half = pool.submit(_clean_adopted)
        for index in range(half):
            row, rows[index] = rows[index], None  # type: ignore[call-overload]
            yield _clean(kind, context, row)
        packed = second_half.result()  # the worker's own exception, if it failed
    del rows[half:]
    assert kind.unpack is not None
    for number, name, items, record in packed:
        found = RowProblems()
        found.items, found.name = items, name
        yield number, found, None if record is None else kind.unpack(context, record)


# What the worker process cleans: set in the worker only, by ``_adopt``.
_ADOPTED: tuple[ImportKind, Context, list[Row], int] | None = None


def _adopt(kind: ImportKind, context: Context, rows: list[Row], half: int) -> None:
    global _ADOPTED
    _ADOPTED = (kind, context, rows, half)


def _clean_adopted() -> list[tuple[int, str, list[tuple[str, Msg]], Any]]:
    assert _ADOPTED is not None
    kind, context, rows, half = _ADOPTED
    assert kind.pack is not None
    return [
        (number, found.name, found.items, None if record is None else kind.pack(record))
        for number, found, record in (_clean(kind, context, row) for row in rows[half:])
    ]


class StalePreview(Exception):
    """The file or the stored data changed since the preview: nothing was written."""

    def __init__(self, message: str, evaluation: Evaluation | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.evaluation = evaluation


def write(
    kind: ImportKind,
    data: bytes,
    filename: str,
    *,
    org: Any,
    actor: Any,
    expected_sha256: str,
    expected_valid: int | None = None,
    prior: Evaluation | None = None,
    lock: Callable[[], None] = lambda: None,
    progress: Callable[[int, int], None] | None = None,
    source: str = "",
    audit_object: Any = None,
    audit_details: Mapping[str, Any] | None = None,
    before_commit: Callable[[Evaluation, int], None] | None = None,
    batch_id: int | None = None,
    expected_groups: set[tuple[str, str]] | None = None,
    expected_plan: str | None = None,
    params: Mapping[str, Any] | None = None,
) -> tuple[Evaluation, int]:
    """Write every valid row, or nothing. ``expected_sha256`` and ``expected_valid`` are what the
    user saw in the preview; a different file, or a different number of valid rows now
    (another import or an edit meanwhile), raises :class:`StalePreview`.

    ``prior`` is the preview's own evaluation when it was made in this process (the command
    line): its rows are not read and checked again, only compared once more with what is
    stored, under the lock. Without it (a background task) the file is evaluated again.

    ``actor`` is who the audit event names (for a background import: who chose to import);
    ``audit_object`` and ``audit_details`` add the upload and its uploader to the event.
    ``before_commit(evaluation, written)`` runs last inside the transaction: an exception
    there (the upload was cancelled meanwhile) rolls every row back. ``batch_id`` (an upload's
    import) marks every row written with it and its row in the sheet: the import can be undone.

    ``expected_groups`` are the new village groups the preview listed (``planned_keys``): a
    commit that would now create another one raises :class:`StalePreview` (nobody adds a group
    they were not shown); one that exists by now is used, not created again.

    ``expected_plan`` is the preview's ``plan``: a commit that would now update other records,
    or the same ones changed meanwhile, raises :class:`StalePreview` (nobody overwrites a change
    they were not shown). The rows that add and the rows that update are written together."""
    if file_hash(data) != expected_sha256 or (prior is not None and prior.sha256 != expected_sha256):
        raise StalePreview(_("The file is not the one previewed. Upload it again to see a new preview."))
    with transaction.atomic():
        lock()  # imports into one city queue here, so duplicates between them are seen
        if prior is not None and prior.context is not None:
            evaluation = _recheck(kind, prior)
        else:
            evaluation = evaluate(kind, data, filename, org=org, actor=actor, progress=progress, params=params)
        if evaluation.file_error or evaluation.context is None:
            raise StalePreview(evaluation.file_error, evaluation)
        if expected_valid is not None and evaluation.valid != expected_valid:
            raise StalePreview(
                _(
                    "Since the preview, %(now)d rows are valid instead of %(then)d (records were added or "
                    "changed meanwhile). Nothing was imported; look at the new preview and import again."
                )
                % {"now": evaluation.valid, "then": expected_valid},
                evaluation,
            )
        if expected_plan is not None and evaluation.plan != expected_plan:
            raise StalePreview(
                _(
                    "Since the preview, records this file updates were changed (by someone else or another "
                    "import). Nothing was imported; look at the new preview and import again."
                ),
                evaluation,
            )
        unseen = planned_keys(evaluation.new_groups) - (expected_groups or set())
        if expected_groups is not None and unseen:
            raise StalePreview(
                _(
                    "Since the preview, this import would add village groups it did not list (%(names)s): "
                    "groups were renamed or removed meanwhile. Nothing was imported; look at the new preview "
                    "and import again."
                )
                % {"names": "、".join(sorted(name for _village, name in unseen))},
                evaluation,
            )
        evaluation.context.batch_id = batch_id
        evaluation.context.row_numbers = [number for number, _record in evaluation.records]
        created = _create_groups(kind, evaluation, actor)
        added = kind.write_records(evaluation.context, [record for _number, record in evaluation.records])
        updated = 0
        if evaluation.updates:
            assert kind.update_records is not None
            updated = kind.update_records(evaluation.context, evaluation.updates)
        written = added + updated
        # One event for the import, not one per row added (each group it created, and each
        # record it updated, has its own).
        details: dict[str, Any] = {"rows": written, "source": source or filename, **(audit_details or {})}
        if evaluation.updates or evaluation.unchanged:
            details |= {"added": added, "updated": updated, "unchanged": len(evaluation.unchanged)}
        if created:
            details["groups"] = [f"{group.parent.display_name} {group.name}" for group in created]
        audit(Action.IMPORT, audit_object, org=org, actor=actor, object_repr=kind.label(), changes=details)
        if before_commit is not None:
            before_commit(evaluation, written)
    return evaluation, written


def _create_groups(kind: ImportKind, evaluation: Evaluation, actor: Any) -> list[Any]:
    finder = _finder(kind, evaluation.context)
    if finder is None or not finder.pending:
        return []
    assert kind.place_of is not None
    return create_groups(finder, (kind.place_of(record)[0] for record in _written(evaluation)), actor)


def _recheck(kind: ImportKind, prior: Evaluation) -> Evaluation:
    """The prior evaluation with its rows without problems compared again with what is stored now."""
    assert prior.context is not None
    result = Evaluation(
        sha256=prior.sha256,
        total=prior.total,
        problems=list(prior.problems),
        problem_rows=prior.problem_rows,
        title=prior.title,
        columns=prior.columns,
        context=prior.context,
        sample=prior.sample,
        sample_by_language=prior.sample_by_language,
        footer=prior.footer,
        names=prior.names,
        params=prior.params,
    )
    _sort_out(kind, prior.context, result, prior.candidates())
    result.problems.sort(key=lambda p: p.row)
    result.new_groups = _planned(kind, result)
    result.notices = kind.notices(prior.context, result.records)
    return result
