"""Test set-up shared by every app: the named world, built once per session."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.utils import translation

from fulian.audit.db import install_append_only, remove_append_only
from fulian.core.scoping import forget_loaded_grants
from fulian.testing.clock import Clock, controlled_clock
from fulian.testing.world import World, build_world


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages are checked in English, the source language; pages choose their language per
    request (Accept-Language), and the translation tests switch to zh-hans themselves."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def fresh_grants() -> None:
    """Each test starts with no grants loaded in the process: rolled-back tests reuse ids."""
    forget_loaded_grants()


@pytest.fixture
def clock() -> Iterator[Clock]:
    with controlled_clock() as clock:
        yield clock


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        build_world()


@pytest.fixture
def world(db: Any) -> World:
    return World()


@pytest.fixture
def live_world(transactional_db: Any) -> Iterator[World]:
    """The world for tests that need real commits (a live server, concurrent requests).

    Transactional tests empty every table afterwards; the audit table refuses that, so its
    append-only triggers are lifted for the flush and put back before the next test. Use
    this fixture, not ``transactional_db`` directly."""
    install_append_only(connection)
    build_world()
    yield World()
    remove_append_only(connection)


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> None:
    """Uploaded files (imports, photos) go to a temporary folder, never the checkout."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def english_pages(monkeypatch: Any) -> None:
    """Pages choose their language per request (Chinese by default): for tests that check a
    page's messages in English, every client of ``world.client_for`` asks for English."""
    original = World.client_for

    def client_for(self: World, username: str) -> Any:
        client = original(self, username)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    monkeypatch.setattr(World, "client_for", client_for)
