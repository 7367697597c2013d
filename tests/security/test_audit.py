"""The audit log: every write recorded with actor, time, municipality and old → new values; read-only
in the admin, scoped to the administrator's municipalities, exportable as CSV."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from audit.models import AuditEntry
from audit.request import acting_as
from employment_plan import services as plan_services
from organizations import services as org_services
from organizations.models import Membership, Role
from recommendations import services as rec_services
from tests.employment_plan.factories import FocusAreaFactory, IndicatorFactory, PlanFactory
from tests.factories import RecommendationFactory, ReportFactory, UserFactory, member, status

# PostgreSQL: audit rows written in the same transaction as the change.
pytestmark = pytest.mark.postgres


def entries_for(obj):
    return AuditEntry.objects.filter(
        model_label=obj._meta.label_lower, object_id=str(obj.pk)
    ).order_by("id")


@pytest.fixture
def recommendation(allerod):
    return RecommendationFactory(report=ReportFactory(municipality=allerod))


@pytest.fixture
def indicator(allerod):
    plan = PlanFactory(municipality=allerod)
    return IndicatorFactory(focus_area=FocusAreaFactory(plan=plan))


@pytest.mark.django_db
def test_status_change_via_the_service_records_actor_old_and_new(hr_officer, recommendation):
    before = recommendation.status
    update = rec_services.recommendation_change_status(
        recommendation=recommendation,
        status=status("i-gang"),
        progress=40,
        acting_user=hr_officer,
    )
    history = entries_for(update).get()
    assert history.action == "create"
    assert history.actor == hr_officer
    assert history.actor_name == "hanne"
    assert history.municipality == recommendation.report.municipality
    assert history.changes["old_status"] == [None, before.pk]
    assert history.changes["new_status"] == [None, status("i-gang").pk]
    assert history.changes["progress"] == [None, "40.00"]

    change = entries_for(recommendation).filter(action="update").get()
    assert change.changes["status"] == [before.pk, status("i-gang").pk]
    assert change.changes["progress"] == ["0.00", "40.00"]
    assert change.changes["version"] == [0, 1]
    assert change.municipality == recommendation.report.municipality


@pytest.mark.django_db
def test_status_change_in_the_admin_names_the_person_and_address(
    client, hr_officer, recommendation
):
    client.force_login(hr_officer)
    url = reverse("admin:recommendations_recommendation_status", args=[recommendation.pk])
    response = client.post(
        url,
        {
            "status": status("i-gang").pk,
            "progress": "55",
            "note": "",
            "effective_on": datetime.date.today().isoformat(),
            "version": recommendation.version,
        },
        REMOTE_ADDR="192.0.2.10",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    change = entries_for(recommendation).filter(action="update").get()
    assert change.actor == hr_officer
    assert change.ip_address == "192.0.2.10"
    assert change.changes["progress"] == ["0.00", "55.00"]


@pytest.mark.django_db
def test_membership_role_change_is_audited_with_old_and_new_role(
    administrator, council_member, allerod
):
    org_services.membership_set(
        user=council_member, municipality=allerod, role=Role.ANALYST, acting_user=administrator
    )
    membership = Membership.objects.get(user=council_member, municipality=allerod)
    change = entries_for(membership).filter(action="update").get()
    # The version bump is recorded too: the stale-edit message reads who saved which version.
    assert change.changes == {"role": ["council_member", "analyst"], "version": [0, 1]}
    assert change.actor == administrator
    assert change.municipality == allerod


@pytest.mark.django_db
def test_membership_removal_is_audited(administrator, analyst, allerod):
    membership = Membership.objects.get(user=analyst, municipality=allerod)
    pk = membership.pk
    org_services.membership_remove(membership=membership, acting_user=administrator)
    removal = AuditEntry.objects.get(
        model_label="organizations.membership", object_id=str(pk), action="delete"
    )
    assert removal.actor == administrator
    assert removal.changes["role"] == ["analyst", None]
    assert removal.municipality == allerod


@pytest.mark.django_db
def test_a_measurement_recorded_via_the_service_is_audited(hr_officer, indicator, allerod):
    measurement = plan_services.measurement_record(
        indicator=indicator,
        date=datetime.date(2026, 6, 30),
        value=Decimal("12.5"),
        acting_user=hr_officer,
    )
    created = entries_for(measurement).get()
    assert created.action == "create"
    assert created.actor == hr_officer
    assert created.municipality == allerod
    assert created.changes["value"] == [None, "12.5"]
    assert created.changes["date"] == [None, "2026-06-30"]

    plan_services.measurement_update(
        measurement=measurement, value=Decimal("13"), acting_user=hr_officer
    )
    updated = entries_for(measurement).filter(action="update").get()
    assert updated.changes == {"value": ["12.5000", "13"], "version": [0, 1]}


@pytest.mark.django_db
def test_many_to_many_changes_record_old_and_new_ids(hr_officer, recommendation):
    other = RecommendationFactory.create(report=recommendation.report)
    with acting_as(hr_officer):
        recommendation.related.add(other)
    entry = entries_for(recommendation).filter(action="update").get()
    assert entry.changes == {"related": [[], [other.pk]]}
    assert entry.actor == hr_officer


@pytest.mark.django_db
def test_writes_without_a_person_are_recorded_as_the_system(seed_data):
    # seed_data holds the rows (audit entries included) that load_seed_data wrote in this session.
    assert AuditEntry.objects.exists()
    assert not AuditEntry.objects.exclude(actor=None).exists()
    entry = AuditEntry.objects.filter(model_label="organizations.municipality").first()
    assert entry is not None
    with translation.override("en"):
        assert entry.actor_display == "system"


@pytest.mark.django_db
def test_a_password_change_is_recorded_without_the_hash(hr_officer):
    hr_officer.set_password("another long passphrase 7")
    hr_officer.save()
    entry = entries_for(hr_officer).filter(action="update").last()
    assert entry.changes == {"password": ["***", "***"]}


@pytest.mark.django_db
def test_entries_cannot_be_changed_or_deleted(hr_officer, recommendation):
    entry = AuditEntry.objects.first()
    assert entry is not None
    entry.object_repr = "forged"
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()


# The admin ---------------------------------------------------------------------------------------
@pytest.fixture
def two_municipalities_of_entries(allerod, norddjurs, administrator, outsider):
    own = RecommendationFactory(report=ReportFactory(municipality=allerod, title="=HYPERLINK(1)"))
    foreign = RecommendationFactory(report=ReportFactory(municipality=norddjurs, title="Fremmed"))
    return own, foreign


@pytest.mark.django_db
def test_administrator_sees_only_their_municipalitys_entries(
    client, administrator, two_municipalities_of_entries, allerod
):
    own, foreign = two_municipalities_of_entries
    client.force_login(administrator)
    response = client.get(reverse("admin:audit_auditentry_changelist"), {"all": ""})
    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    assert shown
    assert {entry.municipality_id for entry in shown} == {allerod.pk}
    foreign_entry = entries_for(foreign).first()
    detail = client.get(reverse("admin:audit_auditentry_change", args=[foreign_entry.pk]))
    assert detail.status_code == 302  # the admin's "does not exist" redirect
    own_entry = entries_for(own).first()
    assert (
        client.get(reverse("admin:audit_auditentry_change", args=[own_entry.pk])).status_code == 200
    )


@pytest.mark.django_db
def test_nobody_can_add_change_or_delete_entries_in_the_admin(
    client, administrator, two_municipalities_of_entries
):
    own, _ = two_municipalities_of_entries
    entry = entries_for(own).first()
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    for user in (administrator, superuser):
        client.force_login(user)
        assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
        assert (
            client.post(reverse("admin:audit_auditentry_delete", args=[entry.pk]), {"post": "yes"})
        ).status_code == 403
        response = client.post(
            reverse("admin:audit_auditentry_change", args=[entry.pk]),
            {"object_repr": "forged"},
        )
        assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.object_repr != "forged"


@pytest.mark.django_db
def test_administrator_exports_csv_with_formulas_neutralised(
    client, administrator, two_municipalities_of_entries
):
    client.force_login(administrator)
    response = client.get(reverse("admin:audit_auditentry_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    records = [row[7] for row in rows[1:]]
    assert any(r.startswith("'=HYPERLINK") for r in records)
    assert not any(r.startswith("=") for r in records)
    assert not any("Fremmed" in r for r in records)


@pytest.mark.django_db
def test_export_respects_the_list_filters(client, administrator, two_municipalities_of_entries):
    client.force_login(administrator)
    response = client.get(
        reverse("admin:audit_auditentry_export"), {"model_label": "recommendations.report"}
    )
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))[1:]
    assert rows
    assert {row[5] for row in rows} == {"recommendations.report"}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["council_member", "analyst", "hr_officer", "outsider"])
def test_other_roles_cannot_see_this_municipalitys_log(
    request, client, persona, two_municipalities_of_entries, allerod
):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.get(reverse("admin:audit_auditentry_changelist"))
    if persona == "outsider":
        # An administrator elsewhere reads their own log, never Allerød's.
        assert response.status_code == 200
        assert all(e.municipality_id != allerod.pk for e in response.context["cl"].result_list)
    elif user.is_staff:
        assert response.status_code == 403
    else:
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]
    export = client.get(reverse("admin:audit_auditentry_export"))
    if persona == "outsider":
        assert "allerød" not in export.content.decode("utf-8-sig").lower()
    else:
        assert export.status_code in (302, 403)


@pytest.mark.django_db
def test_saving_costs_at_most_one_extra_query_for_old_values(
    django_assert_max_num_queries, recommendation
):
    recommendation.refresh_from_db()
    recommendation.note = "changed"
    # The update itself, the old values (with the municipality), the entry, and the municipality's
    # data generation raised in the same transaction (organizations.generation).
    with django_assert_max_num_queries(4):
        recommendation.save()


@pytest.mark.django_db
def test_a_user_with_a_new_membership_is_audited_under_that_municipality(allerod, administrator):
    newcomer = member("nina", allerod, Role.COUNCIL_MEMBER)
    membership = Membership.objects.get(user=newcomer)
    created = entries_for(membership).get()
    assert created.municipality == allerod
    assert created.changes["role"] == [None, "council_member"]
