"""Two-factor login: officers and the city's administrators log in with a code from an
authenticator app (or a recovery code) after their password; the session is not logged in
until both pass; codes are not accepted twice; wrong codes count towards the lock; the token
endpoint asks for the code too; enrolment happens at the first login."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse

from fulian.accounts import services, two_factor
from fulian.accounts.choices import Role
from fulian.accounts.gate import FACTOR_KEY, FACTOR_PASSWORD, needs_two_factor
from fulian.accounts.models import ApiToken, RecoveryCode, TwoFactor, User
from fulian.accounts.testing import code_for
from fulian.accounts.tests.clients import Clock, api_client, enter_code, log_in, page_errors, web_client
from fulian.audit.choices import Action
from fulian.audit.models import AuditEvent
from fulian.testing.factories import RoleGrantFactory
from fulian.testing.world import PASSWORD, TOTP_SECRET, World


@pytest.fixture(autouse=True)
def frozen(clock: Clock) -> Clock:
    """Time stands still unless a test moves it: a code computed by the test is the one the
    server expects, even when a 30-second step ends between the two."""
    return clock


def _logged_in_as(client: Any) -> str | None:
    response = client.get(reverse("home"))
    return response.wsgi_request.user.username if response.status_code == 200 else None


def _wrong(code: str) -> str:
    """A 6-digit code that is not ``code`` (nor the codes one step either side)."""
    valid = {code_for(TOTP_SECRET, steps_ahead=n) for n in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)


# --- who needs it ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "needed"),
    [
        ("security", True),
        ("auditor", True),
        ("youxian_security", True),
        ("youxian_auditor", True),
        ("city_admin", True),  # an administrator at the root: the city
        ("youxian_admin", False),  # an administrator of a county
        ("leader", False),  # a viewer at the city
        ("xinshi_staff", False),
        ("nobody", False),
    ],
)
def test_officers_and_the_citys_administrators_need_a_second_factor(world: World, username: str, needed: bool) -> None:
    assert needs_two_factor(world.user(username)) is needed


# --- the login flow ----------------------------------------------------------------------------


def test_the_password_alone_does_not_log_an_officer_in(world: World) -> None:
    client = web_client()
    response = log_in(client, "security")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login_code")
    assert "_auth_user_id" not in client.session
    # Skipping the code step: every page still asks for a login, the API still refuses.
    home = client.get(reverse("home"))
    assert home.status_code == 302
    assert home["Location"].startswith(reverse("accounts:login"))
    assert client.get(reverse("accounts:list")).status_code == 302
    assert client.get("/api/v1/me/").status_code == 401
    assert client.get("/api/v1/accounts/").status_code == 401
    assert not AuditEvent.objects.filter(action=Action.LOGIN, actor_name="security").exists()


def test_the_code_step_logs_the_officer_in_and_says_so_in_the_log(world: World) -> None:
    client = web_client()
    log_in(client, "security")
    page = client.get(reverse("accounts:login_code"))
    assert page.status_code == 200
    assert 'autocomplete="one-time-code"' in page.content.decode()
    response = enter_code(client, code_for(TOTP_SECRET))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert _logged_in_as(client) == "security"
    assert client.session[FACTOR_KEY] == "totp"
    event = AuditEvent.objects.filter(action=Action.LOGIN).latest("id")
    assert (event.actor_name, event.changes) == ("security", {"second_factor": "totp"})
    assert world.user("security").failed_logins == 0


def test_the_code_step_keeps_the_page_asked_for(world: World) -> None:
    client = web_client()
    client.post(reverse("accounts:login") + "?next=/audit/", {"identifier": "auditor", "password": PASSWORD})
    assert enter_code(client, code_for(TOTP_SECRET))["Location"] == "/audit/"


def test_a_code_is_not_accepted_twice(world: World) -> None:
    code = code_for(TOTP_SECRET)
    first = web_client()
    log_in(first, "security")
    assert enter_code(first, code).status_code == 302
    second = web_client()
    log_in(second, "security")
    replay = enter_code(second, code)
    assert replay.status_code == 400
    assert "already been used" in page_errors(replay)
    assert "_auth_user_id" not in second.session
    # The next code (one step on) still works.
    assert enter_code(second, code_for(TOTP_SECRET, steps_ahead=1)).status_code == 302


def test_an_older_code_is_refused_once_a_later_one_was_used(world: World) -> None:
    client = web_client()
    log_in(client, "security")
    assert enter_code(client, code_for(TOTP_SECRET, steps_ahead=1)).status_code == 302
    other = web_client()
    log_in(other, "security")
    assert enter_code(other, code_for(TOTP_SECRET)).status_code == 400


def test_a_code_of_the_step_before_and_after_is_accepted_but_not_two_steps_away(world: World) -> None:
    for steps, accepted in [(-2, False), (2, False), (-1, True)]:
        TwoFactor.objects.filter(user__username="security").update(last_step=0)
        client = web_client()
        log_in(client, "security")
        response = enter_code(client, code_for(TOTP_SECRET, steps_ahead=steps))
        assert (response.status_code == 302) is accepted, steps
        User.objects.filter(username="security").update(failed_logins=0)


def test_five_wrong_codes_lock_the_account_like_wrong_passwords(world: World) -> None:
    client = web_client()
    log_in(client, "security")
    wrong = _wrong(code_for(TOTP_SECRET))
    for left in (4, 3, 2, 1):
        response = enter_code(client, wrong)
        assert response.status_code == 400
        assert f"{left} attempts left" in page_errors(response)
    fifth = enter_code(client, wrong)
    assert fifth.status_code == 302
    assert fifth["Location"] == reverse("accounts:login")
    assert world.user("security").is_locked
    # Locked: the right password and code are refused now.
    retry = web_client()
    assert "locked" in page_errors(log_in(retry, "security"))
    assert AuditEvent.objects.filter(action=Action.LOCKED, object_repr__contains="security").exists()
    failures = AuditEvent.objects.filter(action=Action.LOGIN_FAILED, actor_name="", object_repr__contains="security")
    # Five wrong codes, then the refused retry during the lock.
    assert [e.changes["reason"] for e in failures.order_by("id")] == ["code"] * 5 + ["locked"]


def test_logging_in_again_with_the_password_does_not_forgive_wrong_codes(world: World) -> None:
    wrong = _wrong(code_for(TOTP_SECRET))
    client = web_client()
    log_in(client, "security")
    for _ in range(3):
        enter_code(client, wrong)
    # The right password again (the thief has it): the count goes on, it does not start again.
    log_in(client, "security")
    enter_code(client, wrong)
    log_in(client, "security")
    assert "locked" in " ".join(str(m) for m in enter_code(client, wrong, follow=True).context["messages"])
    assert world.user("security").is_locked


def test_wrong_passwords_and_wrong_codes_share_one_count(world: World) -> None:
    wrong = _wrong(code_for(TOTP_SECRET))
    for _ in range(3):
        log_in(web_client(), "security", "Wrong-Passw0rd!")
    client = web_client()
    log_in(client, "security")
    assert "1 attempts left" in page_errors(enter_code(client, wrong))
    enter_code(client, wrong)
    assert world.user("security").is_locked


def test_a_recovery_code_logs_in_once(world: World) -> None:
    codes = two_factor._new_recovery_codes(world.user("security"))
    client = web_client()
    log_in(client, "security")
    assert enter_code(client, codes[3].lower()).status_code == 302  # typed in lower case, with its dash
    assert client.session[FACTOR_KEY] == "recovery"
    again = web_client()
    log_in(again, "security")
    assert enter_code(again, codes[3]).status_code == 400
    assert two_factor.recovery_codes_left(world.user("security")) == 9
    assert AuditEvent.objects.filter(action=Action.TWO_FACTOR, changes__two_factor="recovery code used").exists()


def test_recovery_codes_are_stored_as_keyed_hashes(world: World) -> None:
    codes = two_factor._new_recovery_codes(world.user("security"))
    stored = " ".join(RecoveryCode.objects.filter(user__username="security").values_list("code_hash", flat=True))
    for code in codes:
        assert code not in stored
        assert code.replace("-", "") not in stored
    assert len(set(codes)) == 10


def test_the_code_step_waits_five_minutes(world: World, clock: Clock) -> None:
    client = web_client()
    log_in(client, "security")
    clock.advance(minutes=5.1)
    response = enter_code(client, code_for(TOTP_SECRET))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


def test_a_password_changed_after_the_password_step_ends_it(world: World) -> None:
    client = web_client()
    log_in(client, "security")
    user = world.user("security")
    user.set_password("Another-Passw0rd!")
    user.save()
    response = enter_code(client, code_for(TOTP_SECRET))
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


def test_the_code_page_without_a_password_step_sends_to_the_login_page(world: World) -> None:
    response = enter_code(web_client(), code_for(TOTP_SECRET))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")


# --- a session without the second factor -------------------------------------------------------


def test_a_session_started_without_the_second_factor_is_ended(world: World) -> None:
    """``force_login`` (or any code calling ``django_login`` but the login pages) leaves no mark
    of a second factor: the gate ends such a session for an account that needs one."""
    client = web_client()
    client.force_login(world.user("security"))
    response = client.get(reverse("accounts:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session
    api = web_client()
    api.force_login(world.user("security"))
    refused = api.get("/api/v1/accounts/")
    assert refused.status_code == 401
    assert refused.json()["code"] == "two_factor_required"


def test_a_session_without_the_mark_is_fine_for_an_account_that_needs_no_second_factor(world: World) -> None:
    client = web_client()
    client.force_login(world.user("xinshi_staff"))
    assert client.get(reverse("home")).status_code == 200


def test_a_role_that_needs_a_second_factor_ends_the_session_that_had_none(world: World) -> None:
    client = web_client()
    log_in(client, "xinshi_staff")
    assert client.session[FACTOR_KEY] == FACTOR_PASSWORD
    token = api_client().post(
        reverse("api:token"), {"username": "xinshi_staff", "password": PASSWORD, "name": "手机"}, format="json"
    )
    key = token.json()["token"]
    RoleGrantFactory(user=world.user("xinshi_staff"), org=world.org("city"), role=Role.ADMIN)
    response = client.get(reverse("orgs:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert _logged_in_as(client) is None
    api = api_client()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    refused = api.get("/api/v1/me/")
    assert refused.status_code == 401
    assert refused.json()["code"] == "two_factor_required"
    # At the next login she sets up her authenticator.
    assert log_in(web_client(), "xinshi_staff")["Location"] == reverse("accounts:login_enrol")


# --- the token endpoint ---------------------------------------------------------------------


def _token(username: str, **extra: Any) -> Any:
    payload = {"username": username, "password": PASSWORD, "name": "办公室电脑", **extra}
    return api_client().post(reverse("api:token"), payload, format="json")


def test_no_token_for_an_officer_without_a_code(world: World) -> None:
    response = _token("security")
    assert response.status_code == 400
    assert response.json()["code"] == "code_required"
    assert "authenticator" in response.json()["detail"]
    assert "token" not in response.json()
    assert not ApiToken.objects.filter(user__username="security").exists()
    assert world.user("security").failed_logins == 0  # the right password without a code costs nothing


def test_no_token_for_an_officer_with_a_wrong_code_and_wrong_codes_lock(world: World) -> None:
    wrong = _wrong(code_for(TOTP_SECRET))
    for left in (4, 3, 2, 1):
        response = _token("security", code=wrong)
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_code"
        assert f"{left} attempts left" in response.json()["detail"]
    locked = _token("security", code=wrong)
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked"
    assert _token("security", code=code_for(TOTP_SECRET)).status_code == 429
    assert not ApiToken.objects.filter(user__username="security").exists()


def test_a_token_for_an_officer_with_her_code_or_a_recovery_code(world: World) -> None:
    code = code_for(TOTP_SECRET)
    response = _token("security", code=code)
    assert response.status_code == 200
    api = api_client()
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api.get("/api/v1/accounts/").status_code == 200
    assert ApiToken.objects.get(user__username="security").two_factor
    replay = _token("security", code=code)
    assert replay.status_code == 400
    assert "already been used" in replay.json()["detail"]
    codes = two_factor._new_recovery_codes(world.user("security"))
    assert _token("security", code=codes[0], name="手机").status_code == 200


def test_no_token_for_an_officer_who_has_not_set_up_her_authenticator(world: World) -> None:
    TwoFactor.objects.filter(user__username="auditor").delete()
    response = _token("auditor", code="123456")
    assert response.status_code == 403
    assert response.json()["code"] == "two_factor_enrolment_required"
    assert not ApiToken.objects.filter(user__username="auditor").exists()


# --- enrolment ------------------------------------------------------------------------------------


def test_an_officer_without_an_authenticator_sets_it_up_at_her_first_login(world: World) -> None:
    TwoFactor.objects.filter(user__username="auditor").delete()
    client = web_client()
    response = log_in(client, "auditor")
    assert response["Location"] == reverse("accounts:login_enrol")
    assert "_auth_user_id" not in client.session
    page = client.get(reverse("accounts:login_enrol"))
    html = page.content.decode()
    secret = TwoFactor.objects.get(user__username="auditor").secret
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in html
    assert "<svg" in html
    assert "<script>" not in html.split("</head>", 1)[1]  # the QR code is markup, not a script
    assert "data:image" not in html
    # A reload shows the same secret (the app may have scanned it already).
    client.get(reverse("accounts:login_enrol"))
    assert TwoFactor.objects.get(user__username="auditor").secret == secret
    # Going elsewhere first: still not logged in.
    assert client.get(reverse("audit:list")).status_code == 302
    wrong = client.post(reverse("accounts:login_enrol"), {"code": "000000"})
    assert wrong.status_code == 400
    assert "attempts left" in page_errors(wrong)
    code = code_for(secret)
    done = client.post(reverse("accounts:login_enrol"), {"code": code})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10
    assert all(c in done.content.decode() for c in codes)
    assert _logged_in_as(client) == "auditor"
    assert client.session[FACTOR_KEY] == "totp"
    assert two_factor.is_enrolled(world.user("auditor"))
    assert AuditEvent.objects.filter(action=Action.TWO_FACTOR, changes={"two_factor": "enrolled"}).exists()
    # The code that confirmed the enrolment does not log in a second time.
    again = web_client()
    assert log_in(again, "auditor")["Location"] == reverse("accounts:login_code")
    assert enter_code(again, code).status_code == 400


def test_the_secret_is_stored_encrypted(world: World) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT secret FROM {TwoFactor._meta.db_table} WHERE user_id = %s",
            [world.user("security").pk],
        )
        (stored,) = cursor.fetchone()
    assert TOTP_SECRET not in stored
    assert stored.startswith("dev:")  # the data key's id: AES-GCM, like the personal-data columns


def test_an_optional_second_factor_is_set_up_from_the_account_page_and_asked_at_login(world: World) -> None:
    client = web_client(world, "xinshi_staff")
    me = client.get(reverse("accounts:me")).content.decode()
    assert reverse("accounts:two_factor") in me
    page = client.get(reverse("accounts:two_factor"))
    assert page.status_code == 200
    secret = TwoFactor.objects.get(user__username="xinshi_staff").secret
    assert client.post(reverse("accounts:two_factor"), {"code": code_for(secret)}).status_code == 200
    assert client.get(reverse("home")).status_code == 200  # this session goes on
    fresh = web_client()
    assert log_in(fresh, "xinshi_staff")["Location"] == reverse("accounts:login_code")
    assert "_auth_user_id" not in fresh.session
    # Turning it off takes a code, and is refused to those whose roles require it.
    off = client.post(reverse("accounts:two_factor"), {"code": code_for(secret, steps_ahead=1), "do": "off"})
    assert off.status_code == 302
    assert not two_factor.is_enrolled(world.user("xinshi_staff"))
    assert log_in(web_client(), "xinshi_staff")["Location"] == reverse("home")


def test_an_officer_cannot_turn_it_off_and_renews_recovery_codes_with_a_code(world: World) -> None:
    client = web_client(world, "security")
    page = client.get(reverse("accounts:two_factor")).content.decode()
    assert 'value="off"' not in page
    refused = client.post(reverse("accounts:two_factor"), {"code": code_for(TOTP_SECRET), "do": "off"})
    assert refused.status_code == 400
    assert two_factor.is_enrolled(world.user("security"))
    renewed = client.post(reverse("accounts:two_factor"), {"code": code_for(TOTP_SECRET, steps_ahead=1), "do": "renew"})
    assert renewed.status_code == 200
    assert len(renewed.context["codes"]) == 10
    assert two_factor.recovery_codes_left(world.user("security")) == 10


def test_the_system_administrator_resets_it_from_the_shell(world: World) -> None:
    out = StringIO()
    call_command("reset_two_factor", "Security", stdout=out)
    assert "reset" in out.getvalue()
    assert not TwoFactor.objects.filter(user__username="security").exists()
    event = AuditEvent.objects.filter(action=Action.TWO_FACTOR).latest("id")
    assert (event.actor_name, event.changes) == ("manage.py reset_two_factor", {"two_factor": "reset"})
    assert log_in(web_client(), "security")["Location"] == reverse("accounts:login_enrol")


def test_the_reset_command_names_an_unknown_account(world: World) -> None:
    with pytest.raises(CommandError, match="No account called ghost"):
        call_command("reset_two_factor", "ghost")


def test_an_empty_code_is_asked_for_and_costs_no_attempt(world: World) -> None:
    with pytest.raises(services.LoginRefused) as refused:
        two_factor.verify(request=None, user=world.user("security"), code=" ")
    assert refused.value.code == "code_required"
    assert world.user("security").failed_logins == 0
