"""Fixtures of the organisation tests."""

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages are checked in English, the source language; pages ask for it per request."""
    with translation.override("en"):
        yield
