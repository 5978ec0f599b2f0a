"""Template tags of the review of duty records (``duties/_record_review.html``)."""

from __future__ import annotations

from typing import Any

from django import template

from fulian.duties.services.review import reviewable

register = template.Library()


@register.simple_tag(takes_context=True)
def reviewable_by_me(context: Any, record: Any) -> bool:
    """Whether the page's user reviews ``record`` now (it waits, and it is hers to review)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or record is None or record.status != "pending":
        return False
    return reviewable(user, record)
