"""Every page type, public and admin, at a phone's 375 px: axe-core finds no serious or critical
violation and the page never scrolls sideways (a wide table scrolls inside its own region instead).
The phone is the harder layout; at desktop width tests/browser/test_council_member.py runs axe on
the council member's pages. Each page is visited by the persona who uses it: anonymous
readers of a published municipality, a council member, an HR officer and an administrator.
Screenshots at 375 px go to test-artifacts/phone-*.png for a reviewer.

All problems are collected and reported together, so one run shows every page that fails."""

import datetime
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from core.models import ImportJob
from employment_plan.models import EmploymentPlan, Indicator, Measurement
from followup import follows
from followup import services as followup_services
from followup.models import FollowUpRound, RoundItem
from organizations.models import Body, Municipality, OrganisationalUnit, Role, User
from recommendations.models import Recommendation, Report
from tests.browser.axe import blocking_violations
from tests.factories import member
from workforce import importing as staffing_import
from workforce.models import StaffingSnapshot

PASSWORD = "correct horse battery staple"
PHONE = {"width": 375, "height": 740}
MEETING_DAY = datetime.date.today() - datetime.timedelta(days=100)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# The element whose right edge (or overflowing content) is furthest right, the last such in document
# order (the innermost), outside any container that scrolls or clips its own content (a table in a
# scroll region may be wide): the one that makes the page wide.
WIDEST_ELEMENT = """() => {
  let widest = null, right = -Infinity;
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (typeof el.className === 'string' && el.className.trim()
       ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const walk = (el) => {
    for (const child of el.children) {
      // A long word overflows its box without widening it: scrollWidth counts it.
      const r = child.getBoundingClientRect();
      const visible = getComputedStyle(child).overflowX === 'visible';
      const edge = visible ? Math.max(r.right, r.left + child.scrollWidth) : r.right;
      if (r.width > 0 && edge >= right) { right = edge; widest = child; }
      if (visible) walk(child);
    }
  };
  walk(document.body);
  if (!widest) return '';
  const path = [];
  for (let el = widest; el && el !== document.body && path.length < 4; el = el.parentElement) {
    path.unshift(describe(el));
  }
  const text = (widest.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
  return path.join(' > ') + ` (right edge ${Math.round(right)} px, "${text}")`;
}"""


def slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


