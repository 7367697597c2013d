"""The admin where HR staff keep statuses current: the status form, the bulk action, stale forms,
scoping per municipality and a fixed number of queries per list."""

import pytest
from django.urls import reverse
from django.utils import timezone

from recommendations.models import Recommendation, StatusUpdate
from tests.factories import RecommendationFactory, ReportFactory, status

# PostgreSQL: admin writes through the services, in transactions.
pytestmark = pytest.mark.postgres


@pytest.fixture
def report(allerod):
    return ReportFactory(municipality=allerod, title="Allerød-rapporten")


@pytest.fixture
def rec(report):
    return RecommendationFactory(report=report, number="1", title="Kompetenceteam")


def status_url(rec):
    return reverse("admin:recommendations_recommendation_status", args=[rec.pk])


def post_status(client, rec, key, version, note="", progress=""):
    return client.post(
        status_url(rec),
        {
            "status": status(key).pk,
            "progress": progress,
            "effective_on": timezone.localdate().isoformat(),
            "note": note,
            "version": version,
        },
    )


@pytest.mark.django_db
def test_status_form_writes_one_update_and_redirects(login, hr_officer, rec):
    client = login(hr_officer)
    page = client.get(status_url(rec))
    assert page.status_code == 200
    version = page.context["form"].initial["version"]
    response = post_status(client, rec, "i-gang", version, note="Team nedsat", progress="30")
    assert response.status_code == 302
    update = StatusUpdate.objects.get(recommendation=rec)
    assert update.old_status is not None
    assert (update.author, update.old_status.key, update.new_status.key, update.note) == (
        hr_officer,
        "ikke-paabegyndt",
        "i-gang",
        "Team nedsat",
    )
    follow = client.get(response["Location"])
    assert "Team nedsat" in follow.content.decode()  # the timeline on the change page


@pytest.mark.django_db
def test_a_second_form_opened_earlier_is_refused_on_save(login, hr_officer, administrator, rec):
    first, second = login(hr_officer), None
    version_first = first.get(status_url(rec)).context["form"].initial["version"]
    from django.test import Client

    second = Client()
    second.force_login(administrator)
    version_second = second.get(status_url(rec)).context["form"].initial["version"]

    assert post_status(first, rec, "i-gang", version_first, progress="20").status_code == 302
    response = post_status(second, rec, "gennemfoert", version_second)
    assert response.status_code == 200
    assert "reload" in response.content.decode() or "genindlæs" in response.content.decode()
    rec.refresh_from_db()
    assert rec.status.key == "i-gang"
    assert StatusUpdate.objects.filter(recommendation=rec).count() == 1


@pytest.mark.django_db
def test_delayed_without_reason_is_refused_with_a_message(login, hr_officer, rec):
    client = login(hr_officer)
    response = post_status(client, rec, "forsinket", rec.version, note="")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "note" in errors
    assert "Forsinket" in str(errors["note"])
    rec.refresh_from_db()
    assert rec.status.key == "ikke-paabegyndt"
    assert not StatusUpdate.objects.exists()


