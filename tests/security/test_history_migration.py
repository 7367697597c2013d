"""Moving from django-simple-history to the audit log loses nothing: a historical row the audit log
already has is not copied twice, one it lacks is copied with its actor, time, action and changed
fields, a save that changed nothing is left out, and the history tables are dropped afterwards."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [
    ("audit", "0002_role_permissions"),
    ("organizations", "0003_municipality_data_generation"),
    ("employment_plan", "0003_updated_at_indexes"),
    ("workforce", "0002_role_permissions"),
]
AFTER = [
    ("audit", "0003_simple_history_to_audit_log"),
    ("organizations", "0004_delete_history_tables"),
    ("employment_plan", "0004_delete_history_tables"),
    ("workforce", "0003_delete_history_tables"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def latest_schema_afterwards():
    """The test leaves the database at AFTER, older than the latest migrations; the tests that run
    after it in the same process need the latest schema again (whatever order they run in)."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.long
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_history_the_audit_log_lacks_is_copied_and_the_tables_dropped(latest_schema_afterwards):
    old = _migrate(BEFORE)
    try:
        User = old.get_model("organizations", "User")
        Municipality = old.get_model("organizations", "Municipality")
        Membership = old.get_model("organizations", "Membership")
        History = old.get_model("organizations", "HistoricalMembership")
        ScenarioHistory = old.get_model("workforce", "HistoricalScenario")
        AuditEntry = old.get_model("audit", "AuditEntry")

        town = Municipality.objects.create(name="Historiekommune", code=950, slug="historie")
        ada = User.objects.create(username="ada-historie")
        rita = User.objects.create(username="rita-historie")
        membership = Membership.objects.create(user=rita, municipality=town, role="council_member")
        now = timezone.now()
        common = {"id": membership.pk, "user": rita, "municipality": town, "created_at": now}
        # Created: the audit log has it (a second later), so it is not copied.
        History.objects.create(
            **common, role="council_member", history_date=now, history_type="+", history_user=ada
        )
        AuditEntry.objects.create(
            time=now + datetime.timedelta(seconds=1),
            actor=ada,
            actor_name="ada-historie",
            municipality=town,
            action="create",
            model_label="organizations.membership",
            object_id=str(membership.pk),
            object_repr="rita-historie",
            changes={"role": [None, "council_member"]},
        )
        later = now + datetime.timedelta(days=2)
        # Changed, only in the history: copied with the role's old and new value.
        History.objects.create(
            **common, role="analyst", history_date=later, history_type="~", history_user=ada
        )
        # Saved again without a change: nothing to copy.
        History.objects.create(
            **common,
            role="analyst",
            history_date=later + datetime.timedelta(hours=1),
            history_type="~",
            history_user=ada,
        )
        # A scenario deleted long ago, only in the history: copied with its last values.
        ScenarioHistory.objects.create(
            id=4242,
            municipality=town,
            name="Gammelt scenarie",
            start_year=2020,
            horizon=10,
            history_date=now - datetime.timedelta(days=400),
            history_type="-",
            history_user=None,
        )
    finally:
        new = _migrate(AFTER)

    AuditEntry = new.get_model("audit", "AuditEntry")
    memberships = AuditEntry.objects.filter(
        model_label="organizations.membership", object_id=str(membership.pk)
    ).order_by("time")
    assert [(e.action, e.actor_name, e.changes) for e in memberships] == [
        ("create", "ada-historie", {"role": [None, "council_member"]}),
        ("update", "ada-historie", {"role": ["council_member", "analyst"]}),
    ]
    copied = memberships.last()
    assert (copied.time, copied.actor_id, copied.municipality_id) == (later, ada.pk, town.pk)
    deleted = AuditEntry.objects.get(model_label="workforce.scenario", object_id="4242")
    assert deleted.action == "delete"
    assert deleted.actor_name == "" and deleted.municipality_id == town.pk
    assert deleted.changes["name"] == ["Gammelt scenarie", None]
    tables = connection.introspection.table_names()
    assert not [t for t in tables if t.split("_", 1)[-1].startswith("historical")]
