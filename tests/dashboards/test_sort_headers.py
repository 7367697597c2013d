"""Clicking a column header sorts a list: plain links (no JavaScript) that keep the filters,
mark the sorted column for screen readers (aria-sort) and accept only the list's own orders."""

import datetime
import re
from html import unescape

import pytest
from django.urls import reverse

from tests.factories import ReportFactory

from .conftest import build

# PostgreSQL: ordering (collation) in SQL.
pytestmark = pytest.mark.postgres


def header(html: str, label: str) -> re.Match:
    """The column header whose link reads ``label``: group 1 its attributes, group 2 the link."""
    found = re.search(
        rf'<th scope="col"([^>]*)><a class="sort-link" href="([^"]*)">{label}\b', html
    )
    assert found, f"no sorting header {label!r}"
    return found


def follow(client, base: str, html: str, label: str) -> str:
    return client.get(base + unescape(header(html, label).group(2))).content.decode()


def titles(html: str) -> list[str]:
    return re.findall(r'/anbefaling/\d+/">([^<]+)</a>', html)


def sorted_columns(html: str) -> list[str]:
    head = html[html.index("<thead>", html.index('id="list-heading"')) :]
    return re.findall(r"aria-sort=\"(\w+)\"", head[: head.index("</thead>")])


@pytest.mark.django_db
def test_a_header_sorts_the_list_and_a_second_click_reverses_it(login, council_member, allerod):
    build(allerod, 12)
    client = login(council_member)
    base = reverse("dashboard-recommendations", args=["allerod"])
    start = client.get(base + "?status=forsinket&status=i-gang&page=1").content.decode()
    assert sorted_columns(start) == []  # the default order: report and number
    link = unescape(header(start, "Anbefaling").group(2))
    # The filters stay; the page goes back to the first.
    assert "status=forsinket" in link and "status=i-gang" in link and "sort=title" in link
    assert "page=" not in link

    ascending = follow(client, base, start, "Anbefaling")
    shown = titles(ascending)
    assert len(shown) > 1 and shown == sorted(shown)
    assert 'aria-sort="ascending"' in header(ascending, "Anbefaling").group(1)
    assert sorted_columns(ascending) == ["ascending"]
    shown_statuses = {r.status.key for r in client.get(base + link).context["page_obj"]}
    assert shown_statuses == {"forsinket", "i-gang"}

    descending = follow(client, base, ascending, "Anbefaling")
    assert titles(descending) == sorted(shown, reverse=True)
    assert 'aria-sort="descending"' in header(descending, "Anbefaling").group(1)

    by_progress = follow(client, base, descending, "Fremdrift")
    progress = [float(p.replace(",", ".")) for p in re.findall(r"([\d,]+)&nbsp;%", by_progress)]
    assert progress == sorted(progress) and len(set(progress)) > 1


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["password", "-title,report__municipality__name", "title;"])
def test_an_unknown_sort_order_is_ignored(login, council_member, allerod, bad):
    build(allerod, 12)
    client = login(council_member)
    base = reverse("dashboard-recommendations", args=["allerod"])
    default = client.get(base + "?status=forsinket").content.decode()
    response = client.get(base, {"status": "forsinket", "sort": bad})
    assert response.status_code == 200
    html = response.content.decode()
    assert titles(html) == titles(default)  # the filter holds, in the default order
    assert sorted_columns(html) == [] and "errorlist" not in html


@pytest.mark.django_db
def test_indicator_headers_sort_by_number_and_target_date(login, council_member, allerod):
    build(allerod, 50)
    client = login(council_member)
    base = reverse("dashboard-indicators", args=["allerod"])
    html = follow(client, base, client.get(base).content.decode(), "Indikator")
    html = follow(client, base, html, "Indikator")
    assert 'aria-sort="descending"' in header(html, "Indikator").group(1)
    codes = re.findall(r'/indikator/\d+/">([\d.]+) ', html)
    assert codes == sorted(codes, reverse=True) and len(codes) > 1
    assert "aria-sort" not in header(html, "Mål").group(1)


@pytest.mark.django_db
def test_institution_headers_sort_by_shortage_and_back(seed_workforce_demo, login, council_member):
    client = login(council_member)
    base = reverse("dashboard-institutions", args=["allerod"])
    start = client.get(base + "?kind=daycare").content.decode()
    # By institution name unless asked otherwise.
    assert 'aria-sort="ascending"' in header(start, "Institution").group(1)
    response = client.get(base + unescape(header(start, "Udsigt").group(2)))
    html = response.content.decode()
    assert 'aria-sort="descending"' in header(html, "Udsigt").group(1)
    assert "aria-sort" not in header(html, "Institution").group(1)
    rows = list(response.context["page_obj"].paginator.object_list)
    assert {r.unit.kind for r in rows} == {"daycare"}  # the filter holds
    shortages = [r.shortage for r in rows]
    assert shortages == sorted(shortages, reverse=True) and len(set(shortages)) > 1
    back = unescape(header(html, "Institution").group(2))
    assert "sort=" not in back and "kind=daycare" in back


def report_titles(html: str) -> list[str]:
    own = html[html.index('id="own-reports-heading"') :]
    return re.findall(r'/rapport/\d+/">([^<]+)</a>', own.split("cross-reports-heading")[0])


def sort_link(html: str, label: str) -> re.Match:
    found = re.search(rf'<a class="sort-link" href="([^"]*)"([^>]*)>{label}\b', html)
    assert found, f"no sorting link {label!r}"
    return found


@pytest.mark.django_db
def test_the_report_list_sorts_by_title_and_back_to_newest_first(login, council_member, allerod):
    """The report list shows cards, not columns: its sorting links mark the chosen order."""
    for i, title in enumerate(["Banan", "Hyld", "Appelsin", "Citron", "Agurk", "Dild"] * 2):
        ReportFactory.create(
            municipality=allerod,
            title=f"{title} {i}",
            published_on=datetime.date(2020, 1, 1) + datetime.timedelta(days=30 * i),
        )
    client = login(council_member)
    base = reverse("recommendation-reports", args=["allerod"])
    newest = client.get(base + "?page=2").content.decode()
    assert 'aria-current="true"' in sort_link(newest, "Nyeste først").group(2)
    link = unescape(sort_link(newest, "Titel").group(1))
    assert "page=" not in link

    by_title = client.get(base + link).content.decode()
    shown = report_titles(by_title)
    assert len(shown) == 10 and shown[:2] == ["Agurk 10", "Agurk 4"]  # the first page of 12
    assert 'aria-current="true"' in sort_link(by_title, "Titel").group(2)
    assert "aria-current" not in sort_link(by_title, "Nyeste først").group(2)
    backwards = client.get(base + unescape(sort_link(by_title, "Titel").group(1)))
    assert report_titles(backwards.content.decode())[:2] == ["Hyld 7", "Hyld 1"]

    default = report_titles(client.get(base).content.decode())
    assert default[0] == "Dild 11"  # the newest
    assert report_titles(client.get(base + "?sort=secret").content.decode()) == default
