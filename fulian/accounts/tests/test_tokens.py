"""API tokens like a bank's: one per device, stored only as a hash, ending on a date, listed
and revoked by their owner and by the security officer of the account's subtree."""

from __future__ import annotations

import datetime
import importlib
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from fulian.accounts import services, tokens
from fulian.accounts.choices import Role
from fulian.accounts.models import ApiToken, User
from fulian.accounts.tests.clients import Clock, api_client, web_client
from fulian.audit.choices import Action
from fulian.audit.models import AuditEvent
from fulian.testing.factories import RoleGrantFactory, UserFactory
from fulian.testing.world import PASSWORD, World

NEW = "Neues-Passw0rt"
ME = "/api/v1/me/"


def _issue(username: str, name: str = "办公室电脑", **extra: Any) -> dict[str, Any]:
    response = api_client().post(
        reverse("api:token"), {"username": username, "password": PASSWORD, "name": name, **extra}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def _with(key: str) -> APIClient:
    client = api_client()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


# --- stored as a hash ------------------------------------------------------------------------


def test_the_database_holds_no_token_only_its_hash(world: World) -> None:
    issued = _issue("xinshi_staff")
    key = issued["token"]
    secret = key[len(tokens.TOKEN_PREFIX) :]
    assert len(secret) >= 43  # 256 random bits
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")
        rows = cursor.fetchall()
    assert len(rows) == 1
    stored = " ".join(str(value) for value in rows[0])
    assert key not in stored
    assert secret not in stored
    assert secret[:12] not in stored  # not even a part of the secret beyond the shown prefix
    assert tokens.hash_key(key) in stored
    logged = " ".join(str(e.changes) for e in AuditEvent.objects.all())
    assert secret not in logged
    assert _with(key).get(ME).status_code == 200


def test_the_answer_shows_the_token_once_with_its_name_prefix_and_end(world: World) -> None:
    issued = _issue("xinshi_staff", name="手机")
    token = ApiToken.objects.get(pk=issued["id"])
    assert issued["token"].startswith(token.prefix)
    assert (issued["name"], issued["prefix"]) == ("手机", token.prefix)
    listed = _with(issued["token"]).get(reverse("api:my-token-list")).json()["results"]
    assert [row["prefix"] for row in listed] == [token.prefix]
    assert "token" not in listed[0]
    assert "key_hash" not in listed[0]


# --- expiry -------------------------------------------------------------------------------------


def test_a_token_ends_after_30_days_and_says_it_expired(world: World, clock: Clock) -> None:
    key = _issue("xinshi_staff")["token"]
    token = ApiToken.objects.get()
    assert token.expires_at == clock.now + datetime.timedelta(days=30)
    clock.advance(minutes=30 * 24 * 60 - 1)
    assert _with(key).get(ME).status_code == 200
    clock.advance(minutes=2)
    response = _with(key).get(ME)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "token_expired"
    assert "expired on" in response.json()["detail"]
    assert not AuditEvent.objects.filter(action=Action.TOKEN_REVOKED).exists()  # expiry is no event


def test_the_lifetime_is_a_setting(world: World, clock: Clock, settings: Any) -> None:
    settings.FULIAN_TOKEN_DAYS = 7
    _issue("xinshi_staff")
    assert ApiToken.objects.get().expires_at == clock.now + datetime.timedelta(days=7)


def test_last_used_is_written_at_most_once_a_minute(world: World, clock: Clock) -> None:
    key = _issue("xinshi_staff")["token"]
    client = _with(key)
    client.get(ME)
    first = ApiToken.objects.get().last_used_at
    assert first == clock.now
    clock.advance(minutes=0.5)
    with CaptureQueriesContext(connection) as queries:
        client.get(ME)
    assert ApiToken.objects.get().last_used_at == first
    assert not any("UPDATE" in q["sql"] and "apitoken" in q["sql"] for q in queries.captured_queries)
    clock.advance(minutes=0.6)
    client.get(ME)
    assert ApiToken.objects.get().last_used_at == clock.now


# --- revocation and password changes ---------------------------------------------------------


def test_the_owner_lists_and_revokes_her_tokens_in_the_api(world: World) -> None:
    office = _issue("xinshi_staff", name="办公室电脑")
    phone = _issue("xinshi_staff", name="手机")
    _issue("huilong_zhiwei", name="手机")  # someone else's
    client = _with(phone["token"])
    listed = client.get(reverse("api:my-token-list")).json()["results"]
    assert sorted(row["name"] for row in listed) == ["办公室电脑", "手机"]
    response = client.delete(reverse("api:my-token-detail", kwargs={"pk": office["id"]}))
    assert response.status_code == 204
    refused = _with(office["token"]).get(ME)
    assert refused.status_code == 401
    assert refused.json()["code"] == "token_revoked"
    assert "revoked" in refused.json()["detail"]
    assert _with(phone["token"]).get(ME).status_code == 200
    event = AuditEvent.objects.filter(action=Action.TOKEN_REVOKED).latest("id")
    assert (event.actor_name, event.changes["name"]) == ("xinshi_staff", "办公室电脑")


def test_the_owner_cannot_reach_someone_elses_token_through_her_list(world: World) -> None:
    other = _issue("huilong_zhiwei", name="手机")
    mine = _issue("xinshi_staff")
    response = _with(mine["token"]).delete(reverse("api:my-token-detail", kwargs={"pk": other["id"]}))
    assert response.status_code == 404
    assert _with(other["token"]).get(ME).status_code == 200


def test_her_own_password_change_in_the_api_ends_every_token(world: World) -> None:
    office = _issue("xinshi_staff", name="办公室电脑")
    phone = _issue("xinshi_staff", name="手机")
    response = _with(phone["token"]).post(
        reverse("api:me_password"), {"current_password": PASSWORD, "password": NEW}, format="json"
    )
    assert response.status_code == 204
    for key in (office["token"], phone["token"]):
        refused = _with(key).get(ME)
        assert refused.status_code == 401
        assert refused.json()["code"] == "token_revoked"
    event = AuditEvent.objects.filter(action=Action.TOKEN_REVOKED).latest("id")
    assert event.changes["reason"] == "password changed"
    assert sorted(event.changes["tokens"]) == sorted([office["prefix"], phone["prefix"]])


def test_a_wrong_current_password_in_the_api_changes_nothing(world: World) -> None:
    key = _issue("xinshi_staff")["token"]
    response = _with(key).post(
        reverse("api:me_password"), {"current_password": "not-it", "password": NEW}, format="json"
    )
    assert response.status_code == 400
    assert "current_password" in response.json()
    assert _with(key).get(ME).status_code == 200
    assert world.user("xinshi_staff").check_password(PASSWORD)


def test_an_officers_reset_ends_every_token(world: World) -> None:
    key = _issue("xinshi_staff")["token"]
    services.user_set_password(actor=world.user("security"), user=world.user("xinshi_staff"), password=NEW)
    assert _with(key).get(ME).json()["code"] == "token_revoked"


# --- the security officer --------------------------------------------------------------------


def _yanling_token() -> dict[str, Any]:
    return _issue("yanling_staff", name="县里电脑")


def test_the_officer_lists_and_revokes_the_tokens_of_an_account_in_her_subtree(world: World) -> None:
    issued = _yanling_token()
    account = world.user("yanling_staff")
    officer = api_client(world, "security")
    listed = officer.get(reverse("api:api-token-list"), {"user": account.pk}).json()["results"]
    assert [(row["id"], row["name"]) for row in listed] == [(issued["id"], "县里电脑")]
    page = web_client(world, "security").get(reverse("accounts:detail", kwargs={"pk": account.pk})).content.decode()
    assert issued["prefix"] in page
    assert reverse("accounts:token_revoke", kwargs={"pk": issued["id"]}) in page
    response = officer.delete(reverse("api:api-token-detail", kwargs={"pk": issued["id"]}))
    assert response.status_code == 204
    assert _with(issued["token"]).get(ME).json()["code"] == "token_revoked"
    event = AuditEvent.objects.filter(action=Action.TOKEN_REVOKED).latest("id")
    assert (event.actor_name, event.object_repr) == ("security", str(account))


def test_the_officer_revokes_a_token_on_the_account_page(world: World) -> None:
    issued = _yanling_token()
    account = world.user("yanling_staff")
    response = web_client(world, "security").post(reverse("accounts:token_revoke", kwargs={"pk": issued["id"]}))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:detail", kwargs={"pk": account.pk})
    assert _with(issued["token"]).get(ME).status_code == 401


def test_an_officer_of_another_subtree_neither_sees_nor_revokes_it(world: World) -> None:
    issued = _yanling_token()
    outsider = api_client(world, "youxian_security")
    assert outsider.get(reverse("api:api-token-detail", kwargs={"pk": issued["id"]})).status_code == 404
    assert outsider.delete(reverse("api:api-token-detail", kwargs={"pk": issued["id"]})).status_code == 404
    assert outsider.get(reverse("api:api-token-list")).json()["results"] == []
    page = web_client(world, "youxian_security").post(reverse("accounts:token_revoke", kwargs={"pk": issued["id"]}))
    assert page.status_code == 404
    assert _with(issued["token"]).get(ME).status_code == 200
    assert ApiToken.objects.get(pk=issued["id"]).revoked_at is None


def test_an_account_with_a_role_beyond_her_reach_keeps_its_tokens_from_her(world: World) -> None:
    double = UserFactory.create(username="double_agent", org=world.org("xinshi"))
    RoleGrantFactory(user=double, org=world.org("xinshi"), role=Role.STAFF)
    RoleGrantFactory(user=double, org=world.org("yanling"), role=Role.ADMIN)
    issued = _issue("double_agent")
    page = web_client(world, "youxian_security").get(reverse("accounts:detail", kwargs={"pk": double.pk}))
    assert issued["prefix"] in page.content.decode()  # she sees it …
    assert reverse("accounts:token_revoke", kwargs={"pk": issued["id"]}) not in page.content.decode()  # … no button
    response = api_client(world, "youxian_security").delete(
        reverse("api:api-token-detail", kwargs={"pk": issued["id"]})
    )
    assert response.status_code == 403
    assert "roles outside your area" in response.json()["detail"]
    assert _with(issued["token"]).get(ME).status_code == 200


def test_only_security_officers_use_the_tokens_endpoint(world: World) -> None:
    response = api_client(world, "city_admin").get(reverse("api:api-token-list"))
    assert response.status_code == 403


def test_a_filter_naming_an_account_outside_the_subtree_is_not_a_valid_choice(world: World) -> None:
    response = api_client(world, "youxian_security").get(
        reverse("api:api-token-list"), {"user": world.user("yanling_staff").pk}
    )
    assert response.status_code == 400
    assert "user" in response.json()


# --- pages ---------------------------------------------------------------------------------------


def test_the_owner_sees_and_revokes_her_tokens_on_her_account_page(world: World) -> None:
    issued = _issue("xinshi_staff", name="手机")
    client = web_client(world, "xinshi_staff")
    page = client.get(reverse("accounts:me")).content.decode()
    assert "手机" in page
    assert issued["prefix"] in page
    assert issued["token"] not in page
    response = client.post(reverse("accounts:token_revoke", kwargs={"pk": issued["id"]}))
    assert response["Location"] == reverse("accounts:me")
    assert _with(issued["token"]).get(ME).status_code == 401
    assert "No active API tokens." in client.get(reverse("accounts:me")).content.decode()


def test_the_header_links_the_name_to_the_account_page(world: World) -> None:
    page = web_client(world, "xinshi_staff").get(reverse("home")).content.decode()
    assert f'href="{reverse("accounts:me")}"' in page


# --- queries -------------------------------------------------------------------------------------


def _count(client: Any, url: str, params: dict[str, Any] | None = None) -> int:
    client.get(url, params or {})  # the grants are read once, then reused
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


def _more_tokens(user: User, n: int, first: int = 0) -> None:
    for i in range(first, first + n):
        tokens.token_issue(request=None, user=user, name=f"设备{i}", two_factor=False)


def test_the_own_token_list_runs_a_fixed_number_of_queries(world: World, django_assert_num_queries: Any) -> None:
    client = api_client(world, "xinshi_staff")
    user = world.user("xinshi_staff")
    _more_tokens(user, 1)
    before = _count(client, reverse("api:my-token-list"))
    _more_tokens(user, 10, first=1)
    with django_assert_num_queries(before):
        assert client.get(reverse("api:my-token-list")).json()["count"] == 11


def test_the_officers_token_list_runs_a_fixed_number_of_queries(world: World, django_assert_num_queries: Any) -> None:
    client = api_client(world, "security")
    _more_tokens(world.user("yanling_staff"), 1)
    before = _count(client, reverse("api:api-token-list"))
    _more_tokens(world.user("xinshi_staff"), 10)
    with django_assert_num_queries(before):
        assert client.get(reverse("api:api-token-list")).json()["count"] == 11


def test_the_account_pages_run_a_fixed_number_of_queries(world: World, django_assert_num_queries: Any) -> None:
    user = world.user("xinshi_staff")
    _more_tokens(user, 1)
    own = web_client(world, "xinshi_staff")
    officer = web_client(world, "security")
    detail = reverse("accounts:detail", kwargs={"pk": user.pk})
    own_before = _count(own, reverse("accounts:me"))
    officer_before = _count(officer, detail)
    _more_tokens(user, 10, first=1)
    with django_assert_num_queries(own_before):
        own.get(reverse("accounts:me"))
    with django_assert_num_queries(officer_before):
        officer.get(detail)


# --- DRF's plain tokens are gone ---------------------------------------------------------------


def test_the_migration_drops_the_plain_token_table(world: World) -> None:
    migration = importlib.import_module("fulian.accounts.migrations.0005_drop_plain_tokens")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id bigint, created timestamp)")
        cursor.execute("INSERT INTO authtoken_token VALUES ('0123456789abcdef0123456789abcdef01234567', 1, NULL)")

    class Editor:
        """The part of a schema editor the migration uses (the real one cannot run inside a
        test's transaction on SQLite)."""

        def __init__(self) -> None:
            self.connection = connection

        def execute(self, sql: str, params: Any = None) -> None:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)

    migration.drop_plain_tokens(apps, Editor())
    assert "authtoken_token" not in connection.introspection.table_names()
    migration.drop_plain_tokens(apps, Editor())  # a database that never had it: nothing to do
    old = _with("0123456789abcdef0123456789abcdef01234567").get(ME)
    assert old.status_code == 401
    assert old.json()["code"] == "token_invalid"


def test_the_plain_token_app_is_not_installed(settings: Any) -> None:
    assert "rest_framework.authtoken" not in settings.INSTALLED_APPS


@pytest.mark.parametrize("header", ["Token", "Token a b", "Bearer fl_x"])
def test_a_malformed_header_is_refused_or_ignored(world: World, header: str) -> None:
    client = api_client()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get(ME).status_code == 401


def test_tokens_expire_by_the_clock_not_by_idleness(world: World, clock: Clock) -> None:
    key = _issue("xinshi_staff")["token"]
    clock.advance(minutes=60 * 24 * 29)
    assert _with(key).get(ME).status_code == 200
    assert timezone.now() - ApiToken.objects.get().created_at > datetime.timedelta(days=28)
