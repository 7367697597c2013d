"""What each role may do with workforce data: everyone reads; HR officers keep staffing up to date
and import it; analysts, HR officers and administrators export projections; administrators manage
scenarios and the rest."""

from django.db import migrations

from organizations.roles import grant, revoke

MODELS = [
    "institutionsize",
    "staffingsnapshot",
    "demanddriver",
    "staffingnorm",
    "pipelinemodel",
    "pipelineseries",
    "scenario",
    "scenariorate",
    "scenarioeffect",
    "workforcefact",
    "referenceshortage",
]
VIEW = [f"workforce.view_{m}" for m in MODELS]
EXPORT = ["workforce.export_projection"]
STAFFING = [
    "workforce.add_staffingsnapshot",
    "workforce.change_staffingsnapshot",
    "workforce.import_staffing",
]
ALL = [f"workforce.{action}_{m}" for m in MODELS for action in ("add", "change", "delete", "view")]

ROLE_PERMISSIONS = {
    "council_member": VIEW,
    "analyst": VIEW + EXPORT,
    "hr_officer": VIEW + STAFFING + EXPORT,
    "administrator": ALL + ["workforce.import_staffing"] + EXPORT,
}


def forwards(apps, schema_editor):
    grant(apps, ROLE_PERMISSIONS)


def backwards(apps, schema_editor):
    revoke(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("workforce", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
