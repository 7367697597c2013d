"""Every page speaks Danish: no text a user sees is an English msgid, a raw key or a number or date
in a machine's format, and "baseline" is never "grundforløb" (the SOSU basic course).

One database for the module: the seed data with both demos (what ``./dev demo`` shows), Allerød
published, and the personas; each persona and an anonymous visitor request every page below that
answers them (a page that refuses them is left out for them, not failed: the authorisation matrix
checks who may see what).

Pages, for Allerød:
- public dashboards: the home page, the accessibility statement, the login page, the front page, the
  recommendation list, the indicator list, the institution list, the meeting report (empty and for a
  committee and date);
- recommendations: the reports, a report, a recommendation with its status history;
- employment plan: the plans, each plan's barometer, every indicator (the ones whose source document
  is inconsistent included);
- workforce: the overview, the institutions, the scenario comparison (each with the scenario
  picker and the assumptions), the export page;
- the municipality's export page;
- admin: the index; the changelist and the change form of the first row of the models people work
  in (ADMIN_MODELS: at least one per app); the export page of every model with an export button and
  the import page of every model with an import button.

A text node fails when it
- equals an English msgid of our catalogue or of django-import-export's (which has no Danish
  catalogue of its own) that no Danish translation spells the same way;
- contains a raw key (a snake_case identifier), a number with a decimal point (Danish uses a comma;
  a point only groups thousands), or an ISO date (Danish pages write 31.12.2022);
- says "grundforløb" where the baseline is meant (the msgid "baseline" in every context).
"""

import contextlib
import re
from pathlib import Path

import import_export
import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection, transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from followup import follows
from organizations.models import Municipality, Role
from recommendations.models import Body, CouncilDecision, Recommendation, Report
from tests import snapshots
from tests.factories import member
from tests.html import visible_texts
from tests.test_translations import LOCALE, read_po

SLUG = "allerod"
# Per app, the model whose changelist and change form are read: the one its users work in most.
ADMIN_MODELS = {
    "organizations.membership",
    "recommendations.recommendation",
    "recommendations.statusupdate",
    "employment_plan.measurement",
    "workforce.scenario",
    "workforce.staffingsnapshot",
    "audit.auditentry",
}


def _catalogue_words() -> tuple[set[str], set[str]]:
    """(English msgids whose Danish differs, every Danish translation) of our catalogue and of
    django-import-export's templates and code (read from one of its catalogues: the msgids)."""
    ours = read_po(LOCALE / "da/LC_MESSAGES/django.po")
    theirs = read_po(Path(import_export.__file__).parent / "locale/de/LC_MESSAGES/django.po")
    danish = set(ours.values())
    english = set()
    with translation.override("da"):
        for key in [*ours, *theirs]:
            context, _sep, msgid = key.rpartition("\x04")
            shown = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
            if "%" in msgid or "{" in msgid or shown == msgid:
                continue
            english.add(msgid.strip())
    return english - danish, danish


ENGLISH, DANISH = _catalogue_words()
# A snake_case identifier: two or more lower-case words joined by underscores.
RAW_KEY = re.compile(r"(?<![\w./-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/-])")
# A number written with a decimal point: negative (-8.3), below one (0.12), with a trailing zero
# (64.0, 34.00) or with four decimals or more (0.1200). Danish writes a decimal comma; a point
# groups thousands (1.050, 250.000) or separates a date (31.12.2022), and a number such as 5.3 is
# as often a section of a document or an indicator's code as a decimal, so it is not counted.
NUMBER_WITH_POINT = re.compile(r"(?<![\w.,])(-?\d+\.\d+)(?![\w.,]*\d)")
DECIMAL = re.compile(r"-\d+\.\d+|0\.\d+|\d+\.\d*0|\d+\.\d{4,}")
THOUSANDS = re.compile(r"-?\d{1,3}(?:\.\d{3})+")
ISO_DATE = re.compile(r"(?<![\w-])\d{4}-\d{2}-\d{2}(?![\w-])")
COURSE = re.compile(r"grundforløb", flags=re.I)


def problems(text: str, course_texts: list[str]) -> list[str]:
    """What is wrong with one text node; ``course_texts`` are the recommendations' own words,
    where "grundforløb" is the SOSU basic course."""
    found = []
    if text in ENGLISH:
        found.append("English")
    if RAW_KEY.search(text):
        found.append("raw key")
    numbers = [m.group(1) for m in NUMBER_WITH_POINT.finditer(text)]
    if any(DECIMAL.fullmatch(n) and not THOUSANDS.fullmatch(n) for n in numbers):
        found.append("decimal point")
    if ISO_DATE.search(text):
        found.append("ISO date")
    if COURSE.search(text) and not any(t in text or text in t for t in course_texts):
        found.append("grundforløb outside the recommendations about the course")
    return found


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        snapshots.restore("seed+demos")
        # Published, so that an anonymous visitor and the outsider read the public dashboards too.
        Municipality.objects.filter(slug=SLUG).update(is_published=True)
        allerod = Municipality.objects.get(slug=SLUG)
        norddjurs = Municipality.objects.get(slug="norddjurs")
        users = {
            "council_member": member("rita", allerod, Role.COUNCIL_MEMBER),
            "hr_officer": member("hanne", allerod, Role.HR_OFFICER),
            "analyst": member("anders", allerod, Role.ANALYST),
            "administrator": member("ada", allerod, Role.ADMINISTRATOR),
            "outsider": member("niels", norddjurs, Role.ADMINISTRATOR),
        }
        # The council member follows a report: "Det følger du" lists it, the e-mails' link works.
        council_member = users["council_member"]
        report = Report.objects.filter(municipality=allerod).order_by("pk").first()
        assert report is not None
        follows.follow_start(target=report, municipality=allerod, acting_user=council_member)
        unsubscribe = reverse(
            "follow-unsubscribe", args=[follows.unsubscribe_token(council_member)]
        )
        connection.check_constraints()
        yield {
            "users": users,
            "urls": [*_urls(allerod), unsubscribe],
            "course_texts": _course_texts(),
        }
        transaction.set_rollback(True)