@pytest.fixture
def world(seed_recommendations_demo):
    """The seed data with the recommendations demo and the workforce demo, a published Allerød,
    and one person per role; the rows whose pages are visited."""
    from workforce.demo import create_workforce_demo

    create_workforce_demo()
    allerod = Municipality.objects.get(code=201)
    allerod.is_published = True
    allerod.save()
    hr = member("hanne", allerod, Role.HR_OFFICER)
    rita = member("rita", allerod, Role.COUNCIL_MEMBER)
    ada = member("ada", allerod, Role.ADMINISTRATOR)
    # An account of the municipality's identity provider: no password here (organizations.oidc).
    signe = member("signe", allerod, Role.COUNCIL_MEMBER)
    signe.set_unusable_password()
    signe.save()
    plan = EmploymentPlan.objects.filter(municipality=allerod).first()
    indicator = Indicator.objects.filter(plan=plan).first()
    report = Report.objects.filter(municipality=allerod).order_by("pk").first()
    recommendation = Recommendation.objects.filter(report=report).order_by("pk").first()
    measurement = Measurement.objects.filter(indicator__plan__municipality=allerod).first()
    snapshot = StaffingSnapshot.objects.filter(unit__municipality=allerod).first()
    unit = OrganisationalUnit.objects.filter(municipality=allerod).first()
    entry = AuditEntry.objects.filter(municipality=allerod).first()
    assert plan is not None and indicator is not None and report is not None
    assert recommendation is not None and measurement is not None and snapshot is not None
    assert unit is not None and entry is not None
    job = ImportJob.objects.create(
        subject=staffing_import.SUBJECT.key,
        actor=hr,
        file_name="normeringer-2025-med-et-meget-langt-filnavn.csv",
        state=ImportJob.State.REFUSED,
        message="Nothing was imported.",
        errors=[[3, "Enhed", "Ukendt enhed: Børnehuset Solsikkemarken-Ådalen"]],
    )
    body = Body.objects.get(municipality=allerod, name="Byrådet")
    annex = f"?body={body.pk}&date={MEETING_DAY.isoformat()}&annex=on"
    approved = follow_up_round(allerod, body, ada, hr, "Status til Byrådet, marts")
    followup_services.round_approve(
        round=approved, expected_version=approved.version, acting_user=ada
    )
    open_round = follow_up_round(allerod, body, ada, hr, "Status til Byrådet, juni")
    follows.follow_start(target=report, municipality=allerod, acting_user=rita)
    follows.follow_start(target=recommendation, municipality=allerod, acting_user=rita)
    unsubscribe = reverse("follow-unsubscribe", args=[follows.unsubscribe_token(rita)])

    def public(name, *args):
        return reverse(name, args=["allerod", *args])

    def admin(name, *args):
        return reverse(f"admin:{name}", args=args)

    return {
        None: {
            "login": reverse("login"),
            "password reset": reverse("password_reset"),
            "public front page": public("municipality-detail"),
            "public recommendation list": public("dashboard-recommendations"),
            "public not found": "/kommune/allerod/no-such-page/",
            "unsubscribe link": unsubscribe,
            "unsubscribe bad link": reverse("follow-unsubscribe", args=["garbled"]),
        },
        "rita": {
            "home": reverse("home"),
            "front page": public("municipality-detail"),
            "report list": public("recommendation-reports"),
            "report detail": public("report-detail", report.pk),
            "recommendation list": public("dashboard-recommendations"),
            "recommendation detail": public("recommendation-detail", recommendation.pk),
            "indicator list": public("dashboard-indicators"),
            "indicator detail": public("employment-plan-indicator", indicator.pk),
            "employment plan list": public("employment-plan-list"),
            "barometer": public("employment-plan-barometer", plan.pk),
            "institutions list": public("dashboard-institutions"),
            "workforce overview": public("workforce-overview"),
            "workforce per institution": public("workforce-institutions"),
            "scenario comparison": public("workforce-compare"),
            "meeting report form": public("meeting-report"),
            "meeting report with annex": public("meeting-report") + annex,
            "accessibility statement": reverse("accessibility-statement"),
            "not found": "/kommune/allerod/no-such-page/",
            "password change": reverse("password_change"),
            "follow-up rounds": public("followup-rounds"),
            "follow-up round": public("followup-round", open_round.pk),
            "approved annex": public("followup-annex", approved.pk),
            "what you follow": reverse("my-follows"),
        },
        "hanne": {
            "export page": public("export-page"),
            "API keys": reverse("api-token"),
            "admin index (HR officer)": admin("index"),
            "recommendation changelist": admin("recommendations_recommendation_changelist"),
            "recommendation change form": admin(
                "recommendations_recommendation_change", recommendation.pk
            ),
            "recommendation history": admin(
                "recommendations_recommendation_history", recommendation.pk
            ),
            "recommendation import": admin("recommendations_recommendation_import"),
            "measurement changelist": admin("employment_plan_measurement_changelist"),
            "measurement change form": admin("employment_plan_measurement_change", measurement.pk),
            "measurement import": admin("employment_plan_measurement_import"),
            "staffing changelist": admin("workforce_staffingsnapshot_changelist"),
            "staffing change form": admin("workforce_staffingsnapshot_change", snapshot.pk),
            "staffing import": admin("workforce_staffingsnapshot_import"),
            "staffing import job": admin("workforce_staffingsnapshot_import_job", job.pk),
            "staffing admin export": admin("workforce_staffingsnapshot_export"),
            "my tasks": reverse("my-tasks"),
        },
        "ada": {
            "admin index (administrator)": admin("index"),
            "organisational unit changelist": admin("organizations_organisationalunit_changelist"),
            "organisational unit change form": admin(
                "organizations_organisationalunit_change", unit.pk
            ),
            "employment plan change form": admin("employment_plan_employmentplan_change", plan.pk),
            "employment plan values": admin("employment_plan_employmentplan_enter_values", plan.pk),
            "audit changelist": admin("audit_auditentry_changelist"),
            "audit change form": admin("audit_auditentry_change", entry.pk),
            "audit login failures": admin("audit_auditentry_login_failures"),
            "follow-up round change form": admin("followup_followupround_change", open_round.pk),
            "follow-up round e-mails": admin("followup_followupround_digests", open_round.pk),
        },
        "signe": {
            "password change (single sign-on account)": reverse("password_change"),
        },
    }


