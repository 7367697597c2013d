"""A follow-up round end to end in a real browser (issue #17): the administrator prepares and opens
it, two owners find their items under "Mine opgaver", one updates, the reminder goes only to the
other, the administrator approves, the worker draws the PDF annex (kept in test-artifacts/), and a
later status change leaves the annex byte for byte as approved. Screenshots go to test-artifacts/
for docs/followup-rounds.md."""

import datetime
import io
import re

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from followup import reminders
from followup.models import FollowUpRound, RoundState
from followup.tasks import render_annex_pdf
from organizations.models import BodyKind, Role, User
from recommendations.services import recommendation_change_status
from tests.conftest import PASSWORD
from tests.factories import BodyFactory, RecommendationFactory, ReportFactory, member, status

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def committee_world(allerod):
    committee = BodyFactory.create(
        municipality=allerod, kind=BodyKind.COMMITTEE, name="Beskæftigelsesudvalget"
    )
    report = ReportFactory.create(
        municipality=allerod, issuing_body=committee, title="Rekruttering"
    )
    people = {
        "ada": member("ada", allerod, Role.ADMINISTRATOR),
        "olga": member("olga", allerod, Role.HR_OFFICER),
        "otto": member("otto", allerod, Role.HR_OFFICER),
    }
    for user in people.values():
        User.objects.filter(pk=user.pk).update(email=f"{user.username}@allerod.dk")
    olgas = RecommendationFactory.create(
        report=report,
        number="1",
        title="Flere praktikpladser til sosu-elever",
        contact=people["olga"],
    )
    ottos = RecommendationFactory.create(
        report=report, number="2", title="Løn under grundforløb", contact=people["otto"]
    )
    return {"committee": committee, "people": people, "olgas": olgas, "ottos": ottos}


def log_in(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}{reverse('login')}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name=re.compile("Log (ind|in)")).last.click()
    page.wait_for_load_state()


@pytest.mark.long
def test_a_round_from_opening_to_the_frozen_annex(page, live_server, committee_world, artifacts):
    base = live_server.url
    world = committee_world

    # The administrator prepares the round: the committee's open recommendations, with owners.
    log_in(page, base, "ada")
    page.goto(base + reverse("admin:followup_followupround_add"))
    page.select_option("#id_body", label="Beskæftigelsesudvalget")
    page.fill("#id_title", "Status til Beskæftigelsesudvalget, møde 12. marts 2027")
    page.fill("#id_meeting_date", "12.03.2027")
    page.fill("#id_deadline", "01.03.2027")
    page.click("input[name=_continue]")
    page.wait_for_load_state()
    page.screenshot(path=str(artifacts / "runde-forberedt.png"), full_page=True)
    errors = page.locator(".errorlist, .errornote").all_inner_texts()
    assert not errors, errors
    round = FollowUpRound.objects.get()
    assert round.items.count() == 2
    page.get_by_role("button", name="Åbn runden").click()
    page.wait_for_load_state()
    round.refresh_from_db()
    assert round.state == RoundState.OPEN

    # Each owner sees their own item; Olga updates hers.
    log_in(page, base, "otto")
    page.goto(base + reverse("my-tasks"))
    assert "Løn under grundforløb" in page.content() and "praktikpladser" not in page.content()
    log_in(page, base, "olga")
    page.goto(base + reverse("my-tasks"))
    page.screenshot(path=str(artifacts / "mine-opgaver.png"), full_page=True)
    item = round.items.get(recommendation=world["olgas"])
    page.select_option(f"#id_item-{item.pk}-status", label="I gang")
    page.fill(f"#id_item-{item.pk}-note", "Aftale med skolen er på plads")
    page.get_by_role("button", name="Gem status").click()
    page.wait_for_load_state()
    assert "Opdateret i denne runde" in page.locator(f"#item-{item.pk}").inner_text()

    # The reminder before the deadline goes only to Otto, who has not updated.
    mail.outbox.clear()
    reminder_day = round.deadline - datetime.timedelta(days=round.reminder_days)
    reminders.send(today=reminder_day)
    assert [m.to for m in mail.outbox] == [["otto@allerod.dk"]]

    # The administrator follows the round and approves it.
    log_in(page, base, "ada")
    page.goto(base + reverse("followup-round", args=["allerod", round.pk]))
    assert "1 af 2 punkter opdateret" in re.sub(r"\s+", " ", page.locator("main").inner_text())
    page.screenshot(path=str(artifacts / "runde-fremdrift.png"), full_page=True)
    page.goto(base + reverse("admin:followup_followupround_change", args=[round.pk]))
    page.get_by_role("button", name="Godkend og lås bilaget").click()
    page.wait_for_load_state()
    round.refresh_from_db()
    assert round.state == RoundState.APPROVED

    # The worker draws the PDF once; the download is that file.
    render_annex_pdf.call(round.annex.pk)
    pdf_url = base + reverse("followup-annex-pdf", args=["allerod", round.pk])
    approved_pdf = page.request.get(pdf_url).body()
    (artifacts / "statusbilag.pdf").write_bytes(approved_pdf)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(approved_pdf)).pages)
    assert "Aftale med skolen er på plads" in re.sub(r"\s+", " ", text)
    assert round.annex.content_hash in re.sub(r"\s", "", text)
    page.goto(base + reverse("followup-annex", args=["allerod", round.pk]))
    page.screenshot(path=str(artifacts / "statusbilag.png"), full_page=True)

    # A later change: the annex and its PDF stay as approved, the round's page shows the change.
    recommendation_change_status(
        recommendation=world["olgas"],
        status=status("gennemfoert"),
        acting_user=world["people"]["olga"],
    )
    annex = FollowUpRound.objects.get(pk=round.pk).annex
    assert annex.content_hash == round.annex.content_hash and annex.intact
    assert page.request.get(pdf_url).body() == approved_pdf
    page.goto(base + reverse("followup-round", args=["allerod", round.pk]))
    assert "Ændret efter godkendelsen" in page.content()
