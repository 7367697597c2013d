"""The approved annex as PDF and XLSX: drawn from the frozen snapshot, A4 with page numbers and the
header on every page, full titles and reasons, typed cells; a later change changes no byte."""

import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from pypdf import PdfReader

from followup import annex_files, services
from followup.models import FrozenAnnex
from followup.tasks import render_annex_pdf
from recommendations.models import CouncilDecision, DecisionKind
from recommendations.services import recommendation_change_status
from tests.factories import RecommendationFactory, status
from tests.followup.conftest import new_round

pytestmark = pytest.mark.django_db

LONG_TITLE = (
    "Kommunen skal sammen med uddannelsesinstitutionerne udvikle flere praktikpladser og "
    "vejledningsforløb for sosu-elever, så frafaldet under grundforløbet halveres inden 2028"
)


@pytest.fixture
def approved(
    client, allerod, committee, scope, owners, administrator, django_capture_on_commit_callbacks
):
    # Enough items for more than one A4 page.
    for number in range(30):
        RecommendationFactory(
            report=scope["first"].report,
            contact=owners["olga"],
            title=LONG_TITLE if number == 0 else f"Anbefaling om rekruttering nr. {number}",
        )
    decision = CouncilDecision.objects.create(
        municipality=allerod,
        body=committee,
        meeting_date=datetime.date(2027, 2, 3),
        decision=DecisionKind.ADOPTED,
    )
    decision.recommendations.add(scope["first"])
    round = new_round(allerod, committee, administrator)
    round = services.round_open(
        round=round, expected_version=round.version, acting_user=administrator
    )
    recommendation_change_status(
        recommendation=scope["first"],
        status=status("forsinket"),
        note="Afventer budgetforhandlingerne i september",
        acting_user=owners["olga"],
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.round_approve(
            round=round, expected_version=round.version, acting_user=administrator
        )
    # The PDF is asked of the worker once the approval commits.
    assert any("enqueue_files" in getattr(c, "__qualname__", "") for c in callbacks)
    round.refresh_from_db()
    client.force_login(administrator)
    return round


def test_until_the_worker_has_drawn_it_the_pdf_link_says_so(client, approved):
    page = client.get(reverse("followup-annex-pdf", args=["allerod", approved.pk]))
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    html = page.content.decode()
    assert '<meta http-equiv="refresh" content="5">' in html and "bliver lavet" in html


def download(client, name, round):
    response = client.get(reverse(name, args=["allerod", round.pk]))
    assert response.status_code == 200
    return response


def test_the_pdf_has_a_header_and_page_numbers_on_every_page_full_titles_and_reasons(
    client, approved, scope, owners
):
    render_annex_pdf.call(approved.annex.pk)  # what the worker does after the approval
    response = download(client, "followup-annex-pdf", approved)
    assert response["Content-Type"] == "application/pdf"
    assert approved.annex.content_hash[:12] in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) >= 2
    assert reader.pages[0].mediabox.width == pytest.approx(595, abs=1)  # A4: 210 mm
    for number, text in enumerate(pages, start=1):
        assert "Statusbilag: Status til Beskæftigelsesudvalget" in text, number
        assert f"Side {number} af {len(pages)}" in text, number
        assert approved.annex.content_hash in re.sub(r"\s", "", text), number
    # Lines joined again; a line broken after a hyphen ("sosu-" / "elever") joined without a space.
    everything = re.sub(r"-\s+", "-", re.sub(r"\s+", " ", " ".join(pages)))
    assert LONG_TITLE in everything
    assert "Afventer budgetforhandlingerne i september" in everything

    # A later change leaves the file as it was, byte for byte; drawing it again gives the same bytes.
    recommendation_change_status(
        recommendation=scope["first"], status=status("gennemfoert"), acting_user=owners["olga"]
    )
    assert download(client, "followup-annex-pdf", approved).content == response.content
    assert annex_files.pdf(FrozenAnnex.objects.get(pk=approved.annex.pk)) == response.content
    assert render_annex_pdf.call(approved.annex.pk) == "already drawn"


