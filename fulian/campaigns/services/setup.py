"""Setting a campaign up: rubrics (from the shipped examples, edited, versioned), the campaign
with its stages and quotas, and opening it."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fulian.campaigns.choices import CampaignKind, CampaignStatus, ItemKind, StageStatus
from fulian.campaigns.models import (
    NAME_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    STAGE_LEVELS,
    Campaign,
    Rubric,
    RubricItem,
    RubricSection,
    Stage,
)
from fulian.campaigns.rubrics import TEMPLATES
from fulian.campaigns.services.common import author, clean_text, within
from fulian.core.scoping import AnyUser, require
from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation

MAX_ITEMS = 60
LEVEL_ORDER: dict[str, int] = {
    str(level): n for n, level in enumerate([Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE])
}


def _number(value: Any, field: str, *, label: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: _("%(item)s: give a number.") % {"item": label}}) from None
    if not number.is_finite() or number < 0 or number > 1000 or number != number.quantize(Decimal("0.1")):
        raise ValidationError({field: _("%(item)s: give a number from 0 to 1000, to one decimal.") % {"item": label}})
    return number


def _write_sections(rubric: Rubric, sections: Sequence[Mapping[str, Any]]) -> None:
    """Replace the rubric's sections and items with ``sections``: ``[{"name", "items": [{"name",
    "kind", "max_points", "per_fault", "allow_na", "guidance"}]}]``, checked whole first."""
    if not sections:
        raise ValidationError({"sections": _("A rubric needs at least one section.")})
    count = 0
    checked: list[tuple[str, list[dict[str, Any]]]] = []
    for s_index, section in enumerate(sections, start=1):
        name = clean_text(section.get("name"), NAME_MAX_LENGTH, "sections")
        if not name:
            raise ValidationError({"sections": _("Section %(n)d has no name.") % {"n": s_index}})
        items = []
        for i_index, item in enumerate(section.get("items") or [], start=1):
            label = _("Section %(s)d, item %(i)d") % {"s": s_index, "i": i_index}
            item_name = clean_text(item.get("name"), 200, "sections")
            if not item_name:
                raise ValidationError({"sections": _("%(item)s has no name.") % {"item": label}})
            kind = item.get("kind") or ItemKind.POINTS
            if kind not in ItemKind.values:
                raise ValidationError({"sections": _("%(item)s: choose how it is scored.") % {"item": label}})
            maximum = Decimal(0) if kind == ItemKind.VETO else _number(item.get("max_points"), "sections", label=label)
            if kind != ItemKind.VETO and maximum <= 0:
                raise ValidationError({"sections": _("%(item)s: the maximum must be above zero.") % {"item": label}})
            per_fault = None
            if kind == ItemKind.DEDUCTION:
                per_fault = _number(item.get("per_fault"), "sections", label=label)
                if per_fault <= 0:
                    raise ValidationError(
                        {"sections": _("%(item)s: give the points taken off for each fault.") % {"item": label}}
                    )
            items.append(
                {
                    "name": item_name,
                    "kind": kind,
                    "max_points": maximum,
                    "per_fault": per_fault,
                    "allow_na": bool(item.get("allow_na")) and kind != ItemKind.VETO,
                    "guidance": clean_text(item.get("guidance"), NOTE_MAX_LENGTH, "sections"),
                }
            )
        count += len(items)
        checked.append((name, items))
    if count == 0:
        raise ValidationError({"sections": _("A rubric needs at least one item.")})
    if count > MAX_ITEMS:
        raise ValidationError({"sections": _("At most %(n)d items.") % {"n": MAX_ITEMS}})
    if not any(item["kind"] != ItemKind.VETO for _name, items in checked for item in items):
        raise ValidationError({"sections": _("A rubric needs at least one item scored with points.")})
    rubric.items.all().delete()
    rubric.sections.all().delete()
    for order, (name, items) in enumerate(checked):
        made = RubricSection.objects.create(rubric=rubric, name=name, order=order)
        RubricItem.objects.bulk_create(
            RubricItem(rubric=rubric, section=made, order=n, **item) for n, item in enumerate(items)
        )


def template_sections(key: str) -> list[dict[str, Any]]:
    """A shipped example as the editor's structure."""
    template = TEMPLATES[key]
    return [
        {
            "name": name,
            "items": [
                {"name": n, "kind": k, "max_points": m, "per_fault": p, "allow_na": na, "guidance": g}
                for n, k, m, p, na, g in items
            ],
        }
        for name, items in template["sections"]
    ]


@transaction.atomic
def rubric_create(
    *,
    actor: AnyUser,
    org: Organisation,
    name: str,
    kind: str = CampaignKind.COURTYARD,
    sections: Sequence[Mapping[str, Any]] | None = None,
    template: str | None = None,
    notes: str = "",
) -> Rubric:
    """A new rubric of ``org``, from a shipped example (``template``) or from ``sections``."""
    require(actor, "campaigns.manage", org)
    if template is not None:
        if template not in TEMPLATES:
            raise ValidationError({"template": _("Choose one of the examples.")})
        sections = template_sections(template)
        kind = TEMPLATES[template]["kind"]
        name = name or TEMPLATES[template]["name"]
    if kind not in CampaignKind.values:
        raise ValidationError({"kind": _("Choose the kind of campaign.")})
    rubric = Rubric(
        org=org,
        name=clean_text(name, NAME_MAX_LENGTH, "name", required=True),
        kind=kind,
        notes=clean_text(notes, 2000, "notes"),
        created_by=author(actor),
    )
    rubric.save()
    _write_sections(rubric, sections or [])
    return rubric


