"""The four role groups and what they may do with organisations. Later apps add their own
permissions to these groups in their own migrations (organizations.roles.grant)."""

from django.db import migrations

from organizations.roles import grant, revoke

READ = [
    "organizations.view_municipality",
    "organizations.view_organisationalunit",
    "organizations.view_profession",
    "organizations.view_body",
]

ROLE_PERMISSIONS = {
    "council_member": READ,
    "analyst": READ,
    "hr_officer": READ,
    "administrator": READ
    + [
        "organizations.change_municipality",
        "organizations.add_organisationalunit",
        "organizations.change_organisationalunit",
        "organizations.delete_organisationalunit",
        "organizations.view_membership",
        "organizations.add_membership",
        "organizations.change_membership",
        "organizations.delete_membership",
        "organizations.view_historicalmembership",
    ],
}


def forwards(apps, schema_editor):
    grant(apps, ROLE_PERMISSIONS)


def backwards(apps, schema_editor):
    revoke(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
