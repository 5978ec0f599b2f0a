"""Accounts and role grants through the API: the security officer's pages, as endpoints."""

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fulian.accounts.choices import Role
from fulian.accounts.models import RoleGrant, User
from fulian.accounts.tests.clients import api_client, web_client
from fulian.audit.choices import Action
from fulian.audit.models import AuditEvent
from fulian.testing.factories import RoleGrantFactory
from fulian.testing.world import PASSWORD, World

NEW = {
    "username": "wang_fang",
    "full_name": "王芳",
    "org_code": "430223123",
    "mobile": "13600001111",
    "password": "Wang-Fang-2026!",
}


def test_the_security_officer_creates_an_account(world: World) -> None:
    response = api_client(world, "youxian_security").post("/api/v1/accounts/", NEW, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["username"], body["org_code"], body["mobile"]) == ("wang_fang", "430223123", "136****1111")
    assert User.objects.get(username="wang_fang").check_password("Wang-Fang-2026!")


def test_creating_an_account_outside_the_subtree_is_a_field_error(world: World) -> None:
    response = api_client(world, "youxian_security").post(
        "/api/v1/accounts/", {**NEW, "org_code": "430225"}, format="json"
    )
    assert response.status_code == 400
    assert "430225" in response.json()["org_code"][0]
    assert not User.objects.filter(username="wang_fang").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [({"password": "short"}, "password"), ({"mobile": "12345"}, "mobile"), ({"username": "xinshi_staff"}, "username")],
)
def test_bad_account_fields_name_the_field(world: World, change: dict[str, str], field: str) -> None:
    accounts = User.objects.count()
    response = api_client(world, "security").post("/api/v1/accounts/", {**NEW, **change}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert User.objects.count() == accounts


def test_unlock_password_and_active_work_through_the_api(world: World) -> None:
    client = api_client(world, "security")
    target = world.user("xinshi_staff")
    User.objects.filter(pk=target.pk).update(
        failed_logins=5, locked_until=timezone.now() + datetime.timedelta(minutes=15)
    )
    assert world.user("xinshi_staff").is_locked
    unlocked = client.post(f"/api/v1/accounts/{target.pk}/unlock/")
    assert unlocked.status_code == 200
    target.refresh_from_db()
    assert (target.is_locked, target.failed_logins) == (False, 0)
    assert client.post(f"/api/v1/accounts/{target.pk}/password/", {"password": "Brand-New-2026!"}).status_code == 204
    response = client.post(f"/api/v1/accounts/{target.pk}/active/", {"active": False}, format="json")
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    target.refresh_from_db()
    assert target.check_password("Brand-New-2026!")
    assert not target.is_active


def test_revealing_a_mobile_number_is_audited(world: World) -> None:
    target = world.user("xinshi_staff")
    before = AuditEvent.objects.filter(action=Action.REVEAL).count()
    response = api_client(world, "security").post(f"/api/v1/accounts/{target.pk}/reveal-mobile/")
    assert response.json() == {"mobile": "13907330004"}
    event = AuditEvent.objects.filter(action=Action.REVEAL).latest("id")
    assert AuditEvent.objects.filter(action=Action.REVEAL).count() == before + 1
    assert (event.actor_name, event.object_id, event.changes) == ("security", str(target.pk), {"field": "mobile"})


def test_the_account_page_reveals_the_mobile_number_in_place(world: World) -> None:
    target = world.user("xinshi_staff")
    page = web_client(world, "security").get(f"/accounts/{target.pk}/").content.decode()
    assert "139****0004" in page
    assert "13907330004" not in page
    fragment = web_client(world, "security").post(f"/accounts/{target.pk}/reveal-mobile/", HTTP_HX_REQUEST="true")
    assert "13907330004" in fragment.content.decode()
    assert web_client(world, "security").get(f"/accounts/{target.pk}/reveal-mobile/").status_code == 405


@pytest.mark.parametrize("username", ["city_admin", "auditor", "xinshi_staff", "leader"])
def test_only_security_officers_reach_the_account_endpoints(world: World, username: str) -> None:
    client = api_client(world, username)
    target = world.user("huilong_zhiwei")
    assert client.get("/api/v1/accounts/").status_code == 403
    assert client.post(f"/api/v1/accounts/{target.pk}/reveal-mobile/").status_code == 403
    assert client.get("/api/v1/role-grants/").status_code == 403
    assert client.post("/api/v1/accounts/", NEW, format="json").status_code == 403


def test_grants_are_created_listed_and_revoked(world: World) -> None:
    client = api_client(world, "security")
    nobody = world.user("nobody")
    response = client.post("/api/v1/role-grants/", {"user": nobody.pk, "org_code": "430223123215", "role": Role.MEMBER})
    assert response.status_code == 201, response.json()
    grant_id = response.json()["id"]
    listed = client.get("/api/v1/role-grants/", {"user": nobody.pk}).json()["results"]
    assert [g["id"] for g in listed] == [grant_id]
    assert client.delete(f"/api/v1/role-grants/{grant_id}/").status_code == 204
    assert not RoleGrant.objects.filter(pk=grant_id).exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"role": Role.AUDITOR}, "role"),
        ({"role": Role.SECURITY}, "role"),
        ({"org_code": "999999"}, "org_code"),
    ],
)
def test_grants_refuse_system_roles_and_unknown_organisations(
    world: World, payload: dict[str, Any], field: str
) -> None:
    data = {"user": world.user("nobody").pk, "org_code": "430223", "role": Role.STAFF, **payload}
    response = api_client(world, "security").post("/api/v1/role-grants/", data)
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not RoleGrant.objects.filter(user__username="nobody").exists()


