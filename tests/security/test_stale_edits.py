"""Two people editing the same record in the admin: the later save, made on a form opened before the
other's save, is refused with what changed and by whom, and nothing is written — for every
registered ModelAdmin with a change form.

The list of admins comes from ``admin.site._registry`` itself: a new ModelAdmin is tested without a
change here, and fails until it saves through its services with the version check
(``organizations.admin_writes.VersionedAdminMixin``). Admins without a change form are listed in
``EXCLUDED`` with the reason.
"""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.db import connection, models, transaction
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from organizations.admin_writes import VersionedAdminMixin
from organizations.models import Municipality, Role
from tests import snapshots
from tests.factories import UserFactory, member
from tests.reliability.browser_form import form_data

# Registered admins without a change form anyone can save, and why.
EXCLUDED = {
    "audit.auditentry": "the audit log is read-only for everyone, superusers included",
    "recommendations.statusupdate": "the status history is written by the status service, "
    "never edited",
    "auth.group": "not a project model (it cannot carry a version): the roles' groups are defined "
    "by the migrations (organizations.roles.grant); superusers only",
    "axes.accessattempt": "login records of django-axes: read-only records, superusers only",
    "axes.accesslog": "login records of django-axes: read-only records, superusers only",
    "axes.accessfailurelog": "login records of django-axes: read-only records, superusers only",
    "django_tasks_database.dbtaskresult": "the background worker's queue (django-tasks): written by "
    "the worker, read-only in the admin, superusers only",
    "followup.frozenannex": "an approved annex is written once, at approval, and never changed or "
    "deleted, not even by superusers",
}
# The field the other person changes, where the first text field of the form is not a good one.
FIELD_TO_CHANGE = {
    "organizations.user": "first_name",
    "organizations.membership": "role",
    "recommendations.status": "name",
    "workforce.staffingsnapshot": "note",
    "recommendations.addressee": "name",
    "workforce.institutionsize": "value",
    "workforce.staffingnorm": "staff_per_unit",
}
PREFERRED_FIELDS = ("title", "name", "label", "item_title", "description", "text", "note")
SKIPPED_TEXT = (models.SlugField, models.EmailField, models.URLField)


def _covered():
    return sorted(
        model._meta.label_lower
        for model in admin.site._registry
        if model._meta.label_lower not in EXCLUDED
    )


# The world: the seed data, once for the module -----------------------------------------------------
@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        # load_seed_data and create_workforce_demo, restored from the process's snapshot.
        snapshots.restore("seed+workforce-demo")
        _complete()
        world = {
            "me": UserFactory(username="mette", is_staff=True, is_superuser=True),
            "other": UserFactory(username="hanne-anden", is_staff=True, is_superuser=True),
        }
        # The foreign keys of these rows, checked once now rather than again in every test's
        # teardown (PostgreSQL defers them; the teardown's check is rolled back with the test).
        connection.check_constraints()
        yield world
        transaction.set_rollback(True)


def _complete():
    """Kinds of records the seed data has none of."""
    member("tove", Municipality.objects.get(slug="allerod"), Role.HR_OFFICER)
    Indicator = apps.get_model("employment_plan", "Indicator")
    ComparisonMeasurement = apps.get_model("employment_plan", "ComparisonMeasurement")
    if not ComparisonMeasurement.objects.exists():
        ComparisonMeasurement.objects.create(
            indicator=Indicator.objects.order_by("pk").first(),
            municipality=Municipality.objects.get(slug="norddjurs"),
            date=datetime.date(2024, 12, 31),
            value=Decimal(5),
        )
    FollowUpRound = apps.get_model("followup", "FollowUpRound")
    allerod = Municipality.objects.get(slug="allerod")
    round = FollowUpRound.objects.create(
        municipality=allerod,
        body=allerod.bodies.order_by("pk").first(),
        title="Status til Byrådet",
        meeting_date=datetime.date(2027, 3, 12),
        deadline=datetime.date(2027, 3, 1),
    )
    apps.get_model("followup", "RoundItem").objects.create(
        round=round,
        recommendation=apps.get_model("recommendations", "Recommendation")
        .objects.filter(report__municipality=allerod)
        .order_by("pk")
        .first(),
    )


def _record(model):
    record = model._default_manager.order_by("pk").first()
    assert record is not None, f"no {model._meta.label} to test with: add one in _complete()"
    return record


def _field_to_change(model, data: dict) -> str:
    label = model._meta.label_lower
    if label in FIELD_TO_CHANGE:
        return FIELD_TO_CHANGE[label]
    candidates = []
    for field in model._meta.concrete_fields:
        if (
            isinstance(field, models.CharField | models.TextField)
            and not isinstance(field, SKIPPED_TEXT)
            and field.editable
            and not field.choices
            and not field.unique
            and field.name in data
        ):
            candidates.append(field.name)
    assert candidates, f"{label}: no text field to change; name one in FIELD_TO_CHANGE"
    preferred = [name for name in PREFERRED_FIELDS if name in candidates]
    return (preferred or candidates)[0]


