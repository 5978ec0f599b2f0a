"""DRF's authtoken tokens were stored as they are sent: a copy of the database was a set of
working keys. They are dropped with their table (``rest_framework.authtoken`` is no longer
installed, so nothing else would ever remove it), and the records Django kept of that app go
too. Every existing token stops working; a new one is asked for at /api/v1/auth/token/
(README, "API")."""

from typing import Any

from django.db import migrations

PLAIN_TOKEN_TABLE = "authtoken_token"


def drop_plain_tokens(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if PLAIN_TOKEN_TABLE in connection.introspection.table_names():
        if connection.vendor == "sqlite":
            # Freed pages keep their bytes until reused; make SQLite overwrite the keys with zeros.
            schema_editor.execute("PRAGMA secure_delete = ON")
            schema_editor.execute("DELETE FROM authtoken_token")
        schema_editor.execute("DROP TABLE authtoken_token")
    schema_editor.execute("DELETE FROM django_migrations WHERE app = %s", ["authtoken"])
    content_type = apps.get_model("contenttypes", "ContentType")
    # Their permissions go with them (a cascade).
    content_type.objects.using(connection.alias).filter(app_label="authtoken").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_tokens_two_factor_first_login"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(drop_plain_tokens, migrations.RunPython.noop, elidable=False)]
