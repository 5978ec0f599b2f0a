"""Keeping the rules: a federation's scheme, its versions, and each version's categories, rules,
levels and honours. A draft is edited freely; adopting it (with the date it is in force from and
the decision it came from) freezes it. A change to an adopted version is a new draft copied
from it, adopted from a later date."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from fulian.core.scoping import AnyUser, require
from fulian.orgs.choices import Level
from fulian.points.choices import HonourBasis, Source, VersionStatus
from fulian.points.models import (
    Category,
    HonourRule,
    PointsLevel,
    Rule,
    Scheme,
    SchemeVersion,
)

SCHEME_LEVELS = (Level.CITY, Level.COUNTY)


def _author(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def scheme_create(*, actor: AnyUser, org: Any, name: str, valid_from: datetime.date) -> Scheme:
    """A county's or the city's scheme, with its first version as a draft."""
    require(actor, "points.configure", org)
    if org.level not in SCHEME_LEVELS:
        raise ValidationError({"org": _("A points scheme is kept by the city or a county federation.")})
    if Scheme.objects.filter(org=org).exists():
        raise ValidationError({"org": _("This federation already keeps a scheme: add a version to it.")})
    scheme = Scheme.objects.create(org=org, name=name.strip())
    SchemeVersion.objects.create(scheme=scheme, number=1, valid_from=valid_from, created_by=_author(actor))
    return scheme


def require_draft(version: SchemeVersion) -> None:
    """Refuse any change to an adopted version."""
    if version.status != VersionStatus.DRAFT:
        raise ValidationError(
            _("Version %(number)d is adopted and in use: it cannot change. Start a new version from a later date.")
            % {"number": version.number}
        )


def rule_check(version: SchemeVersion, values: dict[str, Any]) -> None:
    """The rule's values make sense together (the form and the API ask it before saving)."""
    errors: dict[str, str] = {}
    source = values.get("source")
    points = values.get("points")
    if points is None or points <= 0:
        errors["points"] = _("Points must be more than 0 (deduct by hand with a reason).")
    if source == Source.DUTY and not values.get("work_mode"):
        errors["work_mode"] = _("Choose the work mode whose confirmed records earn these points.")
    if source == Source.AWARD and not values.get("award_level"):
        errors["award_level"] = _("Choose the level of the awards that earn these points.")
    if values.get("per_hour") and source not in (Source.DUTY, Source.VOLUNTEER):
        errors["per_hour"] = _("Only duty records and volunteer hours are counted by the hour.")
    if version.caps_required and source != Source.AWARD:
        for cap in ("daily_cap", "yearly_cap"):
            if values.get(cap) is None:
                errors[cap] = _("This scheme requires a daily and a yearly cap on every rule.")
    daily, yearly = values.get("daily_cap"), values.get("yearly_cap")
    if daily is not None and yearly is not None and daily > yearly:
        errors["daily_cap"] = _("The daily cap cannot be more than the yearly cap.")
    if values.get("reviews_required") not in (1, 2):
        errors["reviews_required"] = _("A rule needs one review, or two.")
    if values.get("reviews_required") == 2 and values.get("two_reviews_above") is None:
        errors["two_reviews_above"] = _("Say above how many points a second review is needed.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def rule_save(*, actor: AnyUser, version: SchemeVersion, rule: Rule | None = None, **values: Any) -> Rule:
    """Add a rule to a draft, or change one of its rules."""
    require(actor, "points.configure", version.scheme.org)
    require_draft(version)
    rule_check(version, values)
    category = values.get("category")
    if category is None or category.version_id != version.pk:
        raise ValidationError({"category": _("Choose a category of this version.")})
    rule = rule or Rule(version=version)
    for key, value in values.items():
        setattr(rule, key, value)
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError:
        field = "work_mode" if rule.source == Source.DUTY else "award_level"
        raise ValidationError({field: _("This version already has a rule for it.")}) from None
    return rule


@transaction.atomic
def rule_delete(*, actor: AnyUser, rule: Rule) -> None:
    """Take a rule out of a draft (an adopted version keeps its rules: entries name them)."""
    require(actor, "points.configure", rule.version.scheme.org)
    require_draft(rule.version)
    rule.delete()


@transaction.atomic
def category_save(*, actor: AnyUser, version: SchemeVersion, name: str, position: int = 0) -> Category:
    require(actor, "points.configure", version.scheme.org)
    require_draft(version)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Enter a name.")})
    if version.categories.filter(name=name).exists():
        raise ValidationError({"name": _("This version already has a category of that name.")})
    return Category.objects.create(version=version, name=name, position=position)


@transaction.atomic
def level_save(*, actor: AnyUser, version: SchemeVersion, name: str, threshold: int) -> PointsLevel:
    require(actor, "points.configure", version.scheme.org)
    require_draft(version)
    if version.levels.filter(threshold=threshold).exists():
        raise ValidationError({"threshold": _("Another level starts at these points.")})
    return PointsLevel.objects.create(version=version, name=name.strip(), threshold=threshold)


@transaction.atomic
def honour_rule_save(*, actor: AnyUser, version: SchemeVersion, **values: Any) -> HonourRule:
    require(actor, "points.configure", version.scheme.org)
    require_draft(version)
    if values.get("basis") == HonourBasis.RANK and not values.get("top"):
        raise ValidationError({"top": _("Say how many at the top are honoured.")})
    if values.get("basis") == HonourBasis.THRESHOLD and not values.get("threshold"):
        raise ValidationError({"threshold": _("Say from how many points in the year.")})
    return HonourRule.objects.create(version=version, **values)


@transaction.atomic
def version_adopt(*, actor: AnyUser, version: SchemeVersion, adopted_on: datetime.date, decision: str) -> SchemeVersion:
    """Adopt a draft: from ``valid_from`` it applies, and it is frozen."""
    require(actor, "points.configure", version.scheme.org)
    locked = SchemeVersion.objects.select_for_update().get(pk=version.pk)
    require_draft(locked)
    errors: dict[str, str] = {}
    if not decision.strip():
        errors["decision"] = _("Name the decision that adopted it (a meeting, a document).")
    if adopted_on > locked.valid_from:
        errors["adopted_on"] = _("A version is adopted before the day it is in force from.")
    if not locked.rules.exists():
        errors["version"] = _("A version without rules earns nothing: add its rules first.")
    last = (
        SchemeVersion.objects.filter(scheme=locked.scheme, status=VersionStatus.ADOPTED).order_by("-valid_from").first()
    )
    if last is not None and locked.valid_from <= last.valid_from:
        errors["valid_from"] = _("A new version is in force from a day after %(day)s (version %(number)d).") % {
            "day": last.valid_from.isoformat(),
            "number": last.number,
        }
    if errors:
        raise ValidationError(errors)
    if locked.caps_required:
        for rule in locked.rules.exclude(source=Source.AWARD):
            if rule.daily_cap is None or rule.yearly_cap is None:
                raise ValidationError(
                    {"version": _("Rule “%(rule)s” has no caps, and this scheme requires them.") % {"rule": rule.name}}
                )
    locked.status = VersionStatus.ADOPTED
    locked.adopted_on = adopted_on
    locked.decision = decision.strip()
    locked.adopted_by = _author(actor)
    locked.save()
    return locked


@transaction.atomic
def version_new(*, actor: AnyUser, scheme: Scheme, valid_from: datetime.date) -> SchemeVersion:
    """A new draft copied from the latest version (its categories, rules, levels and honours)."""
    require(actor, "points.configure", scheme.org)
    if scheme.versions.filter(status=VersionStatus.DRAFT).exists():
        raise ValidationError({"valid_from": _("This scheme already has a draft: finish or change that one.")})
    previous = scheme.versions.order_by("-number").first()
    version = SchemeVersion.objects.create(
        scheme=scheme,
        number=(previous.number + 1) if previous else 1,
        valid_from=valid_from,
        caps_required=previous.caps_required if previous else True,
        second_review_above=previous.second_review_above if previous else 20,
        created_by=_author(actor),
    )
    if previous is None:
        return version
    categories = {}
    for category in previous.categories.all():
        categories[category.pk] = Category.objects.create(
            version=version, name=category.name, position=category.position
        )
    for rule in previous.rules.all():
        rule.pk = None
        rule._state.adding = True
        rule.version = version
        rule.category = categories[rule.category_id]
        rule.save()
    for level in previous.levels.all():
        PointsLevel.objects.create(version=version, name=level.name, threshold=level.threshold)
    for honour in previous.honour_rules.all():
        honour.pk = None
        honour._state.adding = True
        honour.version = version
        honour.save()
    return version
