"""Nominations: 群众举荐 from the public page (no account), 自荐, 妇联推荐 by staff one by one or
in bulk from the registry; screening them into entries (accept, merge a duplicate, reject with
a reason)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fulian.campaigns.choices import CampaignStatus, NominationSource, NominationStatus
from fulian.campaigns.models import (
    NAME_MAX_LENGTH,
    REASON_MAX_LENGTH,
    Award,
    Campaign,
    Entry,
    Nomination,
    Result,
)
from fulian.campaigns.services.common import author, clean_text, today, within
from fulian.core.personal import keyed_hash, normalise_mobile, validate_mobile
from fulian.core.scoping import AnyUser, can, require
from fulian.households.models import Household
from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation

INELIGIBLE_YEARS = 2
MAX_BULK = 5000


def ineligible_until(household: Household) -> datetime.date | None:
    """The day a household whose award was revoked may be nominated again (two years on)."""
    revoked = (
        Award.objects.filter(household=household, revoked_on__isnull=False)
        .order_by("-revoked_on")
        .values_list("revoked_on", flat=True)
        .first()
    )
    if revoked is None:
        return None
    day = 28 if (revoked.month, revoked.day) == (2, 29) else revoked.day
    until = revoked.replace(year=revoked.year + INELIGIBLE_YEARS, day=day)
    return until if until > today() else None


def _eligible(campaign: Campaign, household: Household) -> None:
    if household.archived_at is not None:
        raise ValidationError(
            {"household": _("The household of %(name)s is archived.") % {"name": household.head_name}}
        )
    if not within(household.org, campaign):
        raise ValidationError(
            {
                "household": _("The household of %(name)s is not in %(org)s, which runs this campaign.")
                % {"name": household.head_name, "org": campaign.org.display_name}
            }
        )
    until = ineligible_until(household)
    if until is not None:
        raise ValidationError(
            {
                "household": _(
                    "An award of the household of %(name)s was revoked: it may be nominated again from %(day)s."
                )
                % {"name": household.head_name, "day": until.isoformat()}
            }
        )


def _accepting(campaign: Campaign, *, public: bool) -> None:
    if campaign.status != CampaignStatus.OPEN:
        raise ValidationError(_("This campaign is not taking nominations."))
    closed = not campaign.nominations_open or (campaign.nominations_until and campaign.nominations_until < today())
    if public and closed:
        raise ValidationError(_("Nominations for this campaign have closed."))


def _phone(phone: str | None, *, required: bool) -> tuple[str | None, str | None]:
    plain = normalise_mobile(phone or "")
    if not plain:
        if required:
            raise ValidationError({"phone": _("Give a phone number we can reach you on.")})
        return None, None
    try:
        validate_mobile(plain)
    except ValidationError as error:
        raise ValidationError({"phone": error.messages}) from None
    return plain, keyed_hash(plain)


@transaction.atomic
def nomination_public(
    *,
    campaign: Campaign,
    village: Organisation,
    name: str,
    reason: str,
    phone: str,
    nominator: str = "",
    source: str = NominationSource.PUBLIC,
) -> Nomination:
    """A nomination from the public page (群众举荐 or 自荐): the head of household's name, the
    village, the reason and a phone to reach the nominator. Refused when the same phone already
    nominated the same name in the same village (a second tap, or a second try)."""
    _accepting(campaign, public=True)
    if source not in (NominationSource.PUBLIC, NominationSource.SELF):
        raise ValidationError({"source": _("Choose who is nominating.")})
    if village.level not in (Level.VILLAGE, Level.GROUP) or not within(village, campaign):
        raise ValidationError({"village": _("Choose a village of %(org)s.") % {"org": campaign.org.display_name}})
    name = clean_text(name, NAME_MAX_LENGTH, "name", required=True)
    reason = clean_text(reason, REASON_MAX_LENGTH, "reason", required=True)
    plain, phone_hash = _phone(phone, required=True)
    # Serialise nominations of one campaign from one phone (two taps at once).
    Campaign.objects.select_for_update().filter(pk=campaign.pk).exists()
    if Nomination.objects.filter(campaign=campaign, phone_hash=phone_hash, name=name, org=village).exists():
        raise ValidationError(
            _("You have already nominated %(name)s of %(village)s; it is waiting to be screened.")
            % {"name": name, "village": village.display_name}
        )
    nomination = Nomination(
        campaign=campaign,
        source=source,
        name=name,
        reason=reason,
        nominator=clean_text(nominator, NAME_MAX_LENGTH, "nominator"),
        phone=plain,
        phone_hash=phone_hash,
    )
    nomination.place(village)
    nomination.save()
    return nomination


def _existing_entry(campaign: Campaign, household: Household) -> Entry | None:
    return Entry.objects.filter(campaign=campaign, household=household).first()


def _enter(campaign: Campaign, household: Household, nomination: Nomination | None) -> Entry:
    first = campaign.stages.order_by("order").first()
    assert first is not None
    entry = Entry(campaign=campaign, household=household, nomination=nomination, stage=first)
    entry.place(household.org, household.ancestry)
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        raise ValidationError(
            {"household": _("The household of %(name)s is already in this campaign.") % {"name": household.head_name}}
        ) from None
    result = Result(entry=entry, stage=first)
    result.place(household.org, household.ancestry)
    result.save()
    return entry


@transaction.atomic
def nomination_create(
    *,
    actor: AnyUser,
    campaign: Campaign,
    household: Household,
    reason: str = "",
    source: str = NominationSource.FEDERATION,
    nominator_person: Any = None,
) -> Nomination:
    """A nomination by the federation (妇联推荐) or recorded by staff for a household of the
    registry; accepted at once (it becomes an entry) since staff made it."""
    require(actor, "campaigns.screen", household.org)
    _accepting(campaign, public=False)
    _eligible(campaign, household)
    if _existing_entry(campaign, household) is not None:
        raise ValidationError(
            {"household": _("The household of %(name)s is already in this campaign.") % {"name": household.head_name}}
        )
    nomination = Nomination(
        campaign=campaign,
        household=household,
        source=source,
        name=household.head_name,
        reason=clean_text(reason, REASON_MAX_LENGTH, "reason"),
        nominator=getattr(actor, "full_name", "") or "",
        nominated_by=author(actor),
        nominator_person=nominator_person,
        status=NominationStatus.ACCEPTED,
        screened_by=author(actor),
        screened_at=timezone.now(),
    )
    nomination.place(household.org, household.ancestry)
    nomination.save()
    _enter(campaign, household, nomination)
    return nomination


@transaction.atomic
def households_nominate(
    *, actor: AnyUser, campaign: Campaign, households: Sequence[Household], reason: str = ""
) -> tuple[list[Nomination], list[tuple[Household, str]]]:
    """妇联推荐 of many households at once (from the registry or a spreadsheet): those that can
    be entered are; the others come back with the reason, one each."""
    _accepting(campaign, public=False)
    if len(households) > MAX_BULK:
        raise ValidationError({"households": _("At most %(n)d at once.") % {"n": MAX_BULK}})
    made: list[Nomination] = []
    skipped: list[tuple[Household, str]] = []
    entered = set(
        Entry.objects.filter(campaign=campaign, household__in=[h.pk for h in households]).values_list(
            "household_id", flat=True
        )
    )
    for household in households:
        if household.pk in entered:
            skipped.append((household, _("already in this campaign")))
            continue
        if not can(actor, "campaigns.screen", household.org):
            skipped.append((household, _("not in your area")))
            continue
        try:
            with transaction.atomic():
                made.append(nomination_create(actor=actor, campaign=campaign, household=household, reason=reason))
        except ValidationError as error:
            skipped.append((household, " ".join(error.messages)))
        entered.add(household.pk)
    return made, skipped


def _screenable(actor: AnyUser, nomination: Nomination) -> Nomination:
    require(actor, "campaigns.screen", nomination.org)
    nomination = Nomination.objects.select_for_update().select_related("campaign__org").get(pk=nomination.pk)
    if nomination.status != NominationStatus.PENDING:
        raise ValidationError(
            _("This nomination was already screened: %(status)s.") % {"status": nomination.get_status_display()}
        )
    return nomination


@transaction.atomic
def nomination_accept(*, actor: AnyUser, nomination: Nomination, household: Household | None = None) -> Entry:
    """Accept a nomination for the household of the registry it names (chosen by staff for a
    public nomination): the household enters the campaign's first stage."""
    nomination = _screenable(actor, nomination)
    household = household or nomination.household
    if household is None:
        raise ValidationError({"household": _("Choose the household of the registry this nomination is for.")})
    require(actor, "campaigns.screen", household.org)
    campaign = nomination.campaign
    _accepting(campaign, public=False)
    _eligible(campaign, household)
    existing = _existing_entry(campaign, household)
    if existing is not None:
        raise ValidationError(
            {
                "household": _("The household of %(name)s is already in this campaign: merge this nomination into it.")
                % {"name": household.head_name}
            }
        )
    nomination.household = household
    nomination.place(household.org, household.ancestry)
    nomination.status = NominationStatus.ACCEPTED
    nomination.screened_by = author(actor)
    nomination.screened_at = timezone.now()
    nomination.save()
    return _enter(campaign, household, nomination)


