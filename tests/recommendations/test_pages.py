"""The read pages for council members: a municipality's reports, a report with its filterable list,
and a recommendation with budget and history. Who may read what, what the pages show, and that they
take the same number of queries whatever the number of rows."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from recommendations import services
from recommendations.models import (
    BudgetLine,
    Recommendation,
    Report,
    StatusUpdate,
    UpdateOrigin,
    natural_sort_key,
)
from tests.factories import ReportFactory, ThemeFactory, status
from tests.html import structure

ALLEROD_KEY = "allerod-2023-opgaveudvalg"
NORDDJURS_KEY = "norddjurs-2023-udvalg"
KL_KEY = "kl-2018-flere-haender"


@pytest.fixture
def seeded(seed_data):
    """load_seed_data's result (built once per session; a fresh copy for each test)."""


def report_url(slug, report):
    return reverse("report-detail", args=[slug, report.pk])


def rec_url(slug, rec):
    return reverse("recommendation-detail", args=[slug, rec.pk])


def allerod_report():
    return Report.objects.get(key=ALLEROD_KEY)


def norddjurs_report():
    return Report.objects.get(key=NORDDJURS_KEY)


def kl_report():
    return Report.objects.filter(municipality__isnull=True).get(key=KL_KEY)


def first_rec(report):
    return Recommendation.objects.filter(report=report).order_by("sort_key").first()


