from typing import Any

import pytest

from fulian.testing.world import World


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
