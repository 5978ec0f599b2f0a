"""The scope test kit: declare, per scoped model, an object outside a persona's subtree and
the URLs that show it; the generic tests in ``fulian/core/tests/test_scope.py`` check that
the outsider gets 404 on every detail URL and never finds it in a list, while an insider
does (so the test can fail), and a meta-test fails when a scoped model or a URL taking an
object id has no case.

An app adds its cases in ``fulian/<app>/tests/scope_cases.py``::

    CASES = [
        ScopeCase(
            model=Organisation,
            make=lambda world: world.org("shucai"),
            outsider="xinshi_staff", insider="yanling_admin",
            detail=[("orgs:detail", "get"), ("api:org-detail", "get")],
            lists=[("orgs:list", lambda o: {"q": o.code}), ("api:org-list", lambda o: {"search": o.code})],
        ),
    ]
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models

from fulian.core.testing.world import World


@dataclass(frozen=True)
class ScopeCase:
    model: type[models.Model]
    make: Callable[[World], models.Model]
    outsider: str
    insider: str
    # (url name, method): URLs taking the object's pk, as ``pk``.
    detail: list[tuple[str, str]] = field(default_factory=list)
    # (url name, query params for the object): lists that must not show it to the outsider.
    lists: list[tuple[str, Callable[[Any], dict[str, str]]]] = field(default_factory=list)
    # What identifies the object in an HTML list (default: its primary key in a link).
    marker: Callable[[Any], str] | None = None

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}:{self.outsider}"


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
