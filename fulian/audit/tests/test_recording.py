"""What the audit log records: model changes field by field, with actor, address and org;
secrets masked; logins, failures, locks and logouts."""

import json

from django.test import RequestFactory
from django.urls import reverse

from fulian.accounts.choices import Role
from fulian.accounts.models import RoleGrant, User
from fulian.accounts.tests.clients import log_in, web_client
from fulian.audit.choices import Action
from fulian.audit.models import AuditEvent
from fulian.audit.recorder import audit_context, record
from fulian.orgs import services as org_services
from fulian.orgs.models import Organisation
from fulian.testing.world import PASSWORD, World

NEW_PASSWORD = "Qingshan-2026"


def _events_after(last_id: int, **filters: object) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=last_id, **filters).order_by("id"))


def _last_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def test_creating_an_organisation_through_its_page_is_recorded_with_actor_address_and_org(world: World) -> None:
    start = _last_id()
    huilong = world.org("huilong")
    client = web_client(world, "xinshi_staff", ip="192.0.2.10")
    response = client.post(reverse("orgs:group_create", kwargs={"pk": huilong.pk}), {"name": "第九村民小组"})
    assert response.status_code == 302
    group = Organisation.objects.get(parent=huilong, name="第九村民小组")
    [event] = _events_after(start, action=Action.CREATE, object_type="orgs.organisation")
    assert event.actor == world.user("xinshi_staff")
    assert event.actor_name == "xinshi_staff"
    assert event.ip == "192.0.2.10"
    assert event.object_id == str(group.pk)
    assert event.org_id == group.pk
    assert event.org_path == group.path
    assert event.org_path.startswith(huilong.path)
    assert event.changes["name"] == [None, "第九村民小组"]
    assert event.changes["code"] == [None, group.code]


def test_changing_an_organisation_in_a_service_records_old_and_new_values(world: World) -> None:
    group = Organisation.objects.get(code="430223123215001")
    request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.11")
    request.user = world.user("xinshi_staff")
    start = _last_id()
    with audit_context(request=request):
        org_services.group_rename(actor=world.user("xinshi_staff"), group=group, name="一组")
    [event] = _events_after(start)
    assert event.action == Action.UPDATE
    assert (event.actor_name, event.ip, event.org_path) == ("xinshi_staff", "192.0.2.11", group.path)
    assert event.changes["name"] == ["第一村民小组", "一组"]
    assert "code" not in event.changes  # unchanged fields are left out


def test_saving_without_a_change_records_nothing(world: World) -> None:
    org = world.org("huilong")
    start = _last_id()
    org.save()
    assert _events_after(start) == []


def test_granting_and_revoking_a_role_are_recorded(world: World) -> None:
    target = world.user("nobody")
    client = web_client(world, "security", ip="192.0.2.12")
    start = _last_id()
    client.post(reverse("accounts:detail", kwargs={"pk": target.pk}), {"role": Role.STAFF, "org": "430223123"})
    grant = RoleGrant.objects.get(user=target)
    [created] = _events_after(start, object_type="accounts.rolegrant")
    assert created.action == Action.CREATE
    assert (created.actor_name, created.ip) == ("security", "192.0.2.12")
    assert created.org_path == world.org("xinshi").path
    assert created.changes["role"] == [None, "staff"]
    assert created.changes["user_id"] == [None, target.pk]
    assert created.changes["granted_by_id"] == [None, world.user("security").pk]

    start = _last_id()
    client.post(reverse("accounts:grant_revoke", kwargs={"pk": grant.pk}))
    [deleted] = _events_after(start, object_type="accounts.rolegrant")
    assert deleted.action == Action.DELETE
    assert deleted.object_id == str(grant.pk)
    assert deleted.org_path == world.org("xinshi").path
    assert deleted.changes["role"] == ["staff", None]


def test_passwords_never_reach_the_log_and_mobile_numbers_are_masked(world: World) -> None:
    start = _last_id()
    client = web_client(world, "security")
    client.post(
        reverse("accounts:create"),
        {
            "username": "zhou_guijiao",
            "full_name": "周桂娇",
            "mobile": "13907339999",
            "password": NEW_PASSWORD,
            "org": "430223123215",
        },
    )
    account = User.objects.get(username="zhou_guijiao")
    client.post(reverse("accounts:password", kwargs={"pk": account.pk}), {"password": PASSWORD, "confirm": PASSWORD})
    events = _events_after(start, object_type="accounts.user")
    assert [e.action for e in events] == [Action.CREATE, Action.UPDATE]
    assert events[0].changes["mobile"] == [None, "139****9999"]
    assert "password" not in events[0].changes  # the hash, even masked, is not the log's business
    assert events[1].changes == {"new_password": "officer"}
    assert "mobile_hash" not in events[0].changes
    logged = json.dumps([e.changes for e in _events_after(start)], ensure_ascii=False)
    account.refresh_from_db()
    for secret in (NEW_PASSWORD, PASSWORD, account.password, account.mobile_hash, "13907339999"):
        assert secret not in logged


