"""The security officer's account pages: list, create, unlock, deactivate; and who may not."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fulian.accounts.models import User
from fulian.accounts.tests.clients import log_in, web_client
from fulian.audit.choices import Action
from fulian.audit.models import AuditEvent
from fulian.testing.factories import UserFactory
from fulian.testing.world import World

NEW_PASSWORD = "Qingshan-2026"


def _new_account(**overrides: str) -> dict[str, str]:
    return {
        "username": "zhou_guijiao",
        "full_name": "周桂娇",
        "mobile": "13907339999",
        "password": NEW_PASSWORD,
        "org": "430223123215",
        **overrides,
    }


def test_the_security_officer_lists_and_searches_accounts(world: World) -> None:
    client = web_client(world, "security")
    page = client.get(reverse("accounts:list"))
    assert page.status_code == 200
    assert "xinshi_staff" in page.content.decode()
    found = client.get(reverse("accounts:list"), {"q": "XINSHI"}).content.decode()
    assert "xinshi_staff" in found
    assert "yanling_staff" not in found


def test_a_county_security_officer_lists_only_accounts_of_the_county(world: World) -> None:
    page = web_client(world, "youxian_security").get(reverse("accounts:list")).content.decode()
    assert "xinshi_staff" in page
    assert "yanling_staff" not in page
    assert "city_admin" not in page


def test_the_security_officer_creates_an_account(world: World) -> None:
    client = web_client(world, "youxian_security")
    assert client.get(reverse("accounts:create")).status_code == 200
    response = client.post(reverse("accounts:create"), _new_account())
    account = User.objects.get(username="zhou_guijiao")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:detail", kwargs={"pk": account.pk})
    assert account.org == world.org("huilong")
    assert account.full_name == "周桂娇"
    assert account.mobile == "13907339999"
    assert account.is_active
    assert not account.grants.exists()
    assert log_in(web_client(), "13907339999", NEW_PASSWORD).status_code == 302


def test_a_county_security_officer_cannot_create_an_account_in_another_county(world: World) -> None:
    client = web_client(world, "youxian_security")
    response = client.post(reverse("accounts:create"), _new_account(org="430225"))
    assert response.status_code == 400
    assert "No organisation with code 430225 in your area" in str(response.context["form"].errors["org"])
    assert not User.objects.filter(username="zhou_guijiao").exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"username": "XINSHI_STAFF"}, "username", "already exists"),
        ({"username": "13907339999"}, "username", "cannot be a mobile number"),
        ({"username": "+86-139-0733-8888"}, "username", "cannot be a mobile number"),
        ({"username": "zhou guijiao"}, "username", "Enter a valid username"),
        ({"mobile": "1390733"}, "mobile", "11-digit"),
        ({"mobile": "139 0733 0004"}, "mobile", "already uses this mobile number"),
        ({"password": "abcdefghi1"}, "password", "at least 3 of these four"),
        ({"password": "Zhou_guijiao1"}, "password", "too similar"),
        ({"org": "999999"}, "org", "No organisation with code 999999"),
        ({"full_name": ""}, "full_name", "required"),
    ],
)
def test_a_bad_new_account_is_explained_next_to_its_field(
    world: World, overrides: dict[str, str], field: str, message: str
) -> None:
    accounts = User.objects.count()
    response = web_client(world, "security").post(reverse("accounts:create"), _new_account(**overrides))
    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    # What was typed is kept (except the password).
    assert response.context["form"]["full_name"].value() == overrides.get("full_name", "周桂娇")
    assert User.objects.count() == accounts


def test_a_username_with_chinese_characters_is_accepted(world: World) -> None:
    response = web_client(world, "security").post(reverse("accounts:create"), _new_account(username="周桂娇"))
    assert response.status_code == 302
    assert log_in(web_client(), "周桂娇", NEW_PASSWORD).status_code == 302


def test_the_security_officer_unlocks_a_locked_account(world: World) -> None:
    stranger = web_client(ip="192.0.2.9")
    for _ in range(5):
        log_in(stranger, "xinshi_staff", "Wrong-Passw0rd!")
    target = world.user("xinshi_staff")
    assert target.is_locked
    client = web_client(world, "security")
    assert "Locked until" in client.get(reverse("accounts:detail", kwargs={"pk": target.pk})).content.decode()

    response = client.post(reverse("accounts:unlock", kwargs={"pk": target.pk}))
    assert response.status_code == 302
    target.refresh_from_db()
    assert not target.is_locked
    assert target.failed_logins == 0
    assert log_in(web_client(), "xinshi_staff").status_code == 302
    event = AuditEvent.objects.filter(action=Action.UPDATE, object_id=str(target.pk)).latest("id")
    assert event.actor_name == "security"
    assert event.changes["locked_until"][1] is None


def test_the_security_officer_deactivates_and_reactivates_an_account(world: World) -> None:
    target = world.user("xinshi_staff")
    client = web_client(world, "security")
    url = reverse("accounts:set_active", kwargs={"pk": target.pk})
    assert client.post(url, {"active": "0"}).status_code == 302
    target.refresh_from_db()
    assert not target.is_active
    assert log_in(web_client(), "xinshi_staff").status_code == 200
    assert "Inactive" in client.get(reverse("accounts:detail", kwargs={"pk": target.pk})).content.decode()

    client.post(url, {"active": "1"})
    target.refresh_from_db()
    assert target.is_active
    assert log_in(web_client(), "xinshi_staff").status_code == 302


def test_the_security_officer_cannot_deactivate_their_own_account(world: World) -> None:
    me = world.user("security")
    client = web_client(world, "security")
    response = client.post(reverse("accounts:set_active", kwargs={"pk": me.pk}), {"active": "0"}, follow=True)
    assert "cannot change whether your own account is active" in response.content.decode()
    me.refresh_from_db()
    assert me.is_active


BUSINESS_AND_AUDIT = ["city_admin", "youxian_admin", "xinshi_staff", "leader", "huilong_zhiwei", "auditor", "nobody"]


@pytest.mark.parametrize("username", BUSINESS_AND_AUDIT)
@pytest.mark.parametrize("name", ["accounts:list", "accounts:create"])
def test_only_security_officers_reach_the_account_list_and_form(world: World, username: str, name: str) -> None:
    client = web_client(world, username)
    assert client.get(reverse(name)).status_code == 403
    assert client.post(reverse(name), _new_account()).status_code == 403
    assert not User.objects.filter(username="zhou_guijiao").exists()


@pytest.mark.parametrize("username", BUSINESS_AND_AUDIT)
def test_other_roles_cannot_open_or_change_an_account(world: World, username: str) -> None:
    client = web_client(world, username)
    target = world.user("huilong_zhiwei")
    pk = {"pk": target.pk}
    assert client.get(reverse("accounts:detail", kwargs=pk)).status_code == 403
    assert client.post(reverse("accounts:detail", kwargs=pk), {"role": "admin", "org": "430200"}).status_code == 403
    assert client.get(reverse("accounts:password", kwargs=pk)).status_code == 403
    for name in ("accounts:unlock", "accounts:set_active"):
        assert client.get(reverse(name, kwargs=pk)).status_code == 403  # the role is checked before the method
        assert client.post(reverse(name, kwargs=pk), {"active": "0"}).status_code == 403
    grant = target.grants.get()
    assert client.post(reverse("accounts:grant_revoke", kwargs={"pk": grant.pk})).status_code == 403
    target.refresh_from_db()
    assert target.is_active
    assert target.grants.count() == 1


def test_an_anonymous_visitor_is_sent_to_the_login_page(world: World) -> None:
    response = web_client().get(reverse("accounts:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_account_list_runs_the_same_queries_however_many_accounts(world: World) -> None:
    client = web_client(world, "security")
    url = reverse("accounts:list")
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        first = client.get(url)
    assert first.status_code == 200
    orgs = [world.org(key) for key in ("huilong", "shucai", "xinshi", "longhu", "yanling")]
    for n in range(30):
        UserFactory(username=f"extra{n:02d}", org=orgs[n % len(orgs)], mobile=f"1370000{n:04d}")
    with CaptureQueriesContext(connection) as after:
        second = client.get(url)
    assert "extra29" in second.content.decode()
    assert "137****0029" in second.content.decode()
    assert len(after) == len(before), [q["sql"] for q in after.captured_queries]


def test_the_account_form_reports_every_bad_field_at_once(world: World) -> None:
    response = web_client(world, "security").post(
        reverse("accounts:create"),
        {"username": "wang_fang", "full_name": "王芳", "org": "999999", "mobile": "1390733", "password": "short"},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) >= {"org", "mobile", "password"}
