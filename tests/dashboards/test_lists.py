"""The municipality-wide lists: filters, sorting and pagination live in the address; the export
gives exactly the filtered rows, safely for Danish Excel."""

import csv
import io
import re

import pytest
from django.urls import reverse

from core.writers import excel_dialect
from recommendations.models import Recommendation

from .conftest import build

# PostgreSQL: filters and ordering (collation) in SQL.
pytestmark = pytest.mark.postgres

LIST = "dashboard-recommendations"


def titles(html):
    return re.findall(r'/anbefaling/\d+/">([^<]+)</a>', html)


def read_csv(response):
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:]), delimiter=";"))


@pytest.mark.django_db
def test_filters_and_sorting_are_in_the_address(login, council_member, allerod):
    build(allerod, 12)
    client = login(council_member)
    url = reverse(LIST, args=["allerod"])
    everything = client.get(url)
    assert everything.context["page_obj"].paginator.count == 12

    delayed = client.get(url + "?status=forsinket")
    expected = Recommendation.objects.filter(status__key="forsinket").count()
    assert delayed.context["page_obj"].paginator.count == expected > 0

    overdue = client.get(url + "?overdue=true").context["page_obj"].object_list
    assert overdue and all(r.follow_up_date is not None and not r.status.closes for r in overdue)

    by_title = titles(client.get(url + "?sort=-title").content.decode())
    assert by_title == sorted(by_title, reverse=True)
    # The filter form keeps the choices, so the page can be bookmarked and shared.
    html = client.get(url + "?status=forsinket&sort=-title").content.decode()
    assert re.search(r'value="forsinket"[^>]*checked', html)
    assert re.search(r'<option value="-title" selected', html)


@pytest.mark.django_db
def test_pagination_keeps_the_filter(login, council_member, allerod):
    build(allerod, 60)
    client = login(council_member)
    url = reverse(LIST, args=["allerod"]) + "?sort=title"
    first = client.get(url)
    assert len(first.context["page_obj"].object_list) == 25
    html = first.content.decode()
    assert "?sort=title&amp;page=2" in html
    second = client.get(url + "&page=2").content.decode()
    assert set(titles(html)).isdisjoint(titles(second))
    third = client.get(url + "&page=3")
    assert len(third.context["page_obj"].object_list) == 10
    assert client.get(url + "&page=nonsense").status_code == 200


@pytest.mark.django_db
def test_export_gives_exactly_the_filtered_rows(login, analyst, allerod):
    build(allerod, 40)
    client = login(analyst)
    url = reverse(LIST, args=["allerod"]) + "?status=i-gang&sort=-number"
    page = client.get(url)
    expected = [r.title for r in page.context["filter"].qs]
    response = client.get(url + "&format=csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert len(rows) == 1 + len(expected)
    title = rows[0].index("Titel")
    assert [row[title] for row in rows[1:]] == expected
    # The link on the page exports what the page shows, without the page number.
    assert "?status=i-gang&amp;sort=-number&amp;format=csv" in page.content.decode()


@pytest.mark.django_db
def test_export_neutralises_formulas(login, analyst, allerod):
    data = build(allerod, 2)
    rec = data["recs"][0]
    Recommendation.objects.filter(pk=rec.pk).update(title='=HYPERLINK("http://evil")')
    rows = read_csv(login(analyst).get(reverse(LIST, args=["allerod"]) + "?format=csv"))
    title = rows[0].index("Titel")
    assert any(row[title] == '\'=HYPERLINK("http://evil")' for row in rows)
    cell = excel_dialect().text
    for bad in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"]:
        assert cell(bad) == "'" + bad
    assert cell("Almindelig tekst") == "Almindelig tekst"
    assert cell(-1) == "-1"
    from decimal import Decimal

    assert cell(Decimal("12.5")) == "12,5"


@pytest.mark.django_db
def test_indicator_list_filters_on_the_computed_status(login, council_member, allerod):
    data = build(allerod, 10)
    client = login(council_member)
    url = reverse("dashboard-indicators", args=["allerod"])
    everything = client.get(url)
    assert everything.context["page_obj"].paginator.count == len(data["indicators"])
    statuses = {i.result.status for i in everything.context["page_obj"].object_list}
    one = sorted(statuses)[0]
    filtered = client.get(url + f"?status={one}").context["page_obj"].object_list
    assert filtered and all(i.result.status == one for i in filtered)
    assert client.get(url + "?status=no-such-status").status_code == 200


@pytest.mark.django_db
def test_indicator_export_has_the_filtered_rows(login, analyst, allerod):
    data = build(allerod, 10)
    rows = read_csv(
        login(analyst).get(reverse("dashboard-indicators", args=["allerod"]) + "?format=csv")
    )
    assert len(rows) == 1 + len(data["indicators"])
