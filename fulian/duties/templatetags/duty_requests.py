"""Template helpers of the request pages: how many days late an open request is."""

from __future__ import annotations

import datetime
from typing import Any

from django import template

register = template.Library()


@register.filter
def days_late(request: Any, today: datetime.date) -> int:
    """Days past the deadline of an open request (0 when it is answered, closed or not due)."""
    if not request.is_open or request.due_on >= today:
        return 0
    return (today - request.due_on).days
