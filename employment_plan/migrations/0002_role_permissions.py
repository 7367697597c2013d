"""What each role may do with employment plans (organizations.roles.grant)."""

from django.db import migrations

from organizations.roles import grant, revoke

MODELS = [
    "employmentplan",
    "planfact",
    "focusarea",
    "initiative",
    "indicator",
    "measurement",
    "comparisonmeasurement",
]
VIEW = [f"employment_plan.view_{m}" for m in MODELS] + [
    "employment_plan.view_historicalindicator",
    "employment_plan.view_historicalmeasurement",
    "employment_plan.view_historicalinitiative",
]
EVERYTHING = VIEW + [
    f"employment_plan.{action}_{m}" for m in MODELS for action in ("add", "change", "delete")
]
ROLE_PERMISSIONS = {
    "council_member": VIEW,
    "analyst": VIEW,
    "hr_officer": VIEW
    + [
        "employment_plan.add_measurement",
        "employment_plan.change_measurement",
        "employment_plan.change_initiative",
        "employment_plan.import_measurements",
    ],
    "administrator": EVERYTHING + ["employment_plan.import_measurements"],
}


def forwards(apps, schema_editor):
    grant(apps, ROLE_PERMISSIONS)


def backwards(apps, schema_editor):
    revoke(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("employment_plan", "0001_initial"),
        ("organizations", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
