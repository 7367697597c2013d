"""Copy what only django-simple-history knew into the audit log, before its tables are dropped.

The audit log has recorded every write to these models since it was added, in the same request as
simple-history's row, so most historical rows have an equivalent entry: the same model, object and
action within a minute of each other (both stamp ``timezone.now()`` at save). Each historical row is
paired with at most one such entry. A row without one is copied: a creation with the values it
created, a deletion with the last values, a change with the fields that differ from the object's
previous historical row (a save that changed nothing is skipped: simple-history kept those, the
audit log never did). Actor and time are the historical row's; the address is unknown.
"""

import datetime

from django.db import migrations

HISTORIES = [
    ("organizations", "HistoricalMembership", "Membership"),
    ("employment_plan", "HistoricalInitiative", "Initiative"),
    ("employment_plan", "HistoricalIndicator", "Indicator"),
    ("employment_plan", "HistoricalMeasurement", "Measurement"),
    ("workforce", "HistoricalStaffingSnapshot", "StaffingSnapshot"),
    ("workforce", "HistoricalScenario", "Scenario"),
]
ACTIONS = {"+": "create", "~": "update", "-": "delete"}
SAME_WRITE = datetime.timedelta(seconds=60)
NOT_DATA = {"id", "history_id", "history_date", "history_change_reason", "history_type"}
CHUNK = 1000


def _data_fields(model):
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in NOT_DATA and f.name != "history_user" and f.name != "updated_at"
    ]


def _empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _municipality_resolvers(apps):
    """Historical row → municipality id, through today's tables (None when the parent is gone)."""
    Plan = apps.get_model("employment_plan", "EmploymentPlan")
    FocusArea = apps.get_model("employment_plan", "FocusArea")
    Indicator = apps.get_model("employment_plan", "Indicator")
    Unit = apps.get_model("organizations", "OrganisationalUnit")
    plans = dict(Plan.objects.values_list("pk", "municipality_id"))
    areas = {pk: plans.get(plan) for pk, plan in FocusArea.objects.values_list("pk", "plan_id")}
    indicators = {pk: plans.get(plan) for pk, plan in Indicator.objects.values_list("pk", "plan_id")}
    units = dict(Unit.objects.values_list("pk", "municipality_id"))
    return {
        "Membership": lambda row: row.municipality_id,
        "Initiative": lambda row: areas.get(row.focus_area_id),
        "Indicator": lambda row: plans.get(row.plan_id),
        "Measurement": lambda row: indicators.get(row.indicator_id),
        "StaffingSnapshot": lambda row: units.get(row.unit_id),
        "Scenario": lambda row: row.municipality_id,
    }


def forwards(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    User = apps.get_model("organizations", "User")
    Municipality = apps.get_model("organizations", "Municipality")
    municipalities = set(Municipality.objects.values_list("pk", flat=True))
    resolvers = _municipality_resolvers(apps)
    for app_label, historical_name, model_name in HISTORIES:
        Historical = apps.get_model(app_label, historical_name)
        label = f"{app_label}.{model_name.lower()}"
        verbose_name = str(apps.get_model(app_label, model_name)._meta.verbose_name)
        fields = _data_fields(Historical)
        municipality_of = resolvers[model_name]
        object_ids = sorted(set(Historical.objects.values_list("id", flat=True)))
        for start in range(0, len(object_ids), CHUNK):
            ids = object_ids[start : start + CHUNK]
            audited: dict = {}
            for object_id, action, time in AuditEntry.objects.filter(
                model_label=label, object_id__in=[str(i) for i in ids]
            ).values_list("object_id", "action", "time"):
                audited.setdefault((object_id, action), []).append(time)
            rows = list(
                Historical.objects.filter(id__in=ids).order_by("id", "history_date", "history_id")
            )
            users = dict(
                User.objects.filter(pk__in={r.history_user_id for r in rows if r.history_user_id})
                .values_list("pk", "username")
            )
            entries, previous = [], {}
            for row in rows:
                values = {f.name: getattr(row, f.attname) for f in fields}
                before = previous.get(row.id)
                previous[row.id] = values
                action = ACTIONS.get(row.history_type)
                if action is None:
                    continue
                times = audited.get((str(row.id), action), [])
                match = next((t for t in times if abs(t - row.history_date) <= SAME_WRITE), None)
                if match is not None:
                    times.remove(match)  # one entry stands for one historical row
                    continue
                if action == "create":
                    changes = {k: [None, v] for k, v in values.items() if not _empty(v)}
                elif action == "delete":
                    changes = {k: [v, None] for k, v in values.items() if not _empty(v)}
                elif before is None:
                    # The first row kept is a change: the old values are not known.
                    changes = {k: [None, v] for k, v in values.items() if not _empty(v)}
                else:
                    changes = {k: [before[k], v] for k, v in values.items() if before[k] != v}
                    if not changes:
                        continue
                municipality_id = municipality_of(row)
                entries.append(
                    AuditEntry(
                        time=row.history_date,
                        actor_id=row.history_user_id if row.history_user_id in users else None,
                        actor_name=users.get(row.history_user_id, ""),
                        municipality_id=municipality_id
                        if municipality_id in municipalities
                        else None,
                        action=action,
                        model_label=label,
                        object_id=str(row.id),
                        object_repr=f"{verbose_name} {row.id}"[:300],
                        changes=changes,
                    )
                )
            AuditEntry.objects.bulk_create(entries, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_role_permissions"),
        ("organizations", "0003_municipality_data_generation"),
        ("employment_plan", "0003_updated_at_indexes"),
        ("workforce", "0002_role_permissions"),
    ]
    # Before the history tables are dropped; the apps themselves need not know about the audit log.
    run_before = [
        ("organizations", "0004_delete_history_tables"),
        ("employment_plan", "0004_delete_history_tables"),
        ("workforce", "0003_delete_history_tables"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
