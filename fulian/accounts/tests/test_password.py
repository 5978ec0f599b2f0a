"""Passwords: the policy, argon2 hashing, changing one's own, and the officer setting one."""

from typing import Any

import pytest
from django.contrib.auth.password_validation import MinimumLengthValidator, validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse

from fulian.accounts import services, tokens
from fulian.accounts.models import ApiToken
from fulian.accounts.tests.clients import api_client, log_in, page_errors, web_client
from fulian.accounts.validators import CharacterClassValidator
from fulian.testing.world import PASSWORD, World

NEW = "Neues-Passw0rt"


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("abcdefghij", "at least 3 of these four"),  # one class
        ("abcdefghi1", "at least 3 of these four"),  # two classes
        ("Abc-1", "at least 10 characters"),  # three classes, too short
        ("Password123", "too common"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password: str, reason: str) -> None:
    with pytest.raises(ValidationError) as refused:
        validate_password(password)
    assert reason in " ".join(refused.value.messages)


def _length_and_classes() -> list[Any]:
    return [MinimumLengthValidator(min_length=10), CharacterClassValidator(min_classes=3)]


@pytest.mark.parametrize("password", ["Abcdefghi1", "abcdefghi-1", "ABCDEFGHI-1", "长城长城长城长城长城A1"])
def test_ten_characters_of_three_classes_pass_the_length_and_class_rules(password: str) -> None:
    validate_password(password, password_validators=_length_and_classes())


@pytest.mark.parametrize("password", ["abcdefghij", "abcdefghi1", "ABCDEFGHI1"])
def test_fewer_than_three_classes_fail_the_class_rule(password: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(password, password_validators=_length_and_classes())


def test_the_policy_also_refuses_a_well_known_password_that_meets_the_class_rule() -> None:
    # Abcdefghi1 has 10 characters of 3 classes, but it is on the common-passwords list.
    with pytest.raises(ValidationError, match="too common"):
        validate_password("Abcdefghi1")
    validate_password("Qingshan-2026")


def test_the_configured_policy_is_ten_characters_and_three_classes(settings: Any) -> None:
    configured = {v["NAME"].rsplit(".", 1)[-1]: v.get("OPTIONS", {}) for v in settings.AUTH_PASSWORD_VALIDATORS}
    assert configured["MinimumLengthValidator"] == {"min_length": 10}
    assert configured["CharacterClassValidator"] == {"min_classes": 3}


def test_the_character_class_rule_counts_lower_upper_digits_and_symbols() -> None:
    validator = CharacterClassValidator(min_classes=4)
    validator.validate("Abcdefgh1!")
    with pytest.raises(ValidationError):
        validator.validate("Abcdefgh12")


def test_new_passwords_are_hashed_with_argon2_in_production(world: World) -> None:
    argon2 = ["django.contrib.auth.hashers.Argon2PasswordHasher", "django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    with override_settings(PASSWORD_HASHERS=argon2):
        account = services.user_create(
            actor=world.user("security"),
            username="argon_person",
            full_name="阿尔贡",
            org=world.org("huilong"),
            password=NEW,
        )
        account.refresh_from_db()
        assert account.password.startswith("argon2$argon2id$")
        assert account.check_password(NEW)
        assert log_in(web_client(), "argon_person", NEW).status_code == 302


def test_a_person_changes_their_own_password(world: World) -> None:
    client = web_client()
    log_in(client, "xinshi_staff")
    page = client.get(reverse("accounts:password_change"))
    assert page.status_code == 200
    assert 'name="current_password"' in page.content.decode()

    response = client.post(
        reverse("accounts:password_change"), {"current_password": PASSWORD, "password": NEW, "confirm": NEW}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    # The session that changed it goes on; the new password works, the old one no longer.
    assert client.get(reverse("home")).status_code == 200
    assert log_in(web_client(), "xinshi_staff", NEW).status_code == 302
    assert log_in(web_client(), "xinshi_staff", PASSWORD).status_code == 200


def test_changing_ones_own_password_needs_the_current_one(world: World) -> None:
    client = web_client(world, "xinshi_staff")
    response = client.post(
        reverse("accounts:password_change"), {"current_password": "Not-The-0ne", "password": NEW, "confirm": NEW}
    )
    assert response.status_code == 400
    assert "current password is not correct" in str(response.context["form"].errors["current_password"])
    assert world.user("xinshi_staff").check_password(PASSWORD)


@pytest.mark.parametrize(
    ("password", "confirm", "field", "message"),
    [
        (NEW, NEW + "x", "confirm", "The two passwords differ"),
        ("abcdefghi1", "abcdefghi1", "password", "at least 3 of these four"),
    ],
)
def test_a_bad_new_password_is_explained_next_to_its_field(
    world: World, password: str, confirm: str, field: str, message: str
) -> None:
    client = web_client(world, "xinshi_staff")
    response = client.post(
        reverse("accounts:password_change"), {"current_password": PASSWORD, "password": password, "confirm": confirm}
    )
    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    assert world.user("xinshi_staff").check_password(PASSWORD)


def test_a_new_password_ends_the_other_sessions_and_api_tokens(world: World) -> None:
    other_browser = web_client()
    log_in(other_browser, "xinshi_staff")
    token = (
        api_client()
        .post(reverse("api:token"), {"username": "xinshi_staff", "password": PASSWORD, "name": "手机"})
        .json()["token"]
    )

    client = web_client()
    log_in(client, "xinshi_staff")
    client.post(reverse("accounts:password_change"), {"current_password": PASSWORD, "password": NEW, "confirm": NEW})

    assert other_browser.get(reverse("home")).status_code == 302
    api = api_client()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    refused = api.get(reverse("api:me"))
    assert refused.status_code == 401
    assert refused.json()["code"] == "token_revoked"


def test_the_security_officer_sets_a_new_password_for_an_account(world: World) -> None:
    target = world.user("xinshi_staff")
    tokens.token_issue(request=None, user=target, name="手机", two_factor=False)
    client = web_client(world, "security")
    url = reverse("accounts:password", kwargs={"pk": target.pk})
    assert client.get(url).status_code == 200
    weak = client.post(url, {"password": "abcdefghij", "confirm": "abcdefghij"})
    assert weak.status_code == 400
    assert "at least 3 of these four" in page_errors(weak)

    response = client.post(url, {"password": NEW, "confirm": NEW})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:detail", kwargs={"pk": target.pk})
    assert log_in(web_client(), "xinshi_staff", NEW).status_code == 302
    assert not ApiToken.objects.active().filter(user=target).exists()


def test_the_officers_own_password_goes_through_the_page_that_asks_for_the_current_one(world: World) -> None:
    me = world.user("security")
    response = web_client(world, "security").post(
        reverse("accounts:password", kwargs={"pk": me.pk}), {"password": NEW, "confirm": NEW}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change")
    assert world.user("security").check_password(PASSWORD)


def test_only_the_security_officer_sets_other_peoples_passwords(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.user_set_password(actor=world.user("city_admin"), user=world.user("xinshi_staff"), password=NEW)
    assert world.user("xinshi_staff").check_password(PASSWORD)


def test_guessing_the_current_password_locks_the_account_and_ends_the_session(world: World) -> None:
    client = web_client(world, "xinshi_staff")
    wrong = {"current_password": "not-it", "password": "Brand-New-2026!", "confirm": "Brand-New-2026!"}
    for _ in range(4):
        assert client.post(reverse("accounts:password_change"), wrong).status_code == 400
    response = client.post(reverse("accounts:password_change"), wrong)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert world.user("xinshi_staff").is_locked
    assert client.get(reverse("home")).status_code == 302
