"""A follow-up round of 2,000 recommendations (and 100 indicators with a year of monthly
measurements): approving it (freezing the annex), and drawing the frozen annex as PDF and XLSX.
"Mine opgaver" and the round's page are counted in queries at 1× (20 recommendations) and 100×
(2,000): the same number at both.

Budget (issue #17): producing the annex of a 2,000-recommendation round takes at most 10 seconds:
the approval that freezes it, the PDF and the XLSX, each. The PDF is drawn once by the background
worker after the approval and stored (``followup.tasks``), so no request waits for it; its budget
holds because followup/annex_print.html prints each item as a title and a line of facts, not as a
table row (WeasyPrint took 41 s for the table).

The committee's next round, approved after every recommendation has moved on, gives the longest
annex a round of this size can have: each item's line also says what changed since the previous
approved round. Its PDF is reported without a budget: WeasyPrint's time grows with the text it lays
out.

Data: a throwaway database (``bench.core.throwaway_database``) with one municipality, its city
council and one report, built with bulk inserts (the rows' own checks are the seed's business).
"""

from __future__ import annotations

import datetime
import time
from decimal import Decimal

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.core import Result, throwaway_database

GROUP = "Follow-up round: the frozen annex (approve, PDF, XLSX)"
SCALES = {"full": (20, 2000, 100), "smoke": (4, 40, 4)}  # small round, large round, indicators
BUDGET_SECONDS = 10.0


def _world(recommendations: int, indicators: int, tag: str):
    from employment_plan.models import EmploymentPlan, FocusArea, Indicator, Measurement
    from followup.models import FollowUpRound
    from followup.services import round_create, round_open
    from organizations.models import Body, BodyKind, Municipality, Role, User
    from organizations.services import membership_set
    from recommendations.models import Recommendation, Report, Status

    municipality = Municipality.objects.create(
        name=f"Bench {tag}", code=800 + len(tag), slug=f"bench-{tag}"
    )
    admin = User.objects.create_user(f"admin-{tag}", password="x" * 20)
    owner = User.objects.create_user(
        f"owner-{tag}", password="x" * 20, email=f"owner-{tag}@example.dk"
    )
    membership_set(user=admin, municipality=municipality, role=Role.ADMINISTRATOR, acting_user=None)
    membership_set(user=owner, municipality=municipality, role=Role.HR_OFFICER, acting_user=None)
    council = Body.objects.create(name="Byrådet", kind=BodyKind.COUNCIL, municipality=municipality)
    report = Report.objects.create(
        key=f"bench-{tag}", title="Anbefalinger", issuing_body=council, municipality=municipality
    )
    plan = EmploymentPlan.objects.create(
        municipality=municipality,
        title="Beskæftigelsesplan",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 12, 31),
    )
    area = FocusArea.objects.create(plan=plan, number=1, title="Flere i job")
    made = []
    for n in range(indicators):
        indicator = Indicator(
            plan=plan,
            focus_area=area,
            code=f"1.{n + 1}",
            position=n,
            title=f"Indikator {n + 1}",
            unit="persons",
            direction="lower",
            target_kind="absolute",
            target_value=Decimal(100),
            target_operator="<=",
            target_date=datetime.date(2026, 12, 31),
            baseline_value=Decimal(200),
            baseline_date=datetime.date(2025, 12, 31),
        )
        indicator.full_clean()
        made.append(indicator)
    made = Indicator.objects.bulk_create(made)
    Measurement.objects.bulk_create(
        Measurement(
            indicator=i, date=datetime.date(2026, month, 28), value=Decimal(200 - 8 * month)
        )
        for i in made
        for month in range(1, 12)
    )
    status = Status.objects.get(key="i-gang")
    Recommendation.objects.bulk_create(
        Recommendation(
            report=report,
            number=str(n + 1),
            sort_key=f"{n + 1:06d}",
            title=f"Anbefaling {n + 1} om rekruttering og fastholdelse af velfærdsmedarbejdere",
            status=status,
            progress=Decimal(n % 100),
            contact=owner,
            baseline_indicator=made[n % len(made)] if made else None,
        )
        for n in range(recommendations)
    )
    round = FollowUpRound(
        municipality=municipality,
        body=council,
        title=f"Status til Byrådet ({tag})",
        meeting_date=datetime.date(2027, 3, 12),
        deadline=datetime.date(2027, 3, 1),
    )
    round = round_create(round=round, acting_user=admin)
    round = round_open(round=round, expected_version=round.version, acting_user=admin)
    return round, admin, owner