def _new_value(model, name: str, current, who: str):
    field = model._meta.get_field(name)
    if field.choices:
        return next(value for value, _ in field.flatchoices if value != current)
    if isinstance(field, models.DecimalField | models.IntegerField | models.FloatField):
        # A whole number: the same in Danish and English notation.
        return str(int(current or 0) + (1 if who == "hanne" else 2))
    return f"Ændret af {who}"[: field.max_length or 200]


def _state(model, pk):
    record = model._default_manager.get(pk=pk)
    return model_to_dict(record), record.version


def _inline_counts(model_admin, record, request):
    counts = {}
    for inline in model_admin.get_inline_instances(request, record):
        fk = [
            f
            for f in inline.model._meta.concrete_fields
            if f.is_relation and f.related_model is type(record)
        ][0]
        counts[inline.model._meta.label] = inline.model._default_manager.filter(
            **{fk.name: record}
        ).count()
    return counts


# The tests -------------------------------------------------------------------------------------------
def test_every_excluded_admin_is_registered():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert not set(EXCLUDED) - registered, "excluded admins that are no longer registered"


@pytest.mark.parametrize("label", _covered())
def test_admin_with_a_change_form_saves_through_the_versioned_services(label):
    model = apps.get_model(label)
    model_admin = admin.site._registry[model]
    assert isinstance(model_admin, VersionedAdminMixin), (
        f"{type(model_admin).__name__} edits {label} without the version check: give it "
        "VersionedAdminMixin and write_services, or list it in EXCLUDED with the reason"
    )
    assert hasattr(model, "version"), f"{label} has no version (organizations.models.Versioned)"


@pytest.mark.django_db
@pytest.mark.parametrize("label", _covered())
def test_stale_post_is_refused_names_the_newer_change_and_writes_nothing(world, rf, label):
    model = apps.get_model(label)
    model_admin = admin.site._registry[model]
    assert isinstance(model_admin, VersionedAdminMixin)
    record = _record(model)
    url = reverse(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[record.pk]
    )
    me = Client()
    me.force_login(world["me"])
    page = me.get(url)
    assert page.status_code == 200, f"{label}: the change form did not open ({page.status_code})"
    opened = form_data(page.content.decode(), form_id=f"{model._meta.model_name}_form")
    assert "version_seen" in opened, f"{label}: the change form does not carry the version"
    name = _field_to_change(model, opened)

    # Someone else saves meanwhile, through the service.
    services = model_admin.write_services
    theirs = model._default_manager.get(pk=record.pk)
    setattr(theirs, name, _new_value(model, name, getattr(theirs, name), "hanne"))
    services.update(
        **{services.arg: theirs},
        expected_version=theirs.version,
        acting_user=world["other"],
    )
    after_theirs = _state(model, record.pk)
    assert after_theirs[1] == record.version + 1, f"{label}: the service did not bump the version"

    # My form, opened before, with one field changed; its many-to-many values emptied and its
    # first inline row marked for deletion, so a write of any of them would show.
    mine = dict(opened)
    mine[name] = _new_value(model, name, getattr(record, name), "mette")
    for field in model._meta.many_to_many:
        mine.pop(field.name, None)
    deleting = [key for key in mine if key.endswith("-0-id") and mine[key]]
    for key in deleting:
        mine[key.removesuffix("-id") + "-DELETE"] = "on"
    request = rf.get(url)
    request.user = world["me"]
    inlines_before = _inline_counts(model_admin, record, request)
    logged_before = (AuditEntry.objects.count(), LogEntry.objects.count())

    response = me.post(url, mine)

    assert response.status_code == 200, f"{label}: a stale save was not refused on the form"
    form = response.context["adminform"].form
    stale = [e for e in form.errors.as_data().get("__all__", []) if e.code == "stale"]
    assert stale, f"{label}: no stale message, errors: {form.errors}"
    message = " ".join(stale[0].messages)
    assert "hanne-anden" in message, f"{label}: the message does not name who: {message}"
    assert str(model._meta.get_field(name).verbose_name).lower() in message.lower(), (
        f"{label}: the message does not say what changed: {message}"
    )
    assert "hanne-anden" in response.content.decode(), f"{label}: the message is not shown"
    assert _state(model, record.pk) == after_theirs, f"{label}: the stale save changed the record"
    assert _inline_counts(model_admin, record, request) == inlines_before
    assert (AuditEntry.objects.count(), LogEntry.objects.count()) == logged_before, (
        f"{label}: the stale save wrote something"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("label", _covered())
def test_fresh_post_saves_through_the_service_with_the_actor(world, label):
    model = apps.get_model(label)
    record = _record(model)
    url = reverse(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[record.pk]
    )
    me = Client()
    me.force_login(world["me"])
    data = form_data(me.get(url).content.decode(), form_id=f"{model._meta.model_name}_form")
    name = _field_to_change(model, data)
    data[name] = _new_value(model, name, getattr(record, name), "mette")

    response = me.post(url, data)

    assert response.status_code == 302, (
        f"{label}: not saved: {response.context['adminform'].form.errors if response.context else ''}"
    )
    saved = model._default_manager.get(pk=record.pk)
    assert saved.version == record.version + 1
    entry = AuditEntry.objects.filter(model_label=label, object_id=str(record.pk)).latest("id")
    assert entry.actor_name == "mette"
    assert entry.changes["version"] == [record.version, record.version + 1]
