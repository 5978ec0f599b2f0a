"""Generic scope tests over every app's ScopeCases, and the meta-tests that keep them complete."""

from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from config.api_urls import router
from fulian.testing.scope import ScopeCase, all_cases, scoped_models
from fulian.testing.world import World

CASES = all_cases()
DETAIL = [(case, name, method, status) for case in CASES for name, method, status in case.detail_checks()]
LISTS = [(case, name, params, status) for case in CASES for name, params, status in case.list_checks()]

# URLs that take an id, or lists, that show no scoped object, each with the reason.
EXEMPT_URLS: dict[str, str] = {
    "api:duty-work-mode-list": "the city's one list of work modes, the same for everyone",
    "api:duty-work-mode-detail": "the city's one list of work modes, the same for everyone",
}


def _call(client: Any, method: str, url: str) -> Any:
    if method in ("patch", "put"):  # the API's partial updates: an empty JSON body
        return getattr(client, method)(url, {}, format="json")
    return getattr(client, method)(url) if method in ("get", "delete") else client.post(url, {})


def _client(world: World, name: str, username: str) -> Any:
    return world.api_for(username) if name.startswith("api:") else world.client_for(username)


@pytest.mark.parametrize(
    ("case", "name", "method", "status"),
    DETAIL,
    ids=[f"{c.label}-{n}" + ("" if m == "get" else f"-{m}") for c, n, m, _s in DETAIL],
)
def test_outsider_gets_404_and_insider_does_not(
    world: World, case: ScopeCase, name: str, method: str, status: int | None
) -> None:
    assert status is not None, f"say which status the insider gets from {method.upper()} {name} (see ScopeCase)"
    obj = case.make(world)
    url = reverse(name, kwargs={"pk": obj.pk})
    assert _call(_client(world, name, case.outsider), method, url).status_code == 404
    insider = _call(_client(world, name, case.insider), method, url)
    assert insider.status_code == status, insider.content[:300]


@pytest.mark.parametrize(("case", "name", "params", "status"), LISTS, ids=[f"{c.label}-{n}" for c, n, _p, _s in LISTS])
def test_outsider_never_finds_it_in_a_list(world: World, case: ScopeCase, name: str, params: Any, status: int) -> None:
    obj = case.make(world)
    url = reverse(name)
    query = params(obj)

    def shown(response: Any) -> bool:
        if name.startswith("api:"):
            return obj.pk in [row["id"] for row in response.json()["results"]]
        return case.marker_of(obj) in response.content.decode()

    # A filter naming an object outside the scope is "not a valid choice" (400), as for a
    # missing one; otherwise the outsider gets the list, without the object.
    outsider = _client(world, name, case.outsider).get(url, query)
    assert outsider.status_code == status, outsider.content[:300]
    if status == 200:
        assert not shown(outsider)
    insider = _client(world, name, case.insider).get(url, query)
    assert insider.status_code == 200, insider.content[:300]
    assert shown(insider)


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
    covered = {name for _case, name, _params, _status in LISTS}
    missing = sorted(set(_url_names(get_resolver().url_patterns, _is_a_list)) - covered - set(EXEMPT_URLS))
    assert not missing, f"List pages or endpoints without a ScopeCase list entry: {missing}"


def test_every_url_taking_an_id_has_a_scope_case() -> None:
    covered = {name for _case, name, _method, _status in DETAIL} | set(EXEMPT_URLS)
    missing = sorted(set(_url_names(get_resolver().url_patterns, _takes_an_id)) - covered)
    assert not missing, f"URLs taking an id without a ScopeCase: {missing}"


# What each of a viewset's standard actions answers on its detail route.
DETAIL_ACTIONS = {"retrieve": "get", "update": "put", "partial_update": "patch", "destroy": "delete"}


def _api_detail_methods() -> set[tuple[str, str]]:
    """(url name, method) of every detail route of the API: the standard actions a viewset has
    and its ``@action(detail=True)`` extras."""
    served: set[tuple[str, str]] = set()
    for _prefix, viewset, basename in router.registry:
        for action, method in DETAIL_ACTIONS.items():
            if hasattr(viewset, action):
                served.add((f"api:{basename}-detail", method))
        extras: list[Any] = viewset.get_extra_actions()  # functions carrying DRF's @action attributes
        for extra in extras:
            if extra.detail:
                served |= {(f"api:{basename}-{extra.url_name}", method) for method in extra.mapping}
    return served


def test_every_method_of_every_api_detail_route_has_a_scope_case() -> None:
    covered = {(name, method) for _case, name, method, _status in DETAIL}
    missing = sorted(_api_detail_methods() - covered)
    assert not missing, f"API detail routes and methods without a ScopeCase: {missing}"
