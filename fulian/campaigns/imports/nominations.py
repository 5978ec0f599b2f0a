"""Reading, checking and writing the rows of a nomination spreadsheet (``campaign_nominations``).
Nothing is written at the preview; the commit nominates each valid row's household through
``nominations.nomination_create`` (its rules checked once more), all in the engine's transaction.
An import can be undone while none of its households moved on in the campaign."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fulian.campaigns.choices import CampaignStatus, EntryStatus, NominationStatus
from fulian.campaigns.imports import KIND
from fulian.campaigns.models import REASON_MAX_LENGTH, Campaign, Entry, Nomination, RaterAssignment, Result
from fulian.campaigns.services import nominations as services
from fulian.campaigns.services.common import within
from fulian.core.bulk import delete_quietly
from fulian.core.personal import keyed_hash, normalise_mobile
from fulian.core.scoping import can
from fulian.core.spreadsheets import Table
from fulian.households.models import Household
from fulian.imports.engine import Blocker, Context, ImportKind, RowProblems, register
from fulian.imports.places import PlaceFinder, place_label
from fulian.imports.problems import MESSAGES, Msg, msg
from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation
from fulian.orgs.names import clean_text

COLUMNS = {
    "head_name": ["户主姓名", "户主", "姓名", "被推荐户户主"],
    "id_number": ["身份证号", "身份证号码", "户主身份证号", "户主身份证号码"],
    "mobile": ["手机号", "手机", "手机号码", "联系电话", "电话", "户主电话", "户主手机", "户主手机号"],
    "village": ["村（社区）", "村/社区", "村社区", "村委会", "所在村", "社区", "村"],
    "township": ["乡镇（街道）", "乡镇/街道", "乡镇", "街道"],
    "reason": ["推荐理由", "理由", "推荐事由", "主要事迹", "事迹"],
}

# The problems of this import, put into words when read (``fulian.imports.problems``).
MESSAGES.update(
    {
        "nominate_no_campaign": gettext_lazy(
            "The upload does not say which campaign it is for: upload the file from the campaign's nominations page."
        ),
        "nominate_closed": gettext_lazy("%(campaign)s is not taking nominations."),
        "nominate_outside": gettext_lazy("%(value)s is not in %(org)s, which runs this campaign."),
        "nominate_archived": gettext_lazy("The household of %(value)s is archived."),
        "nominate_entered": gettext_lazy("The household of %(value)s is already in this campaign."),
        "nominate_ineligible": gettext_lazy(
            "An award of the household of %(value)s was revoked: it may be nominated again from %(day)s."
        ),
        "nominate_same_row": gettext_lazy("The household of %(value)s is also in row %(row)s of this file."),
    }
)


@dataclass
class Row:
    """One row: the household nominated, and why."""

    household: Household
    reason: str


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _campaign(context: Context) -> tuple[Campaign | None, Msg | None]:
    ref = context.params.get("campaign")
    campaign = None
    if isinstance(ref, int) and context.actor is not None:
        campaign = Campaign.objects.visible_to(context.actor).select_related("org").filter(pk=ref).first()
    if campaign is None:
        return None, msg("nominate_no_campaign")
    if campaign.status != CampaignStatus.OPEN:
        return campaign, msg("nominate_closed", campaign=f"{campaign.year} {campaign.name}")
    return campaign, None


def prepare(context: Context, table: Table) -> None:
    """Once per file: the campaign, the villages below the import's organisation; households are
    looked up per village as rows name them."""
    context.cache["campaign"], context.cache["campaign_problem"] = _campaign(context)
    context.cache["places"] = PlaceFinder(context.org, {Level.VILLAGE, Level.TOWNSHIP})
    context.cache["households"] = {}


def _households_of(context: Context, village: Organisation) -> list[Household]:
    """The households of a village (archived ones too: a row naming one is told so)."""
    cached: dict[int, list[Household]] = context.cache["households"]
    if village.pk not in cached:
        cached[village.pk] = list(
            Household.objects.with_archived()
            .filter(village_id=village.pk, erased_at__isnull=True)
            .select_related("org")
            .order_by("id")
        )
    return cached[village.pk]


def _village(context: Context, values: dict[str, Any], problems: RowProblems) -> Organisation | None:
    places: PlaceFinder = context.cache["places"]
    found, message = places.find(Level.VILLAGE, values.get("village"), township=values.get("township"))
    if message is not None:
        problems.add("village", message)
    return found


def _household(
    context: Context, village: Organisation, values: dict[str, Any], problems: RowProblems
) -> Household | None:
    """The household of the village whose head the row names; the head's ID number or phone
    tells namesakes apart (a current household before an archived namesake)."""
    name = clean_text(values.get("head_name"))
    if not name:
        problems.add("head_name", msg("name_required"))
        return None
    named = [h for h in _households_of(context, village) if h.head_name == name]
    id_number = _cell(values.get("id_number")).replace(" ", "").upper()
    mobile = normalise_mobile(_cell(values.get("mobile")))
    chosen = named
    if id_number:
        chosen = [h for h in chosen if h.id_hash == keyed_hash(id_number)]
    if mobile:
        chosen = [h for h in chosen if h.mobile_hash == keyed_hash(mobile)]
    if len(chosen) > 1:
        current = [h for h in chosen if h.archived_at is None]
        chosen = current if len(current) == 1 else chosen
    if not chosen:
        code = "assign_household_other_key" if named else "assign_household_unknown"
        problems.add("head_name", msg(code, value=name, org=village.display_name))
        return None
    if len(chosen) > 1:
        problems.add(
            "head_name", msg("assign_household_ambiguous", count=len(chosen), value=name, org=village.display_name)
        )
        return None
    return chosen[0]


def clean_row(context: Context, values: dict[str, Any], problems: RowProblems) -> Row | None:
    """One row as a :class:`Row`, or None with its problems (each naming its cell)."""
    campaign: Campaign | None = context.cache["campaign"]
    problem: Msg | None = context.cache["campaign_problem"]
    if problem is not None or campaign is None:
        problems.add("head_name", problem or msg("nominate_no_campaign"))
        return None
    reason = _cell(values.get("reason"))
    if len(reason) > REASON_MAX_LENGTH:
        problems.add("reason", msg("assign_too_long", value=reason, n=REASON_MAX_LENGTH))
    village = _village(context, values, problems)
    if village is None:
        return None
    if not within(village, campaign):
        problems.add("village", msg("nominate_outside", value=village.display_name, org=campaign.org.display_name))
        return None
    household = _household(context, village, values, problems)
    if household is None or problems:
        return None
    actor = context.actor
    if actor is not None and not can(actor, "campaigns.screen", household.org):
        # Out of the uploader's reach reads as not found, as everywhere else.
        problems.add("head_name", msg("assign_household_unknown", value=household.head_name, org=village.display_name))
        return None
    if household.archived_at is not None:
        problems.add("head_name", msg("nominate_archived", value=household.head_name))
        return None
    until = services.ineligible_until(household)
    if until is not None:
        problems.add("head_name", msg("nominate_ineligible", value=household.head_name, day=until))
        return None
    return Row(household=household, reason=reason)


def check_stored(context: Context, rows: list[tuple[int, Row]]) -> dict[int, list[tuple[str, Msg | str]]]:
    """Households already in the campaign, and a household named by an earlier row."""
    found: dict[int, list[tuple[str, Msg | str]]] = {}
    campaign: Campaign | None = context.cache.get("campaign")
    if not rows or campaign is None:
        return found
    ids = [row.household.pk for _n, row in rows]
    entered: set[int] = set()
    for start in range(0, len(ids), 1000):
        entered |= set(
            Entry.objects.filter(campaign=campaign, household_id__in=ids[start : start + 1000]).values_list(
                "household_id", flat=True
            )
        )
    earlier: dict[int, int] = {}
    for number, row in rows:
        name = row.household.head_name
        if row.household.pk in entered:
            found[number] = [("head_name", msg("nominate_entered", value=name))]
        elif row.household.pk in earlier:
            found[number] = [("head_name", msg("nominate_same_row", value=name, row=earlier[row.household.pk]))]
        else:
            earlier[row.household.pk] = number
    return found


def write(context: Context, rows: list[Row]) -> int:
    """Each household nominated through ``nomination_create`` (accepted at once: staff made it),
    then its nomination marked with the upload and its row, for the undo."""
    campaign: Campaign = context.cache["campaign"]
    numbers: list[int | None] = list(context.row_numbers) or [None] * len(rows)
    made: list[Nomination] = []
    for number, row in zip(numbers, rows, strict=True):
        nomination = services.nomination_create(
            actor=context.actor, campaign=campaign, household=row.household, reason=row.reason
        )
        nomination.import_batch, nomination.import_row = context.batch_id, number
        made.append(nomination)
    # Not a change to the nominations (no event of its own: the import's event covers them).
    Nomination.objects.bulk_update(made, ["import_batch", "import_row"], batch_size=1000)
    return len(made)


def describe(row: Row) -> list[tuple[str, str]]:
    household = row.household
    return [
        (_("Head of household"), household.head_name),
        (_("Village"), place_label(household.org)),
        (_("Reason"), row.reason),
    ]


def undo_blockers(batch: Any, limit: int) -> list[Blocker]:
    """The households this upload nominated that moved on in the campaign since (raters
    assigned, no longer simply in the running, another nomination merged into theirs)."""
    made = Nomination.objects.filter(import_batch=batch.pk)
    entries = Entry.objects.filter(nomination=OuterRef("pk"))
    rows = (
        made.annotate(
            rated=Exists(RaterAssignment.objects.filter(entry__nomination=OuterRef("pk"))),
            moved=Exists(entries.exclude(status=EntryStatus.ACTIVE)),
            merged_in=Exists(Nomination.objects.filter(duplicate_of=OuterRef("pk"))),
        )
        .exclude(rated=False, moved=False, merged_in=False, status=NominationStatus.ACCEPTED)
        .order_by(F("import_row").asc(nulls_last=True), "id")
    )
    blockers = []
    for nomination in rows[:limit]:
        changes = []
        if nomination.rated:  # type: ignore[attr-defined]
            changes.append(_("raters were assigned"))
        if nomination.moved:  # type: ignore[attr-defined]
            changes.append(_("no longer simply in the running"))
        if nomination.merged_in:  # type: ignore[attr-defined]
            changes.append(_("another nomination was merged into it"))
        if nomination.status != NominationStatus.ACCEPTED:
            changes.append(nomination.get_status_display())
        blockers.append(Blocker(row=nomination.import_row, name=nomination.name, changes=tuple(changes)))
    return blockers


def undo_delete(batch: Any) -> int:
    """Delete the entries (with their results) and the nominations this upload made; the undo's
    own event covers them."""
    made = Nomination.objects.filter(import_batch=batch.pk)
    entries = Entry.objects.filter(nomination__import_batch=batch.pk)
    delete_quietly(Result.objects.filter(entry__in=list(entries.values_list("pk", flat=True))))
    delete_quietly(Entry.objects.filter(pk__in=list(entries.values_list("pk", flat=True))))
    return delete_quietly(Nomination.objects.filter(pk__in=list(made.values_list("pk", flat=True))))


NOMINATIONS = ImportKind(
    name=KIND,
    label=lambda: str(gettext_lazy("Campaign nominations")),
    name_field="head_name",
    columns=COLUMNS,
    required=["head_name"],
    template_headers={
        "head_name": "户主姓名",
        "id_number": "身份证号",
        "mobile": "手机号",
        "village": "村（社区）",
        "reason": "推荐理由",
    },
    template_example=["钟桃华", "", "13807330000", "回龙村", "庭院整洁，种满花草"],
    text_columns=["id_number", "mobile"],
    change_action="campaigns.screen",
    prepare=prepare,
    clean_row=clean_row,
    duplicate_keys=lambda row: (),
    check_stored=check_stored,
    write_records=write,
    describe=describe,
    columns_required_unless=lambda org: [] if org.level in (Level.VILLAGE, Level.GROUP) else ["village"],
    undo_blockers=undo_blockers,
    undo_delete=undo_delete,
)
register(NOMINATIONS)
