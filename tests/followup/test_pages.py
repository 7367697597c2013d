"""The owners' "Mine opgaver", the round's page and its frozen annex, and the admin's open and
approve buttons, through the test client as each person uses them."""

import re

import pytest
from django.urls import reverse

from followup import services
from followup.models import FollowUpRound, RoundState
from recommendations.models import StatusUpdate
from recommendations.services import recommendation_change_status
from tests.factories import RecommendationFactory, status
from tests.followup.conftest import new_round
from tests.reliability.browser_form import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def opened(allerod, committee, scope, administrator):
    round = new_round(allerod, committee, administrator)
    return services.round_open(
        round=round, expected_version=round.version, acting_user=administrator
    )


def item_of(round, subject):
    return round.items.get(**{type(subject)._meta.model_name: subject})


def test_an_owner_sees_only_their_own_items_and_records_no_change(client, opened, scope, owners):
    client.force_login(owners["otto"])
    page = client.get(reverse("my-tasks"))
    html = page.content.decode()
    assert opened.title in html
    assert scope["second"].title in html and scope["first"].title not in html
    assert "Ikke opdateret endnu" in html

    second = scope["second"]
    item = item_of(opened, second)
    prefix = f"item-{item.pk}"
    response = client.post(
        reverse("my-task-update", args=[item.pk]),
        {
            f"{prefix}-status": second.status_id,
            f"{prefix}-effective_on": "30.11.2026",
            f"{prefix}-note": "Ingen ændring",
            f"{prefix}-version": second.version,
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "Opdateret i denne runde" in response.content.decode()
    assert StatusUpdate.objects.filter(recommendation=second, note="Ingen ændring").count() == 1


def test_a_refused_update_says_why_in_danish_and_writes_nothing(client, opened, scope, owners):
    client.force_login(owners["olga"])
    first = scope["first"]
    item = item_of(opened, first)
    prefix = f"item-{item.pk}"
    before = StatusUpdate.objects.count()
    response = client.post(
        reverse("my-task-update", args=[item.pk]),
        {
            f"{prefix}-status": status("forsinket").pk,
            f"{prefix}-effective_on": "30.11.2026",
            f"{prefix}-note": "",
            f"{prefix}-version": first.version,
        },
    )
    assert response.status_code == 400
    assert "Status “Forsinket” kræver en begrundelse." in response.content.decode()
    assert StatusUpdate.objects.count() == before

    # A form opened before someone else's change is refused too.
    seen = first.version
    recommendation_change_status(
        recommendation=first, status=status("i-gang"), acting_user=owners["olga"]
    )
    response = client.post(
        reverse("my-task-update", args=[item.pk]),
        {
            f"{prefix}-status": status("besluttet").pk,
            f"{prefix}-effective_on": "30.11.2026",
            f"{prefix}-version": seen,
        },
    )
    assert response.status_code == 400
    assert StatusUpdate.objects.count() == before + 1

    # A measurement in Danish notation; a value that is not a number is refused.
    indicator_item = item_of(opened, scope["indicator"])
    prefix = f"item-{indicator_item.pk}"
    url = reverse("my-task-update", args=[indicator_item.pk])
    refused = client.post(url, {f"{prefix}-date": "30.06.2026", f"{prefix}-value": "mange"})
    assert refused.status_code == 400 and not scope["indicator"].measurements.exists()
    client.post(url, {f"{prefix}-date": "30.06.2026", f"{prefix}-value": "45,5"})
    assert [str(m.value) for m in scope["indicator"].measurements.all()] == ["45.5000"]


def test_nobody_updates_an_item_they_may_not_change(
    client, opened, scope, council_member, outsider_hr
):
    item = item_of(opened, scope["first"])
    for user in (council_member, outsider_hr):
        client.force_login(user)
        response = client.post(
            reverse("my-task-update", args=[item.pk]),
            {f"item-{item.pk}-status": status("gennemfoert").pk, f"item-{item.pk}-version": 0},
        )
        assert response.status_code == 404
    assert not StatusUpdate.objects.filter(recommendation=scope["first"]).exists()


def test_the_round_page_shows_who_has_updated_and_the_public_does_not_see_it(
    client, allerod, opened, scope, owners, council_member
):
    recommendation_change_status(
        recommendation=scope["second"], status=status("i-gang"), acting_user=owners["otto"]
    )
    url = reverse("followup-round", args=["allerod", opened.pk])
    client.force_login(council_member)
    html = client.get(url).content.decode()
    figure = re.search(r'class="figure"><strong>(\d+)</strong>', html)
    assert figure and figure.group(1) == "1"
    assert "af 3 punkter opdateret" in html
    front = client.get(reverse("municipality-detail", args=["allerod"])).content.decode()
    assert "1 af 3 punkter opdateret, frist 1. marts 2027" in front

    allerod.is_published = True
    allerod.save()
    client.logout()
    assert client.get(url).status_code == 404
    assert client.get(reverse("followup-annex", args=["allerod", opened.pk])).status_code == 404


def test_the_admin_opens_and_approves_and_the_annex_stays_as_approved(
    client, allerod, committee, scope, owners, administrator
):
    round = new_round(allerod, committee, administrator)
    client.force_login(administrator)
    change = reverse("admin:followup_followupround_change", args=[round.pk])
    assert "Åbn runden" in client.get(change).content.decode()
    client.post(
        reverse("admin:followup_followupround_open", args=[round.pk]), {"version": round.version}
    )
    round.refresh_from_db()
    assert round.state == RoundState.OPEN
    recommendation_change_status(
        recommendation=scope["first"],
        status=status("forsinket"),
        note="Mangler budget",
        acting_user=owners["olga"],
    )
    client.post(
        reverse("admin:followup_followupround_approve", args=[round.pk]), {"version": round.version}
    )
    round.refresh_from_db()
    assert round.state == RoundState.APPROVED

    annex_url = reverse("followup-annex", args=["allerod", round.pk])

    def annex_part():
        html = client.get(annex_url).content.decode()
        return html[html.index("<h1") : html.index("</main>")]

    before = annex_part()
    assert round.annex.content_hash in before and "Mangler budget" in before
    recommendation_change_status(
        recommendation=scope["first"], status=status("gennemfoert"), acting_user=owners["olga"]
    )
    assert annex_part() == before
    page = client.get(reverse("followup-round", args=["allerod", round.pk])).content.decode()
    assert "Ændret efter godkendelsen" in page and "Gennemført" in page

    # Nobody changes or deletes the annex in the admin, not even a superuser.
    from tests.factories import UserFactory

    root = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(root)
    annex_change = reverse("admin:followup_frozenannex_change", args=[round.annex.pk])
    assert client.post(annex_change, {"content_hash": "0" * 64}).status_code == 403
    delete = reverse("admin:followup_frozenannex_delete", args=[round.annex.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert FollowUpRound.objects.get(pk=round.pk).annex.content_hash == round.annex.content_hash


def test_tasks_and_round_pages_take_the_same_queries_at_any_size(
    client, allerod, committee, scope, owners, administrator, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(n_extra):
        for _ in range(n_extra):
            RecommendationFactory(report=scope["first"].report, contact=owners["olga"])
        round = new_round(allerod, committee, administrator, title=f"Runde {n_extra}")
        round = services.round_open(
            round=round, expected_version=round.version, acting_user=administrator
        )
        client.force_login(owners["olga"])
        with CaptureQueriesContext(connection) as tasks:
            assert client.get(reverse("my-tasks")).status_code == 200
        client.force_login(administrator)
        with CaptureQueriesContext(connection) as page:
            assert (
                client.get(reverse("followup-round", args=["allerod", round.pk])).status_code == 200
            )
        with CaptureQueriesContext(connection) as admin_form:
            url = reverse("admin:followup_followupround_change", args=[round.pk])
            assert client.get(url).status_code == 200
        services.round_approve(
            round=round, expected_version=round.version, acting_user=administrator
        )
        return len(tasks), len(page), len(admin_form)

    count(0)  # the process's first admin page also fills Django's content-type cache
    assert count(0) == count(30)


def test_the_rounds_admin_page_saves_its_items_by_the_rounds_rules(
    client, allerod, committee, scope, owners, administrator, analyst
):
    """Items edited on the round's admin page go through the round's service: a new owner who may
    update the item is kept, one who may not is refused with the reason, a removed item is gone."""
    round = new_round(allerod, committee, administrator)
    first, second = item_of(round, scope["first"]), item_of(round, scope["second"])
    client.force_login(administrator)
    url = reverse("admin:followup_followupround_change", args=[round.pk])

    def form(owner_of_first, remove_second=False):
        data = form_data(client.get(url).content.decode(), containing="items-TOTAL_FORMS")
        total = data["items-TOTAL_FORMS"]
        assert isinstance(total, str)
        rows = {data[f"items-{n}-id"]: n for n in range(int(total))}
        data[f"items-{rows[str(first.pk)]}-owner"] = str(owner_of_first.pk)
        if remove_second:
            data[f"items-{rows[str(second.pk)]}-DELETE"] = "on"
        return data

    refused = client.post(url, form(analyst), follow=True).content.decode()
    assert "Den ansvarlige skal være et aktivt medlem af rundens kommune" in refused
    first.refresh_from_db()
    assert first.owner == owners["olga"]

    assert client.post(url, form(owners["otto"], remove_second=True)).status_code == 302
    first.refresh_from_db()
    assert first.owner == owners["otto"]
    assert not round.items.filter(pk=second.pk).exists()
