"""The scope test kit: declare, per scoped model, an object outside a persona's subtree and
the URLs that show it; the generic tests in ``fulian/core/tests/test_scope.py`` check that
the outsider gets 404 on every detail URL and never finds it in a list, while an insider
gets exactly the status the case names and finds it (so the test can fail), and meta-tests
fail when a scoped model, a URL taking an object id, or a method of an API detail route has
no case.

An app adds its cases in ``fulian/<app>/tests/scope_cases.py``::

    CASES = [
        ScopeCase(
            model=Organisation,
            make=lambda world: world.org("shucai"),
            outsider="xinshi_staff", insider="yanling_admin",
            detail=[("orgs:detail", "get"), ("api:org-detail", "get"), ("orgs:group_create", "post", 400)],
            lists=[("orgs:list", lambda o: {"q": o.code}), ("api:org-list", lambda o: {"search": o.code})],
        ),
    ]

``detail`` entries are ``(url name, method)`` or ``(url name, method, insider's status)``: a GET
is expected to answer the insider 200; any other method must say what the insider gets for an
empty request (a 400 naming the missing field, a 302 back to the page…). ``lists`` entries are
``(url name, params)`` or ``(url name, params, outsider's status)``: 200 unless said (a filter
naming an object outside the scope is a 400, like a missing one).
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.urls import reverse

from fulian.testing.world import World


@dataclass(frozen=True)
class ScopeCase:
    model: type[models.Model]
    make: Callable[[World], models.Model]
    outsider: str
    insider: str
    # (url name, method[, insider's status]): URLs taking the object's pk, as ``pk``.
    detail: list[tuple[Any, ...]] = field(default_factory=list)
    # (url name, query params for the object[, outsider's status]): lists that must not show it
    # to the outsider, and do show it to the insider.
    lists: list[tuple[Any, ...]] = field(default_factory=list)
    # What identifies the object in an HTML list (default: a link to its first page in ``detail``).
    marker: Callable[[Any], str] | None = None

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}:{self.outsider}"

    def detail_checks(self) -> list[tuple[str, str, int | None]]:
        """(url name, method, the insider's status); None where a case left it unsaid."""
        return [(d[0], d[1], d[2] if len(d) > 2 else (200 if d[1] == "get" else None)) for d in self.detail]

    def list_checks(self) -> list[tuple[str, Callable[[Any], dict[str, str]], int]]:
        """(url name, query params for the object, the outsider's status)."""
        return [(entry[0], entry[1], entry[2] if len(entry) > 2 else 200) for entry in self.lists]

    def marker_of(self, obj: Any) -> str:
        """What shows the object in an HTML list: a link to its page, not merely its id (which
        can stand in any other link of the page)."""
        if self.marker is not None:
            return self.marker(obj)
        pages = [name for name, method, *_rest in self.detail if method == "get" and not name.startswith("api:")]
        return f'href="{reverse(pages[0], kwargs={"pk": obj.pk})}"' if pages else f"/{obj.pk}/"


def all_cases() -> list[ScopeCase]:
    cases: list[ScopeCase] = []
    for config in apps.get_app_configs():
        module_name = f"{config.name}.tests.scope_cases"
        if (
            config.name.startswith("fulian.")
            and importlib.util.find_spec(f"{config.name}.tests")
            and importlib.util.find_spec(module_name)
        ):
            cases.extend(importlib.import_module(module_name).CASES)
    return cases


def scoped_models() -> list[type[models.Model]]:
    """Every concrete model with a ``visible_to`` entry point."""
    return [
        m for m in apps.get_models() if m.__module__.startswith("fulian.") and hasattr(m._default_manager, "visible_to")
    ]
