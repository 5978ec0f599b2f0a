"""The production profile is right by default: HTTPS behind a proxy, secure cookies, HSTS,
trusted origins from the allowed hosts, and a clean `manage.py check --deploy`."""

import base64
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

BASE = Path(settings.BASE_DIR)


def production_env(**extra: str) -> dict[str, str]:
    """A new shell on a server: real keys, the site's host, nginx in front; no demo switches."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FULIAN_", "DATABASE_URL", "DJANGO_"))}
    env.update(
        FULIAN_ENV_FILE="/nonexistent/.env",
        FULIAN_SECRET_KEY=secrets.token_urlsafe(50),
        FULIAN_DATA_KEYS="k1:" + base64.b64encode(os.urandom(32)).decode(),
        FULIAN_HASH_KEY=secrets.token_urlsafe(32),
        FULIAN_ALLOWED_HOSTS="fulian.example.org,.zhuzhou.example.org",
        FULIAN_PROXY_COUNT="1",
        DATABASE_URL="postgres://fulian@127.0.0.1:5432/fulian",
    )
    env.update(extra)
    return env


def run_manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE, env=env, capture_output=True, text=True, timeout=120
    )


def profile(env: dict[str, str]) -> dict[str, Any]:
    names = [
        "HTTPS",
        "SECURE_SSL_REDIRECT",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "CSRF_TRUSTED_ORIGINS",
    ]
    code = (
        "import django, json, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings'); "
        "django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n, None) for n in {names!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-800:]
    return json.loads(result.stdout)


def test_check_deploy_is_clean_in_the_production_profile() -> None:
    result = run_manage(production_env(), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout + result.stderr


def test_check_deploy_warns_when_https_is_turned_off() -> None:
    result = run_manage(production_env(FULIAN_HTTPS="0"), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W004" in result.stderr  # no HSTS
    assert "security.W012" in result.stderr  # session cookie not secure


def test_check_deploy_warns_of_the_redirect_loop_when_no_proxy_is_declared() -> None:
    result = run_manage(production_env(FULIAN_PROXY_COUNT="0"), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "fulian.W001" in result.stderr


def test_production_is_https_behind_the_proxy_by_default() -> None:
    values = profile(production_env())
    assert values["HTTPS"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://fulian.example.org", "https://*.zhuzhou.example.org"]


def test_extra_trusted_origins_are_added_to_the_allowed_hosts() -> None:
    values = profile(production_env(FULIAN_CSRF_TRUSTED_ORIGINS=" https://fulian.example.org:8443 "))
    assert values["CSRF_TRUSTED_ORIGINS"][-1] == "https://fulian.example.org:8443"


def test_the_demo_is_plain_http() -> None:
    values = profile(production_env(FULIAN_DEV_KEYS="1", FULIAN_PROXY_COUNT="0"))
    assert values["HTTPS"] is False
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert values["SECURE_HSTS_SECONDS"] == 0
    assert values["SESSION_COOKIE_SECURE"] is False


@pytest.mark.django_db
def test_every_response_carries_the_content_security_policy(client: Client) -> None:
    for url in ["/accounts/login/", "/api/v1/", "/api/docs/", "/healthz"]:
        response = client.get(url)
        policy = response.headers.get("Content-Security-Policy", "")
        assert "script-src 'self';" in policy, url
        assert "style-src 'self';" in policy, url
        assert "unsafe-inline" not in policy, url
