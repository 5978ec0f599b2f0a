"""Logging in on the login page: by username or mobile number, and the lockout rules."""

from typing import Any

import pytest
from django.test import RequestFactory
from django.urls import reverse

from fulian.accounts import services
from fulian.accounts.models import LoginFailure, User
from fulian.accounts.tests.clients import Clock, api_client, log_in, page_errors, web_client
from fulian.core.personal import keyed_hash
from fulian.testing.world import PASSWORD, World

WRONG = "Wrong-Passw0rd!"


def _logged_in_as(client: Any) -> str | None:
    """Who the client's session belongs to, asked of the page after login."""
    response = client.get(reverse("home"))
    if response.status_code != 200:
        return None
    return response.wsgi_request.user.username


@pytest.mark.parametrize(
    "identifier",
    [
        "xinshi_staff",
        "XINSHI_Staff",
        " xinshi_staff ",
        "13907330004",
        "139 0733 0004",
        "+86 139-0733-0004",
        "+8613907330004",
    ],
)
def test_a_person_logs_in_with_username_or_mobile_number(world: World, identifier: str) -> None:
    client = web_client()
    response = log_in(client, identifier)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert _logged_in_as(client) == "xinshi_staff"


def test_login_goes_to_the_next_page_when_it_is_on_this_site(world: World) -> None:
    client = web_client()
    response = client.post(
        reverse("accounts:login") + "?next=/orgs/", {"identifier": "xinshi_staff", "password": PASSWORD}
    )
    assert response["Location"] == "/orgs/"


