"""Every surface scopes reports and recommendations with the same QuerySet methods
(``Report.objects.visible_to``, ``exportable_by``, ``editable_by``; docs/roles.md), so they agree.

For each persona this collects what each surface shows — the pages, the lists' "export what I see",
the export page and the workbook, the API, the admin's changelists and export button, and the status
importer — and checks it twice: against the table below, which says in words what each persona sees,
and against the QuerySet method the surface is meant to use. A surface scoped any other way fails.

The dataset: Allerød (the personas' municipality, not published) and Norddjurs (published) with one
report each, and one cross-municipal report (KL); two recommendations per report.
"""

import io
import json

import openpyxl
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core import importing as pipeline
from core.tabular import Row
from organizations.models import Body, BodyKind
from recommendations import importing
from recommendations.models import Recommendation, Report
from tests.factories import RecommendationFactory, ReportFactory, api_key

PERSONAS = ["anonymous", "council_member", "hr_officer", "analyst", "administrator", "outsider_hr"]

# What a surface shows: the reports by letter (A Allerød's, N Norddjurs's, X the cross-municipal
# one), or how it refuses: "login" (redirect to the login page), 401, 403, 404.
A, N, X = "A", "N", "X"
LOGIN = "login"

EXPECTED = {
    "anonymous": {
        "pages allerod": LOGIN,  # not published
        "pages norddjurs": {N, X},  # published: its pages include the cross-municipal reports
        "exports allerod": LOGIN,
        "exports norddjurs": LOGIN,
        "api": 401,
        "admin": LOGIN,
        "import matched": 403,  # no import permission: refused
        "import changes": 403,
    },
    "council_member": {
        "pages allerod": {A, X},
        "pages norddjurs": {N, X},
        "exports allerod": 403,  # council members take no data out
        "exports norddjurs": 403,
        "api": 403,
        "admin": LOGIN,  # not staff
        "import matched": 403,  # no import permission: refused
        "import changes": 403,
    },
    "hr_officer": {
        "pages allerod": {A, X},
        "pages norddjurs": {N, X},
        "exports allerod": {A, X},
        "exports norddjurs": 403,  # readable (published), but not theirs to export
        "api": {A, X},
        "admin": {A},  # cross-municipal reports are edited by superusers only
        "import matched": {A, X},  # an export re-imports: unchanged KL rows are skipped …
        "import changes": {A},  # … and a change to them is refused
    },
    "analyst": {
        "pages allerod": {A, X},
        "pages norddjurs": {N, X},
        "exports allerod": {A, X},
        "exports norddjurs": 403,
        "api": {A, X},
        "admin": LOGIN,  # not staff
        "import matched": 403,  # no import permission: refused
        "import changes": 403,
    },
    "administrator": {
        "pages allerod": {A, X},
        "pages norddjurs": {N, X},
        "exports allerod": {A, X},
        "exports norddjurs": 403,
        "api": {A, X},
        "admin": {A},
        "import matched": {A, X},
        "import changes": {A},
    },
    "outsider_hr": {
        "pages allerod": 404,  # a logged-in outsider: the page does not confirm the data exists
        "pages norddjurs": {N, X},
        "exports allerod": 404,
        "exports norddjurs": {N, X},
        "api": {N, X},
        "admin": {N},
        "import matched": {N, X},
        "import changes": {N},
    },
}


@pytest.fixture
def dataset(allerod, norddjurs):
    norddjurs.is_published = True
    norddjurs.save()
    kl = Body.objects.create(name="KL", kind=BodyKind.KL, municipality=None)
    reports = {
        A: ReportFactory(key="a", municipality=allerod),
        N: ReportFactory(key="n", municipality=norddjurs),
        X: ReportFactory(key="x", municipality=None, issuing_body=kl),
    }
    recs = {
        letter: {RecommendationFactory.create(report=report, number=str(n)).pk for n in (1, 2)}
        for letter, report in reports.items()
    }
    return {"reports": reports, "recs": recs, "municipalities": [allerod, norddjurs]}


def outcome(response):
    if response.status_code == 302 and "login" in response["Location"]:
        return LOGIN
    return response.status_code


