from collections.abc import Iterator

import pytest
from django.utils import translation

from fulian.accounts.tests.clients import Clock, controlled_clock


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def clock() -> Iterator[Clock]:
    with controlled_clock() as clock:
        yield clock
