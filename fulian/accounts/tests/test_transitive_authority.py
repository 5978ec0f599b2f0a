"""Authority over an account is transitive: a security officer acts on an account only when its
home organisation *and every role it holds* lie inside her reach.

The case from review: 攸县's security officer could reset the password of an account based in
攸县 that is also an administrator of 炎陵县 (or of the city), then log in as it.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from fulian.accounts import services
from fulian.accounts.choices import Role
from fulian.accounts.models import RoleGrant, User
from fulian.accounts.tests.clients import api_client, log_in, web_client
from fulian.testing.factories import RoleGrantFactory, UserFactory
from fulian.testing.world import PASSWORD, World

REFUSAL = "This account also holds roles outside your area; a security officer of a higher level must handle it."
NEW_PASSWORD = "Another-Passw0rd!"


@pytest.fixture(params=["yanling", "city"])
def double_agent(request: Any, world: World) -> User:
    """An account of 攸县 新市镇, staff there, and also an administrator of 炎陵县 or of the city."""
    user = UserFactory.create(username="double_agent", org=world.org("xinshi"))
    RoleGrantFactory(user=user, org=world.org("xinshi"), role=Role.STAFF)
    RoleGrantFactory(user=user, org=world.org(request.param), role=Role.ADMIN)
    return user


def _state(user: User) -> tuple[Any, ...]:
    user.refresh_from_db()
    grants = sorted(RoleGrant.objects.filter(user=user).values_list("role", "org__code"))
    return (user.password, user.is_active, user.locked_until, user.failed_logins, grants)


def _page(response: Any) -> str:
    return response.content.decode()


def test_the_county_officer_cannot_reset_the_password_and_log_in_as_it(world: World, double_agent: User) -> None:
    before = _state(double_agent)
    officer = web_client(world, "youxian_security")
    page = officer.get(reverse("accounts:password", kwargs={"pk": double_agent.pk}))
    assert page.status_code == 403
    assert REFUSAL in _page(page)
    response = officer.post(
        reverse("accounts:password", kwargs={"pk": double_agent.pk}),
        {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    )
    assert response.status_code == 403
    assert REFUSAL in _page(response)
    assert _state(double_agent) == before
    # The password she tried to set does not open the account.
    login = log_in(web_client(), "double_agent", NEW_PASSWORD)
    assert login.status_code == 200
    assert "_auth_user_id" not in login.client.session


def test_the_api_refuses_the_same_reset_with_the_reason(world: World, double_agent: User) -> None:
    before = _state(double_agent)
    response = api_client(world, "youxian_security").post(
        f"/api/v1/accounts/{double_agent.pk}/password/", {"password": NEW_PASSWORD}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["detail"] == REFUSAL
    assert _state(double_agent) == before


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("active/", {"active": False}),
        ("unlock/", {}),
    ],
)
def test_the_api_refuses_deactivating_and_unlocking(
    world: World, double_agent: User, path: str, data: dict[str, Any]
) -> None:
    User.objects.filter(pk=double_agent.pk).update(
        failed_logins=5, locked_until=timezone.now() + datetime.timedelta(minutes=10)
    )
    before = _state(double_agent)
    response = api_client(world, "youxian_security").post(
        f"/api/v1/accounts/{double_agent.pk}/{path}", data, format="json"
    )
    assert response.status_code == 403
    assert response.json()["detail"] == REFUSAL
    assert _state(double_agent) == before


def test_the_api_refuses_granting_and_revoking(world: World, double_agent: User) -> None:
    before = _state(double_agent)
    client = api_client(world, "youxian_security")
    grant = client.post(
        "/api/v1/role-grants/", {"user": double_agent.pk, "org_code": "430223", "role": Role.VIEWER}, format="json"
    )
    assert grant.status_code == 403
    assert grant.json()["detail"] == REFUSAL
    county_grant = RoleGrant.objects.get(user=double_agent, role=Role.STAFF)
    revoke = client.delete(f"/api/v1/role-grants/{county_grant.pk}/")
    assert revoke.status_code == 403
    assert revoke.json()["detail"] == REFUSAL
    assert _state(double_agent) == before


def test_the_pages_refuse_deactivating_unlocking_granting_and_revoking(world: World, double_agent: User) -> None:
    User.objects.filter(pk=double_agent.pk).update(
        failed_logins=5, locked_until=timezone.now() + datetime.timedelta(minutes=10)
    )
    before = _state(double_agent)
    officer = web_client(world, "youxian_security")
    county_grant = RoleGrant.objects.get(user=double_agent, role=Role.STAFF)
    for url, data in [
        (reverse("accounts:set_active", kwargs={"pk": double_agent.pk}), {"active": "0"}),
        (reverse("accounts:unlock", kwargs={"pk": double_agent.pk}), {}),
        (reverse("accounts:detail", kwargs={"pk": double_agent.pk}), {"role": Role.VIEWER, "org": "430223"}),
        (reverse("accounts:grant_revoke", kwargs={"pk": county_grant.pk}), {}),
    ]:
        response = officer.post(url, data)
        assert response.status_code == 403, url
        assert REFUSAL in _page(response), url
    assert _state(double_agent) == before


def test_the_account_page_says_why_and_offers_no_button_that_would_be_refused(world: World, double_agent: User) -> None:
    User.objects.filter(pk=double_agent.pk).update(locked_until=timezone.now() + datetime.timedelta(minutes=10))
    page = _page(web_client(world, "youxian_security").get(reverse("accounts:detail", kwargs={"pk": double_agent.pk})))
    assert REFUSAL in page
    for url in [
        reverse("accounts:password", kwargs={"pk": double_agent.pk}),
        reverse("accounts:set_active", kwargs={"pk": double_agent.pk}),
        reverse("accounts:unlock", kwargs={"pk": double_agent.pk}),
        reverse("accounts:grant_revoke", kwargs={"pk": RoleGrant.objects.get(user=double_agent, role=Role.STAFF).pk}),
    ]:
        assert url not in page
    assert 'name="role"' not in page  # no grant form


def test_the_city_officer_reaches_every_role_and_resets_it(world: World, double_agent: User) -> None:
    officer = world.user("security")
    assert services.management_refusal(actor=officer, user=double_agent) is None
    services.user_set_password(actor=officer, user=double_agent, password=NEW_PASSWORD)
    double_agent.refresh_from_db()
    assert double_agent.check_password(NEW_PASSWORD)


def test_the_county_officer_still_manages_an_account_whose_roles_are_all_in_her_county(world: World) -> None:
    user = UserFactory.create(username="county_only", org=world.org("xinshi"))
    RoleGrantFactory(user=user, org=world.org("xinshi"), role=Role.STAFF)
    RoleGrantFactory(user=user, org=world.org("youxian"), role=Role.VIEWER)
    officer = world.user("youxian_security")
    page = _page(web_client(world, "youxian_security").get(reverse("accounts:detail", kwargs={"pk": user.pk})))
    assert reverse("accounts:password", kwargs={"pk": user.pk}) in page
    assert REFUSAL not in page
    services.user_set_password(actor=officer, user=user, password=NEW_PASSWORD)
    services.user_set_active(actor=officer, user=user, active=False)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not user.is_active


def test_a_role_granted_beyond_her_reach_later_takes_the_account_out_of_her_hands(world: World) -> None:
    user = UserFactory.create(username="promoted", org=world.org("xinshi"))
    officer = world.user("youxian_security")
    services.user_set_password(actor=officer, user=user, password=NEW_PASSWORD)  # allowed today
    services.role_grant(actor=world.user("security"), user=user, org=world.org("city"), role=Role.ADMIN)
    with pytest.raises(PermissionDenied, match="outside your area"):
        services.user_set_password(actor=officer, user=user, password=PASSWORD)
    with pytest.raises(PermissionDenied, match="outside your area"):
        services.user_unlock(actor=officer, user=user)
