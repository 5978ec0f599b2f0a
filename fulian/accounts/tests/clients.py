"""Test helpers shared by the accounts and audit tests: clients that speak English and come
from a chosen address, logging in through the real login page, and a clock to move time."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from fulian.accounts.testing import force_login
from fulian.testing.clock import Clock, controlled_clock  # noqa: F401 - re-exported for tests
from fulian.testing.world import PASSWORD, World

# The messages are compared in English: the zh-hans catalogue is translated separately.
LANGUAGE = "en"


def web_client(world: World | None = None, username: str | None = None, *, ip: str = "10.0.0.1") -> Client:
    """A browser-like client from ``ip``, logged in as ``username`` when given."""
    client = Client(REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE=LANGUAGE)
    if username is not None:
        assert world is not None
        force_login(client, world.user(username))
    return client


def api_client(world: World | None = None, username: str | None = None, *, ip: str = "10.0.0.1") -> APIClient:
    """An API client from ``ip``, authenticated as ``username`` when given."""
    client = APIClient(REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE=LANGUAGE)
    if username is not None:
        assert world is not None
        client.force_authenticate(world.user(username))
    return client


def log_in(client: Client, identifier: str, password: str = PASSWORD, **extra: Any) -> Any:
    """POST the login page as a person would."""
    return client.post(reverse("accounts:login"), {"identifier": identifier, "password": password}, **extra)


def enter_code(client: Client, code: str, **extra: Any) -> Any:
    """POST the second login step (after ``log_in`` sent the password)."""
    return client.post(reverse("accounts:login_code"), {"code": code}, **extra)


def page_errors(response: Any) -> str:
    """The form errors a page shows (non-field and field errors), as one string."""
    context = response.context
    forms = [context[name] for name in ("form", "grant_form") if name in context]
    return " ".join(str(e) for form in forms for errors in form.errors.values() for e in errors)
