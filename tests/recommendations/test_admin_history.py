"""The admin's history of a recommendation: the change page's "Historik › Tidslinje" and the HISTORIK
page show every status change, seed entries without an author included, and the HISTORIK page lists
the audit log's entries (who changed which field from what to what)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from organizations.models import Membership
from recommendations.models import StatusUpdate, UpdateOrigin
from tests.factories import RecommendationFactory, ReportFactory, status

SEED_NOTES = ["Vedtaget i byrådet (seed)", "Arbejdsgruppe nedsat (seed)"]


@pytest.fixture
def rec_with_history(allerod, login, hr_officer):
    report = ReportFactory(municipality=allerod, title="Allerød-rapporten")
    rec = RecommendationFactory.create(report=report, number="4", title="Kompetenceteam")
    # The seed's history: entries the documents state, without an author.
    for days, key, note in (
        (400, "ikke-paabegyndt", SEED_NOTES[0]),
        (300, "i-gang", SEED_NOTES[1]),
    ):
        StatusUpdate.objects.create(
            recommendation=rec,
            effective_on=timezone.localdate() - datetime.timedelta(days=days),
            old_status=rec.status if key == "i-gang" else None,
            new_status=status(key),
            progress=0,
            note=note,
            origin=UpdateOrigin.SEED,
        )
    # A new status change through the admin's status form.
    client = login(hr_officer)
    url = reverse("admin:recommendations_recommendation_status", args=[rec.pk])
    version = client.get(url).context["form"].initial["version"]
    response = client.post(
        url,
        {
            "status": status("gennemfoert").pk,
            "progress": "100",
            "effective_on": timezone.localdate().isoformat(),
            "note": "Teamet er i drift",
            "version": version,
        },
    )
    assert response.status_code == 302
    return rec


@pytest.mark.django_db
def test_the_change_page_timeline_shows_seed_entries_and_new_changes(
    login, hr_officer, rec_with_history
):
    client = login(hr_officer)
    url = reverse("admin:recommendations_recommendation_change", args=[rec_with_history.pk])
    html = client.get(url).content.decode()
    for note in [*SEED_NOTES, "Teamet er i drift"]:
        assert note in html
    assert "Ingen historik endnu" not in html
    assert hr_officer.get_full_name() in html  # who made the new change
    assert "system" in html  # who made the seed entries


@pytest.mark.django_db
def test_the_history_page_shows_the_status_history_and_the_audit_log(
    login, hr_officer, rec_with_history
):
    client = login(hr_officer)
    url = reverse("admin:recommendations_recommendation_history", args=[rec_with_history.pk])
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    for note in [*SEED_NOTES, "Teamet er i drift"]:
        assert note in html
    # The audit log's entry of the status change: who, and the status from → to, by name.
    assert "hanne" in html
    before, after = status("ikke-paabegyndt"), status("gennemfoert")
    assert f"{before} (#{before.pk}) → {after} (#{after.pk})" in html
    assert "har ikke en ændringshistorik" not in html  # Django's empty history page


@pytest.mark.django_db
def test_a_membership_history_page_lists_who_granted_the_role(
    login, administrator, council_member, allerod
):
    membership = Membership.objects.get(user=council_member, municipality=allerod)
    client = login(administrator)
    form = reverse("admin:organizations_membership_change", args=[membership.pk])
    page = client.get(form)
    assert page.status_code == 200
    url = reverse("admin:organizations_membership_history", args=[membership.pk])
    html = client.get(url).content.decode()
    assert "Oprettet" in html  # the creation, in Danish
    assert "Byrådsmedlem" in html or "Council member" in html


@pytest.mark.django_db
def test_another_municipalitys_staff_cannot_open_the_history(login, outsider, rec_with_history):
    client = login(outsider)
    url = reverse("admin:recommendations_recommendation_history", args=[rec_with_history.pk])
    response = client.get(url)
    assert response.status_code == 302  # the admin's "does not exist" redirect
    assert SEED_NOTES[0] not in client.get(response["Location"]).content.decode()
