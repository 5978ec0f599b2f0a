"""Every list's export, at once and in the background, holds the rows of the requester's area
only: 新市镇's staff never export 炎陵县's people or households, 炎陵县's administrator does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.http import QueryDict
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from fulian.exports import background, kinds, services
from fulian.households.tests.helpers import household
from fulian.people.tests.helpers import person
from fulian.testing.world import World

pytestmark = pytest.mark.django_db

# kind → how to add a record of that kind at an organisation, with a name to find it by
MAKE: dict[str, Callable[[World, str, str], Any]] = {
    "people": lambda world, org, name: person(world, org, name),
    "households": lambda world, org, name: household(world, org, name),
}


def _at_once(world: World, username: str, kind: str) -> str:
    client = world.client_for(username)
    response = client.get(reverse(f"{kind}:export"), {"format": "csv"})
    assert response.status_code == 200
    return response.content.decode("utf-8-sig")


def _in_the_background(world: World, username: str, kind: str) -> str:
    job = background.job_start(actor=world.user(username), kind=kinds.kind_named(kind), query=QueryDict("format=csv"))
    job = services.job_run(job.pk)
    assert job.status == "done", job.message
    return services.job_file(actor=world.user(username), job=job).decode("utf-8-sig")


@pytest.mark.parametrize("kind", sorted(MAKE))
@pytest.mark.parametrize("export", [_at_once, _in_the_background], ids=["at-once", "in-the-background"])
def test_an_export_holds_only_the_requesters_area(world: World, kind: str, export: Callable[..., str]) -> None:
    MAKE[kind](world, "huilong", "回龙人")
    MAKE[kind](world, "shucai", "蔬菜人")
    outsider = export(world, "xinshi_staff", kind)
    assert ("回龙人" in outsider, "蔬菜人" in outsider) == (True, False)
    insider = export(world, "yanling_admin", kind)
    assert ("回龙人" in insider, "蔬菜人" in insider) == (False, True)


def test_every_export_url_is_a_registered_kind_tested_here() -> None:
    def export_urls(patterns: list[Any], namespace: str = "") -> set[str]:
        found: set[str] = set()
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                found |= export_urls(pattern.url_patterns, f"{pattern.namespace}:" if pattern.namespace else namespace)
            elif isinstance(pattern, URLPattern) and pattern.name == "export":
                found.add(f"{namespace}{pattern.name}")
        return found

    # A campaign's exports take the campaign as a filter and are tested, kind by kind, in
    # fulian/campaigns/tests/test_exports.py (their records need a whole round to exist).
    from fulian.campaigns.tests.test_exports import KIND_RECORDS

    campaign_kinds = {name for name in kinds._KINDS if name.startswith("campaign_")}
    assert campaign_kinds <= set(KIND_RECORDS)
    # The duties' exports are tested with their pages, scope included: the figures' three in
    # fulian/duties/tests/test_figures.py, the requests' in test_request_pages.py, the
    # assessments' in test_report_pages.py.
    duty_kinds = {name for name, kind in kinds._KINDS.items() if kind.list_url_name.startswith("duties:")}
    assert duty_kinds == {
        "duty_figures_people",
        "duty_figures_modes",
        "duty_figures_requests",
        "duty_requests",
        "duties_assessments",
    }
    # The points' exports are tested with their pages, scope included: each part lists the kinds
    # it tests in its own ``fulian/points/tests/test_*_pages.py`` (``EXPORT_KINDS``).
    import importlib
    import pkgutil

    import fulian.points.tests

    tested: set[str] = set()
    for module in pkgutil.iter_modules(fulian.points.tests.__path__):
        if module.name.startswith("test_") and module.name.endswith("_pages"):
            tested |= set(getattr(importlib.import_module(f"fulian.points.tests.{module.name}"), "EXPORT_KINDS", []))
    point_kinds = {name for name, kind in kinds._KINDS.items() if kind.list_url_name.startswith("points:")}
    assert point_kinds <= tested
    registered = {
        kind.list_url_name.replace(":list", ":export")
        for name, kind in kinds._KINDS.items()
        if name not in campaign_kinds | duty_kinds | point_kinds
    }
    urls = export_urls(get_resolver().url_patterns) - {"campaigns:export"}
    assert urls == registered == {f"{kind}:export" for kind in MAKE}
