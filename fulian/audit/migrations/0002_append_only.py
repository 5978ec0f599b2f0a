"""The database itself refuses to change or delete audit events, on SQLite and PostgreSQL."""

from django.db import migrations

from fulian.audit.db import install_append_only, remove_append_only


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    install_append_only(schema_editor.connection)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    remove_append_only(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
