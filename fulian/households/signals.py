"""What the household registry tells the areas built on it (the grid's coverage summary).

``households_changed`` is sent inside the writing transaction, after households were added,
moved, archived, restored, erased or deleted, with the ids of the villages whose households
changed. The registry does not know who listens: the grid keeps its coverage exact with it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.dispatch import Signal

households_changed = Signal()


def announce(villages: Iterable[int | None]) -> None:
    """Tell the listeners that households of these villages changed (None ids are ignored)."""
    ids = {pk for pk in villages if pk is not None}
    if ids:
        households_changed.send(sender="households", villages=ids)
