"""Audit events cannot be changed or removed: not through the ORM, not with raw SQL."""

from collections.abc import Callable

import pytest
from django.db import DatabaseError, connection, transaction

from fulian.audit.choices import Action
from fulian.audit.models import AuditEvent
from fulian.audit.recorder import record
from fulian.testing.world import World

TABLE = AuditEvent._meta.db_table


@pytest.fixture
def event(world: World) -> AuditEvent:
    return record(Action.UPDATE, org=world.org("huilong"), object_repr="original", changes={"a": [1, 2]})


def _unchanged(event: AuditEvent) -> bool:
    stored = AuditEvent.objects.get(pk=event.pk)
    return stored.object_repr == "original" and stored.changes == {"a": [1, 2]}


def test_saving_an_existing_event_is_refused(event: AuditEvent) -> None:
    event.object_repr = "rewritten"
    with pytest.raises(RuntimeError, match="append-only"):
        event.save()
    with pytest.raises(RuntimeError, match="append-only"):
        event.save(update_fields=["object_repr"])
    assert _unchanged(event)


def test_deleting_an_event_is_refused(event: AuditEvent) -> None:
    with pytest.raises(RuntimeError, match="append-only"):
        event.delete()
    assert _unchanged(event)


@pytest.mark.parametrize(
    "change",
    [
        lambda qs: qs.update(object_repr="rewritten"),
        lambda qs: qs.delete(),
        lambda qs: AuditEvent.objects.bulk_update([_rewritten(e) for e in qs], ["object_repr"]),
        lambda qs: AuditEvent.objects.all().delete(),
    ],
    ids=["queryset-update", "queryset-delete", "bulk-update", "delete-all"],
)
def test_the_database_refuses_orm_bulk_changes(event: AuditEvent, change: Callable[..., object]) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        change(AuditEvent.objects.filter(pk=event.pk))
    assert _unchanged(event)


def _rewritten(event: AuditEvent) -> AuditEvent:
    event.object_repr = "rewritten"
    return event


@pytest.mark.parametrize(
    "sql",
    [
        f"UPDATE {TABLE} SET object_repr = 'rewritten' WHERE id = %s",
        f"UPDATE {TABLE} SET actor_name = '' WHERE id = %s",
        f"DELETE FROM {TABLE} WHERE id = %s",
    ],
    ids=["update", "update-actor", "delete"],
)
def test_the_database_refuses_raw_sql_changes(event: AuditEvent, sql: str) -> None:
    with pytest.raises(DatabaseError) as refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [event.pk])
    assert "append-only" in str(refused.value)
    assert _unchanged(event)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no TRUNCATE")
def test_postgresql_refuses_truncate(event: AuditEvent) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {TABLE}")
    assert _unchanged(event)


def test_new_events_are_still_appended(event: AuditEvent) -> None:
    later = record(Action.UPDATE, object_repr="later")
    assert later.pk > event.pk
