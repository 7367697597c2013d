"""A recommendation can never be its own ancestor (issue: hardening, item 1): the model's check refuses
a cycle for the admin form and every service; a cycle left in old data neither breaks a status change
(the roll-up walks each ancestor once) nor hides its members on the report page."""

import contextlib

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from recommendations import services
from recommendations.models import ProgressMode, Recommendation, Status
from tests.factories import RecommendationFactory, ReportFactory
from tests.reliability.browser_form import form_data
from tests.reliability.junk import FUZZ, rolled_back

pytestmark = pytest.mark.django_db


@pytest.fixture
def recs(allerod):
    report = ReportFactory(municipality=allerod, key="kredse")
    return [RecommendationFactory(report=report, number=str(n)) for n in range(1, 6)]


def place(child: Recommendation, parent: Recommendation | None) -> None:
    child.refresh_from_db()
    child.parent = parent
    services.recommendation_update(
        recommendation=child, expected_version=child.version, acting_user=None
    )


def test_a_two_step_cycle_is_refused_and_nothing_changes(recs):
    a, b, *_ = recs
    place(b, a)
    with pytest.raises(ValidationError) as refused:
        place(a, b)
    assert "parent" in refused.value.message_dict
    assert Recommendation.objects.get(pk=a.pk).parent_id is None


def test_a_longer_cycle_is_refused(recs):
    a, b, c, *_ = recs
    place(b, a)
    place(c, b)
    with pytest.raises(ValidationError, match="under itself|under sig selv"):
        place(a, c)


def test_the_admin_change_form_refuses_a_cycle_with_a_message(recs, login, administrator):
    a, b, *_ = recs
    place(b, a)
    client = login(administrator)
    url = reverse("admin:recommendations_recommendation_change", args=[a.pk])
    data = form_data(client.get(url).content.decode(), containing="parent")
    data["parent"] = str(b.pk)
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, with the reason
    assert (
        "under itself" in response.content.decode() or "under sig selv" in response.content.decode()
    )
    assert Recommendation.objects.get(pk=a.pk).parent_id is None


def cycle_in_old_data(a, b):
    """A cycle that the checks would refuse, written past them as old data may hold it."""
    Recommendation.objects.filter(pk__in=[a.pk, b.pk]).update(progress_mode=ProgressMode.ROLLUP)
    Recommendation.objects.filter(pk=a.pk).update(parent=b)
    Recommendation.objects.filter(pk=b.pk).update(parent=a)


def test_a_status_change_inside_an_old_cycle_completes(recs):
    a, b, c, *_ = recs
    cycle_in_old_data(a, b)
    place(c, a)
    services.recommendation_change_status(
        recommendation=Recommendation.objects.get(pk=c.pk),
        status=Status.objects.get(key="i-gang"),
        progress=40,
        acting_user=None,
    )
    # A averages its sub-items B (0) and C (40); B's one sub-item is A; the walk then meets A again
    # and stops instead of going round for ever.
    assert Recommendation.objects.get(pk=a.pk).progress == 20
    assert Recommendation.objects.get(pk=b.pk).progress == 20


def test_an_old_cycle_shows_both_members_on_the_report_page(recs, login, council_member):
    a, b, *_ = recs
    cycle_in_old_data(a, b)
    url = reverse("report-detail", args=["allerod", a.report_id])
    page = login(council_member).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert a.title in html and b.title in html


@pytest.mark.long
@FUZZ
@given(moves=st.lists(st.tuples(st.integers(0, 4), st.none() | st.integers(0, 4)), max_size=12))
def test_no_sequence_of_moves_stores_a_cycle(recs, moves):
    with rolled_back():
        for child, parent in moves:
            # A refused move raises with a message and leaves the stored graph as it was.
            with contextlib.suppress(ValidationError):
                place(recs[child], None if parent is None else recs[parent])
        parents = dict(
            Recommendation.objects.filter(pk__in=[r.pk for r in recs]).values_list(
                "pk", "parent_id"
            )
        )
        for start in parents:
            seen, node = set(), parents[start]
            while node is not None:
                assert node != start and node not in seen, "a cycle was stored"
                seen.add(node)
                node = parents.get(node)
