"""The one write path (organizations.writes) through the services of an entity: the version the
user saw, the permission in the record's municipality, and what a stale save is told."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from audit.models import AuditEntry
from organizations import services as org_services
from organizations import writes
from organizations.models import OrganisationalUnit
from recommendations import services
from recommendations.models import CouncilDecision, DecisionKind
from tests.factories import BodyFactory, RecommendationFactory, ReportFactory, UnitFactory


@pytest.fixture
def decision(allerod):
    return CouncilDecision.objects.create(
        municipality=allerod,
        body=BodyFactory.create(municipality=allerod, name="Økonomiudvalget"),
        meeting_date=datetime.date(2025, 3, 4),
        item_number=7,
        item_title="Rekruttering",
        decision=DecisionKind.ADOPTED,
    )


@pytest.mark.django_db
def test_hr_officer_updates_a_council_decision_and_the_version_is_bumped(decision, hr_officer):
    rec = RecommendationFactory(report=ReportFactory(municipality=decision.municipality))
    decision.item_title = "Rekruttering og fastholdelse"
    services.council_decision_update(
        decision=decision,
        expected_version=0,
        acting_user=hr_officer,
        m2m={"recommendations": [rec]},
    )
    decision.refresh_from_db()
    assert decision.version == 1
    assert list(decision.recommendations.all()) == [rec]
    entry = AuditEntry.objects.filter(model_label="recommendations.councildecision").latest("id")
    assert entry.actor == hr_officer


@pytest.mark.django_db
def test_a_save_on_an_older_version_is_refused_and_names_who_changed_what(
    decision, hr_officer, administrator
):
    theirs = CouncilDecision.objects.get(pk=decision.pk)
    theirs.item_title = "Hannes titel"
    services.council_decision_update(decision=theirs, expected_version=0, acting_user=hr_officer)

    mine = CouncilDecision.objects.get(pk=decision.pk)
    mine.text = "Adas tekst"
    with pytest.raises(writes.StaleEdit) as refused:
        services.council_decision_update(
            decision=mine, expected_version=0, acting_user=administrator
        )
    message = " ".join(refused.value.messages)
    assert "hanne" in message
    assert str(CouncilDecision._meta.get_field("item_title").verbose_name) in message.lower()
    decision.refresh_from_db()
    assert (decision.item_title, decision.text, decision.version) == ("Hannes titel", "", 1)


@pytest.mark.django_db
def test_a_change_by_the_system_is_named_as_such(decision):
    services.council_decision_update(decision=decision, expected_version=0, acting_user=None)
    message = writes.stale_message(CouncilDecision, decision.pk, 0)
    assert "systemet" in message or "the system" in message


@pytest.mark.django_db
def test_an_outsider_cannot_update_another_municipalitys_record(decision, outsider):
    decision.item_title = "Udefra"
    with pytest.raises(PermissionDenied):
        services.council_decision_update(
            decision=decision, expected_version=0, acting_user=outsider
        )
    assert CouncilDecision.objects.get(pk=decision.pk).item_title == "Rekruttering"


@pytest.mark.django_db
def test_moving_a_unit_needs_the_permission_where_it_goes(allerod, norddjurs, administrator):
    unit = UnitFactory.create(municipality=allerod, name="Plejecenter Skovgården")
    unit.municipality = norddjurs
    with pytest.raises(PermissionDenied):
        org_services.unit_update(unit=unit, expected_version=0, acting_user=administrator)
    assert OrganisationalUnit.objects.get(pk=unit.pk).municipality == allerod


@pytest.mark.django_db
def test_shared_lists_are_changed_by_superusers_only(administrator):
    from recommendations.models import Addressee

    addressee = Addressee.objects.create(name="Direktionen")
    addressee.name = "Direktionen (ny)"
    with pytest.raises(PermissionDenied):
        services.addressee_update(
            addressee=addressee, expected_version=0, acting_user=administrator
        )


@pytest.mark.django_db
def test_a_save_the_service_refuses_after_the_form_accepted_it_is_a_message_not_an_error(
    decision, hr_officer, client, monkeypatch
):
    """Between the form's check and the save, the service has the last word; when it refuses, the
    whole save is rolled back and the user is sent back to the form with the reason."""
    from django.urls import reverse

    from tests.reliability.browser_form import form_data

    url = reverse("admin:recommendations_councildecision_change", args=[decision.pk])
    client.force_login(hr_officer)
    data = form_data(client.get(url).content.decode(), form_id="councildecision_form")
    data["item_title"] = "Ændret titel"

    def refuse(**_kwargs):
        raise writes.StaleEdit("Ændret af en anden imens. Intet blev gemt.")

    monkeypatch.setattr(services.COUNCIL_DECISION, "update", refuse)
    response = client.post(url, data, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain == [(url, 302)]
    assert "Ændret af en anden imens. Intet blev gemt." in response.content.decode()
    decision.refresh_from_db()
    assert decision.item_title == "Rekruttering" and decision.version == 0