@transaction.atomic
def rubric_update(
    *, actor: AnyUser, rubric: Rubric, sections: Sequence[Mapping[str, Any]], name: str | None = None
) -> Rubric:
    """Change an unfrozen rubric's items. A frozen one (scoring has started) is refused: make a
    new version instead."""
    require(actor, "campaigns.manage", rubric.org)
    rubric = Rubric.objects.select_for_update().get(pk=rubric.pk)
    if rubric.is_frozen:
        raise ValidationError(
            _("Scoring has started with this rubric, so it cannot change any more. Make a new version of it.")
        )
    if name is not None:
        rubric.name = clean_text(name, NAME_MAX_LENGTH, "name", required=True)
        rubric.save()
    _write_sections(rubric, sections)
    return rubric


def rubric_sections(rubric: Rubric) -> list[dict[str, Any]]:
    """The rubric in the editor's structure (to copy or edit it)."""
    items_by_section: dict[int, list[dict[str, Any]]] = {}
    for item in rubric.items.all():
        items_by_section.setdefault(item.section_id, []).append(
            {
                "name": item.name,
                "kind": item.kind,
                "max_points": item.max_points,
                "per_fault": item.per_fault,
                "allow_na": item.allow_na,
                "guidance": item.guidance,
            }
        )
    return [{"name": s.name, "items": items_by_section.get(s.pk, [])} for s in rubric.sections.all()]


@transaction.atomic
def rubric_new_version(*, actor: AnyUser, rubric: Rubric, org: Organisation | None = None) -> Rubric:
    """A copy of ``rubric`` to change (the next version when it is the same federation's)."""
    org = org or rubric.org
    require(actor, "campaigns.manage", org)
    copy = Rubric(
        org=org,
        name=rubric.name,
        kind=rubric.kind,
        notes=rubric.notes,
        version=rubric.version + 1 if org.pk == rubric.org_id else 1,
        previous=rubric,
        created_by=author(actor),
    )
    copy.save()
    _write_sections(copy, rubric_sections(rubric))
    return copy


def rubric_freeze(rubric: Rubric) -> None:
    """Scoring has started: the rubric stays as it is (idempotent, one UPDATE)."""
    Rubric.objects.filter(pk=rubric.pk, frozen_at__isnull=True).update(frozen_at=timezone.now())


@dataclass(frozen=True)
class StageSpec:
    """One stage as a form or the API gives it."""

    level: str
    deadline: datetime.date
    raters: int = 3
    quota_count: int | None = None
    quota_share: Decimal | None = None
    publicity_days: int = 0


def _check_stages(org: Organisation, stages: Sequence[StageSpec], year: int) -> list[StageSpec]:
    if not stages:
        raise ValidationError({"stages": _("A campaign needs at least one stage.")})
    levels = [spec.level for spec in stages]
    for n, spec in enumerate(stages, start=1):
        if spec.level not in STAGE_LEVELS:
            raise ValidationError({"stages": _("Stage %(n)d: choose village, township, county or city.") % {"n": n}})
        if LEVEL_ORDER[spec.level] < LEVEL_ORDER.get(org.level, 0):
            raise ValidationError(
                {
                    "stages": _("Stage %(n)d is above %(org)s, which runs the campaign.")
                    % {"n": n, "org": org.display_name}
                }
            )
        if not 1 <= spec.raters <= 15:
            raise ValidationError({"stages": _("Stage %(n)d: from 1 to 15 raters per household.") % {"n": n}})
        if (spec.quota_count is None) == (spec.quota_share is None):
            raise ValidationError(
                {"stages": _("Stage %(n)d: give a quota as a number or as a share, not both.") % {"n": n}}
            )
        if spec.quota_count is not None and spec.quota_count < 1:
            raise ValidationError({"stages": _("Stage %(n)d: the quota must be at least 1.") % {"n": n}})
        if spec.quota_share is not None and not 0 < spec.quota_share <= 100:
            raise ValidationError(
                {"stages": _("Stage %(n)d: the share must be above 0 and at most 100 percent.") % {"n": n}}
            )
        if not 0 <= spec.publicity_days <= 30:
            raise ValidationError({"stages": _("Stage %(n)d: publicity of 0 to 30 working days.") % {"n": n}})
        if abs(spec.deadline.year - year) > 1:
            raise ValidationError({"stages": _("Stage %(n)d: the deadline is not in the campaign's year.") % {"n": n}})
    if len(set(levels)) != len(levels):
        raise ValidationError({"stages": _("Each level can have one stage only.")})
    if levels != sorted(levels, key=lambda level: -LEVEL_ORDER[level]):
        raise ValidationError({"stages": _("Stages go up from the village: village, township, county, city.")})
    deadlines = [spec.deadline for spec in stages]
    if deadlines != sorted(deadlines):
        raise ValidationError({"stages": _("Each stage's deadline must come after the one below it.")})
    return list(stages)


