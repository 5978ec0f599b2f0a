"""What the roster tells the areas built on it.

``posts_ended`` is sent inside the writing transaction when posts end (stepped down, a new
term, archived, erased), with ``ended`` a list of ``(post id, last day)``: the grid ends the
responsibilities those posts gave.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.dispatch import Signal

posts_ended = Signal()


def announce_ended(ended: Iterable[tuple[int, datetime.date]]) -> None:
    ended = list(ended)
    if ended:
        posts_ended.send(sender="people", ended=ended)
