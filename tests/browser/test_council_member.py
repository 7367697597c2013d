"""A council member's meeting preparation, in a real browser: log in, read the front page, follow a
card to a recommendation and its timeline, filter a list, open the meeting report and print it.
axe-core checks every page type for serious or critical violations. Screenshots go to
test-artifacts/ for a reviewer."""

import datetime
import re

import pytest
from django.urls import reverse

from employment_plan.models import EmploymentPlan, Indicator
from organizations.models import Body, Municipality, Role
from recommendations.models import Report
from tests.factories import member

PASSWORD = "correct horse battery staple"
BLOCKING = {"serious", "critical"}

MEETING_DAY = datetime.date.today() - datetime.timedelta(days=100)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def check_axe(page, label: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    violations = [v for v in results.response.get("violations", []) if v.get("impact") in BLOCKING]
    details = "\n".join(
        f"- [{v['impact']}] {v['id']}: {v['help']} — "
        + "; ".join(n.get("target", [""])[0].__str__() for n in v.get("nodes", [])[:5])
        for v in violations
    )
    assert not violations, f"axe on {label} ({page.url}):\n{details}"


@pytest.fixture
def seeded(seed_recommendations_demo):
    """The seed data with the demo status history relative to today (origin "demo"), so lists
    and reports have variety."""
    allerod = Municipality.objects.get(code=201)
    return {"allerod": allerod, "rita": member("rita", allerod, Role.COUNCIL_MEMBER)}


def log_in(page, base, next_url):
    page.goto(f"{base}{reverse('login')}?next={next_url}")
    check_axe(page, "login")
    page.fill("#id_username", "rita")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name=re.compile("Log (ind|in)")).last.click()
    page.wait_for_load_state()


@pytest.mark.long
def test_council_member_prepares_a_meeting(page, live_server, seeded, artifacts):
    base = live_server.url
    front = reverse("municipality-detail", args=["allerod"])
    log_in(page, base, front)
    assert page.url == base + front

    # Keyboard: the first Tab reaches the skip link, which is visible when focused.
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.bounding_box()["x"] >= 0
    outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"

    # Front page: cards, charts with alt text, no blocking axe violations.
    assert page.locator("h1").inner_text() == "Allerød"
    assert page.locator("figure.chart[role=img]").count() == 2
    page.locator("body").evaluate("el => document.activeElement.blur()")
    page.screenshot(path=str(artifacts / "front-page-desktop.png"), full_page=True)
    check_axe(page, "front page")

    # Follow the reports card to a report, a recommendation and its timeline.
    report = Report.objects.filter(municipality__code=201).order_by("pk").first()
    assert report is not None
    page.locator(f"a[href='{reverse('report-detail', args=['allerod', report.pk])}']").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().strip() == report.title
    check_axe(page, "report detail")
    page.locator("a[href*='/anbefaling/']").first.click()
    page.wait_for_load_state()
    assert "/anbefaling/" in page.url
    assert (
        page.locator("main").get_by_text(re.compile("Historik|History|Tidslinje|Timeline")).count()
    )
    check_axe(page, "recommendation detail")

    # Filter the municipality-wide list: the filter lives in the address.
    page.goto(base + reverse("dashboard-recommendations", args=["allerod"]))
    check_axe(page, "recommendation list")
    page.locator("input[name=status][value=i-gang]").check()
    page.get_by_role("button", name=re.compile("Vis|Show")).first.click()
    page.wait_for_load_state()
    assert "status=i-gang" in page.url
    rows = page.locator("main table tbody tr")
    assert rows.count() >= 1
    for i in range(rows.count()):
        assert "I gang" in rows.nth(i).inner_text()

    # The meeting report, on screen and for print.
    page.goto(base + reverse("meeting-report", args=["allerod"]))
    check_axe(page, "meeting report form")
    page.select_option("#id_body", label="Byrådet")
    page.fill("#id_date", MEETING_DAY.isoformat())
    page.check("#id_annex")  # the annex with every recommendation, as printed for the meeting
    page.get_by_role("button", name=re.compile("rapport|report", re.I)).click()
    page.wait_for_load_state()
    assert f"date={MEETING_DAY.isoformat()}" in page.url
    assert page.locator("table.report-section").count() >= 1
    check_axe(page, "meeting report")
    page.screenshot(path=str(artifacts / "meeting-report-desktop.png"), full_page=True)
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden()
    assert page.locator(".print-header").is_visible()
    assert "Byrådet" in page.locator(".print-header").inner_text()
    page.screenshot(path=str(artifacts / "meeting-report-print.png"), full_page=True)
    pdf = page.pdf(path=str(artifacts / "meeting-report-print.pdf"), format="A4")
    assert pdf[:4] == b"%PDF"
    page.emulate_media(media="screen")


@pytest.mark.long
def test_every_other_page_type_passes_axe(page, browser, live_server, seeded, artifacts):
    base = live_server.url
    log_in(page, base, reverse("home"))
    check_axe(page, "home")
    plan = EmploymentPlan.objects.filter(municipality__code=201).first()
    body = Body.objects.get(municipality__code=201, name="Byrådet")
    indicator = Indicator.objects.filter(plan=plan).first()
    assert plan is not None and indicator is not None
    from workforce.demo import create_workforce_demo

    create_workforce_demo()
    pages = {
        "institution list": reverse("dashboard-institutions", args=["allerod"]),
        "workforce overview": reverse("workforce-overview", args=["allerod"]),
        "workforce per institution": reverse("workforce-institutions", args=["allerod"]),
        "scenario comparison": reverse("workforce-compare", args=["allerod"]),
        "report list": reverse("recommendation-reports", args=["allerod"]),
        "indicator list": reverse("dashboard-indicators", args=["allerod"]),
        "employment plan list": reverse("employment-plan-list", args=["allerod"]),
        "barometer": reverse("employment-plan-barometer", args=["allerod", plan.pk]),
        "indicator detail": reverse("employment-plan-indicator", args=["allerod", indicator.pk]),
        "accessibility statement": reverse("accessibility-statement"),
        "not found": "/kommune/allerod/no-such-page/",
        "meeting report with an invalid date": reverse("meeting-report", args=["allerod"])
        + f"?body={body.pk}&date=2024-02-30",
    }
    for label, url in pages.items():
        page.goto(base + url)
        check_axe(page, label)

    # Readable without JavaScript: the same pages render their content.
    context = browser.new_context(java_script_enabled=False)
    nojs = context.new_page()
    seeded["allerod"].is_published = True
    seeded["allerod"].save()
    for url in [
        reverse("municipality-detail", args=["allerod"]),
        reverse("dashboard-recommendations", args=["allerod"]) + "?status=i-gang",
        reverse("meeting-report", args=["allerod"]) + f"?body={body.pk}&date=2024-06-30",
    ]:
        nojs.goto(base + url)
        assert nojs.locator("h1").count() == 1
        assert nojs.locator("main table").count() >= 1, url
    context.close()