def _create_stages(campaign: Campaign, specs: Sequence[StageSpec]) -> None:
    for order, spec in enumerate(specs):
        Stage.objects.create(
            campaign=campaign,
            level=spec.level,
            order=order,
            deadline=spec.deadline,
            raters=spec.raters,
            quota_count=spec.quota_count,
            quota_share=spec.quota_share,
            publicity_days=spec.publicity_days,
        )


@transaction.atomic
def campaign_create(
    *,
    actor: AnyUser,
    org: Organisation,
    kind: str,
    name: str,
    year: int,
    rubric: Rubric,
    stages: Sequence[StageSpec],
    description: str = "",
    nominations_open: bool = True,
    nominations_until: datetime.date | None = None,
    vote_weight: int = 0,
    award_title: str = "",
) -> Campaign:
    """A campaign of ``org`` over its subtree, with its stages bottom up; the top stage's
    promoted households are the winners. Opened separately (``campaign_open``)."""
    require(actor, "campaigns.manage", org)
    if kind not in CampaignKind.values:
        raise ValidationError({"kind": _("Choose the kind of campaign.")})
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Give the year, such as 2026.")})
    if not (org.path.startswith(rubric.org.path) or rubric.org.path.startswith(org.path)):
        raise ValidationError({"rubric": _("Choose a rubric of this federation or one above it.")})
    if not 0 <= vote_weight <= 50:
        raise ValidationError({"vote_weight": _("The public vote may weigh from 0 to 50 percent.")})
    specs = _check_stages(org, stages, year)
    campaign = Campaign(
        org=org,
        kind=kind,
        name=clean_text(name, NAME_MAX_LENGTH, "name", required=True),
        year=year,
        rubric=rubric,
        description=clean_text(description, 5000, "description"),
        nominations_open=nominations_open,
        nominations_until=nominations_until,
        vote_weight=vote_weight,
        award_title=clean_text(award_title, NAME_MAX_LENGTH, "award_title"),
        created_by=author(actor),
    )
    campaign.save()
    _create_stages(campaign, specs)
    return campaign


@transaction.atomic
def campaign_update(
    *, actor: AnyUser, campaign: Campaign, stages: Sequence[StageSpec] | None = None, **fields: Any
) -> Campaign:
    """Change a campaign's settings. Its stages and rubric change only while it is being set up;
    deadlines, quotas and raters of stages not yet reached can change later."""
    require(actor, "campaigns.manage", campaign.org)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    allowed = {"name", "description", "nominations_open", "nominations_until", "award_title"}
    if campaign.status == CampaignStatus.DRAFT:
        allowed |= {"kind", "year", "rubric", "vote_weight"}
    for field, value in fields.items():
        if field not in allowed:
            raise ValidationError({field: _("This cannot change once the campaign is under way.")})
        setattr(campaign, field, value)
    campaign.name = clean_text(campaign.name, NAME_MAX_LENGTH, "name", required=True)
    campaign.save()
    if stages is not None:
        specs = _check_stages(campaign.org, stages, campaign.year)
        current = list(campaign.stages.order_by("order"))
        if campaign.status != CampaignStatus.DRAFT:
            if [s.level for s in current] != [spec.level for spec in specs]:
                raise ValidationError({"stages": _("The levels of a campaign under way cannot change.")})
            for stage, spec in zip(current, specs, strict=True):
                if (
                    stage.status != StageStatus.PENDING
                    and (
                        stage.raters != spec.raters
                        or stage.quota_count != spec.quota_count
                        or stage.quota_share != spec.quota_share
                    )
                    and stage.status != StageStatus.SCORING
                ):
                    raise ValidationError({"stages": _("A stage already ranked keeps its quota and raters.")})
                stage.deadline, stage.raters = spec.deadline, spec.raters
                stage.quota_count, stage.quota_share = spec.quota_count, spec.quota_share
                stage.publicity_days = spec.publicity_days
                stage.save()
        else:
            campaign.stages.all().delete()
            _create_stages(campaign, specs)
    return campaign


@transaction.atomic
def campaign_open(*, actor: AnyUser, campaign: Campaign) -> Campaign:
    """Start the round: nominations are screened into entries of the first stage, which is
    scored from now on."""
    require(actor, "campaigns.manage", campaign.org)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.DRAFT:
        raise ValidationError(_("This campaign is already under way."))
    first = campaign.stages.order_by("order").first()
    if first is None:
        raise ValidationError({"stages": _("A campaign needs at least one stage.")})
    campaign.status = CampaignStatus.OPEN
    campaign.save()
    Stage.objects.filter(pk=first.pk).update(status=StageStatus.SCORING)
    return campaign


def stages_of(campaign: Campaign) -> list[Stage]:
    return list(campaign.stages.order_by("order"))


def in_campaign(org: Organisation, campaign: Campaign) -> bool:
    return within(org, campaign)
