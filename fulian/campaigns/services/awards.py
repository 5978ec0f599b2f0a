"""Awards after the top stage (issued by ``ranking.stage_promote``): revoking one with a reason
(the household is then ineligible for two years), and the public vote."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from fulian.campaigns.choices import EntryStatus, StageStatus
from fulian.campaigns.models import REASON_MAX_LENGTH, Award, Entry, Stage, Vote
from fulian.campaigns.services.common import author, clean_text, today
from fulian.campaigns.services.nominations import _phone
from fulian.campaigns.services.ranking import is_top
from fulian.campaigns.signals import award_revoked
from fulian.core.scoping import AnyUser, require


@transaction.atomic
def award_revoke(*, actor: AnyUser, award: Award, reason: str) -> Award:
    """Take an award back, with the reason (it stays on the record, struck through)."""
    require(actor, "campaigns.review", award.campaign.org)
    award = Award.objects.select_for_update().get(pk=award.pk)
    if award.revoked_on is not None:
        raise ValidationError(_("This award was already revoked."))
    award.revoke_reason = clean_text(reason, REASON_MAX_LENGTH, "reason", required=True)
    award.revoked_on = today()
    award.revoked_by = author(actor)
    award.save()
    Entry.objects.filter(pk=award.entry_id).update(status=EntryStatus.REMOVED)
    transaction.on_commit(lambda: award_revoked.send_robust(sender=Award, award=award), robust=True)
    return award


@transaction.atomic
def vote_cast(*, stage: Stage, entry: Entry, phone: str) -> Vote:
    """One public vote for a household at the top stage of a campaign that has a public vote:
    one per phone per day."""
    if not stage.campaign.vote_weight or not is_top(stage):
        raise ValidationError(_("This campaign has no public vote."))
    if stage.status != StageStatus.SCORING:
        raise ValidationError(_("Voting is closed."))
    if entry.stage_id != stage.pk or entry.status != EntryStatus.ACTIVE:
        raise ValidationError({"entry": _("This household is not in the vote.")})
    _plain, phone_hash = _phone(phone, required=True)
    assert phone_hash is not None
    try:
        with transaction.atomic():
            return Vote.objects.create(stage=stage, entry=entry, phone_hash=phone_hash, voted_on=today())
    except IntegrityError:
        raise ValidationError(_("This phone has already voted today; vote again tomorrow.")) from None