class RecommendationLinks(HTMLParser):
    """Recommendation links on a report page in document order, with how deeply their list nests."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.links = []  # (pk, depth)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "ol" and "rec-list" in (attrs.get("class") or ""):
            self.depth += 1
        if tag == "a" and "/anbefaling/" in (attrs.get("href") or ""):
            self.links.append((int(attrs["href"].rstrip("/").rsplit("/", 1)[1]), self.depth))

    def handle_endtag(self, tag):
        if tag == "ol" and self.depth:
            self.depth -= 1


def rec_links(html):
    parser = RecommendationLinks()
    parser.feed(html)
    return parser.links


# Who may read what ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["council_member", "hr_officer", "analyst", "administrator"])
def test_members_of_allerod_read_allerods_pages(seeded, login, request, persona):
    client = login(request.getfixturevalue(persona))
    report = allerod_report()
    for url in [
        reverse("recommendation-reports", args=["allerod"]),
        report_url("allerod", report),
        rec_url("allerod", first_rec(report)),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert report.title in response.content.decode(), url


@pytest.mark.postgres
@pytest.mark.django_db
def test_outsider_gets_404_on_allerod_pages(seeded, login, outsider):
    client = login(outsider)
    report = allerod_report()
    for url in [
        reverse("recommendation-reports", args=["allerod"]),
        report_url("allerod", report),
        rec_url("allerod", first_rec(report)),
        # Allerød's records asked for under the outsider's own municipality
        report_url("norddjurs", report),
        rec_url("norddjurs", first_rec(report)),
    ]:
        assert client.get(url).status_code == 404, url


@pytest.mark.postgres
@pytest.mark.django_db
def test_norddjurs_records_under_allerods_address_are_not_found(seeded, login, council_member):
    client = login(council_member)
    report = norddjurs_report()
    assert client.get(report_url("allerod", report)).status_code == 404
    assert client.get(rec_url("allerod", first_rec(report))).status_code == 404
    # and the member cannot simply use Norddjurs' address either
    assert client.get(report_url("norddjurs", report)).status_code == 404


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_login(seeded, client):
    report = allerod_report()
    for url in [
        reverse("recommendation-reports", args=["allerod"]),
        report_url("allerod", report),
        rec_url("allerod", first_rec(report)),
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


@pytest.mark.django_db
def test_published_municipality_is_readable_without_login(seeded, client):
    report = allerod_report()
    report.municipality.is_published = True
    report.municipality.save()
    rec = first_rec(report)
    listing = client.get(reverse("recommendation-reports", args=["allerod"]))
    assert listing.status_code == 200 and report.title in listing.content.decode()
    assert client.get(report_url("allerod", report)).status_code == 200
    response = client.get(rec_url("allerod", rec))
    assert response.status_code == 200 and rec.title in response.content.decode()
    # A published municipality shows the cross-municipal reports too.
    assert client.get(report_url("allerod", kl_report())).status_code == 200
    # Norddjurs is not published: its report under Allerød's address is not found.
    assert client.get(report_url("allerod", norddjurs_report())).status_code == 404


@pytest.mark.django_db
def test_cross_municipal_report_is_readable_under_own_address(
    seeded, login, council_member, outsider
):
    kl = kl_report()
    kl_rec = first_rec(kl)
    client = login(council_member)
    listing = client.get(reverse("recommendation-reports", args=["allerod"])).content.decode()
    assert kl.title in listing and report_url("allerod", kl) in listing
    assert norddjurs_report().title not in listing
    response = client.get(report_url("allerod", kl))
    assert response.status_code == 200 and kl_rec.title in response.content.decode()
    assert client.get(rec_url("allerod", kl_rec)).status_code == 200

    client = login(outsider)
    assert client.get(report_url("norddjurs", kl)).status_code == 200
    assert client.get(rec_url("norddjurs", kl_rec)).status_code == 200


@pytest.mark.django_db
def test_cross_municipal_report_is_not_shown_to_anonymous_visitors_of_unpublished(seeded, client):
    response = client.get(report_url("allerod", kl_report()))
    assert response.status_code == 302


# What the pages show ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_reports_page_counts_recommendations_by_status(seeded, login, council_member, hr_officer):
    report = allerod_report()
    services.recommendation_change_status(
        recommendation=first_rec(report), status=status("i-gang"), acting_user=hr_officer
    )
    html = login(council_member).get(reverse("recommendation-reports", args=["allerod"]))
    html = html.content.decode()
    assert report_url("allerod", report) in html
    card = next(c for c in html.split('class="report-card"') if report.title in c)
    assert "Ikke påbegyndt</span>: <strong>11</strong>" in card
    assert "I gang</span>: <strong>1</strong>" in card


@pytest.mark.django_db
def test_allerod_report_shows_themes_and_recommendations_in_order(seeded, login, council_member):
    report = allerod_report()
    html = login(council_member).get(report_url("allerod", report)).content.decode()
    themes = ["Styrket faglighed", "Fleksibilitet og indflydelse", "Når Allerød ansætter"]
    themes.append("Kommunikation")
    positions = [html.index(t, html.index('id="recommendations-heading"')) for t in themes]
    assert positions == sorted(positions)
    assert "22/16763" in html and "efterår 2023" in html
    # Facts in Danish formats: 250.000 kr. and 49.560,50 kr.
    assert "250.000 kr." in html and "49.560,50 kr." in html

    by_pk = {r.pk: r for r in Recommendation.objects.filter(report=report)}
    links = rec_links(html)
    assert [by_pk[pk].number for pk, _ in links] == [
        "1", "2", "3", "4", "5", "6", "6a", "6b", "6c", "7", "8", "9"
    ]  # fmt: skip
    depth = {by_pk[pk].number: d for pk, d in links}
    assert {depth[n] for n in ["6a", "6b", "6c"]} == {depth["6"] + 1}
    assert depth["7"] == depth["6"]
    for rec in by_pk.values():
        assert rec.title in html
    # Status is a word beside its swatch; progress has a number, not only a bar.
    assert html.count("Ikke påbegyndt") >= 12
    assert "<progress" in html


@pytest.mark.django_db
def test_report_page_flags_stale_recommendations(seeded, login, council_member, hr_officer):
    report = allerod_report()
    fresh = first_rec(report)
    services.recommendation_change_status(
        recommendation=fresh, status=status("i-gang"), progress=30, acting_user=hr_officer
    )
    html = login(council_member).get(report_url("allerod", report)).content.decode()
    rows = html.split('<li class="rec')[1:]
    flagged = [row for row in rows if 'class="needs-update"' in row]
    # The seeded ones were last updated in 2023; the one just changed is fresh.
    assert len(flagged) == 11
    fresh_row = next(row for row in rows if fresh.title in row)
    assert 'class="needs-update"' not in fresh_row and "30 %" in fresh_row


@pytest.mark.postgres
@pytest.mark.django_db
def test_filters_narrow_the_list(seeded, login, council_member, hr_officer):
    report = allerod_report()
    recs = {r.number: r for r in Recommendation.objects.filter(report=report)}
    services.recommendation_change_status(
        recommendation=recs["2"], status=status("i-gang"), acting_user=hr_officer
    )
    client = login(council_member)
    url = report_url("allerod", report)

    def numbers(params):
        response = client.get(url, params)
        assert response.status_code == 200
        by_pk = {r.pk: r.number for r in recs.values()}
        return [by_pk[pk] for pk, _ in rec_links(response.content.decode())]

    assert numbers({"status": "i-gang"}) == ["2"]
    assert len(numbers({"status": ["i-gang", "ikke-paabegyndt"]})) == 12
    fourth = report.themes.get(number=4)
    assert numbers({"theme": fourth.pk}) == ["9"]
    second = report.themes.get(number=2)
    assert numbers({"theme": second.pk}) == ["5", "6", "6a", "6b", "6c"]
    assert numbers({"needs_update": "false"}) == ["2"]
    assert "2" not in numbers({"needs_update": "true"})
    assert len(numbers({"needs_update": "true"})) == 11
    assert numbers({"q": "6b"}) == ["6b"]
    assert numbers({"profession": "paedagog", "theme": second.pk}) == ["5", "6", "6a", "6b", "6c"]
    # The filter state stays in the address and the form shows it.
    html = client.get(url, {"status": "i-gang"}).content.decode()
    assert re.search(r'value="i-gang"[^>]*checked', html)


@pytest.mark.django_db
def test_filter_offers_only_this_reports_themes(seeded, login, council_member):
    html = login(council_member).get(report_url("allerod", allerod_report())).content.decode()
    assert "Ledelse som fag" not in html  # a Norddjurs theme
    assert norddjurs_report().title not in html


@pytest.mark.django_db
def test_recommendation_page_shows_budget_in_danish_formats(seeded, login, outsider):
    report = norddjurs_report()
    rec = Recommendation.objects.get(report=report, number="3")
    lines = list(BudgetLine.objects.filter(recommendation=rec))
    assert lines
    html = login(outsider).get(rec_url("norddjurs", rec)).content.decode()
    assert rec.title in html and rec.purpose in html
    for line in lines:
        assert line.description in html
        assert f"{int(line.amount_kr):,}".replace(",", ".") in html
    total = sum(line.amount_kr for line in lines)
    assert f"<strong>{int(total):,}</strong>".replace(",", ".") in html
    assert "1.000.000" in html


@pytest.mark.django_db
def test_budget_total_adds_several_lines(seeded, login, outsider):
    rec = (
        Recommendation.objects.filter(report__key=NORDDJURS_KEY, budget_lines__isnull=False)
        .annotate(n=Count("budget_lines"))
        .order_by("-n")
        .first()
    )
    assert rec is not None
    lines = list(rec.budget_lines.all())
    html = login(outsider).get(rec_url("norddjurs", rec)).content.decode()
    total = sum(line.amount_kr for line in lines)
    expected = f"{total:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    expected = expected.removesuffix(",00")
    assert f"<strong>{expected}</strong>" in html


@pytest.mark.django_db
def test_recommendation_page_shows_the_source_note_and_provenance(seeded, login, outsider):
    rec = Recommendation.objects.get(report__key=NORDDJURS_KEY, number="1")
    html = login(outsider).get(rec_url("norddjurs", rec)).content.decode()
    assert 'class="source-note"' in html
    assert rec.inconsistency is not None and rec.source is not None
    assert rec.inconsistency["note"].replace('"', "&quot;") in html
    assert rec.source.title in html and rec.source_section in html


@pytest.mark.django_db
def test_timeline_shows_a_status_change_with_note_and_author(
    seeded, login, council_member, hr_officer
):
    rec = first_rec(allerod_report())
    services.recommendation_change_status(
        recommendation=rec,
        status=status("i-gang"),
        progress=40,
        note="Kompetenceteamet er nedsat",
        acting_user=hr_officer,
    )
    html = login(council_member).get(rec_url("allerod", rec)).content.decode()
    history = html[html.index('id="timeline-heading"') :]
    assert "Kompetenceteamet er nedsat" in history
    assert hr_officer.get_full_name() in history
    assert "Ikke påbegyndt → I gang" in history
    # Newest first: the change comes before the seeded start.
    assert history.index("Kompetenceteamet") < history.index("1. september 2023")


@pytest.mark.django_db
def test_sub_items_are_listed_with_status_and_links(seeded, login, council_member):
    six = Recommendation.objects.get(report__key=ALLEROD_KEY, number="6")
    html = login(council_member).get(rec_url("allerod", six)).content.decode()
    children = html[html.index('id="children-heading"') :]
    for child in six.children.all():
        assert rec_url("allerod", child) in children and child.title in children
    assert children.count("Ikke påbegyndt") >= 3


@pytest.mark.django_db
def test_related_and_cited_by_link_both_ways(seeded, login, council_member):
    kkr = Recommendation.objects.filter(
        report__key="kkr-2019-overordnede", related__number="7"
    ).get()
    kl_seven = Recommendation.objects.get(report__key=KL_KEY, number="7")
    client = login(council_member)
    html = client.get(rec_url("allerod", kkr)).content.decode()
    assert rec_url("allerod", kl_seven) in html and kl_seven.title in html
    html = client.get(rec_url("allerod", kl_seven)).content.decode()
    assert rec_url("allerod", kkr) in html and kkr.title in html


@pytest.mark.postgres
@pytest.mark.django_db
def test_reference_into_an_unreadable_municipality_is_left_out(seeded, login, council_member):
    allerods = first_rec(allerod_report())
    norddjurs = first_rec(norddjurs_report())
    allerods.related.add(norddjurs)
    html = login(council_member).get(rec_url("allerod", allerods)).content.decode()
    assert norddjurs.title not in html


@pytest.mark.django_db
def test_every_page_type_has_lang_one_h1_and_landmarks(seeded, login, council_member):
    client = login(council_member)
    report = allerod_report()
    for url in [
        reverse("recommendation-reports", args=["allerod"]),
        report_url("allerod", report),
        report_url("allerod", report) + "?status=i-gang",
        rec_url("allerod", first_rec(report)),
    ]:
        page = structure(client.get(url).content.decode())
        assert page.lang == "da", url
        assert page.h1_count == 1, url
        assert {"banner", "navigation", "main", "contentinfo"} <= page.landmarks, url


# Query budgets ----------------------------------------------------------------------------------


def build_report(municipality, count):
    """A report with ``count`` recommendations in two themes, a fifth of them sub-items."""
    report = ReportFactory.create(municipality=municipality)
    themes = [
        ThemeFactory.create(report=report, number=1),
        ThemeFactory.create(report=report, number=2),
    ]
    started, in_progress = status("ikke-paabegyndt"), status("i-gang")
    tops = count - count // 5
    parents = Recommendation.objects.bulk_create(
        Recommendation(
            report=report,
            theme=themes[i % 2],
            number=str(i + 1),
            sort_key=natural_sort_key(str(i + 1)),
            title=f"Anbefaling {i + 1}",
            status=started if i % 3 else in_progress,
        )
        for i in range(tops)
    )
    Recommendation.objects.bulk_create(
        Recommendation(
            report=report,
            theme=parent.theme,
            parent=parent,
            number=f"{parent.number}a",
            sort_key=natural_sort_key(f"{parent.number}a"),
            title=f"Underpunkt {parent.number}a",
            status=started,
        )
        for parent in parents[: count - tops]
    )
    assert Recommendation.objects.filter(report=report).count() == count
    return report


def count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries), response


@pytest.mark.postgres
@pytest.mark.django_db
def test_report_pages_take_the_same_queries_for_10_and_500(
    login, council_member, allerod, django_assert_max_num_queries
):
    client = login(council_member)
    small, large = build_report(allerod, 10), build_report(allerod, 500)
    for url_name, args_small, args_large in [
        ("report-detail", ["allerod", small.pk], ["allerod", large.pk]),
    ]:
        for params in ["", "?status=i-gang&needs_update=true&q=Anbefaling"]:
            baseline, response = count_queries(client, reverse(url_name, args=args_small) + params)
            assert len(rec_links(response.content.decode())) <= 10
            with django_assert_max_num_queries(baseline):
                response = client.get(reverse(url_name, args=args_large) + params)
            assert response.status_code == 200
    html = client.get(report_url("allerod", large)).content.decode()
    assert len(rec_links(html)) == 500


@pytest.mark.postgres
@pytest.mark.django_db
def test_reports_page_takes_the_same_queries_for_10_and_500(
    login, council_member, allerod, django_assert_max_num_queries
):
    client = login(council_member)
    url = reverse("recommendation-reports", args=["allerod"])
    build_report(allerod, 10)
    baseline, _ = count_queries(client, url)
    large = build_report(allerod, 500)
    with django_assert_max_num_queries(baseline):
        response = client.get(url)
    card = next(
        c for c in response.content.decode().split('class="report-card"') if large.title in c
    )
    for key in ["ikke-paabegyndt", "i-gang"]:
        n = Recommendation.objects.filter(report=large, status__key=key).count()
        assert f"{status(key).name}</span>: <strong>{n}</strong>" in card


@pytest.mark.postgres
@pytest.mark.django_db
def test_recommendation_page_takes_the_same_queries_for_1_and_50_updates(
    login, council_member, allerod, django_assert_max_num_queries
):
    client = login(council_member)
    report = build_report(allerod, 2)
    one, many = Recommendation.objects.filter(report=report, parent__isnull=True)[:2]
    started, in_progress = status("ikke-paabegyndt"), status("i-gang")
    today = timezone.localdate()

    def updates(rec, n):
        StatusUpdate.objects.bulk_create(
            StatusUpdate(
                recommendation=rec,
                effective_on=today - datetime.timedelta(days=n - i),
                old_status=started if i else None,
                new_status=in_progress if i % 2 else started,
                progress=i % 100,
                note=f"Notat {i}",
                origin=UpdateOrigin.FORM,
            )
            for i in range(n)
        )

    updates(one, 1)
    updates(many, 50)
    baseline, _ = count_queries(client, rec_url("allerod", one))
    with django_assert_max_num_queries(baseline):
        response = client.get(rec_url("allerod", many))
    html = response.content.decode()
    assert "Notat 49" in html and "Notat 0" in html
    assert html.index("Notat 49") < html.index("Notat 0")


@pytest.mark.django_db
def test_recommendation_page_links_the_indicator_that_measures_it(seeded, login, council_member):
    from employment_plan.models import Indicator

    indicator = Indicator.objects.get(plan__title="Beskæftigelsesplan 2026", code="2.1")
    rec = first_rec(allerod_report())
    rec.baseline_indicator = indicator
    rec.save()
    html = login(council_member).get(rec_url("allerod", rec)).content.decode()
    assert reverse("employment-plan-indicator", args=["allerod", indicator.pk]) in html