class Seen:
    """The reports and recommendations a surface shows, by the dataset's letters."""

    def __init__(self, dataset, report_ids=(), rec_ids=()):
        self.dataset = dataset
        self.report_ids = set(report_ids) & {r.pk for r in dataset["reports"].values()}
        self.rec_ids = set(rec_ids) & set().union(*dataset["recs"].values())

    @classmethod
    def of_recs(cls, dataset, rec_ids):
        reports = Recommendation.objects.filter(pk__in=rec_ids).values_list("report_id", flat=True)
        return cls(dataset, reports, rec_ids)

    @classmethod
    def of(cls, dataset, reports, recs):
        return cls(dataset, reports.values_list("pk", flat=True), recs.values_list("pk", flat=True))

    def letters(self):
        """The letters of the shown reports; each shown report shows all its recommendations."""
        letters = {k for k, r in self.dataset["reports"].items() if r.pk in self.report_ids}
        assert self.rec_ids == set().union(*(self.dataset["recs"][k] for k in letters))
        return letters

    def __eq__(self, other):
        return (self.report_ids, self.rec_ids) == (other.report_ids, other.rec_ids)

    def __repr__(self):
        return f"Seen(reports={sorted(self.report_ids)}, recs={sorted(self.rec_ids)})"


# The surfaces ------------------------------------------------------------------------------------
def pages(client, dataset, municipality):
    """The report list, every report's and recommendation's page, and the recommendations list."""
    slug = municipality.slug
    listing = client.get(reverse("recommendation-reports", args=[slug]))
    if listing.status_code != 200:
        return outcome(listing)
    listed = {r.pk for r in listing.context["own_reports"] + listing.context["cross_reports"]}
    readable, shown_recs = set(), set()
    for report in dataset["reports"].values():
        response = client.get(reverse("report-detail", args=[slug, report.pk]))
        assert response.status_code in (200, 404)
        if response.status_code == 200:
            readable.add(report.pk)
            shown_recs |= {r.pk for _theme, rows in response.context["sections"] for r in rows}
    rec_pages = set()
    for pk in set().union(*dataset["recs"].values()):
        response = client.get(reverse("recommendation-detail", args=[slug, pk]))
        assert response.status_code in (200, 404)
        if response.status_code == 200:
            rec_pages.add(pk)
    rec_list = client.get(reverse("dashboard-recommendations", args=[slug]))
    in_list = {r.pk for r in rec_list.context["page_obj"].object_list}
    # The pages agree among themselves before they are compared with anything else.
    assert listed == readable and shown_recs == rec_pages == in_list
    return Seen(dataset, listed, in_list)


def _rec_ids(rows, report_col, number_col):
    ids = set()
    for row in rows:
        rec = Recommendation.objects.get(report__key=row[report_col], number=str(row[number_col]))
        ids.add(rec.pk)
    return ids


