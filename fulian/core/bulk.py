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

from collections.abc import Callable, Iterable, Mapping, Sequence
from operator import attrgetter
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.utils import timezone

from fulian.core.personal import EncryptedTextField


def insert_many(model: type[models.Model], objs: Sequence[models.Model], *, batch_size: int = 5000) -> None:
    """INSERT ``objs`` (new, unsaved) and set their primary keys. Must run inside a transaction."""
    if not objs:
        return
    connection = _connection()
    meta = model._meta
    for obj, new_id in zip(objs, _new_ids(connection, model, len(objs)), strict=True):
        obj.pk = new_id
        obj._state.adding = False
        obj._state.db = connection.alias
    fields = list(meta.concrete_fields)
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objs:
                field.pre_save(obj, add=True)
    getters = [_getter(field, connection, attrgetter(field.attname)) for field in fields]
    _write(connection, model, fields, ([get(obj) for get in getters] for obj in objs), batch_size)


def insert_values(model: type[models.Model], rows: Sequence[Mapping[str, Any]], *, batch_size: int = 5000) -> list[int]:
    """INSERT rows given as ``{attname: value}`` (missing fields take their defaults; ``auto_now``
    fields the current time), without making model objects: the fastest way in, for an import
    of a hundred thousand rows. Returns the new primary keys in order."""
    if not rows:
        return []
    connection = _connection()
    meta = model._meta
    assert meta.pk is not None
    ids = _new_ids(connection, model, len(rows))
    now = timezone.now()
    fields = list(meta.concrete_fields)
    getters = []
    for field in fields:
        if field is meta.pk:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            default: Any = now
        else:
            default = field.get_default()
        getters.append(_getter(field, connection, _item(field.attname, default)))
    values = ([new_id, *(get(row) for get in getters)] for new_id, row in zip(ids, rows, strict=True))
    _write(connection, model, [meta.pk, *(f for f in fields if f is not meta.pk)], values, batch_size)
    return ids


def _connection() -> Any:
    # The connection itself, not the ``django.db.connection`` proxy: every attribute read
    # through the proxy costs a context-local lookup, and the loops here make millions.
    connection = connections[DEFAULT_DB_ALIAS]
    if not connection.in_atomic_block:
        raise RuntimeError("Bulk inserts must run inside transaction.atomic().")
    return connection


def _item(key: str, default: Any) -> Callable[[Mapping[str, Any]], Any]:
    return lambda row: row.get(key, default)


def _write(
    connection: Any, model: type[models.Model], fields: Sequence[Any], rows: Iterable[list[Any]], batch_size: int
) -> None:
    meta = model._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(fields))
        # Table and column names come from the model and are quoted; values are parameters.
        sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
        batch: list[list[Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= batch_size:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


# Fields whose Python value the driver cannot take as it is (psycopg adapts str, int, bool,
# date, datetime and None itself; SQLite needs Django's conversion of dates and times).
_PREPARED = (models.FileField, models.JSONField, models.DecimalField, models.UUIDField, models.BinaryField)
_PREPARED_ON_SQLITE = (models.DateField, models.DateTimeField, models.TimeField)


def _getter(field: models.Field[Any, Any], connection: Any, read: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """How one column's value is taken from a row (``read``): as it is where the driver takes it
    (the common case, and the fast one), else through the field's own preparation."""
    custom = type(field).get_prep_value is not models.Field.get_prep_value and not isinstance(
        field, (models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.ForeignKey)
    )
    if (
        isinstance(field, EncryptedTextField)
        or custom
        or isinstance(field, _PREPARED)
        or (connection.vendor != "postgresql" and isinstance(field, _PREPARED_ON_SQLITE))
    ):
        return lambda row: field.get_db_prep_save(read(row), connection)
    return read


def _new_ids(connection: Any, model: type[models.Model], count: int) -> list[int]:
    assert model._meta.pk is not None
    table, column = model._meta.db_table, str(model._meta.pk.column)
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


def delete_quietly(queryset: models.QuerySet[Any]) -> int:
    """DELETE the rows of ``queryset`` in one statement, without signals or cascades: an erasure
    or an undone import records one audit event for the whole, and a row-by-row event would
    copy each deleted row's values (names included) into the log. The caller deletes dependent
    rows first; a row still pointed at fails the transaction on its foreign key."""
    return int(queryset._raw_delete(queryset.db))  # type: ignore[attr-defined]


def update_values(
    model: type[models.Model], rows: Sequence[Sequence[Any]], fields: Sequence[str], *, batch_size: int = 5000
) -> None:
    """UPDATE many rows, each with its own values: ``rows`` are ``(pk, value of each of
    fields)``. On PostgreSQL the values are copied into a temporary table and joined in one
    UPDATE (a ranking of 200,000 results); on SQLite one prepared UPDATE runs per row. No
    signals are sent and no audit is written: the caller records one event for the whole."""
    if not rows:
        return
    connection = _connection()
    meta = model._meta
    assert meta.pk is not None
    quote = connection.ops.quote_name
    model_fields = [meta.get_field(name) for name in fields]
    columns = [str(f.column) for f in model_fields]  # type: ignore[union-attr]
    prepare = [
        (lambda value, f=f: f.get_db_prep_save(value, connection))  # type: ignore[union-attr,misc]
        for f in model_fields
    ]
    prepared = ([row[0], *(p(v) for p, v in zip(prepare, row[1:], strict=True))] for row in rows)
    table = quote(meta.db_table)
    pk = quote(str(meta.pk.column))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            types = [f.db_type(connection) for f in model_fields]  # type: ignore[union-attr]
            declared = ", ".join(f"{quote(c)} {t}" for c, t in zip(columns, types, strict=True))
            cursor.execute(f"CREATE TEMP TABLE _fulian_update (id bigint PRIMARY KEY, {declared}) ON COMMIT DROP")
            with cursor.cursor.copy(
                f"COPY _fulian_update (id, {', '.join(quote(c) for c in columns)}) FROM STDIN"
            ) as copy:
                for row in prepared:
                    copy.write_row(row)
            assignments = ", ".join(f"{quote(c)} = u.{quote(c)}" for c in columns)
            # Names come from the model and are quoted; the values travelled through COPY.
            cursor.execute(f"UPDATE {table} SET {assignments} FROM _fulian_update u WHERE {table}.{pk} = u.id")  # noqa: S608
            cursor.execute("DROP TABLE _fulian_update")
            return
        assignments = ", ".join(f"{quote(c)} = %s" for c in columns)
        sql = f"UPDATE {table} SET {assignments} WHERE {pk} = %s"  # noqa: S608
        batch: list[list[Any]] = []
        for row in prepared:
            batch.append([*row[1:], row[0]])
            if len(batch) >= batch_size:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
