"""Review flags: what a paper process never catches, found before a stage is ranked.

- BIAS: a rater whose scores sit far from her co-raters' on the same households: on average
  (signed, so that a harsh or a generous rater shows) at least ``BIAS_POINTS`` from the mean
  of the others, over at least ``BIAS_MIN_SHARED`` households she shares with them.
- AGREEMENT: a household whose raters disagree: its highest and lowest sheet at least
  ``SPREAD_POINTS`` apart (two sheets or more).
- PHOTO: the same picture sent for two different households of the campaign: the same digest
  of the stored pixels, or dHashes at most ``photos.NEAR_BITS`` bits apart (a resized or
  re-compressed copy).

``flags_find`` replaces a stage's uncleared flags with fresh ones; cleared flags stay, and a
finding a reviewer already cleared is not raised again. Scores are percentages (0–100), so
the thresholds are points of a percentage.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from fulian.audit.recorder import record
from fulian.campaigns import photos
from fulian.campaigns.choices import FlagKind, SheetStatus
from fulian.campaigns.models import REASON_MAX_LENGTH, Entry, Flag, SheetPhoto, Stage
from fulian.campaigns.services.common import author, clean_text
from fulian.campaigns.services.ranking import sheet_aggregates
from fulian.core.ancestry import ANCESTRY_FIELDS
from fulian.core.scoping import AnyUser, require

# A rater is flagged when her mean signed difference from her co-raters is this many points
# or more (either way) …
BIAS_POINTS = Decimal(12)
# … over at least this many households she shares with other raters.
BIAS_MIN_SHARED = 3
# A household is flagged when its highest and lowest sheet are this many points apart.
SPREAD_POINTS = Decimal(20)
# The dHash comparison splits the 64 bits into this many chunks: two hashes at most
# NEAR_BITS apart agree on at least one chunk (pigeonhole), so only photos sharing a chunk
# are compared.
DHASH_CHUNKS = photos.NEAR_BITS + 1
CENT = Decimal("0.01")


def flags_find(stage: Stage, *, actor: AnyUser | None = None) -> int:
    """Replace the stage's uncleared flags with fresh ones (cleared ones stay, and what a
    reviewer cleared is not raised again). Returns the number of fresh flags. With ``actor``,
    checks she may review the campaign (a scheduled job or the benchmark calls it without)."""
    if actor is not None:
        require(actor, "campaigns.review", stage.campaign.org)
    with transaction.atomic():
        stage = Stage.objects.select_for_update().select_related("campaign__org").get(pk=stage.pk)
        found = [*_bias(stage), *_agreement(stage), *_photos(stage)]
        cleared = set(
            Flag.objects.filter(stage=stage, cleared_at__isnull=False).values_list(
                "kind", "entry_id", "other_entry_id", "person_id"
            )
        )
        fresh = [f for f in found if (f.kind, f.entry_id, f.other_entry_id, f.person_id) not in cleared]
        Flag.objects.filter(stage=stage, cleared_at__isnull=True).delete()
        Flag.objects.bulk_create(fresh, batch_size=1000)
        record(
            "update",
            stage,
            org=stage.campaign.org,
            actor=author(actor) if actor is not None else None,
            object_repr=str(stage),
            changes={"flags_found": len(fresh)},
        )
    return len(fresh)


@transaction.atomic
def flag_clear(*, actor: AnyUser, flag: Flag, note: str) -> Flag:
    """A reviewer looked at the flag and says why it needs nothing more (or what was done)."""
    require(actor, "campaigns.review", flag.org)
    flag = Flag.objects.select_for_update().get(pk=flag.pk)
    if flag.cleared_at is not None:
        raise ValidationError(_("This flag was already cleared."))
    flag.cleared_note = clean_text(note, REASON_MAX_LENGTH, "note", required=True)
    flag.cleared_by = author(actor)
    flag.cleared_at = timezone.now()
    flag.save(update_fields=["cleared_note", "cleared_by", "cleared_at"])
    record(
        "update",
        flag,
        org=flag.org,
        actor=author(actor),
        object_repr=str(flag),
        changes={"cleared": flag.cleared_note},
    )
    return flag


def _placed(flag: Flag, entry: Entry) -> Flag:
    flag.place_beside(entry)
    return flag


def _placed_at_level(flag: Flag, entry: Entry, level: str) -> Flag:
    """At the entry's organisation of ``level`` (a rater's flag: where her households are)."""
    cut = ANCESTRY_FIELDS.index(level) + 1
    for n, name in enumerate(ANCESTRY_FIELDS):
        setattr(flag, f"{name}_id", getattr(entry, f"{name}_id") if n < cut else None)
    flag.org_id = getattr(entry, f"{level}_id") or entry.org_id
    return flag


def _entries(ids: Iterable[int]) -> dict[int, Entry]:
    return {
        e.pk: e
        for e in Entry.objects.filter(pk__in=set(ids))
        .select_related("household")
        .only("pk", "org_id", *(f"{level}_id" for level in ANCESTRY_FIELDS), "household__head_name")
    }


def _sheets(stage: Stage) -> dict[int, list[tuple[int, int, Decimal]]]:
    """Per entry: its submitted sheets as (sheet id, rater id, score)."""
    by_entry: dict[int, list[tuple[int, int, Decimal]]] = defaultdict(list)
    rows = (
        stage.sheets.filter(status=SheetStatus.SUBMITTED)
        .order_by("entry_id", "id")
        .values_list("entry_id", "id", "rater_id", "score")
    )
    for entry_id, sheet_id, rater_id, score in rows.iterator(chunk_size=5000):
        by_entry[entry_id].append((sheet_id, rater_id, score))
    return by_entry


def _bias(stage: Stage) -> list[Flag]:
    """Raters far from their co-raters on the households they share. The furthest is flagged
    first and her sheets then leave her co-raters' comparison, and so on: one harsh rater
    among three would otherwise make the two fair ones look generous (+15 against −30)."""
    sheets = _sheets(stage)
    removed: set[int] = set()
    by_rater: dict[int, set[int]] = defaultdict(set)
    for entry_id, entry_sheets in sheets.items():
        for _sheet_id, rater_id, _score in entry_sheets:
            by_rater[rater_id].add(entry_id)

    def rows_of(rater_id: int) -> list[tuple[int, int, Decimal, Decimal]]:
        found: list[tuple[int, int, Decimal, Decimal]] = []
        for entry_id in by_rater[rater_id]:
            mine = [(s, sc) for s, r, sc in sheets[entry_id] if r == rater_id]
            others = [sc for _s, r, sc in sheets[entry_id] if r != rater_id and r not in removed]
            if mine and others:
                mean = sum(others, Decimal(0)) / len(others)
                found.extend((entry_id, sheet_id, score, mean) for sheet_id, score in mine)
        return sorted(found)

    def stat(rater_id: int) -> tuple[Decimal, list[tuple[int, int, Decimal, Decimal]]] | None:
        rows = rows_of(rater_id)
        if len(rows) < BIAS_MIN_SHARED:
            return None
        mean = sum((score - others for _e, _s, score, others in rows), Decimal(0)) / len(rows)
        return (mean, rows) if abs(mean) >= BIAS_POINTS else None

    stats = {r: stat(r) for r in by_rater}
    flagged: dict[int, tuple[Decimal, list[tuple[int, int, Decimal, Decimal]]]] = {}
    while True:
        candidates = [(abs(v[0]), r) for r, v in stats.items() if v is not None and r not in removed]
        if not candidates:
            break
        # Raters tied for the furthest go together: two raters alone on households are
        # equally far from each other, and neither is the one to suspect.
        furthest = max(size for size, _r in candidates)
        worst = {r for size, r in candidates if size == furthest}
        for rater_id in worst:
            flagged[rater_id] = stats[rater_id]  # type: ignore[assignment]
        removed.update(worst)
        sharing = {r for w in worst for e in by_rater[w] for _s, r, _sc in sheets[e]} - removed
        for rater_id in sharing:
            stats[rater_id] = stat(rater_id)
    if not flagged:
        return []
    entries = _entries(entry_id for _m, rows in flagged.values() for entry_id, *_rest in rows)
    made = []
    column = stage.level_column
    for rater_id, (mean, rows) in flagged.items():
        detail = {
            "households": [
                {
                    "entry": entry_id,
                    "household": entries[entry_id].household.head_name,
                    "sheet": sheet_id,
                    "score": str(score),
                    "others": str(others.quantize(CENT)),
                }
                for entry_id, sheet_id, score, others in rows
            ]
        }
        # Where most of her households are (at the stage's level: the village of a village stage).
        home = Counter(getattr(entries[entry_id], column) for entry_id, *_rest in rows).most_common(1)[0][0]
        entry = next(entries[e] for e, *_rest in rows if getattr(entries[e], column) == home)
        flag = Flag(stage=stage, kind=FlagKind.BIAS, person_id=rater_id, measure=mean.quantize(CENT), detail=detail)
        made.append(_placed_at_level(flag, entry, stage.level))
    return made


def _agreement(stage: Stage) -> list[Flag]:
    """Households whose raters' scores spread widely (one GROUP BY)."""
    spread = {
        row["entry_id"]: row["hi"] - row["lo"]
        for row in sheet_aggregates(stage)
        if row["n"] >= 2 and row["hi"] - row["lo"] >= SPREAD_POINTS
    }
    if not spread:
        return []
    entries = _entries(spread)
    sheets: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for entry_id, sheet_id, rater_id, score in (
        stage.sheets.filter(status=SheetStatus.SUBMITTED, entry_id__in=list(spread))
        .order_by("entry_id", "id")
        .values_list("entry_id", "id", "rater_id", "score")
    ):
        sheets[entry_id].append({"sheet": sheet_id, "rater": rater_id, "score": str(score)})
    return [
        _placed(
            Flag(
                stage=stage,
                kind=FlagKind.AGREEMENT,
                entry_id=entry_id,
                measure=value.quantize(CENT),
                detail={"sheets": sheets[entry_id]},
            ),
            entries[entry_id],
        )
        for entry_id, value in spread.items()
    ]