def follow_up_round(municipality, body, administrator, owner, title):
    """An open round of the council, every item owned by ``owner``."""
    day = datetime.date.today() + datetime.timedelta(days=30)
    round = followup_services.round_create(
        round=FollowUpRound(
            municipality=municipality,
            body=body,
            title=title,
            meeting_date=day,
            deadline=day - datetime.timedelta(days=10),
        ),
        acting_user=administrator,
    )
    for item in RoundItem.objects.filter(round=round, owner__isnull=True):
        item.owner = owner
        followup_services.round_item_save(item=item, acting_user=administrator)
    return followup_services.round_open(
        round=round, expected_version=round.version, acting_user=administrator
    )


def phone_problems(page, label: str) -> list[str]:
    """On a phone the page does not scroll sideways, and the site's header with its two menus
    leaves at least two thirds of the screen to the content."""
    problems = []
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > page.evaluate("window.innerWidth"):
        problems.append(
            f"{label} scrolls sideways: {scroll_width} px wide; "
            f"widest element: {page.evaluate(WIDEST_ELEMENT)}"
        )
    header = page.locator(".site-header")
    if header.count():
        height = header.bounding_box()["height"]
        if height > PHONE["height"] / 3:
            problems.append(f"{label}: the header is {height:.0f} px of {PHONE['height']} px")
    return problems


def log_in(page, base, username):
    page.context.clear_cookies()
    if username is None:
        return
    user = User.objects.get(username=username)
    if (
        not user.has_usable_password()
    ):  # signs in at the identity provider: the session as it leaves
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}]
        )
        page.goto(f"{base}{reverse('my-follows')}")
        assert reverse("login") not in page.url, f"{username} is not signed in"
        return
    page.goto(f"{base}{reverse('login')}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name=re.compile("Log (ind|in)")).last.click()
    page.wait_for_load_state()
    assert reverse("login") not in page.url, f"{username} could not log in"


@pytest.mark.long
def test_every_page_type_is_accessible_and_fits_a_phone(browser, live_server, world, artifacts):
    base = live_server.url
    problems: list[str] = []
    width = PHONE["width"]
    context = browser.new_context(viewport=PHONE, locale="da-DK")
    page = context.new_page()
    page.set_default_timeout(20_000)
    for username, pages in world.items():
        log_in(page, base, username)
        for label, url in pages.items():
            response = page.goto(base + url)
            expected = 404 if "not found" in label else 400 if "bad link" in label else 200
            if response is None or response.status != expected:
                status = response.status if response else "no response"
                problems.append(f"{label} at {width} px: HTTP {status} for {url}")
                continue
            if username is not None and reverse("login") in page.url:
                problems.append(f"{label}: {username} was sent to the login page from {url}")
                continue
            violations = blocking_violations(page)
            if violations:
                problems.append(f"axe on {label} at {width} px ({url}):\n{violations}")
            page.screenshot(path=str(artifacts / f"phone-{slug(label)}.png"), full_page=True)
            problems += phone_problems(page, f"{label} at {width} px ({url})")
    context.close()
    assert not problems, "\n".join(problems)