def _next_round(previous, admin):
    """The committee's next round, opened after every recommendation has moved on by one percentage
    point: its annex lists each of them again under what changed since the previous approved round,
    the longest annex a round of this size can have."""
    from django.db.models import F

    from followup.models import FollowUpRound
    from followup.services import round_create, round_open
    from recommendations.models import Recommendation

    Recommendation.objects.filter(report__municipality=previous.municipality).update(
        progress=F("progress") + 1
    )
    next_round = FollowUpRound(
        municipality=previous.municipality,
        body=previous.body,
        title=f"{previous.title}, next meeting",
        meeting_date=previous.meeting_date + datetime.timedelta(days=91),
        deadline=previous.deadline + datetime.timedelta(days=91),
    )
    next_round = round_create(round=next_round, acting_user=admin)
    return round_open(round=next_round, expected_version=next_round.version, acting_user=admin)


def _queries(round, admin, owner) -> tuple[int, int]:
    client = Client()
    client.force_login(owner)
    with CaptureQueriesContext(connection) as tasks:
        assert client.get(reverse("my-tasks")).status_code == 200
    client.force_login(admin)
    with CaptureQueriesContext(connection) as page:
        url = reverse("followup-round", args=[round.municipality.slug, round.pk])
        assert client.get(url).status_code == 200
    return len(tasks), len(page)


def run(scale: str) -> list[Result]:
    with throwaway_database("followup"):
        return collect(scale)


def collect(scale: str) -> list[Result]:
    """Build the rounds in the current database and measure (the smoke test calls this inside its
    own test database)."""
    from followup import annex_files
    from followup.services import round_approve

    small, large, indicators = SCALES[scale]
    small_round, small_admin, small_owner = _world(small, max(1, indicators // 10), "s")
    large_round, admin, owner = _world(large, indicators, "large")
    queries_small = _queries(small_round, small_admin, small_owner)
    queries_large = _queries(large_round, admin, owner)

    start = time.perf_counter()
    annex = round_approve(
        round=large_round, expected_version=large_round.version, acting_user=admin
    )
    freeze = time.perf_counter() - start
    start = time.perf_counter()
    pdf = annex_files.pdf(annex)
    pdf_seconds = time.perf_counter() - start
    start = time.perf_counter()
    xlsx = annex_files.xlsx(annex)
    xlsx_seconds = time.perf_counter() - start
    items = len(annex.content["recommendations"]) + len(annex.content["indicators"])

    next_round = _next_round(annex.round, admin)
    next_annex = round_approve(
        round=next_round, expected_version=next_round.version, acting_user=admin
    )
    start = time.perf_counter()
    next_pdf = annex_files.pdf(next_annex)
    next_pdf_seconds = time.perf_counter() - start
    changes = len(next_annex.content["changes"])

    def within(seconds: float) -> bool:
        return seconds <= BUDGET_SECONDS

    return [
        Result(
            GROUP,
            f"approve and freeze the annex of {large:,} recommendations",
            round(freeze, 2),
            "s",
            "≤ 10 s",
            within(freeze),
            f"{items:,} items",
        ),
        Result(
            GROUP,
            "the frozen annex as PDF (WeasyPrint, A4), drawn once by the worker after approval",
            round(pdf_seconds, 2),
            "s",
            "≤ 10 s",
            within(pdf_seconds),
            f"{len(pdf) // 1024:,} KiB; every download serves the stored file",
        ),
        Result(
            GROUP,
            "the next round's annex as PDF: the same items, each with its change since "
            "the previous approved round",
            round(next_pdf_seconds, 2),
            "s",
            "",
            None,
            f"{changes:,} changes; {len(next_pdf) // 1024:,} KiB",
        ),
        Result(
            GROUP,
            "the frozen annex as XLSX",
            round(xlsx_seconds, 2),
            "s",
            "≤ 10 s",
            within(xlsx_seconds),
            f"{len(xlsx) // 1024:,} KiB",
        ),
        Result(
            GROUP,
            f"queries: Mine opgaver at {large:,} items",
            queries_large[0],
            "queries",
            f"the same as at {small} items",
            queries_small[0] == queries_large[0],
            f"{queries_small[0]} at {small} items",
        ),
        Result(
            GROUP,
            f"queries: the round's page at {large:,} items",
            queries_large[1],
            "queries",
            f"the same as at {small} items",
            queries_small[1] == queries_large[1],
            f"{queries_small[1]} at {small} items",
        ),
    ]
