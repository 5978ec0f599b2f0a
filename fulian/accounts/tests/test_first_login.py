"""First login: an account whose password an officer chose (a new account, a reset) chooses its
own before anything else, in the pages and in the API."""

from __future__ import annotations

from io import StringIO
from typing import Any

from django.core.management import call_command
from django.urls import reverse

from fulian.accounts import demo, services
from fulian.accounts.models import ApiToken, TwoFactor, User
from fulian.accounts.testing import code_for
from fulian.accounts.tests.clients import api_client, log_in, web_client
from fulian.audit.models import AuditEvent
from fulian.testing.world import PASSWORD, World

INITIAL = "Erstes-Passw0rt"
OWN = "Mein-Eigenes-Passw0rt"
HX = {"HX-Request": "true"}


def _new_account(world: World, username: str = "new_member") -> User:
    return services.user_create(
        actor=world.user("security"), username=username, full_name="新执委", org=world.org("huilong"), password=INITIAL
    )


def _change(client: Any, current: str = INITIAL, new: str = OWN) -> Any:
    return client.post(
        reverse("accounts:password_change"), {"current_password": current, "password": new, "confirm": new}
    )


def test_a_new_account_must_choose_its_own_password(world: World) -> None:
    account = _new_account(world)
    assert account.must_change_password
    client = web_client()
    assert log_in(client, "new_member", INITIAL)["Location"] == reverse("home")
    for url in (reverse("home"), reverse("orgs:list"), reverse("accounts:me"), f"/orgs/{world.org('huilong').pk}/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("accounts:password_change")
    htmx = client.get(reverse("orgs:list"), headers=HX)
    assert htmx["HX-Redirect"] == reverse("accounts:password_change")
    page = client.get(reverse("accounts:password_change"))
    assert page.status_code == 200
    assert 'data-testid="password-forced"' in page.content.decode()
    # The language switch (open to all) still works.
    assert client.post(reverse("set_language"), {"language": "en", "next": "/"}).status_code == 302
    assert _change(client)["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    account.refresh_from_db()
    assert not account.must_change_password
    assert account.check_password(OWN)


def test_logging_out_works_before_the_change(world: World) -> None:
    _new_account(world)
    client = web_client()
    log_in(client, "new_member", INITIAL)
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


def test_the_initial_password_must_be_replaced_not_kept(world: World) -> None:
    _new_account(world)
    client = web_client()
    log_in(client, "new_member", INITIAL)
    response = _change(client, new="abcdefghij")
    assert response.status_code == 400
    assert world.user("new_member").must_change_password
    assert client.get(reverse("home")).status_code == 302


def test_an_officers_reset_asks_for_a_new_password_at_the_next_login(world: World) -> None:
    officer = api_client(world, "security")
    detail = f"/api/v1/accounts/{world.user('xinshi_staff').pk}/"
    assert officer.get(detail).json()["must_change_password"] is False
    services.user_set_password(actor=world.user("security"), user=world.user("xinshi_staff"), password=INITIAL)
    assert world.user("xinshi_staff").must_change_password
    assert officer.get(detail).json()["must_change_password"] is True  # the officer sees it is pending
    client = web_client()
    log_in(client, "xinshi_staff", INITIAL)
    assert client.get(reverse("orgs:list"))["Location"] == reverse("accounts:password_change")
    _change(client)
    assert not world.user("xinshi_staff").must_change_password
    assert client.get(reverse("orgs:list")).status_code == 200


def test_the_flag_is_in_the_audit_log(world: World) -> None:
    services.user_set_password(actor=world.user("security"), user=world.user("xinshi_staff"), password=INITIAL)
    event = AuditEvent.objects.filter(object_repr__contains="xinshi_staff", action="update").latest("id")
    assert event.changes["must_change_password"] == [False, True]


# --- the API ------------------------------------------------------------------------------------


def _token(username: str, password: str, **extra: Any) -> Any:
    payload = {"username": username, "password": password, "name": "手机", **extra}
    return api_client().post(reverse("api:token"), payload, format="json")


def test_no_token_until_the_password_is_changed_and_the_token_request_can_change_it(world: World) -> None:
    _new_account(world)
    refused = _token("new_member", INITIAL)
    assert refused.status_code == 403
    assert refused.json()["code"] == "password_change_required"
    assert "new_password" in refused.json()["detail"]
    assert not ApiToken.objects.filter(user__username="new_member").exists()
    weak = _token("new_member", INITIAL, new_password="abcdefghij")
    assert weak.status_code == 400
    assert "at least 3 of these four" in " ".join(weak.json()["new_password"])
    assert world.user("new_member").must_change_password
    issued = _token("new_member", INITIAL, new_password=OWN)
    assert issued.status_code == 200
    account = world.user("new_member")
    assert not account.must_change_password
    assert account.check_password(OWN)
    api = api_client()
    api.credentials(HTTP_AUTHORIZATION=f"Token {issued.json()['token']}")
    assert api.get("/api/v1/orgs/").status_code == 200


def test_a_session_that_must_change_the_password_reaches_only_the_password_endpoint(world: World) -> None:
    _new_account(world)
    client = web_client()
    log_in(client, "new_member", INITIAL)
    refused = client.get("/api/v1/orgs/")
    assert refused.status_code == 403
    assert refused.json()["code"] == "password_change_required"
    assert client.get("/api/v1/me/").status_code == 403
    changed = client.post(
        reverse("api:me_password"),
        {"current_password": INITIAL, "password": OWN},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value if "csrftoken" in client.cookies else "",
    )
    assert changed.status_code == 204, changed.content
    assert client.get("/api/v1/orgs/").status_code == 200  # the session goes on, now with her own password


def test_a_token_of_an_account_reset_by_the_officer_is_gone_and_the_next_needs_a_new_password(world: World) -> None:
    key = _token("xinshi_staff", PASSWORD).json()["token"]
    services.user_set_password(actor=world.user("security"), user=world.user("xinshi_staff"), password=INITIAL)
    api = api_client()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me/").json()["code"] == "token_revoked"
    assert _token("xinshi_staff", INITIAL).json()["code"] == "password_change_required"


# --- officers: a new password and an authenticator before anything else ---------------------


def test_a_reset_city_administrator_sets_up_her_authenticator_then_her_password(world: World) -> None:
    services.user_set_password(actor=world.user("security"), user=world.user("city_admin"), password=INITIAL)
    TwoFactor.objects.filter(user__username="city_admin").delete()
    client = web_client()
    assert log_in(client, "city_admin", INITIAL)["Location"] == reverse("accounts:login_enrol")
    assert client.get(reverse("orgs:list")).status_code == 302
    assert "_auth_user_id" not in client.session
    client.get(reverse("accounts:login_enrol"))
    secret = TwoFactor.objects.get(user__username="city_admin").secret
    assert client.post(reverse("accounts:login_enrol"), {"code": code_for(secret)}).status_code == 200
    # Logged in now, but the password comes next, before anything else.
    assert client.get(reverse("orgs:list"))["Location"] == reverse("accounts:password_change")
    _change(client)
    assert client.get(reverse("orgs:list")).status_code == 200


# --- who is not asked --------------------------------------------------------------------------


def test_demo_accounts_keep_the_printed_password(world: World) -> None:
    user = world.user("xinshi_staff")
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    demo._reset(user)
    assert not world.user("xinshi_staff").must_change_password


def test_an_account_made_from_the_shell_chooses_its_own_password(world: World) -> None:
    call_command(
        "bootstrap_account", "sec2", role="security", org="430225", password="Shell-Passw0rd!", stdout=StringIO()
    )
    account = world.user("sec2")
    assert account.must_change_password
    client = web_client()
    # An officer: her authenticator first, then her password.
    assert log_in(client, "sec2", "Shell-Passw0rd!")["Location"] == reverse("accounts:login_enrol")