def exports(client, dataset, municipality):
    """The recommendations list's export, the export page's recommendations and the workbook."""
    slug = municipality.slug
    listed = client.get(reverse("dashboard-recommendations", args=[slug]) + "?format=json")
    subject = client.get(reverse("export-subject", args=[slug, "recommendations"]) + "?format=json")
    book = client.get(reverse("export-workbook", args=[slug]))
    outcomes = {outcome(listed), outcome(subject), outcome(book)}
    assert len(outcomes) == 1, outcomes
    if listed.status_code != 200:
        return outcome(listed)
    from_list = _rec_ids(json.loads(listed.content), "report", "number")
    from_subject = _rec_ids(json.loads(subject.content), "report", "number")
    sheet = openpyxl.load_workbook(io.BytesIO(book.content))["Anbefalinger"]
    header = [c.value for c in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    from_book = _rec_ids(rows, header.index("Rapport"), header.index("Nummer"))
    assert from_list == from_subject == from_book
    return Seen.of_recs(dataset, from_list)


def api(client, dataset, user):
    headers = {}
    if user.is_authenticated:
        headers["HTTP_AUTHORIZATION"] = f"Token {api_key(user)}"
    response = client.get(reverse("api-recommendation-list"), **headers)
    if response.status_code != 200:
        return response.status_code
    page = response.json()
    ids = {r["id"] for r in page["results"]}
    assert page["next"] is None
    return Seen.of_recs(dataset, ids)


def admin(client, dataset):
    """The recommendations' and reports' changelists, and the recommendations' export button."""
    recs = client.get(reverse("admin:recommendations_recommendation_changelist"))
    reports = client.get(reverse("admin:recommendations_report_changelist"))
    assert outcome(recs) == outcome(reports)
    if recs.status_code != 200:
        return outcome(recs), None
    shown = Seen(
        dataset,
        {r.pk for r in reports.context["cl"].result_list},
        {r.pk for r in recs.context["cl"].result_list},
    )
    url = reverse("admin:recommendations_recommendation_export")
    form = client.get(url).context["form"]
    ticked = {name: "on" for name in form.fields if name.startswith("recommendationresource_")}
    json_choice = next(v for v, label in form.fields["format"].choices if label == "json")
    exported = client.post(url, {"format": json_choice, "resource": "0", **ticked})
    rows = json.loads(exported.content)
    report_col = next(k for k in rows[0] if k in ("Rapport", "Report")) if rows else None
    number_col = next(k for k in rows[0] if k in ("Nummer", "Number")) if rows else None
    return shown, Seen.of_recs(dataset, _rec_ids(rows, report_col, number_col))


def importer(dataset, user, *, change: bool):
    """Which recommendations the status importer accepts: a row per recommendation of the dataset,
    unchanged (as an export re-imported) or changing the status."""
    recs = Recommendation.objects.filter(pk__in=set().union(*dataset["recs"].values()))
    ordered = list(recs.select_related("report", "status"))
    rows = [
        Row(
            n,
            {
                "rapport": r.report.key,
                "nummer": r.number,
                "status": "i-gang" if change else r.status.key,
            },
        )
        for n, r in enumerate(ordered, start=2)
    ]
    by_row = {n: r.pk for n, r in enumerate(ordered, start=2)}
    table = pipeline.Table(["rapport", "nummer", "status"], rows)
    try:
        result = pipeline.check(importing.SUBJECT, table, user=user, options={})[0]
    except PermissionDenied:
        return 403  # no import permission anywhere: the pipeline reads no row

    wanted = "changed" if change else "unchanged"
    accepted = {
        r.record.recommendation.pk if r.record else by_row[r.row or 0]
        for r in result.rows
        if r.action == wanted
    }
    refused = {r.row for r in result.rows if r.action == "error"}
    assert len(accepted) + len(refused) == len(rows)
    return Seen.of_recs(dataset, accepted)


# The test ----------------------------------------------------------------------------------------
def letters_or_refusal(seen):
    return seen.letters() if isinstance(seen, Seen) else seen


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_surface_shows_what_the_queryset_methods_give(request, client, dataset, persona):
    user = AnonymousUser() if persona == "anonymous" else request.getfixturevalue(persona)
    if user.is_authenticated:
        client.force_login(user)
    expected = EXPECTED[persona]
    found = {}

    for municipality in dataset["municipalities"]:
        name = municipality.slug
        visible = Seen.of(
            dataset,
            Report.objects.visible_to(user, municipality),
            Recommendation.objects.visible_to(user, municipality),
        )
        found[f"pages {name}"] = seen = pages(client, dataset, municipality)
        if isinstance(seen, Seen):
            assert seen == visible, f"pages {name}"
        found[f"exports {name}"] = seen = exports(client, dataset, municipality)
        if isinstance(seen, Seen):
            # Export what you see: the same rows as the pages, and only rows one may export.
            exportable = Seen.of_recs(
                dataset, Recommendation.objects.exportable_by(user).values_list("pk", flat=True)
            )
            assert seen == visible, f"exports {name}"
            assert seen.rec_ids <= exportable.rec_ids

    exportable = Seen.of(
        dataset, Report.objects.exportable_by(user), Recommendation.objects.exportable_by(user)
    )
    found["api"] = seen = api(client, dataset, user)
    if isinstance(seen, Seen):
        assert seen == exportable, "api"
        exported = [s for k, s in found.items() if k.startswith("exports") and isinstance(s, Seen)]
        assert seen.rec_ids == set().union(*(s.rec_ids for s in exported))

    changelist, admin_export = admin(client, dataset)
    found["admin"] = changelist
    if isinstance(changelist, Seen):
        editable = Seen(
            dataset,
            Report.objects.editable_by(
                user, "recommendations.view_report", "recommendations.change_report"
            ).values_list("pk", flat=True),
            Recommendation.objects.editable_by(
                user, "recommendations.view_recommendation", "recommendations.change_recommendation"
            ).values_list("pk", flat=True),
        )
        assert changelist == editable, "admin"
        # The export button: the changelist's rows that one may export.
        assert admin_export.rec_ids == changelist.rec_ids & exportable.rec_ids, "admin export"

    found["import matched"] = seen = importer(dataset, user, change=False)
    if isinstance(seen, Seen):
        assert seen.rec_ids == exportable.rec_ids, "import matched"
    found["import changes"] = seen = importer(dataset, user, change=True)
    importable = set(
        Recommendation.objects.editable_by(user, importing.SUBJECT.permission).values_list(
            "pk", flat=True
        )
    )
    if isinstance(seen, Seen):
        wanted = importable & set().union(*dataset["recs"].values())
        assert seen.rec_ids == wanted, "import changes"

    assert {k: letters_or_refusal(v) for k, v in found.items()} == expected