def test_a_successful_login_is_recorded_with_the_address(world: World) -> None:
    start = _last_id()
    log_in(web_client(ip="192.0.2.20"), "xinshi_staff")
    [event] = _events_after(start)
    assert event.action == Action.LOGIN
    assert (event.actor_name, event.ip) == ("xinshi_staff", "192.0.2.20")
    assert event.object_id == str(world.user("xinshi_staff").pk)
    assert event.org_path == world.org("xinshi").path


def test_failures_and_the_lock_are_recorded_with_the_address(world: World) -> None:
    start = _last_id()
    client = web_client(ip="192.0.2.21")
    for _ in range(5):
        log_in(client, "xinshi_staff", "Wrong-Passw0rd!")
    log_in(client, "xinshi_staff")
    events = _events_after(start)
    assert [e.action for e in events] == [Action.LOGIN_FAILED] * 5 + [Action.LOCKED, Action.LOGIN_FAILED]
    assert {e.ip for e in events} == {"192.0.2.21"}
    assert {e.org_path for e in events} == {world.org("xinshi").path}
    assert [e.changes.get("reason") for e in events if e.action == Action.LOGIN_FAILED] == ["password"] * 5 + ["locked"]
    assert events[0].actor is None  # nobody is logged in when a login fails
    assert "locked_until" in events[5].changes


def test_failures_for_an_unknown_name_are_recorded_without_an_organisation(world: World) -> None:
    start = _last_id()
    client = web_client(ip="192.0.2.22")
    for _ in range(5):
        log_in(client, "ghost", "Wrong-Passw0rd!")
    events = _events_after(start)
    assert [e.action for e in events] == [Action.LOGIN_FAILED] * 5 + [Action.LOCKED]
    assert {(e.object_repr, e.org_path, e.ip) for e in events} == {("ghost", "", "192.0.2.22")}


def test_a_blocked_address_is_recorded(world: World) -> None:
    client = web_client(ip="203.0.113.9")
    for n in range(30):
        log_in(client, f"guess{n}", "Wrong-Passw0rd!")
    start = _last_id()
    log_in(client, "xinshi_staff")
    [event] = _events_after(start)
    assert (event.action, event.ip, event.object_repr) == (Action.IP_BLOCKED, "203.0.113.9", "xinshi_staff")


def test_a_command_is_recorded_under_its_name(world: World) -> None:
    start = _last_id()
    with audit_context(actor_name="manage.py bootstrap_account"):
        record(Action.LOAD, org=world.org("youxian"), object_repr="probe")
    [event] = _events_after(start)
    assert (event.actor, event.actor_name, event.ip) == (None, "manage.py bootstrap_account", None)
    assert event.org_path == world.org("youxian").path


def test_a_save_of_some_fields_records_only_those_and_keeps_the_rest_for_later(world: World) -> None:
    account = User.objects.get(username="nobody")
    account.full_name = "无名氏"
    account.is_active = False
    start = _last_id()
    account.save(update_fields=["full_name"])
    [first] = _events_after(start)
    assert first.changes == {"full_name": ["Nobody", "无名氏"]}
    assert User.objects.get(pk=account.pk).is_active  # not written, so not recorded as changed

    start = _last_id()
    account.save()
    [second] = _events_after(start)
    assert second.changes == {"is_active": [True, False]}


def test_a_reloaded_object_records_only_its_own_changes(world: World) -> None:
    account = User.objects.get(username="nobody")
    User.objects.filter(pk=account.pk).update(full_name="别处改的")  # someone else's change, not through save
    account.refresh_from_db()
    account.is_active = False
    start = _last_id()
    account.save()
    [event] = _events_after(start)
    assert event.changes == {"is_active": [True, False]}


def test_a_deferred_field_loaded_later_is_compared_with_its_stored_value(world: World) -> None:
    account = User.objects.only("id", "username").get(username="nobody")
    assert account.full_name == "Nobody"  # loads the deferred field
    account.full_name = "无名氏"
    start = _last_id()
    account.save()
    [event] = _events_after(start)
    assert event.changes["full_name"] == ["Nobody", "无名氏"]


def test_events_read_back_as_field_rows(world: World) -> None:
    event = record(Action.UPDATE, org=world.org("huilong"), changes={"name": ["a", "b"], "reason": "x"})
    assert event.change_rows() == [("name", "a", "b", True), ("reason", "x", None, False)]
    assert "update" in str(event)
