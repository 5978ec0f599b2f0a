"""Generic scope tests over every app's ScopeCases, and the meta-tests that keep them complete."""

from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from fulian.core.testing.scope import ScopeCase, all_cases, scoped_models
from fulian.core.testing.world import World

CASES = all_cases()
DETAIL = [(case, name, method) for case in CASES for name, method in case.detail]
LISTS = [(case, name, params) for case in CASES for name, params in case.lists]

# URLs that take an id but show no scoped object, each with the reason.
EXEMPT_URLS: dict[str, str] = {}


def _call(client: Any, method: str, url: str) -> Any:
    return client.get(url) if method == "get" else client.post(url, {})


def _client(world: World, name: str, username: str) -> Any:
    return world.api_for(username) if name.startswith("api:") else world.client_for(username)


@pytest.mark.parametrize(("case", "name", "method"), DETAIL, ids=[f"{c.label}-{n}" for c, n, _m in DETAIL])
def test_outsider_gets_404_and_insider_does_not(world: World, case: ScopeCase, name: str, method: str) -> None:
    obj = case.make(world)
    url = reverse(name, kwargs={"pk": obj.pk})
    assert _call(_client(world, name, case.outsider), method, url).status_code == 404
    assert _call(_client(world, name, case.insider), method, url).status_code != 404


@pytest.mark.parametrize(("case", "name", "params"), LISTS, ids=[f"{c.label}-{n}" for c, n, _p in LISTS])
def test_outsider_never_finds_it_in_a_list(world: World, case: ScopeCase, name: str, params: Any) -> None:
    obj = case.make(world)
    url = reverse(name)
    query = params(obj)

    def shown_to(username: str) -> bool:
        response = _client(world, name, username).get(url, query)
        # 400: a filter naming an object outside the scope is "not a valid choice", as for a
        # missing one; 403: the list is not part of the role at all.
        assert response.status_code in (200, 400, 403), response.content[:300]
        if response.status_code != 200:
            return False
        if name.startswith("api:"):
            return obj.pk in [row["id"] for row in response.json()["results"]]
        marker = case.marker(obj) if case.marker else f"/{obj.pk}/"
        return marker in response.content.decode()

    assert not shown_to(case.outsider)
    assert shown_to(case.insider)


def test_every_scoped_model_has_a_scope_case() -> None:
    covered = {case.model for case in CASES}
    missing = [m._meta.label for m in scoped_models() if m not in covered]
    assert not missing, f"Scoped models without a ScopeCase in <app>/tests/scope_cases.py: {missing}"


def _url_names(patterns: list[Any], keep: Any, namespace: str = "") -> list[str]:
    """The namespaced names of every URL pattern for which ``keep(pattern)`` holds."""
    found: list[str] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found += _url_names(pattern.url_patterns, keep, inner)
        elif isinstance(pattern, URLPattern) and pattern.name and keep(pattern):
            found.append(f"{namespace}{pattern.name}")
    return found


def _takes_an_id(pattern: URLPattern) -> bool:
    return "pk" in pattern.pattern.regex.groupindex


def _is_a_list(pattern: URLPattern) -> bool:
    return pattern.name == "list" or str(pattern.name).endswith("-list")


def test_every_list_has_a_scope_case() -> None:
    covered = {name for _case, name, _params in LISTS}
    missing = sorted(set(_url_names(get_resolver().url_patterns, _is_a_list)) - covered)
    assert not missing, f"List pages or endpoints without a ScopeCase list entry: {missing}"


def test_every_url_taking_an_id_has_a_scope_case() -> None:
    covered = {name for _case, name, _method in DETAIL} | set(EXEMPT_URLS)
    missing = sorted(set(_url_names(get_resolver().url_patterns, _takes_an_id)) - covered)
    assert not missing, f"URLs taking an id without a ScopeCase: {missing}"
