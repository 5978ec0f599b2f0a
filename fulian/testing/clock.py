"""A clock under the test's control (lockouts, session expiry)."""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone


class Clock:
    """``django.utils.timezone.now`` under the test's control."""

    def __init__(self) -> None:
        self.now = timezone.now()

    def advance(self, *, minutes: float) -> None:
        self.now += datetime.timedelta(minutes=minutes)


@contextmanager
def controlled_clock() -> Iterator[Clock]:
    clock = Clock()
    with mock.patch("django.utils.timezone.now", side_effect=lambda: clock.now):
        yield clock
