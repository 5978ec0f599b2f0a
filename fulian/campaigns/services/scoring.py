"""Scoring on site: raters assigned to entries (never to a household they have an interest in),
sheets submitted from a phone (once, even when the connection drops and the phone tries
again), and a submitted sheet superseded by staff with a reason."""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fulian.audit.recorder import record
from fulian.campaigns import conflicts
from fulian.campaigns.choices import EntryStatus, SheetStatus, StageStatus
from fulian.campaigns.models import (
    NOTE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    Entry,
    RaterAssignment,
    ScoreSheet,
    SheetPhoto,
    Stage,
)
from fulian.campaigns.photos import sheet_photo
from fulian.campaigns.rubrics import score_sheet
from fulian.campaigns.services.common import author, clean_text, today
from fulian.campaigns.services.setup import rubric_freeze
from fulian.core.scoping import AnyUser, can, require
from fulian.grid.models import Assignment, active_q
from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation
from fulian.people.models import Person, Post

MAX_PHOTOS = 24
MAX_PHOTOS_PER_ITEM = 4
# A phone's clock may run a little fast; a time further ahead is refused.
CLOCK_SLACK = datetime.timedelta(minutes=10)


def candidates_q(stage: Stage, org_id: int) -> Q:
    """The posts whose 执委 may rate households of ``org_id`` (an organisation of the stage's
    level): at the village stage, the village's own 执委 (its groups included) and the township
    执委 who took the village (包村); at a higher stage, the 执委 of that organisation."""
    if stage.level == Level.VILLAGE:
        return Q(village_id=org_id)
    return Q(org_id=org_id)


def _candidates(stage: Stage, org_ids: Sequence[int], on: datetime.date) -> dict[int, list[Person]]:
    """Per organisation of the stage's level, the people who may rate there (current posts)."""
    found: dict[int, dict[int, Person]] = defaultdict(dict)
    column = "village_id" if stage.level == Level.VILLAGE else "org_id"
    posts = Post.objects.current().filter(**{f"{column}__in": list(org_ids)}).select_related("person")
    for post in posts:
        if post.person.archived_at is None:
            found[int(getattr(post, column))][post.person_id] = post.person
    if stage.level == Level.VILLAGE:
        # 包村: a township 执委 responsible for the village rates there too.
        for assignment in Assignment.objects.filter(active_q(on), target_org_id__in=list(org_ids)).select_related(
            "person"
        ):
            if assignment.person.archived_at is None and assignment.target_org_id is not None:
                found[assignment.target_org_id].setdefault(assignment.person_id, assignment.person)
    return {org_id: list(people.values()) for org_id, people in found.items()}


def _open_for_scoring(stage: Stage) -> None:
    if stage.status not in (StageStatus.SCORING, StageStatus.RANKED):
        raise ValidationError(_("This stage is not being scored: %(status)s.") % {"status": stage.get_status_display()})


@transaction.atomic
def raters_assign(*, actor: AnyUser, stage: Stage, org: Organisation) -> dict[str, Any]:
    """Give every entry of ``stage`` under ``org`` its number of raters, from the 执委 who may
    rate there, fewest assignments first, skipping anyone with an interest in the household.
    Returns ``{"assigned": n, "short": [(entry, missing)]}``: where too few 执委 are free, the
    entry gets as many as there are and staff add the rest by hand."""
    require(actor, "campaigns.screen", org)
    stage = Stage.objects.select_for_update().select_related("campaign__org").get(pk=stage.pk)
    _open_for_scoring(stage)
    entries = list(
        Entry.objects.visible_to(actor, "campaigns.screen")
        .filter(campaign=stage.campaign, stage=stage, status=EntryStatus.ACTIVE)
        .filter(**{f"{org.level}_id": org.pk} if org.level != Level.PROVINCE else {})
        .select_related("household")
    )
    column = stage.level_column
    groups: dict[int, list[Entry]] = defaultdict(list)
    for entry in entries:
        groups[getattr(entry, column)].append(entry)
    people_by_org = _candidates(stage, list(groups), today())
    everyone = {p.pk: p for people in people_by_org.values() for p in people}
    conflict = conflicts.conflicts(everyone.values(), [e.household_id for e in entries], campaign=stage.campaign)
    load = dict(
        RaterAssignment.objects.filter(stage=stage, person_id__in=list(everyone))
        .values("person_id")
        .annotate(n=Count("id"))
        .values_list("person_id", "n")
    )
    existing: dict[int, set[int]] = defaultdict(set)
    for entry_id, person_id in RaterAssignment.objects.filter(stage=stage, entry__in=entries).values_list(
        "entry_id", "person_id"
    ):
        existing[entry_id].add(person_id)
    made: list[RaterAssignment] = []
    short: list[tuple[Entry, int]] = []
    for org_id, group in groups.items():
        people = people_by_org.get(org_id, [])
        for entry in group:
            missing = stage.raters - len(existing[entry.pk])
            if missing <= 0:
                continue
            free = [p for p in people if p.pk not in existing[entry.pk] and (p.pk, entry.household_id) not in conflict]
            # Fewest assignments first; those with an account (who can score on a phone) first.
            free.sort(key=lambda p: (load.get(p.pk, 0), p.account_id is None, p.pk))
            for person in free[:missing]:
                assignment = RaterAssignment(stage=stage, entry=entry, person=person, assigned_by=author(actor))
                assignment.place_beside(entry)
                made.append(assignment)
                load[person.pk] = load.get(person.pk, 0) + 1
                existing[entry.pk].add(person.pk)
            if len(free) < missing:
                short.append((entry, missing - len(free)))
    RaterAssignment.objects.bulk_create(made, batch_size=2000)
    if made:
        record(
            "create",
            stage,
            org=org,
            actor=author(actor),
            object_repr=str(stage),
            changes={"raters_assigned": len(made)},
        )
    return {"assigned": len(made), "short": short}


