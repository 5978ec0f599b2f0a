"""Ranking a stage fairly, a reviewer's adjustments, and promotion to the next stage (or, at the
top, the awards) in one action.

A household's stage score is the mean of its raters' sheets, trimmed (the highest and the
lowest dropped) when there are five or more; at the top stage a public vote is blended in by
the campaign's weight. A veto hit on any sheet disqualifies. Each organisation of the stage's
level ranks its own households; ties are broken, in order, by the raters' score without the
vote, the higher lowest sheet, more sheets, and the earlier entry (docs/decisions.md).
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from fulian.audit.recorder import record
from fulian.campaigns.choices import Decision, EntryStatus, ObjectionStatus, Outcome, SheetStatus, StageStatus
from fulian.campaigns.models import REASON_MAX_LENGTH, Award, Entry, Objection, Result, ScoreSheet, Stage, Vote
from fulian.campaigns.services.common import author, clean_text, today
from fulian.campaigns.signals import awards_given
from fulian.core.ancestry import ANCESTRY_FIELDS
from fulian.core.bulk import insert_values, update_values
from fulian.core.scoping import AnyUser, require

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
TRIM_FROM = 5


def sheet_aggregates(stage: Stage) -> Any:
    """Per entry of ``stage``: its submitted sheets' count, sum, highest, lowest and veto hits
    (one GROUP BY; the benchmark compares it with the same statement written by hand)."""
    return (
        ScoreSheet.objects.filter(stage=stage, status=SheetStatus.SUBMITTED)
        .order_by()
        .values("entry_id")
        .annotate(
            n=Count("id"),
            total=Sum("score"),
            hi=Max("score"),
            lo=Min("score"),
            vetoes=Count("id", filter=Q(vetoed=True)),
        )
    )


def trimmed_mean(n: int, total: Decimal, hi: Decimal, lo: Decimal) -> Decimal:
    """The mean of ``n`` scores, without the highest and the lowest once there are five."""
    value = (total - hi - lo) / (n - 2) if n >= TRIM_FROM else total / n
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def quota_of(stage: Stage, size: int) -> int:
    """How many of an organisation's ``size`` households the stage promotes: the number, or the
    share rounded up (at least one)."""
    if stage.quota_count is not None:
        return stage.quota_count
    share = stage.quota_share or Decimal(0)
    return max(1, math.ceil(Decimal(size) * share / HUNDRED)) if size else 0


def is_top(stage: Stage) -> bool:
    return not Stage.objects.filter(campaign_id=stage.campaign_id, order__gt=stage.order).exists()


def _locked(stage: Stage) -> Stage:
    return Stage.objects.select_for_update().select_related("campaign__org").get(pk=stage.pk)


@transaction.atomic
def stage_rank(*, actor: AnyUser, stage: Stage) -> dict[str, int]:
    """Score and rank every household of the stage, per organisation of its level, and mark
    those within the quota. A reviewer's adjustments are kept and applied again. Can be run
    again while the stage is scored (a late or superseded sheet)."""
    require(actor, "campaigns.review", stage.campaign.org)
    stage = _locked(stage)
    if stage.status not in (StageStatus.SCORING, StageStatus.RANKED):
        raise ValidationError(
            _("This stage cannot be ranked now: %(status)s.") % {"status": stage.get_status_display()}
        )
    weight = Decimal(stage.campaign.vote_weight) / HUNDRED if is_top(stage) else Decimal(0)
    aggregates = {row["entry_id"]: row for row in sheet_aggregates(stage)}
    votes: dict[int, int] = {}
    if weight:
        votes = dict(
            Vote.objects.filter(stage=stage)
            .order_by()
            .values("entry_id")
            .annotate(n=Count("id"))
            .values_list("entry_id", "n")
        )
    column = stage.level_column
    groups: dict[Any, list[tuple[int, int, str, bool]]] = defaultdict(list)
    for pk, entry_id, group, decision, active in _results(stage, column):
        groups[group].append((pk, entry_id, decision, active))
    updates: list[tuple[Any, ...]] = []
    ranked = proposed_total = 0
    for members in groups.values():
        top_votes = max((votes.get(entry_id, 0) for _pk, entry_id, _d, _a in members), default=0)
        scored = []
        for pk, entry_id, decision, active in members:
            row = aggregates.get(entry_id)
            if row is None or not active:
                updates.append(
                    (
                        pk,
                        row["n"] if row else 0,
                        None,
                        votes.get(entry_id, 0),
                        None,
                        bool(row and row["vetoes"]),
                        None,
                        False,
                        False,
                    )
                )
                continue
            committee = trimmed_mean(row["n"], row["total"], row["hi"], row["lo"])
            score = committee
            if weight:
                share = Decimal(votes.get(entry_id, 0)) * HUNDRED / top_votes if top_votes else Decimal(0)
                score = (committee * (1 - weight) + share * weight).quantize(CENT, rounding=ROUND_HALF_UP)
            scored.append((pk, entry_id, decision, row, committee, score))
        quota = quota_of(stage, len(members))
        eligible = [s for s in scored if not s[3]["vetoes"]]
        eligible.sort(key=lambda s: (-s[5], -s[4], -s[3]["lo"], -s[3]["n"], s[1]))
        rank_of = {s[0]: n for n, s in enumerate(eligible, start=1)}
        for pk, entry_id, decision, row, committee, score in scored:
            rank = rank_of.get(pk)
            vetoed = bool(row["vetoes"])
            within = rank is not None and rank <= quota
            proposed = not vetoed and (decision == Decision.INCLUDE or (decision == Decision.AUTO and within))
            updates.append((pk, row["n"], committee, votes.get(entry_id, 0), score, vetoed, rank, within, proposed))
            ranked += 1
            proposed_total += proposed
    update_values(
        Result,
        updates,
        ["sheets", "committee_score", "votes", "score", "vetoed", "rank", "within_quota", "proposed"],
    )
    stage.status = StageStatus.RANKED
    stage.ranked_at = timezone.now()
    stage.save(update_fields=["status", "ranked_at"])
    summary = {"results": len(updates), "ranked": ranked, "proposed": proposed_total}
    record(
        "update",
        stage,
        org=stage.campaign.org,
        actor=author(actor),
        object_repr=str(stage),
        changes={"ranked": summary},
    )
    return summary


def _results(stage: Stage, column: str) -> list[tuple[int, int, Any, str, bool]]:
    rows = (
        Result.objects.filter(stage=stage).order_by().values_list("pk", "entry_id", column, "decision", "entry__status")
    )
    return [
        (pk, entry_id, group, decision, status == EntryStatus.ACTIVE) for pk, entry_id, group, decision, status in rows
    ]


@transaction.atomic
def result_adjust(*, actor: AnyUser, result: Result, decision: str, reason: str = "") -> Result:
    """A reviewer promotes a household the quota leaves out, or holds back one it takes, with
    the reason; ``auto`` returns it to rank and quota. A vetoed household cannot be promoted."""
    require(actor, "campaigns.review", result.org)
    result = Result.objects.select_for_update().select_related("stage").get(pk=result.pk)
    if result.stage.status != StageStatus.RANKED:
        raise ValidationError(_("Adjust the list once the stage is ranked and before it is published or promoted."))
    if decision not in Decision.values:
        raise ValidationError({"decision": _("Choose promote, hold back or by rank.")})
    if decision == Decision.INCLUDE and (result.vetoed or result.score is None):
        raise ValidationError({"decision": _("A household vetoed or without a score cannot be promoted.")})
    reason = clean_text(reason, REASON_MAX_LENGTH, "reason", required=decision != Decision.AUTO)
    result.decision = decision
    result.decision_reason = reason
    result.decided_by = author(actor)
    result.proposed = not result.vetoed and (
        decision == Decision.INCLUDE or (decision == Decision.AUTO and result.within_quota)
    )
    result.save()
    record(
        "update",
        result,
        org=result.org,
        actor=author(actor),
        object_repr=str(result),
        changes={"decision": decision, "reason": reason},
    )
    return result


def open_objections(stage: Stage) -> int:
    return Objection.objects.filter(
        publicity__stage=stage, status__in=[ObjectionStatus.OPEN, ObjectionStatus.INVESTIGATING]
    ).count()


def _ready_to_close(stage: Stage) -> None:
    if stage.status == StageStatus.DONE:
        raise ValidationError(
            _("This stage was already promoted on %(day)s.")
            % {"day": timezone.localtime(stage.done_at).strftime("%Y-%m-%d %H:%M") if stage.done_at else ""}
        )
    if stage.publicity_days:
        publicity = getattr(stage, "publicity", None)
        if stage.status != StageStatus.PUBLICITY or publicity is None:
            raise ValidationError(
                _("Publish the proposed list (公示) for %(n)d working days first.") % {"n": stage.publicity_days}
            )
        if today() <= publicity.ends_on:
            raise ValidationError(
                _("The publicity runs until %(day)s; promote after it ends.") % {"day": publicity.ends_on.isoformat()}
            )
        if open_objections(stage):
            raise ValidationError(_("An objection is still open: handle every objection first."))
    elif stage.status != StageStatus.RANKED:
        raise ValidationError(_("Rank the stage first (it has new sheets since, or none yet)."))


@transaction.atomic
def stage_promote(*, actor: AnyUser, stage: Stage, issued_on: datetime.date | None = None) -> dict[str, int]:
    """Close a ranked stage: its proposed households go up to the next stage, the others are out
    (vetoed ones disqualified). At the top stage the proposed households are the winners: each
    gets an award with a certificate number. Two reviewers at once: the second is told it is done."""
    require(actor, "campaigns.review", stage.campaign.org)
    stage = _locked(stage)
    _ready_to_close(stage)
    following = Stage.objects.filter(campaign_id=stage.campaign_id, order__gt=stage.order).order_by("order").first()
    results = Result.objects.filter(stage=stage)
    active = Q(entry__status=EntryStatus.ACTIVE)
    promoted_ids = list(results.filter(active, proposed=True).values_list("entry_id", flat=True))
    results.filter(active, proposed=True).update(outcome=Outcome.AWARDED if following is None else Outcome.PROMOTED)
    results.filter(active, proposed=False, vetoed=True).update(outcome=Outcome.DISQUALIFIED)
    results.filter(active, outcome=Outcome.PENDING).update(outcome=Outcome.NOT_PROMOTED)
    Entry.objects.filter(pk__in=results.filter(outcome=Outcome.DISQUALIFIED).values("entry_id")).update(
        status=EntryStatus.DISQUALIFIED
    )
    Entry.objects.filter(pk__in=results.filter(outcome=Outcome.NOT_PROMOTED).values("entry_id")).update(
        status=EntryStatus.OUT
    )
    if following is not None:
        Entry.objects.filter(pk__in=promoted_ids).update(stage=following)
        columns = ["org_id", *(f"{level}_id" for level in ANCESTRY_FIELDS)]
        rows = [
            {"entry_id": values[0], "stage_id": following.pk, **dict(zip(columns, values[1:], strict=True))}
            for values in Entry.objects.filter(pk__in=promoted_ids).values_list("pk", *columns)
        ]
        insert_values(Result, rows)
        following.status = StageStatus.SCORING
        following.save(update_fields=["status"])
    else:
        _awards(actor, stage, promoted_ids, issued_on or today())
    stage.status = StageStatus.DONE
    stage.done_at = timezone.now()
    stage.done_by = author(actor)
    stage.save(update_fields=["status", "done_at", "done_by"])
    summary = {"promoted": len(promoted_ids)}
    record(
        "update",
        stage,
        org=stage.campaign.org,
        actor=author(actor),
        object_repr=str(stage),
        changes={"promoted": summary},
    )
    if following is None:
        campaign = stage.campaign
        campaign.status = "closed"
        campaign.save(update_fields=["status", "updated_at"])
    return summary


def certificate_prefix(stage: Stage) -> str:
    campaign = stage.campaign
    return f"{campaign.org.code}-{campaign.year}-{campaign.pk}-"


def _awards(actor: AnyUser, stage: Stage, entry_ids: list[int], issued_on: datetime.date) -> None:
    campaign = stage.campaign
    title = campaign.award_title or f"{campaign.year}年度{campaign.org.name}{campaign.name}"
    prefix = certificate_prefix(stage)
    entries = (
        Entry.objects.filter(pk__in=entry_ids)
        .select_related("household")
        .order_by("county_id", "township_id", "village_id", "pk")
    )
    given: list[Award] = []
    for n, entry in enumerate(entries, start=1):
        award = Award(
            campaign=campaign,
            stage=stage,
            entry=entry,
            household=entry.household,
            title=title,
            certificate_no=f"{prefix}{n:04d}",
            issued_on=issued_on,
            issued_by=author(actor),
        )
        award.place_beside(entry)
        award.save()
        given.append(award)
    Entry.objects.filter(pk__in=entry_ids).update(status=EntryStatus.WINNER)
    transaction.on_commit(lambda: awards_given.send_robust(sender=Award, awards=given), robust=True)
