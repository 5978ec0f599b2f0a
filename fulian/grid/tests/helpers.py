"""Records for the grid tests, written through the services (as a city administrator)."""

from __future__ import annotations

import datetime
from typing import Any

from fulian.grid import services
from fulian.grid.choices import Mode
from fulian.grid.models import Assignment
from fulian.people.models import Post
from fulian.people.tests.helpers import person, post
from fulian.testing.world import World

START = datetime.date(2022, 1, 1)


def executive(world: World, org: str = "huilong", name: str = "周桂姣") -> Post:
    """A 执委 of ``org`` (she lives there) holding a current post there."""
    return post(world, person(world, org, name), org)


def assign(world: World, post_: Post, *targets: Any, actor: str = "city_admin", **kwargs: Any) -> list[Assignment]:
    kwargs.setdefault("mode", Mode.CIRCUIT)
    kwargs.setdefault("start_date", START)
    return services.assignment_create(actor=world.user(actor), post=post_, targets=list(targets), **kwargs)


def page_queries(client: Any, url: str, data: Any = None) -> int:
    """The queries of a page (200), once its session is warm: for the query-count tests."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, data).status_code == 200
    return len(captured.captured_queries)