@transaction.atomic
def rater_assign(*, actor: AnyUser, stage: Stage, entry: Entry, person: Person) -> RaterAssignment:
    """Ask one 执委 to rate one entry (staff adding a rater by hand): refused when she has an
    interest in the household or already rates it."""
    require(actor, "campaigns.screen", entry.org)
    stage = Stage.objects.select_for_update().select_related("campaign").get(pk=stage.pk)
    _open_for_scoring(stage)
    if entry.stage_id != stage.pk or entry.status != EntryStatus.ACTIVE:
        raise ValidationError({"entry": _("This household is not in this stage.")})
    reason = conflicts.conflict_of(person, entry.household_id, campaign=stage.campaign)
    if reason is not None:
        raise ValidationError(
            {
                "person": _("%(name)s may not score this household: %(reason)s.")
                % {"name": person.name, "reason": _conflict_label(reason)}
            }
        )
    if RaterAssignment.objects.filter(stage=stage, entry=entry, person=person).exists():
        raise ValidationError({"person": _("%(name)s already rates this household.") % {"name": person.name}})
    assignment = RaterAssignment(stage=stage, entry=entry, person=person, assigned_by=author(actor))
    assignment.place_beside(entry)
    assignment.save()
    return assignment


@transaction.atomic
def rater_remove(*, actor: AnyUser, assignment: RaterAssignment) -> None:
    """Take a rater off an entry she has not scored yet."""
    require(actor, "campaigns.screen", assignment.org)
    if assignment.sheets.exists():
        raise ValidationError(_("She has already scored this household: supersede her sheet instead."))
    assignment.delete()


def _conflict_label(reason: str) -> str:
    from fulian.campaigns.choices import ConflictReason

    return str(ConflictReason(reason).label).lower() if reason in ConflictReason.values else reason


def _coordinate(value: Any, field: str, limit: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: _("The position is not readable.")}) from None
    if not -limit <= number <= limit:
        raise ValidationError({field: _("The position is not readable.")})
    return number


