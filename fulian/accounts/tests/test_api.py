"""The accounts API: tokens for username or mobile number, revoking them, and /me/."""

from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from fulian.accounts.models import ApiToken, User
from fulian.accounts.tests.clients import api_client, web_client
from fulian.audit.choices import Action
from fulian.audit.models import AuditEvent
from fulian.testing.world import PASSWORD, World

WRONG = "Wrong-Passw0rd!"


def _token(username: str, password: str = PASSWORD, ip: str = "10.0.0.1", name: str = "办公室电脑") -> Any:
    return api_client(ip=ip).post(
        reverse("api:token"), {"username": username, "password": password, "name": name}, format="json"
    )


def _with_token(key: str) -> APIClient:
    client = api_client()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.mark.parametrize("identifier", ["xinshi_staff", "13907330004", "+86 139 0733 0004"])
def test_a_token_for_username_or_mobile_opens_the_api(world: World, identifier: str) -> None:
    response = _token(identifier)
    assert response.status_code == 200
    key = response.json()["token"]
    me = _with_token(key).get(reverse("api:me"))
    assert me.status_code == 200
    assert me.json()["username"] == "xinshi_staff"


def test_each_device_gets_its_own_token_and_asking_again_for_one_replaces_it(world: World) -> None:
    office = _token("xinshi_staff", name="办公室电脑").json()["token"]
    phone = _token("13907330004", name="手机").json()["token"]
    assert office != phone
    again = _token("xinshi_staff", name="办公室电脑").json()["token"]
    assert again != office
    assert _with_token(office).get(reverse("api:me")).status_code == 401
    assert _with_token(phone).get(reverse("api:me")).status_code == 200
    assert _with_token(again).get(reverse("api:me")).status_code == 200
    names = ApiToken.objects.active().filter(user__username="xinshi_staff").values_list("name", flat=True)
    assert sorted(names) == ["办公室电脑", "手机"]


def test_a_token_needs_the_name_of_its_device(world: World) -> None:
    response = api_client().post(
        reverse("api:token"), {"username": "xinshi_staff", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 400
    assert "name" in response.json()
    blank = _token("xinshi_staff", name="   ")
    assert blank.status_code == 400
    assert "name" in blank.json()
    assert not ApiToken.objects.filter(user__username="xinshi_staff").exists()


def test_issuing_a_token_is_audited(world: World) -> None:
    _token("xinshi_staff", ip="192.0.2.77")
    event = AuditEvent.objects.filter(action=Action.TOKEN).latest("id")
    assert (event.actor_name, event.ip, event.org_path) == ("xinshi_staff", "192.0.2.77", world.org("xinshi").path)
    token = ApiToken.objects.get(user__username="xinshi_staff")
    assert event.changes["name"] == "办公室电脑"
    assert event.changes["prefix"] == token.prefix


def test_a_wrong_password_is_a_400_with_detail_and_code(world: World) -> None:
    response = _token("xinshi_staff", WRONG)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "code"}
    assert body["code"] == "invalid"
    assert "4 attempts left" in body["detail"]


def test_an_unknown_name_gets_the_same_answer_as_a_wrong_password(world: World) -> None:
    assert _token("no_such_person", WRONG).json() == _token("xinshi_staff", WRONG).json()


def test_a_locked_account_is_a_429(world: World) -> None:
    for _ in range(4):
        _token("xinshi_staff", WRONG)
    fifth = _token("xinshi_staff", WRONG)
    assert fifth.status_code == 429
    assert fifth.json()["code"] == "locked"
    right = _token("xinshi_staff", PASSWORD)
    assert right.status_code == 429
    assert right.json()["code"] == "locked"
    assert "locked" in right.json()["detail"]
    assert not ApiToken.objects.filter(user__username="xinshi_staff").exists()


def test_a_blocked_address_is_a_429(world: World) -> None:
    for n in range(30):
        _token(f"guess{n}", WRONG, ip="203.0.113.5")
    response = _token("xinshi_staff", PASSWORD, ip="203.0.113.5")
    assert response.status_code == 429
    assert response.json()["code"] == "ip_blocked"


def test_login_page_and_token_endpoint_share_one_failure_count(world: World) -> None:
    from fulian.accounts.tests.clients import log_in, web_client

    for _ in range(4):
        log_in(web_client(), "xinshi_staff", WRONG)
    assert _token("xinshi_staff", WRONG).status_code == 429


def test_a_missing_password_is_a_400_naming_the_field(world: World) -> None:
    response = api_client().post(reverse("api:token"), {"username": "xinshi_staff"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()


def test_an_inactive_account_gets_no_token_and_its_token_stops_working(world: World) -> None:
    key = _token("xinshi_staff").json()["token"]
    User.objects.filter(username="xinshi_staff").update(is_active=False)
    assert _token("xinshi_staff").status_code == 403
    refused = _with_token(key).get(reverse("api:me"))
    assert refused.status_code == 401
    assert refused.json()["code"] == "inactive"


def test_revoking_a_token_ends_it_and_is_audited(world: World) -> None:
    key = _token("xinshi_staff").json()["token"]
    client = _with_token(key)
    response = client.delete(reverse("api:token_revoke"))
    assert response.status_code == 204
    assert ApiToken.objects.get(user__username="xinshi_staff").revoked_at is not None
    refused = client.get(reverse("api:me"))
    assert refused.status_code == 401
    assert refused.json()["code"] == "token_revoked"
    event = AuditEvent.objects.filter(action=Action.TOKEN_REVOKED).latest("id")
    assert event.actor_name == "xinshi_staff"
    assert event.changes["reason"] == "revoked"
    assert _token("xinshi_staff").json()["token"] != key


def test_revoking_needs_a_caller(world: World) -> None:
    response = api_client().delete(reverse("api:token_revoke"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_revoking_from_a_session_names_the_way_to_end_a_token(world: World) -> None:
    response = web_client(world, "xinshi_staff").delete(reverse("api:token_revoke"))
    assert response.status_code == 400
    assert response.json()["code"] == "no_token"


def test_me_lists_the_grants_and_the_actions_they_allow(world: World) -> None:
    body = api_client(world, "xinshi_staff").get(reverse("api:me")).json()
    xinshi = world.org("xinshi")
    assert body["id"] == world.user("xinshi_staff").pk
    assert body["org"] == xinshi.pk
    assert body["mobile"] == "139****0004"
    assert body["grants"] == [
        {"role": "staff", "org_id": xinshi.pk, "org_code": "430223123", "org_name": xinshi.display_name}
    ]
    assert "orgs.change" in body["actions"]
    assert "orgs.view" in body["actions"]
    assert "accounts.manage" not in body["actions"]
    assert "audit.view" not in body["actions"]


@pytest.mark.parametrize(
    ("username", "action"), [("security", "accounts.manage"), ("auditor", "audit.view"), ("nobody", None)]
)
def test_me_shows_the_system_roles_actions(world: World, username: str, action: str | None) -> None:
    body = api_client(world, username).get(reverse("api:me")).json()
    if action is None:
        assert body["grants"] == []
        assert body["actions"] == []
    else:
        assert action in body["actions"]
        assert "orgs.change" not in body["actions"]


def test_me_without_credentials_is_a_json_refusal_not_a_redirect(world: World) -> None:
    response = api_client().get(reverse("api:me"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


def test_a_made_up_token_is_refused_as_invalid(world: World) -> None:
    response = _with_token("fl_" + "0" * 43).get(reverse("api:me"))
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token.", "code": "token_invalid"}
    assert response["WWW-Authenticate"] == "Token"
