"""Points earned without paperwork: the duties and campaigns areas say what happened (their
signals, sent on commit), and the rules post it. A failure here is logged and left to the daily
``post_points`` run, which posts whatever is missing (the keys make it safe to repeat)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from fulian.campaigns.signals import award_revoked, awards_given
from fulian.duties.signals import record_confirmed
from fulian.points.services import earning


def _record_confirmed(*, record: Any, superseded: Any = None, **_kwargs: Any) -> None:
    try:
        earning.contact_post(record)
    finally:  # the reversal is not skipped because the posting failed (the backlog posts that)
        if superseded is not None:
            # Posted first, reversed second: the reversal can take back what the correction gives.
            earning.contact_reverse(
                superseded, reason=_("corrected by a later record (no. %(number)d)") % {"number": record.pk}
            )


def _awards_given(*, awards: list[Any], **_kwargs: Any) -> None:
    for award in awards:
        earning.award_post(award)


def _award_revoked(*, award: Any, **_kwargs: Any) -> None:
    earning.award_reverse(award)


record_confirmed.connect(_record_confirmed, dispatch_uid="points.record_confirmed")
awards_given.connect(_awards_given, dispatch_uid="points.awards_given")
award_revoked.connect(_award_revoked, dispatch_uid="points.award_revoked")