def _photos(stage: Stage) -> list[Flag]:
    """Photos of this stage's sheets also sent for another household of the campaign."""
    campaign_photos = SheetPhoto.objects.filter(
        sheet__stage__campaign_id=stage.campaign_id, sheet__status=SheetStatus.SUBMITTED
    ).order_by()
    # (photo id, entry id, stage id) by digest, only for digests seen on two entries or more.
    repeated = campaign_photos.values("digest").annotate(n=Count("sheet__entry_id", distinct=True)).filter(n__gte=2)
    pairs: dict[tuple[int, int], list[dict[str, Any]]] = {}

    def pair(a: tuple[int, int, int], b: tuple[int, int, int], how: str, bits: int) -> None:
        # a, b: (photo id, entry id, stage id). One flag per two households; the later photo's
        # household is the one flagged (its rater sent a picture already sent).
        if a[1] == b[1] or (a[2] != stage.pk and b[2] != stage.pk):
            return
        first, later = (a, b) if a[0] < b[0] else (b, a)
        if later[2] != stage.pk:
            first, later = later, first
        key = (first[1], later[1]) if (first[1], later[1]) in pairs else (later[1], first[1])
        found = pairs.setdefault(key, [])
        if not any(p["photo"] == later[0] and p["other_photo"] == first[0] for p in found):
            found.append({"photo": later[0], "other_photo": first[0], "match": how, "bits": bits})

    by_digest: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for photo_id, digest, entry_id, stage_id in campaign_photos.filter(
        digest__in=repeated.values("digest")
    ).values_list("id", "digest", "sheet__entry_id", "sheet__stage_id"):
        by_digest[digest].append((photo_id, entry_id, stage_id))
    for group in by_digest.values():
        for n, a in enumerate(group):
            for b in group[n + 1 :]:
                pair(a, b, "identical", 0)
    # Near copies: photos sharing one of the dHash's chunks are compared (pigeonhole).
    hashes = list(
        campaign_photos.exclude(dhash="").values_list("id", "dhash", "sheet__entry_id", "sheet__stage_id", "digest")
    )
    buckets: dict[tuple[int, int], list[int]] = defaultdict(list)
    width = 64 / DHASH_CHUNKS
    bounds = [(round(i * width), round((i + 1) * width)) for i in range(DHASH_CHUNKS)]
    values = [int(dhash, 16) for _id, dhash, *_rest in hashes]
    for index, value in enumerate(values):
        for chunk, (lo, hi) in enumerate(bounds):
            buckets[(chunk, (value >> lo) & ((1 << (hi - lo)) - 1))].append(index)
    compared: set[tuple[int, int]] = set()
    for members in buckets.values():
        for n, i in enumerate(members):
            for j in members[n + 1 :]:
                x, y = hashes[i], hashes[j]
                if x[2] == y[2] or x[4] == y[4] or (x[3] != stage.pk and y[3] != stage.pk):
                    continue  # same household, identical (found above), or not this stage's
                key = (i, j) if i < j else (j, i)
                if key in compared:
                    continue
                compared.add(key)
                bits = photos.distance(x[1], y[1])
                if bits <= photos.NEAR_BITS:
                    pair((x[0], x[2], x[3]), (y[0], y[2], y[3]), "near", bits)
    if not pairs:
        return []
    entries = _entries(entry_id for key in pairs for entry_id in key)
    return [
        _placed(
            Flag(
                stage=stage,
                kind=FlagKind.PHOTO,
                entry_id=entry_id,
                other_entry_id=other_id,
                measure=Decimal(min(p["bits"] for p in found)),
                detail={"photos": found},
            ),
            entries[entry_id],
        )
        for (entry_id, other_id), found in pairs.items()
    ]