@transaction.atomic
def nomination_merge(*, actor: AnyUser, nomination: Nomination, into: Nomination) -> Nomination:
    """Record a nomination as a duplicate of another of the same campaign (the same household
    put forward twice); its reason stays readable on the other."""
    nomination = _screenable(actor, nomination)
    if into.pk == nomination.pk or into.campaign_id != nomination.campaign_id:
        raise ValidationError({"into": _("Choose another nomination of the same campaign.")})
    if into.status in (NominationStatus.MERGED, NominationStatus.REJECTED):
        raise ValidationError({"into": _("That nomination was itself merged or rejected.")})
    nomination.status = NominationStatus.MERGED
    nomination.duplicate_of = into
    nomination.screened_by = author(actor)
    nomination.screened_at = timezone.now()
    nomination.save()
    return nomination


@transaction.atomic
def nomination_reject(*, actor: AnyUser, nomination: Nomination, reason: str) -> Nomination:
    """Reject a nomination, with the reason the nominator may be told."""
    nomination = _screenable(actor, nomination)
    nomination.reject_reason = clean_text(reason, REASON_MAX_LENGTH, "reason", required=True)
    nomination.status = NominationStatus.REJECTED
    nomination.screened_by = author(actor)
    nomination.screened_at = timezone.now()
    nomination.save()
    return nomination
