"""The audit log reads as names and labels in the reader's language: no ids, no stored codes,
no columns nobody manages; every event with its organisation and address where it has one."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst

from fulian.accounts.tests.clients import web_client
from fulian.audit.choices import Action
from fulian.audit.models import AuditEvent
from fulian.audit.recorder import audit_context, record
from fulian.households import services
from fulian.households.choices import HouseholdCategory, MemberCategory, Relation
from fulian.households.tests.helpers import household, member
from fulian.testing.world import World

pytestmark = pytest.mark.django_db

ENGLISH = {"accept-language": "en"}
CHINESE = {"accept-language": "zh-hans"}


def _log(world: World, language: str, **params: str) -> str:
    headers = ENGLISH if language == "en" else CHINESE
    response = web_client(world, "auditor").get(reverse("audit:list"), params, headers=headers)
    assert response.status_code == 200
    page = response.content.decode()
    return page[page.index('data-testid="audit-table"') :]  # the events, not the filters' choices


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_changes_name_rows_and_label_choices_in_the_readers_language(world: World, language: str) -> None:
    admin = world.user("city_admin")
    with audit_context(actor=admin):
        home = household(world, "huilong", "周建国", categories=int(HouseholdCategory.LEFT_BEHIND))
        child = member(
            world, home, "周小宝", relation=Relation.GRANDCHILD, categories=int(MemberCategory.LEFT_BEHIND_CHILD)
        )
        services.household_update(actor=admin, household=home, values={}, org=world.org("huilong_group1"))
    page = _log(world, language, actor="city_admin")
    with translation.override(language):
        grandchild = str(Relation.GRANDCHILD.label)
        left_behind = str(MemberCategory.LEFT_BEHIND_CHILD.label)
        kind = capfirst(str(child._meta.verbose_name))
    assert grandchild in page
    assert left_behind in page
    assert f"{kind} 周小宝" in page  # the target: its kind in the reader's language and its name
    assert "回龙村 第一村民小组" in page  # the organisation by name, a group after its village
    assert "新市镇 回龙村 → 回龙村 第一村民小组" in page  # the move, old → new by name
    assert f"→ {home.head_name}" in page  # the member's household by its head's name
    assert "households.householdmember" not in page
    assert f"∅ → {world.org('huilong').pk}\n" not in page
    assert "→ grandchild" not in page


def test_the_filters_of_an_export_read_as_labels(world: World) -> None:
    household(world, "huilong", "周建国", categories=int(HouseholdCategory.LEFT_BEHIND))
    client = world.client_for("city_admin")
    response = client.get(reverse("households:export"), {"org": "430223123", "category": "32", "full": "1"})
    assert response.status_code == 200
    page = _log(world, "zh-hans", action="export")
    assert "组织：攸县 新市镇；类别：三留户" in page
    english = _log(world, "en", action="export")
    assert "Organisation: 攸县 新市镇; Category: Left-behind household (三留户)" in english
    # The picker gives an id, or (without JavaScript) the name typed: both read as the name.
    by_id = world.org("xinshi").pk
    response = client.get(reverse("households:export"), {"org": str(by_id), "category": "32", "full": "1"})
    response = client.get(reverse("households:export"), {"org_text": "新市镇", "full": "1"})
    assert response.status_code == 200
    page = _log(world, "zh-hans", action="export")
    assert page.count("组织：攸县 新市镇；类别：三留户") == 2
    assert "组织：新市镇" in page


def test_internal_columns_are_not_recorded_and_older_ones_are_not_shown(world: World) -> None:
    event = AuditEvent.objects.filter(object_type="accounts.user", action=Action.CREATE).first()
    assert event is not None
    for internal in ("is_superuser", "is_staff", "date_joined", "last_login", "password", "id", "mobile_hash"):
        assert internal not in event.changes
    # An event stored before these columns were left out: kept, but they are not shown.
    record(
        Action.CREATE,
        world.user("nobody"),
        changes={
            "id": [None, 9],
            "is_superuser": [None, False],
            "is_staff": [None, False],
            "password": [None, "******"],
            "date_joined": [None, "2026-11-29 10:00:00+08:00"],
            "full_name": [None, "Nobody"],
        },
    )
    for language, superuser in (("zh-hans", "超级用户状态"), ("en", "superuser status")):
        page = _log(world, language, search="nobody")
        assert "Nobody" in page
        assert superuser not in page
        assert "******" not in page
        assert "2026-11-29 10:00:00" not in page


def test_a_row_deleted_since_is_named_by_its_id(world: World) -> None:
    record(Action.UPDATE, world.user("nobody"), changes={"org_id": [999_999, world.org("huilong").pk]})
    page = _log(world, "en", search="nobody")
    assert "#999999 (deleted) → 新市镇 回龙村" in page


def test_a_password_is_an_event_without_its_hash(world: World) -> None:
    from fulian.accounts import services as accounts

    accounts.user_set_password(actor=world.user("security"), user=world.user("nobody"), password="Another-Passw0rd!")
    event = AuditEvent.objects.filter(object_type="accounts.user", action=Action.UPDATE).last()
    assert event is not None
    assert event.changes == {"must_change_password": [False, True], "new_password": "officer"}
    assert "set by an officer" in _log(world, "en", search="nobody")


def _fk_events(world: World, count: int) -> None:
    actor = world.user("city_admin")
    with audit_context(actor=actor):
        for n in range(count):
            home = household(world, "huilong", f"户{n}")
            other = household(world, "daqiaotou", f"别户{n}")
            record(
                Action.UPDATE,
                member(world, home, f"员{n}"),
                changes={"household_id": [other.pk, home.pk], "org_id": [other.org_id, home.org_id]},
            )
            record(Action.UPDATE, world.user("nobody"), changes={"org_id": [n + 1, world.org("huilong").pk]})


def _queries(world: World) -> tuple[int, Any]:
    client = web_client(world, "auditor")
    client.get(reverse("audit:list"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("audit:list"), {"actor": "city_admin"})
    return len(queries), response


def test_names_on_a_page_are_read_in_one_query_per_kind_of_row(world: World) -> None:
    _fk_events(world, 2)
    few, _response = _queries(world)
    _fk_events(world, 25)
    many, response = _queries(world)
    assert "员24" in response.content.decode()
    assert many == few


def test_a_full_export_names_its_organisation_and_address(world: World) -> None:
    household(world, "huilong", "周建国")
    client = world.client_for("xinshi_staff")
    client.defaults["REMOTE_ADDR"] = "203.0.113.7"
    assert client.get(reverse("households:export"), {"full": "1"}).status_code == 200
    event = AuditEvent.objects.get(action=Action.EXPORT)
    # No organisation chosen: the export is of the requester's whole reach, 新市镇.
    assert (event.org, event.ip) == (world.org("xinshi"), "203.0.113.7")
    page = _log(world, "en", action="export")
    assert "攸县 新市镇" in page
    assert "203.0.113.7" in page


def test_an_import_in_the_background_names_its_organisation_and_the_committers_address(world: World) -> None:
    from fulian.imports.models import ImportBatch
    from fulian.imports.tests.test_import_flows import households_file, upload

    client = world.client_for("xinshi_staff")
    client.defaults["REMOTE_ADDR"] = "203.0.113.8"
    upload(client, "households", world.org("xinshi").code, households_file())
    batch = ImportBatch.objects.get()
    client.post(reverse("imports:commit", args=[batch.pk]), {"sha256": batch.sha256, "valid_rows": 1})
    event = AuditEvent.objects.get(action=Action.IMPORT)
    assert (event.org, event.ip, event.actor_name) == (world.org("xinshi"), "203.0.113.8", "xinshi_staff")
    page = _log(world, "zh-hans", action="import")
    assert "203.0.113.8" in page
    assert "攸县 新市镇" in page
    assert page.count("已导入") == 1  # the action: one label for an import


def test_details_recorded_on_purpose_read_in_the_readers_language(world: World) -> None:
    nobody = world.user("nobody")
    record(Action.LOCKED, nobody, changes={"locked_until": "2026-11-29 10:15:00+08:00"})
    record(Action.REVEAL, nobody, changes={"field": "mobile"})
    record(Action.TWO_FACTOR, nobody, changes={"two_factor": "reset"})
    page = _log(world, "zh-hans", search="nobody")
    assert "锁定截止时间" in page
    assert "2026-11-29 10:15:00" in page  # a column left out of changes, recorded on purpose
    assert "手机号" in page
    assert "mobile\n" not in page
    english = _log(world, "en", search="nobody")
    assert "mobile number" in english
    assert "reset by the security officer" in english
