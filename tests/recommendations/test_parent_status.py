"""A parent's status and its rolled-up progress never contradict each other (issue #15): a
recommendation whose sub-items have made progress is not "Ikke påbegyndt" on any page."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from dashboards import meeting_report
from organizations.models import Body
from recommendations import services
from recommendations.models import ProgressMode, Recommendation
from tests.factories import RecommendationFactory, status

ALLEROD_KEY = "allerod-2023-opgaveudvalg"


def _found(pattern: str, html: str) -> str:
    match = re.search(pattern, html, re.S)
    assert match, pattern
    return match.group(0)


def _state(html: str) -> str:
    """The "Status now" section of a recommendation page."""
    return _found(r'<section aria-labelledby="state-heading".*?</section>', html)


def _row(html: str, rec: Recommendation) -> str:
    """The row of ``rec`` in a report's list (up to the start of its sub-items)."""
    href = reverse("recommendation-detail", args=["allerod", rec.pk])
    return _found(rf'href="{href}".*?class="rec-meta">.*?</p>', html)


def test_the_demos_recommendation_6_is_in_progress_wherever_it_is_shown(
    seed_recommendations_demo, login, council_member
):
    six = Recommendation.objects.get(report__key=ALLEROD_KEY, number="6")
    # 6a investigating (10), 6b 60, 6c opted out keeps 0: rolled up to 23,33 %.
    assert six.progress > 0
    client = login(council_member)
    state = _state(client.get(reverse("recommendation-detail", args=["allerod", six.pk])).text)
    assert "I gang" in state and "Ikke påbegyndt" not in state and "23,3" in state
    report_page = client.get(reverse("report-detail", args=["allerod", six.report_id])).text
    assert "I gang" in _row(report_page, six) and "Ikke påbegyndt" not in _row(report_page, six)
    listed = client.get(
        reverse("dashboard-recommendations", args=["allerod"]), {"report": six.report_id}
    ).text
    row = _list_row(listed, six)
    assert "I gang" in row and "Ikke påbegyndt" not in row
    allerod = six.report.municipality
    assert allerod is not None
    body = Body.objects.filter(municipality=allerod)[0]
    report = meeting_report.meeting_report(allerod, body, timezone.localdate())
    line = next(li for _r, lines in report.sections for li in lines if li.recommendation == six)
    assert line.status is not None and line.status.key == "i-gang"


def _list_row(html: str, rec: Recommendation) -> str:
    href = reverse("recommendation-detail", args=["allerod", rec.pk])
    return _found(rf'<tr>(?:(?!</tr>).)*href="{href}".*?</tr>', html)


@pytest.fixture
def tree(db, allerod):
    parent = RecommendationFactory.create(report__municipality=allerod, number="6")
    services.recommendation_set_progress_mode(
        recommendation=parent, mode=ProgressMode.ROLLUP, acting_user=None
    )
    child = RecommendationFactory.create(report=parent.report, parent=parent, number="6a")
    return parent, child


def test_a_sub_items_progress_moves_a_not_started_parent_on(tree, hr_officer):
    parent, child = tree
    services.recommendation_change_status(
        recommendation=child, status=status("i-gang"), progress=40, acting_user=hr_officer
    )
    parent.refresh_from_db()
    assert parent.status.key == "i-gang" and parent.progress == 40
    # Its history says so, at the same step as the progress.
    latest = parent.updates.order_by("-effective_on", "-created_at", "-id").first()
    assert latest.new_status.key == "i-gang" and latest.old_status.key == "ikke-paabegyndt"


def test_not_started_is_refused_while_there_is_progress(tree, hr_officer):
    parent, child = tree
    services.recommendation_change_status(
        recommendation=child, status=status("i-gang"), progress=40, acting_user=hr_officer
    )
    with pytest.raises(ValidationError) as refused:
        services.recommendation_change_status(
            recommendation=Recommendation.objects.get(pk=parent.pk),
            status=status("ikke-paabegyndt"),
            acting_user=hr_officer,
        )
    assert "status" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.recommendation_change_status(
            recommendation=Recommendation.objects.get(pk=child.pk),
            status=status("ikke-paabegyndt"),
            progress=25,
            acting_user=hr_officer,
        )
    # Back to not started with no progress is still allowed (the status's default is 0 %).
    services.recommendation_change_status(
        recommendation=Recommendation.objects.get(pk=child.pk),
        status=status("ikke-paabegyndt"),
        acting_user=hr_officer,
    )
