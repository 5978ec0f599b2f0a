"""Links to the load and suggestion pages from other grid pages (the coverage page)."""

from __future__ import annotations

from typing import Any

from django import template

from fulian.core.scoping import can

register = template.Library()


@register.simple_tag(takes_context=True)
def may_assign(context: dict[str, Any], org: Any) -> bool:
    """Whether the page's user may assign at ``org`` (the suggestion is for staff only)."""
    request = context.get("request")
    return request is not None and can(request.user, "grid.assign", org)