def _course_texts() -> list[str]:
    """Every text of a recommendation, a status update or a theme that names the basic course."""
    texts = []
    for model in (Recommendation, apps.get_model("recommendations", "StatusUpdate")):
        for obj in model._default_manager.all():  # type: ignore[misc]  # models from a tuple
            for field in model._meta.concrete_fields:
                value = getattr(obj, field.attname)
                if isinstance(value, str) and COURSE.search(value):
                    texts.append(" ".join(value.split()))
    return texts


def _urls(municipality) -> list[str]:
    def page(name, *args):
        return reverse(name, args=[SLUG, *args])

    EmploymentPlan = apps.get_model("employment_plan", "EmploymentPlan")
    Indicator = apps.get_model("employment_plan", "Indicator")
    report = Report.objects.filter(municipality=municipality).order_by("pk").first()
    recommendations = Recommendation.objects.filter(report__municipality=municipality)
    with_history = recommendations.exclude(updates=None).order_by("pk").first()
    decision = CouncilDecision.objects.filter(municipality=municipality).order_by("pk").first()
    body = decision.body if decision else Body.objects.filter(municipality=municipality).first()
    today = timezone.localdate().isoformat()
    assert report is not None and with_history is not None and body is not None
    urls = [
        reverse("home"),
        reverse("login"),
        reverse("accessibility-statement"),
        page("municipality-detail"),
        page("dashboard-recommendations"),
        page("dashboard-indicators"),
        page("dashboard-institutions"),
        page("meeting-report"),
        page("meeting-report") + f"?body={body.pk}&date={today}",
        page("recommendation-reports"),
        page("report-detail", report.pk),
        page("recommendation-detail", with_history.pk),
        page("employment-plan-list"),
        page("workforce-overview"),
        page("workforce-institutions"),
        page("workforce-compare"),
        page("workforce-export"),
        page("export-page"),
        reverse("my-follows"),
    ]
    for plan in EmploymentPlan.objects.filter(municipality=municipality):
        urls.append(page("employment-plan-barometer", plan.pk))
    for indicator in Indicator.objects.filter(plan__municipality=municipality):
        urls.append(page("employment-plan-indicator", indicator.pk))
    urls.append(reverse("admin:index"))
    for model in admin.site._registry:
        info = model._meta.app_label, model._meta.model_name
        if model._meta.label_lower in ADMIN_MODELS:
            urls.append(reverse("admin:{}_{}_changelist".format(*info)))
            first = model._default_manager.order_by("pk").first()
            assert first is not None, model
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
        for action in ("export", "import"):
            with contextlib.suppress(NoReverseMatch):
                urls.append(reverse(f"admin:{info[0]}_{info[1]}_{action}"))
    return urls


def _check(client: Client, world) -> tuple[int, dict[str, set]]:
    seen, wrong = 0, {}  # type: tuple[int, dict[str, set]]
    for url in world["urls"]:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="da")
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        seen += 1
        for text in visible_texts(response.content.decode()):
            for problem in problems(text, world["course_texts"]):
                wrong.setdefault(url, set()).add(f"{problem}: {text[:120]}")
    return seen, wrong


@pytest.mark.parametrize(
    "persona", [None, "council_member", "hr_officer", "analyst", "administrator", "outsider"]
)
@pytest.mark.django_db
def test_every_page_is_in_danish_words_and_formats(world, persona):
    client = Client()
    if persona:
        client.force_login(world["users"][persona])
    seen, wrong = _check(client, world)
    assert seen >= 10, f"only {seen} pages answered {persona or 'an anonymous visitor'}"
    report = "\n".join(f"{url}\n  " + "\n  ".join(sorted(texts)) for url, texts in wrong.items())
    assert not wrong, f"English, raw keys or machine formats on the pages:\n{report}"


def test_baseline_is_never_the_basic_course():
    """The msgid "baseline" (a scenario's, an indicator's, a recommendation's) is the reference
    point of a comparison; "grundforløb" is the SOSU basic course (recommendation "Løn under
    grundforløb")."""
    po = read_po(LOCALE / "da/LC_MESSAGES/django.po")
    baselines = {key: value for key, value in po.items() if "baseline" in key.lower()}
    assert baselines
    assert not [value for value in baselines.values() if "grundforløb" in value.lower()]


@pytest.mark.django_db
def test_possessive_of_the_municipality_is_danish(world):
    """“Hent Allerøds data”, not “Allerød’ data” (an apostrophe only after s, x or z)."""
    client = Client()
    client.force_login(world["users"]["analyst"])
    html = client.get(reverse("export-page", args=[SLUG]), HTTP_ACCEPT_LANGUAGE="da")
    assert "Hent Allerøds data" in html.content.decode()