def test_login_ignores_a_next_page_on_another_site(world: World) -> None:
    client = web_client()
    response = client.post(
        reverse("accounts:login"),
        {"identifier": "xinshi_staff", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("home")


def test_a_wrong_password_says_how_many_attempts_are_left(world: World) -> None:
    client = web_client()
    response = log_in(client, "xinshi_staff", WRONG)
    assert response.status_code == 200
    assert "4 attempts left" in page_errors(response)
    assert "15 minutes" in page_errors(response)
    assert "4 attempts left" in response.content.decode()
    assert "3 attempts left" in page_errors(log_in(client, "xinshi_staff", WRONG))
    assert _logged_in_as(client) is None


def test_five_failures_lock_the_account_even_against_the_right_password(world: World) -> None:
    client = web_client()
    for left in (4, 3, 2, 1):
        assert f"{left} attempts left" in page_errors(log_in(client, "13907330004", WRONG))
    fifth = log_in(client, "xinshi_staff", WRONG)
    assert "locked" in page_errors(fifth)
    assert world.user("xinshi_staff").is_locked

    refused = log_in(client, "xinshi_staff", PASSWORD)
    assert refused.status_code == 200
    assert "locked" in page_errors(refused)
    assert _logged_in_as(client) is None


def test_the_lock_ends_after_fifteen_minutes(world: World, clock: Clock) -> None:
    client = web_client()
    for _ in range(5):
        log_in(client, "xinshi_staff", WRONG)
    clock.advance(minutes=10)
    during = log_in(client, "xinshi_staff", PASSWORD)
    assert "Try again in 5 minutes" in page_errors(during)

    clock.advance(minutes=5.5)
    assert log_in(client, "xinshi_staff", PASSWORD).status_code == 302
    assert _logged_in_as(client) == "xinshi_staff"


def test_an_attempt_during_the_lock_does_not_extend_it(world: World, clock: Clock) -> None:
    client = web_client()
    for _ in range(5):
        log_in(client, "xinshi_staff", WRONG)
    clock.advance(minutes=14)
    log_in(client, "xinshi_staff", WRONG)
    clock.advance(minutes=2)
    assert log_in(client, "xinshi_staff", PASSWORD).status_code == 302


def test_a_lock_set_in_the_past_has_ended(world: World) -> None:
    import datetime

    from django.utils import timezone

    User.objects.filter(username="xinshi_staff").update(locked_until=timezone.now() - datetime.timedelta(seconds=1))
    assert log_in(web_client(), "xinshi_staff").status_code == 302


def test_a_successful_login_resets_the_failure_count(world: World) -> None:
    client = web_client()
    for _ in range(4):
        log_in(client, "xinshi_staff", WRONG)
    assert log_in(client, "xinshi_staff").status_code == 302
    client.post(reverse("accounts:logout"))
    assert world.user("xinshi_staff").failed_logins == 0
    for _ in range(4):
        response = log_in(client, "xinshi_staff", WRONG)
    assert "1 attempts left" in page_errors(response)
    assert not world.user("xinshi_staff").is_locked


def test_an_unknown_name_locks_after_five_failures_like_an_account(world: World) -> None:
    client = web_client()
    for left in (4, 3, 2, 1):
        assert f"{left} attempts left" in page_errors(log_in(client, "no_such_person", WRONG))
    assert "locked" in page_errors(log_in(client, "no_such_person", WRONG))
    assert "locked" in page_errors(log_in(client, "No_Such_Person", WRONG))


def _story(identifier: str, password: str, clock: Clock) -> list[tuple[str, str]]:
    """Log in as ``identifier`` through a fixed sequence of failures, pauses and retries,
    each from a fresh address; what the person is told each time."""
    rf = RequestFactory()
    told: list[tuple[str, str]] = []

    def attempt(pw: str, n: int) -> None:
        request = rf.post("/", REMOTE_ADDR=f"10.9.{len(told)}.{n}")
        try:
            services.login_attempt(request=request, identifier=identifier, password=pw)
        except services.LoginRefused as refused:
            told.append((refused.code, refused.message))
        else:
            told.append(("ok", ""))

    attempt(WRONG, 1)
    clock.advance(minutes=60)  # failures count until a success, however far apart
    for n in range(4):
        attempt(WRONG, n)
    clock.advance(minutes=5)
    attempt(WRONG, 1)  # during the lock
    clock.advance(minutes=11)
    for n in range(2):
        attempt(WRONG, n)  # the lock is over; the refused attempt did not count or extend it
    return told


def test_lockout_messages_do_not_reveal_whether_a_name_exists(world: World, clock: Clock) -> None:
    known = _story("xinshi_staff", WRONG, clock)
    unknown = _story("someone_else", WRONG, clock)
    known_mobile = _story("13907330005", WRONG, clock)
    unknown_mobile = _story("+86 139 0000 0000", WRONG, clock)
    assert known == unknown == known_mobile == unknown_mobile
    assert [code for code, _message in known] == ["invalid"] * 4 + ["locked", "locked", "invalid", "invalid"]
    assert "Try again in 10 minutes" in known[5][1]
    assert "3 attempts left" in known[-1][1]


def test_an_unknown_mobile_number_is_counted_however_it_is_written(world: World) -> None:
    client = web_client()
    for form in ("13900000000", "139 0000 0000", "+86 139-0000-0000", "+8613900000000"):
        log_in(client, form, WRONG)
    assert "locked" in page_errors(log_in(client, "139 0000 0000", WRONG))
    # One key for every spelling, and it is a keyed hash: the typed number is not stored.
    assert set(LoginFailure.objects.filter(user=None).values_list("identifier", flat=True)) == {
        keyed_hash("13900000000")
    }


def test_thirty_failures_from_one_address_block_it(world: World, clock: Clock) -> None:
    attacker = web_client(ip="203.0.113.7")
    for n in range(30):
        log_in(attacker, f"guess{n}", WRONG)
    refused = log_in(attacker, "xinshi_staff", PASSWORD)
    assert refused.status_code == 200
    assert "network address" in page_errors(refused)
    assert _logged_in_as(attacker) is None
    # Other addresses, and the person behind a blocked one, are not locked out of their account.
    assert log_in(web_client(ip="198.51.100.1"), "xinshi_staff").status_code == 302
    assert not world.user("xinshi_staff").is_locked

    clock.advance(minutes=16)
    assert log_in(attacker, "xinshi_staff").status_code == 302


def test_twenty_nine_failures_from_one_address_do_not_block_it(world: World) -> None:
    client = web_client(ip="203.0.113.8")
    for n in range(29):
        log_in(client, f"guess{n}", WRONG)
    assert log_in(client, "xinshi_staff").status_code == 302


def test_a_deactivated_account_with_its_right_password_is_told_to_ask_the_officer(world: World) -> None:
    User.objects.filter(username="xinshi_staff").update(is_active=False)
    client = web_client()
    response = log_in(client, "xinshi_staff", PASSWORD)
    assert response.status_code == 200
    assert "deactivated" in page_errors(response)
    assert _logged_in_as(client) is None
    assert world.user("xinshi_staff").failed_logins == 0
    api = api_client().post("/api/v1/auth/token/", {"username": "xinshi_staff", "password": PASSWORD, "name": "手机"})
    assert (api.status_code, api.json()["code"]) == (403, "inactive")


def test_a_deactivated_account_with_a_wrong_password_learns_nothing_more(world: World) -> None:
    User.objects.filter(username="xinshi_staff").update(is_active=False)
    response = log_in(web_client(), "xinshi_staff", "not-the-password")
    assert "4 attempts left" in page_errors(response)


def test_a_deactivated_account_loses_its_open_session(world: World) -> None:
    client = web_client(world, "xinshi_staff")
    assert client.get(reverse("home")).status_code == 200
    services.user_set_active(actor=world.user("security"), user=world.user("xinshi_staff"), active=False)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_logged_in_person_visiting_the_login_page_goes_home(world: World) -> None:
    response = web_client(world, "xinshi_staff").get(reverse("accounts:login"))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_an_empty_form_is_refused_without_counting_a_failure(world: World) -> None:
    response = web_client().post(reverse("accounts:login"), {"identifier": "", "password": ""})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "identifier": ["This field is required."],
        "password": ["This field is required."],
    }
    assert not LoginFailure.objects.exists()
