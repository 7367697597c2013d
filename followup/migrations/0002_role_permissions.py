"""What each role may do with follow-up rounds: administrators prepare, open and approve them;
everyone in the municipality may read them and their approved annexes. Nobody may change or delete
an approved annex (there is no such permission to grant)."""

from django.db import migrations

from organizations.roles import grant, revoke

READ = [
    "followup.view_followupround",
    "followup.view_rounditem",
    "followup.view_frozenannex",
]
ROLE_PERMISSIONS = {
    "council_member": READ,
    "analyst": READ,
    "hr_officer": READ,
    "administrator": READ
    + [
        "followup.add_followupround",
        "followup.change_followupround",
        "followup.delete_followupround",
        "followup.add_rounditem",
        "followup.change_rounditem",
        "followup.delete_rounditem",
        "followup.open_followupround",
        "followup.approve_followupround",
    ],
}


def forwards(apps, schema_editor):
    grant(apps, ROLE_PERMISSIONS)


def backwards(apps, schema_editor):
    revoke(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("followup", "0001_initial"),
        ("organizations", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
