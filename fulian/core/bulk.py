"""Writing many new rows fast: an import of 100,000 households, the demo's city, the benchmark.

Django's ``bulk_create`` compiles every row into SQL in Python (about 0.3 ms a row for a wide
table, more than the database takes to store it). :func:`insert_many` hands the values to the
database's own bulk path instead: ``COPY … FROM STDIN`` on PostgreSQL, one prepared statement
run by ``executemany`` on SQLite. Values go through each field's ``get_db_prep_save`` exactly as
``save()`` would (so encrypted fields are encrypted), and primary keys are taken up front — from
the table's sequence on PostgreSQL, after the largest id on SQLite, whose single writer lock the
surrounding transaction holds — so that the objects have their ids afterwards, for the rows that
point at them (a person's posts). No signals are sent: callers record one audit event for the
whole write.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models

from fulian.core.personal import EncryptedTextField


def insert_many(model: type[models.Model], objs: Sequence[models.Model], *, batch_size: int = 5000) -> None:
    """INSERT ``objs`` (new, unsaved) and set their primary keys. Must run inside a transaction."""
    if not objs:
        return
    # The connection itself, not the ``django.db.connection`` proxy: every attribute read
    # through the proxy costs a context-local lookup, and the loop below makes millions.
    connection = connections[DEFAULT_DB_ALIAS]
    if not connection.in_atomic_block:
        raise RuntimeError("insert_many() must run inside transaction.atomic().")
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    for obj, new_id in zip(objs, _new_ids(connection, meta.db_table, str(pk.column), len(objs)), strict=True):
        obj.pk = new_id
        obj._state.adding = False
        obj._state.db = connection.alias
    fields = list(meta.concrete_fields)
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objs:
                field.pre_save(obj, add=True)
    getters = [_getter(field, connection) for field in fields]
    columns = [str(f.column) for f in fields]
    quote = connection.ops.quote_name
    for start in range(0, len(objs), batch_size):
        batch = objs[start : start + batch_size]
        rows = [[get(obj) for get in getters] for obj in batch]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                sql = f"COPY {quote(meta.db_table)} ({', '.join(map(quote, columns))}) FROM STDIN"
                with cursor.cursor.copy(sql) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                # Table and column names come from the model and are quoted; values are parameters.
                sql = f"INSERT INTO {quote(meta.db_table)} ({', '.join(map(quote, columns))}) VALUES ({marks})"  # noqa: S608
                cursor.executemany(sql, rows)


# Fields whose Python value the driver cannot take as it is (psycopg adapts str, int, bool,
# date, datetime and None itself; SQLite needs Django's conversion of dates and times).
_PREPARED = (models.FileField, models.JSONField, models.DecimalField, models.UUIDField, models.BinaryField)
_PREPARED_ON_SQLITE = (models.DateField, models.DateTimeField, models.TimeField)


def _getter(field: models.Field[Any, Any], connection: Any) -> Callable[[models.Model], Any]:
    """How one column's value is read off an object: the attribute itself where the driver takes
    it as it is (the common case, and the fast one), else through the field's own preparation."""
    attname = field.attname
    custom = type(field).get_prep_value is not models.Field.get_prep_value and not isinstance(
        field, (models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.ForeignKey)
    )
    if (
        isinstance(field, EncryptedTextField)
        or custom
        or isinstance(field, _PREPARED)
        or (connection.vendor != "postgresql" and isinstance(field, _PREPARED_ON_SQLITE))
    ):
        return lambda obj: field.get_db_prep_save(getattr(obj, attname), connection)
    return attrgetter(attname)


def _new_ids(connection: Any, table: str, column: str, count: int) -> list[int]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, column, count]
            )
            return [row[0] for row in cursor.fetchall()]
        quote = connection.ops.quote_name
        cursor.execute(f"SELECT COALESCE(MAX({quote(column)}), 0) FROM {quote(table)}")  # noqa: S608 - model names
        start = cursor.fetchone()[0]
        return list(range(start + 1, start + 1 + count))