def test_granting_to_an_account_outside_the_subtree_is_refused_like_a_missing_one(world: World) -> None:
    client = api_client(world, "youxian_security")
    outside = world.user("yanling_staff")
    response = client.post("/api/v1/role-grants/", {"user": outside.pk, "org_code": "430223", "role": Role.STAFF})
    missing = client.post("/api/v1/role-grants/", {"user": 999999, "org_code": "430223", "role": Role.STAFF})
    assert response.status_code == missing.status_code == 400
    assert response.json() == missing.json()


def test_an_officer_account_is_not_managed_through_the_api_either(world: World) -> None:
    client = api_client(world, "security")
    auditor = world.user("youxian_auditor")
    assert client.post(f"/api/v1/accounts/{auditor.pk}/password/", {"password": "Other-Passw0rd!"}).status_code == 403
    auditor.refresh_from_db()
    assert auditor.check_password(PASSWORD)


def test_the_account_list_runs_a_constant_number_of_queries(world: World) -> None:
    client = api_client(world, "security")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/accounts/").status_code == 200
        return len(captured)

    queries()  # the first request also loads the caller's grants
    first = queries()
    RoleGrantFactory.create_batch(20)
    assert queries() == first


def test_an_account_shows_only_the_grants_inside_the_callers_subtree(world: World) -> None:
    xinshi = world.user("xinshi_staff")
    RoleGrant.objects.create(user=xinshi, org=world.org("yanling"), role=Role.VIEWER)
    client = api_client(world, "youxian_security")
    detail = client.get(f"/api/v1/accounts/{xinshi.pk}/").json()
    listed = client.get("/api/v1/accounts/", {"search": "xinshi_staff"}).json()["results"][0]
    assert [g["org_code"] for g in detail["grants"]] == [g["org_code"] for g in listed["grants"]] == ["430223123"]
    everything = api_client(world, "security").get(f"/api/v1/accounts/{xinshi.pk}/").json()
    assert sorted(g["org_code"] for g in everything["grants"]) == ["430223123", "430225"]


@pytest.mark.parametrize("value", ["-1.5331841046316103e+44", "abc", "99999999999999999999999"])
def test_a_malformed_account_filter_is_a_400(world: World, value: str) -> None:
    response = api_client(world, "security").get("/api/v1/role-grants/", {"user": value})
    assert response.status_code == 400
    assert "user" in response.json()


@pytest.mark.parametrize("fmt", ["multipart", "json"])
def test_an_active_switch_without_its_value_changes_nothing(world: World, fmt: str) -> None:
    """A form body without ``active`` once deactivated the account (DRF reads a missing boolean
    as an unticked checkbox)."""
    target = world.user("xinshi_staff")
    response = api_client(world, "security").post(f"/api/v1/accounts/{target.pk}/active/", {}, format=fmt)
    assert response.status_code == 400
    assert list(response.json()) == ["active"]
    target.refresh_from_db()
    assert target.is_active
