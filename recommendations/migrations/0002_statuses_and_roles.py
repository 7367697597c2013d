"""The seeded status list (configurable afterwards by a superuser) and what each role may do with
recommendations."""

from django.db import migrations

from organizations.roles import grant, revoke

# key, Danish name, English name, colour (Okabe–Ito, colour-blind safe), closes, default progress,
# requires a reason
STATUSES = [
    ("ikke-paabegyndt", "Ikke påbegyndt", "Not started", "#999999", False, 0, False),
    ("undersoeges", "Undersøges", "Being investigated", "#56B4E9", False, 10, False),
    ("besluttet", "Besluttet", "Decided", "#0072B2", False, 20, False),
    ("i-gang", "I gang", "In progress", "#E69F00", False, None, False),
    ("forsinket", "Forsinket", "Delayed", "#D55E00", False, None, True),
    ("gennemfoert", "Gennemført", "Completed", "#009E73", True, 100, False),
    ("fravalgt", "Fravalgt", "Opted out", "#CC79A7", True, None, True),
]

MODELS = [
    "report",
    "reportfact",
    "theme",
    "addressee",
    "status",
    "recommendation",
    "budgetline",
    "statusupdate",
    "councildecision",
]
VIEW = [f"recommendations.view_{m}" for m in MODELS]
EDIT_CONTENT = [
    "recommendations.change_recommendation",
    "recommendations.change_recommendation_status",
    "recommendations.add_budgetline",
    "recommendations.change_budgetline",
    "recommendations.delete_budgetline",
    "recommendations.add_councildecision",
    "recommendations.change_councildecision",
    "recommendations.import_status_updates",
]
ROLE_PERMISSIONS = {
    "council_member": VIEW,
    "analyst": VIEW,
    "hr_officer": VIEW + EDIT_CONTENT,
    "administrator": VIEW
    + EDIT_CONTENT
    + [
        "recommendations.add_report",
        "recommendations.change_report",
        "recommendations.add_theme",
        "recommendations.change_theme",
        "recommendations.add_recommendation",
        "recommendations.delete_councildecision",
    ],
}


def forwards(apps, schema_editor):
    Status = apps.get_model("recommendations", "Status")
    for position, (key, name, name_en, colour, closes, progress, reason) in enumerate(STATUSES):
        Status.objects.update_or_create(
            key=key,
            defaults={
                "name": name,
                "name_en": name_en,
                "colour": colour,
                "closes": closes,
                "default_progress": progress,
                "requires_reason": reason,
                "position": (position + 1) * 10,
            },
        )
    grant(apps, ROLE_PERMISSIONS)


def backwards(apps, schema_editor):
    revoke(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0001_initial"),
        ("organizations", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
