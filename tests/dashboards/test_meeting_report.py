"""The meeting report shows every status as it was on the meeting date, what changed since the
previous report, what was overdue, and the linked indicators as of that date."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from dashboards import meeting_report as selectors
from employment_plan.models import Measurement
from employment_plan.progress import Progress
from organizations.models import BodyKind
from recommendations.models import (
    CouncilDecision,
    DecisionKind,
    StatusUpdate,
    UpdateOrigin,
)
from tests.employment_plan.factories import FocusAreaFactory, IndicatorFactory, PlanFactory
from tests.factories import BodyFactory, RecommendationFactory, ReportFactory, status

# PostgreSQL: the summary counts dates and statuses in SQL.
pytestmark = pytest.mark.postgres

JAN, FEB, MAR, APR = (datetime.date(2024, m, 15) for m in (1, 2, 3, 4))


@pytest.fixture
def history(allerod):
    """Recommendation 1: not started in January, in progress in February, completed in April.
    Recommendation 2: decided in January, follow-up date 1 March, never changed after."""
    body = BodyFactory.create(municipality=allerod, kind=BodyKind.COMMITTEE, name="Økonomiudvalget")
    report = ReportFactory(municipality=allerod, issuing_body=body, title="Rapporten")
    plan = PlanFactory(municipality=allerod)
    indicator = IndicatorFactory.create(
        focus_area=FocusAreaFactory(plan=plan),
        plan=plan,
        code="9.1",
        unit="persons",
        direction="lower",
        target_value=Decimal(10),
        baseline_value=Decimal(30),
        baseline_date=datetime.date(2024, 1, 1),
        target_date=datetime.date(2024, 12, 31),
    )
    Measurement.objects.create(indicator=indicator, date=datetime.date(2024, 2, 1), value=29)
    # After the meeting the indicator reaches its target: the report must not know that yet.
    Measurement.objects.create(indicator=indicator, date=datetime.date(2024, 4, 1), value=9)
    first = RecommendationFactory.create(
        report=report,
        number="1",
        title="Flere elever",
        status=status("gennemfoert"),
        progress=100,
        baseline_indicator=indicator,
    )
    second = RecommendationFactory.create(
        report=report,
        number="2",
        title="Bedre vagtplaner",
        status=status("besluttet"),
        follow_up_date=datetime.date(2024, 3, 1),
    )
    for rec, day, key, progress, note in [
        (first, JAN, "ikke-paabegyndt", 0, "Start"),
        (first, FEB, "i-gang", 40, "Gået i gang"),
        (first, APR, "gennemfoert", 100, "Færdig efter mødet"),
        (second, JAN, "besluttet", 20, "Besluttet"),
    ]:
        StatusUpdate.objects.create(
            recommendation=rec,
            effective_on=day,
            new_status=status(key),
            progress=progress,
            note=note,
            origin=UpdateOrigin.FORM,
        )
    CouncilDecision.objects.create(
        municipality=allerod, body=body, meeting_date=JAN, decision=DecisionKind.NOTED
    )
    return {"body": body, "first": first, "second": second, "indicator": indicator}


def report_url(body, day, previous=None):
    url = reverse("meeting-report", args=["allerod"]) + f"?body={body.pk}&date={day}"
    return url + (f"&previous={previous}" if previous else "")


def row(html, rec):
    match = re.search(rf'<tr data-recommendation="{rec.pk}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {rec}: " + re.sub(r"\s+", " ", html[html.find("<main") :])[:3000]
    return match.group(1)


@pytest.mark.django_db
def test_past_meeting_shows_the_statuses_of_that_date(login, council_member, history):
    client = login(council_member)
    with translation.override("en"):
        html = client.get(
            report_url(history["body"], MAR.isoformat()) + "&annex=1", HTTP_ACCEPT_LANGUAGE="en"
        )
    html = html.content.decode()
    first = row(html, history["first"])
    assert "I gang" in first or "In progress" in first
    assert "40&nbsp;%" in first
    assert "Gennemført" not in first and "Completed" not in first
    second = row(html, history["second"])
    assert "Besluttet" in second or "Decided" in second


@pytest.mark.django_db
def test_the_annex_is_shown_only_when_asked_for(login, council_member, history):
    """By default the report is the summary, the changes and what is overdue; the annex with
    every recommendation comes with ?annex=1 (the form's checkbox), and the link keeps the rest."""
    client = login(council_member)
    url = report_url(history["body"], MAR.isoformat())
    html = client.get(url).content.decode()
    assert "data-recommendation=" not in html
    assert 'name="annex"' in html
    link = re.search(r'<a href="([^"]*annex=1[^"]*)"', html)
    assert link and f"body={history['body'].pk}" in link.group(1).replace("&amp;", "&")
    with_annex = client.get(url + "&annex=1").content.decode()
    assert f'data-recommendation="{history["first"].pk}"' in with_annex
    assert f'data-recommendation="{history["second"].pk}"' in with_annex
    assert re.search(r'name="annex"[^>]*checked', with_annex)


@pytest.mark.django_db
def test_meeting_report_data_as_of_a_date(allerod, history):
    report = selectors.meeting_report(allerod, history["body"], MAR)
    lines = {line.recommendation.pk: line for _r, lines in report.sections for line in lines}
    first, second = lines[history["first"].pk], lines[history["second"].pk]
    assert first.status is not None and first.now is not None
    assert first.status.key == "i-gang" and first.now.progress == 40
    # The previous report defaults to the committee's last meeting before the date.
    assert report.previous == JAN and report.previous_is_default
    assert first.before is not None
    assert first.changed and first.before.new_status.key == "ikke-paabegyndt"
    assert not second.changed
    assert [line.recommendation.pk for line in report.overdue] == [history["second"].pk]
    # The indicator is judged on what was measured by then: 29 persons, not the later 9.
    # The selector attaches to each indicator its result and its linked recommendations.
    (indicator,) = report.indicators
    result: Progress = indicator.result  # type: ignore[attr-defined]
    assert result.latest is not None
    assert result.latest.value == 29
    assert result.status != "achieved"
    assert indicator.linked_recommendations == [history["first"]]  # type: ignore[attr-defined]

    later = selectors.meeting_report(allerod, history["body"], APR + datetime.timedelta(days=1))
    lines = {line.recommendation.pk: line for _r, lines in later.sections for line in lines}
    now = lines[history["first"].pk].status
    assert now is not None
    assert now.key == "gennemfoert"
    assert later.overdue == [] or all(
        line.recommendation.pk != history["first"].pk for line in later.overdue
    )
    assert later.indicators[0].result.status == "achieved"  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_without_a_meeting_before_the_previous_report_is_90_days_earlier(allerod, history):
    report = selectors.meeting_report(allerod, history["body"], JAN)
    assert report.previous == JAN - datetime.timedelta(days=90)
    explicit = selectors.meeting_report(allerod, history["body"], MAR, FEB)
    assert explicit.previous == FEB and not explicit.previous_is_default
    assert explicit.changed == []


@pytest.mark.django_db
def test_before_any_history_a_recommendation_has_no_status_yet(allerod, history):
    report = selectors.meeting_report(allerod, history["body"], datetime.date(2023, 6, 1))
    assert all(line.now is None for _r, lines in report.sections for line in lines)
    assert report.status_totals == [(None, 2)]


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["2024-02-30", "yesterday", "31/31/2024", "99999-01-01"])
def test_an_invalid_date_gives_a_message_not_an_error(login, council_member, history, bad):
    client = login(council_member)
    with translation.override("en"):
        response = client.get(report_url(history["body"], bad), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["date"]
    assert response.context["report"] is None
    assert 'class="errorlist"' in response.content.decode()


@pytest.mark.django_db
def test_comparison_date_must_be_before_the_meeting(login, council_member, history):
    response = login(council_member).get(report_url(history["body"], MAR, previous=APR))
    assert response.status_code == 200
    assert response.context["form"].errors["previous"]


@pytest.mark.django_db
def test_a_committee_of_another_municipality_is_refused(login, council_member, history, norddjurs):
    other = BodyFactory(municipality=norddjurs, name="Fremmed udvalg")
    response = login(council_member).get(report_url(other, MAR))
    assert response.status_code == 200
    assert response.context["form"].errors["body"]
    assert "Fremmed udvalg" not in response.content.decode()


@pytest.mark.django_db
def test_the_report_has_a_print_header_and_print_stylesheet(login, council_member, history):
    html = login(council_member).get(report_url(history["body"], MAR)).content.decode()
    found = re.search(r'<div class="print-header print-only">(.*?)</div>', html, re.S)
    assert found is not None
    header = found.group(1)
    assert "Allerød" in header and "Økonomiudvalget" in header
    assert 'media="print"' in html and "css/print.css" in html


@pytest.mark.django_db
@pytest.mark.parametrize("day", [JAN, MAR, APR + datetime.timedelta(days=1)])
def test_the_summary_counts_in_sql_what_the_annex_lists(allerod, history, day):
    """The default page (no annex) counts in SQL; it agrees with the full report line by line."""
    full = selectors.meeting_report(allerod, history["body"], day)
    summary = selectors.meeting_summary(allerod, history["body"], day)
    assert summary.is_summary and summary.sections == []
    assert summary.status_totals == full.status_totals
    assert summary.line_count == full.line_count
    assert summary.changed_count == full.changed_count
    assert summary.overdue_count == full.overdue_count
    key = lambda lines: sorted(line.recommendation.pk for line in lines)  # noqa: E731
    assert key(summary.changed) == key(full.changed)
    assert key(summary.overdue) == key(full.overdue)
    assert [i.pk for i in summary.indicators] == [i.pk for i in full.indicators]
    assert summary.indicator_count == full.indicator_count
    for line in summary.changed:
        assert line.changed


@pytest.mark.django_db
def test_the_summary_shows_the_first_items_and_the_totals(allerod, history):
    summary = selectors.meeting_summary(allerod, history["body"], MAR, limit=0)
    assert summary.changed == [] and summary.overdue == [] and summary.indicators == []
    assert summary.overdue_count == 1 and summary.changed_count == 1


@pytest.mark.django_db
def test_the_cached_summary_follows_a_new_status_change(allerod, history):
    """The summary is cached on the data version: a status change recorded after the first view
    shows at once, without waiting for the cache to expire."""
    from django.core.cache import cache

    cache.clear()
    before = selectors.cached_meeting_summary(allerod, history["body"], MAR)
    again = selectors.cached_meeting_summary(allerod, history["body"], MAR)
    assert [(s.key if s else None, n) for s, n in again.status_totals] == [
        (s.key if s else None, n) for s, n in before.status_totals
    ]
    StatusUpdate.objects.create(
        recommendation=history["second"],
        effective_on=FEB,
        new_status=status("i-gang"),
        progress=50,
        note="Sat i gang",
        origin=UpdateOrigin.FORM,
    )
    after = selectors.cached_meeting_summary(allerod, history["body"], MAR)
    totals = {s.key: n for s, n in after.status_totals if s}
    assert totals.get("i-gang") == 2 and "besluttet" not in totals


@pytest.mark.django_db
def test_a_late_recommendation_says_why_in_the_overdue_list_and_the_annex(
    login, council_member, history
):
    """The reason a delay had to be given is printed beside the status; an ordinary note is not
    presented as a reason."""
    StatusUpdate.objects.create(
        recommendation=history["second"],
        effective_on=FEB,
        new_status=status("forsinket"),
        progress=20,
        note="Mangler vikarer til uddannelsesforløbet",
        origin=UpdateOrigin.FORM,
    )
    client = login(council_member)
    url = report_url(history["body"], MAR.isoformat())
    summary = client.get(url).content.decode()
    overdue = summary[summary.index('id="overdue-heading"') : summary.index('id="all-heading"')]
    assert "Begrundelse: Mangler vikarer til uddannelsesforløbet" in overdue
    annex = client.get(url + "&annex=1").content.decode()
    assert "Begrundelse: Mangler vikarer til uddannelsesforløbet" in row(annex, history["second"])
    assert "Begrundelse" not in row(annex, history["first"])  # "Gået i gang" is a note


@pytest.mark.django_db
def test_a_long_title_is_shown_whole(login, council_member, history):
    title = " ".join(["Flere elever i ældreplejen gennem et samlet forløb"] * 6)
    history["second"].title = title
    history["second"].save()
    html = login(council_member).get(report_url(history["body"], MAR.isoformat())).content.decode()
    assert title in html and "…" not in html


@pytest.mark.django_db
def test_the_date_is_today_by_default_and_danish_dates_are_accepted(login, council_member, history):
    client = login(council_member)
    form = client.get(reverse("meeting-report", args=["allerod"])).content.decode()
    today = timezone.localdate().strftime("%d.%m.%Y")
    assert re.search(rf'name="date" value="{today}"', form)
    assert "dd.mm.åååå" in form
    for typed in ["15.03.2024", "15-03-2024", "2024-03-15"]:
        response = client.get(report_url(history["body"], typed))
        assert response.context["report"].day == MAR, typed


@pytest.mark.django_db
def test_the_running_header_cannot_break_out_of_its_style(login, council_member, history):
    """The committee's name goes into the CSS of the printed page's header (print.css): quotes and
    markup in it are escaped, so it can neither end the CSS string nor the <style> element."""
    body = history["body"]
    body.name = 'Udvalget "for" \\ </style><script>alert(1)</script>'
    body.save()
    html = login(council_member).get(report_url(body, MAR.isoformat())).content.decode()
    style = re.search(r"<style>(.*?)</style>", html, re.S)
    assert style is not None and "<script>" not in html
    running = re.search(r'--print-running-header: "([^"]*)";', style.group(1))
    assert (
        running and r"\22 for\22 " in running.group(1) and r"\3c \2f style\3e " in running.group(1)
    )
