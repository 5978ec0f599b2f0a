"""Small pieces the campaign services share."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from fulian.core.scoping import AnyUser


def author(actor: AnyUser) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def clean_text(value: str | None, limit: int, field: str, *, required: bool = False) -> str:
    """Trimmed text of at most ``limit`` characters; a message on ``field`` otherwise."""
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > limit:
        raise ValidationError({field: _("At most %(n)d characters (this has %(m)d).") % {"n": limit, "m": len(text)}})
    return text


def today() -> Any:
    return timezone.localdate()


def within(org: Any, campaign: Any) -> bool:
    """Whether ``org`` lies in the subtree the campaign runs over."""
    return bool(org.path.startswith(campaign.org.path))
