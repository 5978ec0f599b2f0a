"""Template tags of the lists that count by organisation (``orgs.counts``)."""

from typing import Any

from django import template

from fulian.orgs.counts import Total, total_text

register = template.Library()


@register.simple_tag
def list_total(total: Total | None, page: Any, kind: str) -> str:
    """``{% list_total total page "households" as said %}``: the sentence above a list."""
    return total_text(total, getattr(page, "seen_total", None), kind)
