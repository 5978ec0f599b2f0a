"""The role → action table, assembled from each app's ``permissions.py``.

An action is a string such as ``"orgs.view"``. Each domain app declares which roles may
perform its actions by calling :func:`register` when its ``permissions`` module is imported
(its AppConfig.ready does that). Asking about an action nobody registered is a programming
error, so it raises instead of silently answering "nobody".
"""

from collections.abc import Iterable

from django.core.exceptions import ImproperlyConfigured

_TABLE: dict[str, frozenset[str]] = {}


def register(table: dict[str, Iterable[str]]) -> None:
    """Declare the roles allowed to perform each action; an action is declared once."""
    for action, roles in table.items():
        if action in _TABLE:
            raise ImproperlyConfigured(f"Action {action!r} is registered twice.")
        _TABLE[action] = frozenset(roles)


def roles_for(action: str) -> frozenset[str]:
    """The roles that may perform ``action``."""
    try:
        return _TABLE[action]
    except KeyError:
        raise ImproperlyConfigured(f"Unknown action {action!r}: register it in a permissions.py.") from None


def actions() -> dict[str, frozenset[str]]:
    """A copy of the whole table (for the role help page and tests)."""
    return dict(_TABLE)
