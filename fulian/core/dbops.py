"""Migration operations for PostgreSQL-only speed-ups that SQLite does without.

SQLite (the quick start) has no trigram index or operator classes; its tables are small there.
The schema is otherwise the same on both, so these operations run on PostgreSQL and do
nothing elsewhere.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


class PostgresOnlySQL(migrations.RunSQL):
    """``RunSQL`` on PostgreSQL; a no-op on other databases."""

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def search_indexes(table: str, name_column: str) -> list[PostgresOnlySQL]:
    """The indexes of a searchable big table: trigrams of the pinyin keys (``LIKE '% zth%'``)
    and the name's prefix (``LIKE '钟%'``, which a plain btree serves only under the C collation)."""
    return [
        PostgresOnlySQL(
            f"CREATE INDEX {table}_keys_trgm ON {table} USING gin (search_keys gin_trgm_ops)",
            f"DROP INDEX {table}_keys_trgm",
        ),
        PostgresOnlySQL(
            f"CREATE INDEX {table}_name_like ON {table} ({name_column} varchar_pattern_ops)",
            f"DROP INDEX {table}_name_like",
        ),
    ]


# pg_trgm ships with PostgreSQL; creating it needs a superuser or (since PostgreSQL 13) a
# database owner, as it is a trusted extension.
TRIGRAM_EXTENSION = PostgresOnlySQL("CREATE EXTENSION IF NOT EXISTS pg_trgm", migrations.RunSQL.noop)
