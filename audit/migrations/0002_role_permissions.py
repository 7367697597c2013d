"""Administrators read (and export) their municipalities' audit log; nobody may change it."""

from django.db import migrations

from organizations.roles import grant, revoke

ROLE_PERMISSIONS = {"administrator": ["audit.view_auditentry"]}


def forwards(apps, schema_editor):
    grant(apps, ROLE_PERMISSIONS)


def backwards(apps, schema_editor):
    revoke(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("organizations", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
