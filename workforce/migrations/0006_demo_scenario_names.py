"""The demo and synthetic baseline scenarios were called "Grundforløb", which in this domain is the
SOSU basic course (a subject of the recommendations): rename the stored ones to what
create_workforce_demo and generate_demo_data now create, so that a second run finds them instead
of adding a second baseline. Only demo rows (is_demo) are touched."""

from django.db import migrations

RENAMES = {
    "Grundforløb (demo)": "Nuværende niveau (demo)",
    "Grundforløb (syntetisk)": "Nuværende niveau (syntetisk)",
}
OLD_TEXT, NEW_TEXT = "som grundforløbet, men", "som nuværende niveau, men"


def rename(apps, schema_editor, renames=RENAMES, old_text=OLD_TEXT, new_text=NEW_TEXT):
    Scenario = apps.get_model("workforce", "Scenario")
    for old, new in renames.items():
        for scenario in Scenario.objects.filter(is_demo=True, name=old):
            if not Scenario.objects.filter(
                municipality_id=scenario.municipality_id, name=new
            ).exists():
                scenario.name = new
                scenario.save(update_fields=["name"])
    for scenario in Scenario.objects.filter(is_demo=True, description__contains=old_text):
        scenario.description = scenario.description.replace(old_text, new_text)
        scenario.save(update_fields=["description"])


def rename_back(apps, schema_editor):
    rename(
        apps,
        schema_editor,
        renames={new: old for old, new in RENAMES.items()},
        old_text=NEW_TEXT,
        new_text=OLD_TEXT,
    )


class Migration(migrations.Migration):
    dependencies = [("workforce", "0005_pipeline_completion_rate_years")]

    operations = [migrations.RunPython(rename, rename_back)]
