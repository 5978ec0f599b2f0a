"""Granting and revoking roles: 三员分立, no self-grants, no duplicates, only in one's subtree."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fulian.accounts import services
from fulian.accounts.choices import Role
from fulian.accounts.models import RoleGrant, User
from fulian.accounts.tests.clients import web_client
from fulian.core.scoping import can
from fulian.testing import html
from fulian.testing.world import PASSWORD, World


def _grant(world: World, actor: str, username: str, role: str, org: str) -> Any:
    target = world.user(username)
    return web_client(world, actor).post(
        reverse("accounts:detail", kwargs={"pk": target.pk}), {"role": role, "org": org}
    )


def _role_errors(response: Any) -> str:
    form = response.context["grant_form"]
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def test_the_security_officer_grants_a_role_at_an_organisation(world: World) -> None:
    response = _grant(world, "security", "nobody", Role.STAFF, "430223123")
    target = world.user("nobody")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:detail", kwargs={"pk": target.pk})
    grant = RoleGrant.objects.get(user=target)
    assert (grant.role, grant.org.code, grant.granted_by) == (Role.STAFF, "430223123", world.user("security"))
    # The role reaches the whole subtree, and nothing beyond it.
    assert can(target, "orgs.change", world.org("huilong"))
    assert not can(target, "orgs.change", world.org("shucai"))


def test_the_account_page_lists_its_grants(world: World) -> None:
    target = world.user("xinshi_staff")
    RoleGrant.objects.create(user=target, org=world.org("huilong"), role=Role.VIEWER)
    page = web_client(world, "security").get(reverse("accounts:detail", kwargs={"pk": target.pk}))
    # The account's own organisation (新市镇, 430223123) and name (Xinshi Staff) are on the page
    # anyway: the roles are read from their table.
    rows = html.select(page, "section table tbody tr")
    assert sorted(
        (row.select_one("td[data-label=Role]").text, row.select_one("td[data-label=Organisation]").text) for row in rows
    ) == [
        ("Staff", "新市镇 Women's Federation 430223123"),
        ("Viewer", "回龙村 Women's Federation 430223123215"),
    ]


def test_nobody_can_grant_the_security_role(world: World) -> None:
    response = _grant(world, "security", "nobody", Role.SECURITY, "430223")
    assert response.status_code == 400
    assert "valid choice" in _role_errors(response)
    with pytest.raises(ValidationError, match="appointed by the system administrator"):
        services.role_grant(
            actor=world.user("security"), user=world.user("nobody"), org=world.org("youxian"), role=Role.SECURITY
        )
    assert not RoleGrant.objects.filter(user__username="nobody").exists()


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.SECURITY])
def test_system_roles_are_appointed_from_the_shell_only(world: World, role: str) -> None:
    response = _grant(world, "security", "nobody", role, "430223")
    assert response.status_code == 400
    assert "valid choice" in _role_errors(response)
    with pytest.raises(ValidationError, match="appointed by the system administrator"):
        services.role_grant(
            actor=world.user("security"), user=world.user("nobody"), org=world.org("youxian"), role=role
        )
    assert not RoleGrant.objects.filter(user__username="nobody").exists()


@pytest.mark.parametrize("username", ["youxian_auditor", "youxian_security"])
def test_accounts_holding_a_system_role_get_no_business_role(world: World, username: str) -> None:
    before = set(RoleGrant.objects.filter(user__username=username).values_list("role", flat=True))
    assert _grant(world, "security", username, Role.STAFF, "430223").status_code == 403
    assert set(RoleGrant.objects.filter(user__username=username).values_list("role", flat=True)) == before


@pytest.mark.parametrize("username", ["youxian_auditor", "youxian_security"])
def test_the_security_officer_cannot_take_over_another_officer(world: World, username: str) -> None:
    officer = world.user(username)
    client = web_client(world, "security")
    assert client.post(reverse("accounts:set_active", kwargs={"pk": officer.pk}), {"active": "0"}).status_code == 403
    new_password = {"password": "Other-Passw0rd!", "confirm": "Other-Passw0rd!"}
    assert client.post(reverse("accounts:password", kwargs={"pk": officer.pk}), new_password).status_code == 403
    grant = RoleGrant.objects.get(user=officer)
    assert client.post(reverse("accounts:grant_revoke", kwargs={"pk": grant.pk})).status_code == 403
    officer.refresh_from_db()
    assert officer.is_active
    assert officer.check_password(PASSWORD)
    assert RoleGrant.objects.filter(pk=grant.pk).exists()


def test_the_security_officer_cannot_grant_roles_to_themselves(world: World) -> None:
    response = _grant(world, "youxian_security", "youxian_security", Role.ADMIN, "430223")
    assert response.status_code == 400
    assert "cannot grant roles to yourself" in _role_errors(response)


def test_the_same_role_at_the_same_organisation_is_granted_once(world: World) -> None:
    response = _grant(world, "security", "xinshi_staff", Role.STAFF, "430223123")
    assert response.status_code == 400
    assert "already has this role here" in _role_errors(response)
    assert RoleGrant.objects.filter(user__username="xinshi_staff").count() == 1


def test_a_county_security_officer_grants_only_inside_the_county(world: World) -> None:
    response = _grant(world, "youxian_security", "nobody", Role.ADMIN, "430225")
    assert response.status_code == 400
    assert "No organisation with code 430225 in your area" in _role_errors(response)
    response = _grant(world, "youxian_security", "nobody", Role.ADMIN, "430200")
    assert "No organisation with code 430200 in your area" in _role_errors(response)
    assert not RoleGrant.objects.filter(user__username="nobody").exists()


def test_the_security_officer_revokes_a_grant(world: World) -> None:
    grant = RoleGrant.objects.get(user__username="xinshi_staff")
    client = web_client(world, "security")
    response = client.post(reverse("accounts:grant_revoke", kwargs={"pk": grant.pk}))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:detail", kwargs={"pk": grant.user_id})
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()
    assert not can(world.user("xinshi_staff"), "orgs.change", world.org("xinshi"))


def test_revoking_is_post_only(world: World) -> None:
    grant = RoleGrant.objects.get(user__username="xinshi_staff")
    assert (
        web_client(world, "security").get(reverse("accounts:grant_revoke", kwargs={"pk": grant.pk})).status_code == 405
    )
    assert RoleGrant.objects.filter(pk=grant.pk).exists()


def test_the_security_officer_cannot_revoke_their_own_role(world: World) -> None:
    grant = RoleGrant.objects.get(user__username="youxian_security")
    response = web_client(world, "youxian_security").post(
        reverse("accounts:grant_revoke", kwargs={"pk": grant.pk}), follow=True
    )
    assert "cannot revoke your own roles" in response.content.decode()
    assert RoleGrant.objects.filter(pk=grant.pk).exists()


def test_granting_in_a_service_call_takes_effect_at_once(world: World) -> None:
    target = User.objects.get(username="nobody")
    assert not can(target, "orgs.view", world.org("huilong"))
    services.role_grant(actor=world.user("security"), user=target, org=world.org("huilong"), role=Role.MEMBER)
    assert can(target, "orgs.view", world.org("huilong"))
    grant = RoleGrant.objects.get(user=target)
    services.role_revoke(actor=world.user("security"), grant=grant)
    assert not can(grant.user, "orgs.view", world.org("huilong"))


def test_a_page_reuses_the_grants_its_process_loaded_until_they_change(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = world.client_for("xinshi_staff")
    assert client.get(reverse("households:list")).status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert client.get(reverse("households:list")).status_code == 200
    assert not any("accounts_rolegrant" in q["sql"] for q in second.captured_queries)
    # Another process (or a shell) takes the role away: the next page knows at once.
    RoleGrant.objects.filter(user=world.user("xinshi_staff")).delete()
    assert client.get(reverse("households:list")).status_code == 403


def test_every_way_of_writing_grants_makes_the_loaded_ones_stale(world: World) -> None:
    from fulian.core.scoping import user_grants

    target = User.objects.get(username="nobody")
    assert user_grants(target) == ()
    RoleGrant.objects.bulk_create([RoleGrant(user=target, org=world.org("huilong"), role=Role.MEMBER)])
    assert [g.role for g in user_grants(User.objects.get(pk=target.pk))] == [Role.MEMBER]
    RoleGrant.objects.filter(user=target).update(role=Role.VIEWER)
    assert [g.role for g in user_grants(User.objects.get(pk=target.pk))] == [Role.VIEWER]
    RoleGrant.objects.filter(user=target).delete()
    assert user_grants(User.objects.get(pk=target.pk)) == ()


def test_a_grant_follows_its_organisation_when_the_division_moves(world: World) -> None:
    from fulian.core.scoping import user_grants
    from fulian.orgs.choices import Level
    from fulian.orgs.loader import Division, Reading
    from fulian.orgs.services import divisions_load

    member = world.user("huilong_zhiwei")
    assert user_grants(member)[0].path.startswith(world.org("xinshi").path)
    huilong, jiangqiao = world.org("huilong"), world.org("jiangqiao")
    reading = Reading(divisions={huilong.code: Division(huilong.code, huilong.name, jiangqiao.code, Level.VILLAGE)})
    divisions_load(reading, source="test")
    moved = User.objects.get(pk=member.pk)
    assert moved.grants_version > member.grants_version
    assert user_grants(moved)[0].path.startswith(jiangqiao.path)
