"""The assignment import against what is stored: overlaps (with stored assignments and between
the rows of one file), the write through ``assignment_create``, and the undo."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import F, Q
from django.utils.translation import gettext as _

from fulian.core.bulk import delete_quietly
from fulian.grid import coverage, services
from fulian.grid.choices import Mode
from fulian.grid.imports.rows import Entry, target_params
from fulian.grid.models import Assignment
from fulian.households.models import Household
from fulian.imports.engine import Blocker, Context, changed_since
from fulian.imports.problems import Msg, msg
from fulian.orgs.choices import Level


def _overlaps(a_start: datetime.date, a_end: datetime.date | None, b_start: datetime.date, b_end: Any) -> bool:
    return (a_end is None or a_end >= b_start) and (b_end is None or b_end >= a_start)


def _overlap_problem(entry: Entry, other_person: str, start: datetime.date, end: datetime.date | None) -> Msg:
    params: dict[str, Any] = {"person": other_person, "start": start, **target_params(entry.target)}
    return msg("assign_overlap", end=end, **params) if end else msg("assign_overlap_open", **params)


def check_stored(context: Context, rows: list[tuple[int, Any]]) -> dict[int, list[tuple[str, Msg | str]]]:
    """Overlaps, as ``assignment_create`` refuses them: with a responsibility stored (she has the
    target already; 就近包保 is one to one) or given by an earlier row of the same file."""
    found: dict[int, list[tuple[str, Msg | str]]] = {}
    if not rows:
        return found
    orgs = {e.target.pk for _n, e in rows if not isinstance(e.target, Household)}
    households = {e.target.pk for _n, e in rows if isinstance(e.target, Household)}
    earliest = min(e.start_date for _n, e in rows)
    stored: dict[tuple[str, int], list[Assignment]] = {}
    for kind, ids in (("org", sorted(orgs)), ("household", sorted(households))):
        for start in range(0, len(ids), 1000):
            chunk = ids[start : start + 1000]
            where = Q(target_org_id__in=chunk) if kind == "org" else Q(household_id__in=chunk)
            for a in (
                Assignment.objects.filter(where)
                .filter(Q(end_date__isnull=True) | Q(end_date__gte=earliest))
                .select_related("person")
            ):
                stored.setdefault((kind, a.target_org_id or a.household_id), []).append(a)  # type: ignore[arg-type]
    earlier: dict[tuple[str, int], list[tuple[int, Entry]]] = {}
    for number, entry in rows:
        problems: list[tuple[str, Msg | str]] = []
        key = entry.target_key
        for a in stored.get(key, []):
            if not _overlaps(entry.start_date, entry.end_date, a.start_date, a.end_date):
                continue
            if a.person_id == entry.post.person_id:
                problems.append((entry.target_field, _overlap_problem(entry, a.person.name, a.start_date, a.end_date)))
                break
            if entry.mode == Mode.NEARBY and a.mode == Mode.NEARBY:
                nearby = msg("assign_nearby", person=a.person.name, **target_params(entry.target))
                problems.append((entry.target_field, nearby))
                break
        if not problems:
            for other_number, other in earlier.get(key, []):
                if not _overlaps(entry.start_date, entry.end_date, other.start_date, other.end_date):
                    continue
                params: dict[str, Any] = {
                    "row": other_number,
                    "person": other.post.person.name,
                    **target_params(entry.target),
                }
                if other.post.person_id == entry.post.person_id:
                    problems.append((entry.target_field, msg("assign_overlap_row", **params)))
                    break
                if entry.mode == Mode.NEARBY and other.mode == Mode.NEARBY:
                    problems.append((entry.target_field, msg("assign_nearby_row", **params)))
                    break
        earlier.setdefault(key, []).append((number, entry))
        if problems:
            found[number] = problems
    return found


def write(context: Context, entries: list[Entry]) -> int:
    """Each assignment through ``assignment_create`` (its rules checked once more, each saved with
    its own audit event, the coverage of the villages touched recounted), rows with the same 执委,
    mode, dates and note in one call; then marked with the upload and their rows, for the undo."""
    numbers: list[int | None] = list(context.row_numbers) or [None] * len(entries)
    groups: dict[tuple[Any, ...], list[tuple[int | None, Entry]]] = {}
    for number, entry in zip(numbers, entries, strict=True):
        key = (entry.post.pk, entry.mode, entry.start_date, entry.end_date, entry.partner, entry.note)
        groups.setdefault(key, []).append((number, entry))
    made: list[Assignment] = []
    for items in groups.values():
        for start in range(0, len(items), services.MAX_TARGETS):
            chunk = items[start : start + services.MAX_TARGETS]
            first = chunk[0][1]
            created = services.assignment_create(
                actor=context.actor,
                post=first.post,
                targets=[entry.target for _number, entry in chunk],
                mode=first.mode,
                start_date=first.start_date,
                end_date=first.end_date,
                partner=first.partner,
                note=first.note,
            )
            for assignment, (number, _entry) in zip(created, chunk, strict=True):
                assignment.import_batch, assignment.import_row = context.batch_id, number
                made.append(assignment)
    # Not a change to the assignments (no event, ``updated_at`` left as the service set it).
    Assignment.objects.bulk_update(made, ["import_batch", "import_row"], batch_size=1000)
    return len(made)


def undo_blockers(batch: Any, limit: int) -> list[Blocker]:
    """The assignments this upload made that changed since (ended, corrected, passed to her next
    term's post, replaced by a change): undoing would lose that work."""
    since = batch.finished_at
    rows = (
        Assignment.objects.filter(import_batch=batch.pk, updated_at__gt=since)
        .select_related("person", "target_org", "household")
        .order_by(F("import_row").asc(nulls_last=True), "id")
    )
    blockers = []
    for a in rows[:limit]:
        changes = changed_since(since, updated=a.updated_at)
        if a.end_date is not None:
            changes.append(_("ends on %(date)s") % {"date": a.end_date.isoformat()})
        name = f"{a.person.name} → {services.target_label(a.target)}"
        blockers.append(Blocker(row=a.import_row, name=name, changes=tuple(changes)))
    return blockers


def undo_delete(batch: Any) -> int:
    """Delete the assignments this upload made (none changed since: that would have blocked) and
    recount the coverage of their villages; the undo's own event covers them."""
    made = Assignment.objects.filter(import_batch=batch.pk)
    villages = set(made.filter(tier=Level.VILLAGE).values_list("village_id", flat=True).distinct())
    removed = delete_quietly(made)
    coverage.refresh_villages({v for v in villages if v is not None})
    return removed
