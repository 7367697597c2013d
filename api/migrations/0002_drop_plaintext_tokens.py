"""The plaintext keys of DRF's authtoken (``authtoken_token.key`` was the key itself) are dropped
with their table: they stop working and are no longer stored. Their owners create a new key on the
key page (docs/api.md, "Getting a key"). The app is no longer installed, so its migration records go
too, and its kinds of record with their permissions; a database that never had the table is left
as it is."""

from django.db import migrations


def drop_plaintext_tokens(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        if "authtoken_token" in tables:
            schema_editor.execute("DROP TABLE authtoken_token")
        cursor.execute("DELETE FROM django_migrations WHERE app = %s", ["authtoken"])
    # Its kinds of record and their permissions (what manage.py remove_stale_contenttypes does).
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.using(connection.alias).filter(app_label="authtoken").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(drop_plaintext_tokens, migrations.RunPython.noop)]