@pytest.mark.django_db
def test_stale_content_edit_is_refused(login, hr_officer, rec, report):
    client = login(hr_officer)
    url = reverse("admin:recommendations_recommendation_change", args=[rec.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    seen = form.fields["version_seen"].initial
    # Someone changes the status meanwhile.
    post_status(login(hr_officer), rec, "i-gang", rec.version, progress="10")
    data = {
        "version_seen": seen,
        "theme": "",
        "parent": "",
        "number": "1",
        "title": "Overskrevet titel",
        "progress_mode": "manual",
        "weight": "1",
        "actions": "[]",
        "emphasised_points": "[]",
        "budget_lines-TOTAL_FORMS": "0",
        "budget_lines-INITIAL_FORMS": "0",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    rec.refresh_from_db()
    assert rec.title == "Kompetenceteam"

    # Reopened on the current version, the same edit is saved.
    data["version_seen"] = rec.version
    assert client.post(url, data).status_code == 302
    rec.refresh_from_db()
    assert rec.title == "Overskrevet titel"


@pytest.mark.django_db
def test_bulk_action_changes_all_selected_through_the_service(login, hr_officer, report):
    recs = [RecommendationFactory.create(report=report, number=str(n)) for n in range(1, 4)]
    client = login(hr_officer)
    changelist = reverse("admin:recommendations_recommendation_changelist")
    ids = [r.pk for r in recs]
    page = client.post(changelist, {"action": "change_status_action", "_selected_action": ids})
    assert page.status_code == 200  # the intermediate form
    response = client.post(
        changelist,
        {
            "action": "change_status_action",
            "_selected_action": ids,
            "apply": "1",
            "status": status("besluttet").pk,
            "effective_on": timezone.localdate().isoformat(),
            "note": "Vedtaget i byrådet",
        },
    )
    assert response.status_code == 302
    for r in recs:
        updates = list(StatusUpdate.objects.filter(recommendation=r))
        assert len(updates) == 1
        assert updates[0].author == hr_officer and updates[0].note == "Vedtaget i byrådet"
        assert updates[0].new_status.key == "besluttet"


@pytest.mark.django_db
def test_bulk_form_title_counts_in_danish_singular_and_plural(login, hr_officer, report):
    recs = [RecommendationFactory.create(report=report, number=str(n)) for n in range(1, 3)]
    client = login(hr_officer)
    changelist = reverse("admin:recommendations_recommendation_changelist")
    one = client.post(
        changelist, {"action": "change_status_action", "_selected_action": recs[0].pk}
    )
    two = client.post(
        changelist, {"action": "change_status_action", "_selected_action": [r.pk for r in recs]}
    )
    assert "Skift status for 1 anbefaling<" in one.content.decode()
    assert "Skift status for 2 anbefalinger<" in two.content.decode()


@pytest.mark.django_db
def test_bulk_delay_without_reason_changes_nothing(login, hr_officer, report):
    recs = [RecommendationFactory.create(report=report, number=str(n)) for n in range(1, 3)]
    client = login(hr_officer)
    response = client.post(
        reverse("admin:recommendations_recommendation_changelist"),
        {
            "action": "change_status_action",
            "_selected_action": [r.pk for r in recs],
            "apply": "1",
            "status": status("fravalgt").pk,
            "effective_on": timezone.localdate().isoformat(),
            "note": "",
        },
        follow=True,
    )
    assert "Fravalgt" in response.content.decode()
    assert not StatusUpdate.objects.exists()
    assert set(Recommendation.objects.values_list("status__key", flat=True)) == {"ikke-paabegyndt"}


@pytest.mark.django_db
def test_hr_officer_of_another_municipality_cannot_see_or_change(login, outsider, norddjurs, rec):
    RecommendationFactory(
        report=ReportFactory(municipality=norddjurs), title="Norddjurs-anbefaling"
    )
    client = login(outsider)
    listing = client.get(reverse("admin:recommendations_recommendation_changelist"))
    content = listing.content.decode()
    assert "Norddjurs-anbefaling" in content and "Kompetenceteam" not in content

    change = client.get(reverse("admin:recommendations_recommendation_change", args=[rec.pk]))
    assert change.status_code == 302  # "does not exist"
    assert client.get(status_url(rec)).status_code == 404
    response = post_status(client, rec, "gennemfoert", rec.version)
    assert response.status_code == 404
    response = client.post(
        reverse("admin:recommendations_recommendation_changelist"),
        {
            "action": "change_status_action",
            "_selected_action": [rec.pk],
            "apply": "1",
            "status": status("gennemfoert").pk,
            "effective_on": timezone.localdate().isoformat(),
        },
    )
    rec.refresh_from_db()
    assert rec.status.key == "ikke-paabegyndt"
    assert not StatusUpdate.objects.filter(recommendation=rec).exists()


@pytest.mark.django_db
def test_council_member_cannot_use_the_admin(login, council_member, rec):
    client = login(council_member)
    assert client.get(status_url(rec)).status_code == 302  # to the admin login
    rec.refresh_from_db()
    assert rec.status.key == "ikke-paabegyndt"


@pytest.mark.django_db
def test_history_cannot_be_edited_in_the_admin(login, administrator, rec):
    client = login(administrator)
    post_status(client, rec, "i-gang", rec.version, progress="10")
    update = StatusUpdate.objects.get()
    url = reverse("admin:recommendations_statusupdate_change", args=[update.pk])
    response = client.post(url, {"note": "omskrevet"})
    assert response.status_code == 403
    update.refresh_from_db()
    assert update.note == ""


def _bulk(report, n):
    objs = [
        Recommendation(
            report=report,
            number=str(i),
            sort_key=f"{i:06d}",
            title=f"Anbefaling {i}",
            status=status("ikke-paabegyndt"),
        )
        for i in range(1, n + 1)
    ]
    Recommendation.objects.bulk_create(objs)


@pytest.mark.django_db
def test_admin_list_queries_do_not_grow_with_rows(
    login, hr_officer, report, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(hr_officer)
    url = reverse("admin:recommendations_recommendation_changelist") + "?all="
    _bulk(report, 10)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    Recommendation.objects.all().delete()
    _bulk(report, 500)
    with django_assert_max_num_queries(len(small)):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.django_db
def test_administrator_adds_a_recommendation_and_its_history_starts(login, administrator, report):
    client = login(administrator)
    response = client.post(
        reverse("admin:recommendations_recommendation_add"),
        {
            "report": report.pk,
            "number": "10",
            "title": "Ny anbefaling fra byrådet",
            "progress_mode": "manual",
            "weight": "1",
            "actions": "[]",
            "emphasised_points": "[]",
            "budget_lines-TOTAL_FORMS": "1",
            "budget_lines-INITIAL_FORMS": "0",
            "budget_lines-0-position": "0",
            "budget_lines-0-amount_kr": "250000",
            "budget_lines-0-period": "2026",
            "budget_lines-0-description": "Projektleder",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    rec = Recommendation.objects.get(number="10")
    assert rec.status.key == "ikke-paabegyndt"
    assert rec.budget_lines.get().amount_kr == 250000
    update = StatusUpdate.objects.get(recommendation=rec)
    assert update.author == administrator and update.old_status is None


@pytest.mark.django_db
def test_hr_officer_cannot_add_to_another_municipalitys_report(login, hr_officer, norddjurs):
    other = ReportFactory.create(municipality=norddjurs)
    client = login(hr_officer)
    response = client.post(
        reverse("admin:recommendations_recommendation_add"),
        {"report": other.pk, "number": "1", "title": "x", "progress_mode": "manual", "weight": "1"},
    )
    assert response.status_code == 403  # HR officers may not add recommendations at all
    assert not Recommendation.objects.filter(report=other).exists()
