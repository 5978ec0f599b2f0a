from typing import Any

from django.http import HttpRequest
from django.utils.module_loading import import_string

from fulian.core.scoping import can_anywhere, user_grants


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the page shell needs: which menu entries to show, and the large-text mode."""
    user = getattr(request, "user", None)
    nav = {}
    if user is not None and user.is_authenticated:
        nav = {
            "orgs": can_anywhere(user, "orgs.view"),
            "people": can_anywhere(user, "people.view"),
            "households": can_anywhere(user, "households.view"),
            "coverage": can_anywhere(user, "grid.view"),
            "assignments": can_anywhere(user, "grid.assign"),
            "campaigns": can_anywhere(user, "campaigns.view"),
            "duties": can_anywhere(user, "duties.view"),
            "points": _points(user),
            "imports": can_anywhere(user, "imports.view"),
            "accounts": can_anywhere(user, "accounts.manage"),
            "audit": can_anywhere(user, "audit.view"),
        }
    return {"nav": nav, "large_text": request.COOKIES.get("fulian_large_text") == "1"}


def _points(user: Any) -> bool:
    """The points entry: anyone who sees passbooks somewhere, or a holder (a person on the books)
    with no role at all; the person is looked up only then, not on every page of staff."""
    if can_anywhere(user, "points.view"):
        return True
    if user_grants(user):
        return False
    # Core imports no app: the holder is found by the points area's own look-up, named here.
    person_of = import_string("fulian.points.services.holders.person_of")
    return person_of(user) is not None