@transaction.atomic
def sheet_submit(
    *,
    actor: AnyUser,
    assignment: RaterAssignment,
    values: Mapping[str, Any],
    comment: str = "",
    scored_at: datetime.datetime | None = None,
    latitude: Any = None,
    longitude: Any = None,
    client_key: uuid.UUID | str | None = None,
    photos: Sequence[tuple[int | None, UploadedFile]] = (),
) -> tuple[ScoreSheet, bool]:
    """Submit the rater's sheet for her assignment. Returns ``(sheet, created)``: the same
    ``client_key`` sent again (a phone retrying after a dropped connection) returns the sheet
    already stored instead of a second one. Refused, with what and where: not her assignment,
    a second sheet, after the deadline, a stage not being scored, a household she has an
    interest in, a score outside an item's range, a file that is not a photo."""
    if client_key not in (None, ""):
        try:
            client_key = uuid.UUID(str(client_key))
        except ValueError:
            raise ValidationError({"client_key": _("The sheet's key is not readable.")}) from None
    # The assignment's row lock first: a phone sending the same sheet twice at once waits here,
    # then finds the first one by its key below.
    assignment = (
        RaterAssignment.objects.select_for_update()
        .select_related("person", "entry__household", "stage__campaign__rubric")
        .get(pk=assignment.pk)
    )
    person = assignment.person
    is_rater = person.account_id is not None and person.account_id == getattr(actor, "pk", None)
    if is_rater:
        require(actor, "campaigns.score", assignment.org)
    elif not can(actor, "campaigns.review", assignment.org):
        raise PermissionDenied(_("You are not assigned to score this household."))
    if client_key:
        stored = ScoreSheet.objects.filter(client_key=client_key).first()
        if stored is not None:
            if stored.assignment_id != assignment.pk:
                raise ValidationError({"client_key": _("This key belongs to another sheet.")})
            return stored, False
    stage = assignment.stage
    _open_for_scoring(stage)
    if assignment.entry.status != EntryStatus.ACTIVE or assignment.entry.stage_id != stage.pk:
        raise ValidationError(_("This household is no longer in this stage."))
    previous = list(assignment.sheets.values_list("status", flat=True))
    if SheetStatus.SUBMITTED in previous:
        raise ValidationError(
            _("A sheet for this household is already submitted; staff can supersede it with a reason.")
        )
    if today() > stage.deadline and SheetStatus.SUPERSEDED not in previous:
        raise ValidationError(
            _("The scoring deadline was %(day)s; ask the federation to extend it.")
            % {"day": stage.deadline.isoformat()}
        )
    reason = conflicts.conflict_of(person, assignment.entry.household_id, campaign=stage.campaign)
    if reason is not None:
        raise ValidationError(
            _("%(name)s may not score this household: %(reason)s.")
            % {"name": person.name, "reason": _conflict_label(reason)}
        )
    rubric = stage.campaign.rubric
    items = list(rubric.items.all())
    totals = score_sheet(items, values)
    now = timezone.now()
    scored_at = scored_at or now
    if scored_at > now + CLOCK_SLACK:
        raise ValidationError({"scored_at": _("The time of scoring is in the future.")})
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("At most %(n)d photos on a sheet.") % {"n": MAX_PHOTOS}})
    item_ids = {item.pk for item in items}
    per_item: dict[int | None, int] = defaultdict(int)
    cleaned = []
    for n, (item_id, upload) in enumerate(photos, start=1):
        if item_id is not None and item_id not in item_ids:
            raise ValidationError({"photos": _("Photo %(n)d is for an item not on the rubric.") % {"n": n}})
        per_item[item_id] += 1
        if item_id is not None and per_item[item_id] > MAX_PHOTOS_PER_ITEM:
            raise ValidationError({"photos": _("At most %(n)d photos for one item.") % {"n": MAX_PHOTOS_PER_ITEM}})
        try:
            cleaned.append((item_id, *sheet_photo(upload, name=f"sheet-{assignment.pk}-{n}")))
        except ValidationError as error:
            raise ValidationError(
                {
                    "photos": [
                        _("Photo %(n)d (%(file)s): %(error)s")
                        % {"n": n, "file": getattr(upload, "name", ""), "error": m}
                        for m in error.messages
                    ]
                }
            ) from None
    sheet = ScoreSheet(
        assignment=assignment,
        stage=stage,
        entry=assignment.entry,
        rater=person,
        rubric=rubric,
        items=totals.items,
        raw=totals.raw,
        possible=totals.possible,
        score=totals.score,
        vetoed=totals.vetoed,
        comment=clean_text(comment, NOTE_MAX_LENGTH, "comment"),
        scored_at=scored_at,
        latitude=_coordinate(latitude, "latitude", 90),
        longitude=_coordinate(longitude, "longitude", 180),
        submitted_by=author(actor),
    )
    if client_key:
        sheet.client_key = client_key  # type: ignore[assignment]
    sheet.place_beside(assignment.entry)
    try:
        with transaction.atomic():
            sheet.save()
    except IntegrityError:
        stored = ScoreSheet.objects.filter(client_key=sheet.client_key, assignment=assignment).first()
        if stored is not None:
            return stored, False
        raise ValidationError(_("A sheet for this household is already submitted.")) from None
    for item_id, content, digest, dhash in cleaned:
        SheetPhoto.objects.create(sheet=sheet, item_id=item_id, image=content, digest=digest, dhash=dhash)
    rubric_freeze(rubric)
    _ranking_stale(stage)
    return sheet, True


def _ranking_stale(stage: Stage) -> None:
    """A sheet arrived or was set aside after ranking: the stage is to be ranked again."""
    Stage.objects.filter(pk=stage.pk, status=StageStatus.RANKED).update(status=StageStatus.SCORING)


@transaction.atomic
def sheet_supersede(*, actor: AnyUser, sheet: ScoreSheet, reason: str) -> ScoreSheet:
    """Set a submitted sheet aside with a reason (a wrong household, a mistaken score): it no
    longer counts, and the rater may score the household again, also after the deadline."""
    require(actor, "campaigns.review", sheet.org)
    sheet = ScoreSheet.objects.select_for_update().select_related("stage").get(pk=sheet.pk)
    if sheet.status != SheetStatus.SUBMITTED:
        raise ValidationError(_("This sheet was already superseded."))
    if sheet.stage.status not in (StageStatus.SCORING, StageStatus.RANKED):
        raise ValidationError(_("This stage's results are settled; its sheets stay as they are."))
    sheet.superseded_reason = clean_text(reason, REASON_MAX_LENGTH, "reason", required=True)
    sheet.status = SheetStatus.SUPERSEDED
    sheet.superseded_by = author(actor)
    sheet.superseded_at = timezone.now()
    sheet.save()
    _ranking_stale(sheet.stage)
    return sheet
