"""After load_seed_data the recommendations match the source documents: counts, themes, sub-items,
budget lines, addressees and cross-references. Where the shared source texts are present (as in CI),
the numbers are also checked against the documents' own words."""

import datetime
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.db.models import Sum

from recommendations.models import (
    BudgetLine,
    CouncilDecision,
    Recommendation,
    Report,
    StatusUpdate,
    UpdateOrigin,
)

# PostgreSQL: the seed loader's upserts and JSON fields.
pytestmark = pytest.mark.postgres

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


def document(name: str) -> str:
    """The source document's text with whitespace normalised; the test that reads the documents is
    skipped where they are not beside the checkout (the other tests check the same numbers)."""
    path = SEEDS / name
    if not path.exists():
        pytest.skip(f"the source documents are not beside this checkout ({SEEDS})")
    return re.sub(r"\s+", " ", path.read_text(encoding="utf-8"))


@pytest.fixture
def seeded(seed_data):
    """load_seed_data's result (built once per session; a fresh copy for each test)."""


def top_level(key):
    return Recommendation.objects.filter(report__key=key, parent__isnull=True)


@pytest.mark.django_db
def test_allerod_nine_recommendations_in_four_themes(seeded):
    report = Report.objects.get(key="allerod-2023-opgaveudvalg")
    assert report.municipality is not None
    assert report.municipality.code == 201
    assert report.case_number == "22/16763"
    assert [t.title for t in report.themes.all()] == [
        "Styrket faglighed",
        "Fleksibilitet og indflydelse",
        "Når Allerød ansætter",
        "Kommunikation",
    ]
    by_theme = {
        t.number: sorted(r.number for r in top_level(report.key).filter(theme=t))
        for t in report.themes.all()
    }
    assert by_theme == {1: ["1", "2", "3", "4"], 2: ["5", "6"], 3: ["7", "8"], 4: ["9"]}
    six = Recommendation.objects.get(report=report, number="6")
    assert [c.number for c in six.children.order_by("sort_key")] == ["6a", "6b", "6c"]
    with_emphasis = {r.number for r in top_level(report.key) if r.emphasised_points}
    assert with_emphasis == {"1", "5", "7", "8", "9"}
    for r in top_level(report.key):
        assert set(r.target_professions.values_list("key", flat=True)) <= {
            "sosu-assistent",
            "sosu-hjaelper",
            "paedagog",
        }


@pytest.mark.django_db
def test_norddjurs_eight_recommendations_with_structured_fields_and_budget(seeded):
    key = "norddjurs-2023-udvalg"
    recs = top_level(key)
    assert recs.count() == 8
    assert Report.objects.get(key=key).themes.count() == 5
    for r in recs:
        assert r.purpose and r.goal and r.actions and r.next_step, r.number
    lines = BudgetLine.objects.filter(recommendation__report__key=key)
    amounts = Counter(
        (line.recommendation.number, int(line.amount_kr))
        for line in lines.select_related("recommendation")
    )
    assert amounts == Counter(
        {
            ("1", 200_000): 1,
            ("3", 1_000_000): 1,
            ("4", 100_000): 1,
            ("4", 300_000): 1,
            ("5", 100_000): 1,
            ("5", 800_000): 1,
            ("7", 3_600_000): 1,
        }
    )
    assert lines.aggregate(total=Sum("amount_kr"))["total"] == Decimal(6_100_000)
    assert {r.follow_up_year for r in recs if r.follow_up_year} <= {2024, 2025}


@pytest.mark.django_db
def test_kl_action_plan_has_38_recommendations_with_addressees(seeded):
    recs = Recommendation.objects.filter(report__key="kl-2018-flere-haender")
    assert sorted(int(n) for n in recs.values_list("number", flat=True)) == list(range(1, 39))
    assert Report.objects.get(key="kl-2018-flere-haender").municipality is None
    addressed = Counter(
        name
        for r in recs.prefetch_related("addressees")
        for name in (a.name for a in r.addressees.all())
    )
    assert addressed == Counter(
        {
            "Kommunerne": 12,
            "Folketing og regering": 12,
            "SOSU-skolerne og kommunerne": 6,
            "KL": 5,
            "Øvrige": 3,
        }
    )
    assert all(r.theme_id for r in recs)


@pytest.mark.django_db
def test_kkr_proposals_cite_kl_recommendation_numbers(seeded):
    kkr = Recommendation.objects.filter(report__key="kkr-2019-overordnede")
    assert kkr.count() == 6
    cited = sorted(
        int(n)
        for r in kkr
        for n in r.related.filter(report__key="kl-2018-flere-haender").values_list(
            "number", flat=True
        )
    )
    assert cited == [7, 8, 15, 17, 18, 19]
    kl7 = Recommendation.objects.get(report__key="kl-2018-flere-haender", number="7")
    assert kl7.cited_by.filter(report__key="kkr-2019-overordnede").exists()


@pytest.mark.django_db
def test_kkr_nurse_note_has_three_recommendations(seeded):
    recs = Recommendation.objects.filter(report__key="kkr-2018-sygeplejersker")
    assert recs.count() == 3
    for r in recs:
        assert list(r.target_professions.values_list("key", flat=True)) == ["sygeplejerske"]


@pytest.mark.django_db
def test_seeded_status_is_not_started_as_of_the_report_date(seeded):
    for r in Recommendation.objects.select_related("status"):
        assert r.status.key == "ikke-paabegyndt"
    updates = StatusUpdate.objects.filter(origin=UpdateOrigin.SEED)
    assert updates.count() == Recommendation.objects.count()
    allerod = updates.filter(recommendation__report__key="allerod-2023-opgaveudvalg")
    assert set(allerod.values_list("effective_on", flat=True)) == {datetime.date(2023, 9, 1)}


@pytest.mark.django_db
def test_every_seeded_record_has_provenance(seeded):
    for model in (Report, Recommendation, BudgetLine, CouncilDecision):
        for record in model.objects.all():
            assert record.source_id and record.source_section, record


@pytest.mark.django_db
def test_council_decisions_from_the_2016_minutes(seeded):
    decisions = CouncilDecision.objects.filter(meeting_date=datetime.date(2016, 9, 28))
    assert decisions.count() == 7
    plan = decisions.get(item_number=3)
    assert plan.case_number == "13/4229" and plan.decision == "adopted"
    assert plan.employment_plan is not None
    assert plan.employment_plan.title == "Beskæftigelsesplan 2017"


@pytest.mark.django_db
def test_seeded_numbers_stand_in_the_source_documents(seeded):
    assert "9 konkrete anbefalinger" in document("000_6d7be076b693219f.txt")
    norddjurs = document("001_eab686b178f8ee2e.txt")
    for line in BudgetLine.objects.filter(recommendation__report__key="norddjurs-2023-udvalg"):
        amount = int(line.amount_kr)
        printed = f"{amount:,}".replace(",", ".") + " kr."
        millions = f"{amount / 1_000_000:g}".replace(".", ",") + " mio. kr."
        alt = f"{amount // 1_000_000}. mio. kr."
        assert printed in norddjurs or millions in norddjurs or alt in norddjurs, printed
    assert "anbefaling 7,15 og 17" in document("003_f7aa337542f27809.txt")
    minutes = document("002_7e6f83d99c28b625.txt")
    for decision in CouncilDecision.objects.exclude(case_number=""):
        assert decision.case_number in minutes, decision.case_number
