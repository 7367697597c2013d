"""The meeting report as a council member prints it: Chromium's own print (page.pdf, the same
layout as Ctrl+P) of a report long enough for several pages. Every page must carry the running
header and its page number, and nothing is cut: a long title is printed whole, and a late
recommendation says why. The PDF is kept in test-artifacts/ for a reviewer."""

import datetime
import io
import re
import unicodedata

import pytest
from django.urls import reverse
from django.utils import timezone

from organizations.models import BodyKind
from recommendations.models import StatusUpdate, UpdateOrigin
from tests.factories import BodyFactory, RecommendationFactory, ReportFactory, status

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LONG_TITLE = (
    "Kommunen skal i samarbejde med uddannelsesinstitutionerne, de faglige organisationer og "
    "jobcentret udvikle et samlet forløb for ufaglærte medarbejdere i ældreplejen, så flere kan "
    "tage en SOSU-uddannelse med løn under uddannelsen og fastholdes i kommunen bagefter"
)
REASON = "Afventer budgetforhandlingerne i efteråret, hvor finansieringen af forløbet afgøres"


@pytest.fixture
def long_report(allerod):
    """One report of 60 recommendations (a few pages printed); number 1 has a long title and is
    delayed with a reason."""
    allerod.is_published = True  # read as an anonymous visitor: no login round trip
    allerod.save(update_fields=["is_published"])
    body = BodyFactory.create(municipality=allerod, kind=BodyKind.COUNCIL, name="Byrådet")
    report = ReportFactory.create(municipality=allerod, issuing_body=body, title="Rapporten")
    day = timezone.localdate() - datetime.timedelta(days=10)
    late = RecommendationFactory.create(
        report=report, number="1", title=LONG_TITLE, status=status("forsinket")
    )
    updates = [
        StatusUpdate(
            recommendation=late,
            effective_on=day,
            new_status=status("forsinket"),
            progress=10,
            note=REASON,
            origin=UpdateOrigin.FORM,
        )
    ]
    for n in range(2, 61):
        rec = RecommendationFactory.create(report=report, number=str(n), status=status("i-gang"))
        updates.append(
            StatusUpdate(
                recommendation=rec,
                effective_on=day,
                new_status=status("i-gang"),
                progress=50,
                origin=UpdateOrigin.FORM,
            )
        )
    StatusUpdate.objects.bulk_create(updates)
    return body


def pdf_pages(pdf: bytes) -> list[str]:
    """Each page's text as one line: the font's ligatures (ﬁ, ﬂ) as letters, and a word broken
    after its own hyphen (SOSU-|uddannelse) joined again."""
    from pypdf import PdfReader

    texts = (page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return [" ".join(unicodedata.normalize("NFKC", t).replace("-\n", "-").split()) for t in texts]


def test_printed_meeting_report_has_header_page_numbers_full_titles_and_reasons(
    page, live_server, long_report, artifacts
):
    page.goto(live_server.url + reverse("meeting-report", args=["allerod"]))
    today = timezone.localdate().strftime("%d.%m.%Y")
    # The date is today's by default, written the Danish way.
    assert page.input_value("#id_date") == today
    page.select_option("#id_body", label="Byrådet")
    page.check("#id_annex")
    page.get_by_role("button", name=re.compile("rapport", re.I)).click()
    page.wait_for_load_state()
    assert page.locator("table.report-section").count() == 1

    pdf = page.pdf(path=str(artifacts / "meeting-report-pages.pdf"), format="A4")
    pages = pdf_pages(pdf)
    assert len(pages) >= 2
    header = f"Allerød · Byrådet · statusrapport {today}"
    for number, text in enumerate(pages, start=1):
        assert header in text, f"page {number} has no running header: {text[:200]}"
        assert f"Side {number} af {len(pages)}" in text, f"page {number}: {text[-200:]}"
    everything = " ".join(pages)
    assert LONG_TITLE in everything
    assert "…" not in everything
    assert f"Begrundelse: {REASON}" in everything