def pdf_text(client, round) -> str:
    """The PDF's text as one line: whitespace (line breaks, no-break spaces) as single spaces."""
    render_annex_pdf.call(round.annex.pk)
    reader = PdfReader(io.BytesIO(download(client, "followup-annex-pdf", round).content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_the_pdf_shows_each_item_with_every_field_of_the_annex_page(client, approved, scope):
    """The PDF prints an item as a title and a line of labelled facts, not as the page's table
    row (WeasyPrint lays blocks out several times faster than a table), with the same fields."""
    text = pdf_text(client, approved)
    content = approved.annex.content
    first = next(e for e in content["recommendations"] if e["title"] == scope["first"].title)
    assert (
        f"{first['number']}. {first['title']} {first['report']} · Status: Forsinket"
        f" · Fremdrift: {int(Decimal(first['progress']))} %"
        " · Begrundelse eller note: Afventer budgetforhandlingerne i september"
        f" · Ansvarlig: {first['owner']}"
        " · Politiske beslutninger: Beskæftigelsesudvalget 3. februar 2027: Vedtaget"
    ) in text
    second = next(e for e in content["recommendations"] if e["title"] == scope["second"].title)
    assert f"{second['number']}. {second['title']} {second['report']} · Status: " in text
    assert f" · Ansvarlig: HR og Løn, {second['owner']} · Politiske beslutninger: –" in text
    indicator = content["indicators"][0]
    assert re.search(
        rf"{re.escape(indicator['code'])} {re.escape(indicator['title'])} "
        rf"{re.escape(indicator['plan'])} · Status: {re.escape(indicator['status'])}"
        r" · Seneste værdi: \S.* · Mål: ",
        text,
    )


def test_the_next_rounds_pdf_shows_each_change_with_its_item(
    client, approved, allerod, committee, scope, owners, administrator
):
    """The committee's next round: what changed since the approved round stands beside the item
    it concerns (one more fact on its line), and a sentence counts the changes."""
    recommendation_change_status(
        recommendation=scope["first"], status=status("i-gang"), acting_user=owners["olga"]
    )
    following = new_round(
        allerod,
        committee,
        administrator,
        title="Status til næste møde",
        meeting_date=approved.meeting_date + datetime.timedelta(days=60),
        deadline=approved.deadline + datetime.timedelta(days=60),
    )
    following = services.round_open(
        round=following, expected_version=following.version, acting_user=administrator
    )
    services.round_approve(
        round=following, expected_version=following.version, acting_user=administrator
    )
    following.refresh_from_db()
    text = pdf_text(client, following)
    changes = following.annex.content["changes"]
    assert [c["key"] for c in changes] == [f"recommendation:{scope['first'].pk}"]
    first = next(
        e for e in following.annex.content["recommendations"] if e["title"] == scope["first"].title
    )
    assert (f"{first['number']}. {first['title']} {first['report']} · Status: I gang") in text
    assert (
        " · Politiske beslutninger: Beskæftigelsesudvalget 3. februar 2027: Vedtaget"
        " · Siden forrige godkendte runde: Forsinket → I gang"
    ) in text
    assert text.count("Siden forrige godkendte runde:") == 1
    assert (
        "1 punkt er ændret siden udvalgets forrige godkendte runde; ændringen står ved punktet"
        " ovenfor."
    ) in text


def test_the_xlsx_has_typed_cells_and_the_hash(client, approved, scope):
    response = download(client, "followup-annex-xlsx", approved)
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert any(approved.annex.content_hash in str(cell) for row in rows[:3] for cell in row if cell)
    header = next(i for i, row in enumerate(rows) if row and row[0] == "Rapport")
    lines = {row[2]: row for row in rows[header + 1 :]}
    delayed = lines[scope["first"].title]
    assert delayed[3] == "Forsinket" and delayed[5] == "Afventer budgetforhandlingerne i september"
    assert isinstance(delayed[4], (int, float))
    assert LONG_TITLE in lines
