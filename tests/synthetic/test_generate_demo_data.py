"""generate_demo_data: deterministic, marked as synthetic, in proportion, and valid data."""

import html
import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Max, Min

from employment_plan.models import Indicator, Measurement
from organizations.models import Municipality, OrganisationalUnit
from recommendations.models import Recommendation, StatusUpdate
from synthetic import generator
from tests import snapshots
from workforce.models import Scenario, StaffingSnapshot

# PostgreSQL: bulk writes and --replace's deletes.
pytestmark = pytest.mark.postgres

SCALE = 0.1


def generate(**options):
    out = io.StringIO()
    call_command("generate_demo_data", municipalities=2, scale=SCALE, seed=3, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def generated(db):
    """What ``generate()`` makes, for the tests that only read it: the command runs once per test
    process and each test gets a fresh copy of its rows (tests/snapshots.py)."""
    snapshots.restore("generate_demo_data 2 × 0.1, seed 3", generate)


def fingerprint():
    synthetic = generator.synthetic_municipalities()
    measurements = Measurement.objects.filter(indicator__plan__municipality__in=synthetic)
    return {
        "municipalities": sorted(synthetic.values_list("code", "name", "slug")),
        "recommendations": Recommendation.objects.filter(
            report__municipality__in=synthetic
        ).count(),
        "updates": StatusUpdate.objects.filter(
            recommendation__report__municipality__in=synthetic
        ).count(),
        "measurements": measurements.count(),
        "snapshots": StaffingSnapshot.objects.filter(unit__municipality__in=synthetic).count(),
        "values": list(
            measurements.order_by(
                "indicator__plan__municipality__code", "indicator__code", "date"
            ).values_list("date", "value")[::97]
        ),
        "statuses": list(
            Recommendation.objects.filter(report__municipality__in=synthetic)
            .order_by("report__key", "sort_key")
            .values_list("number", "status__key", "progress", "last_updated_at")
        ),
        "headcounts": list(
            StaffingSnapshot.objects.filter(unit__municipality__in=synthetic)
            .order_by("unit__municipality__code", "unit__name", "profession__key", "date")
            .values_list("headcount", "fte", "age_bands")
        ),
    }


@pytest.mark.long
@pytest.mark.django_db
def test_same_seed_gives_the_same_data_and_a_rerun_refuses_or_replaces():
    output = generate()
    assert "Created 2 municipalities" in output
    first = fingerprint()
    with pytest.raises(CommandError, match="--replace"):
        generate()
    generate(replace=True)
    assert fingerprint() == first
    assert Municipality.objects.count() == 2  # replaced, not added


@pytest.mark.django_db
def test_everything_is_marked_synthetic_with_codes_no_real_municipality_has(allerod):
    generate()
    synthetic = generator.synthetic_municipalities()
    assert sorted(synthetic.values_list("code", flat=True)) == [901, 902]
    assert all(m.name.startswith("Syntetisk kommune ") for m in synthetic)
    assert all(code > 860 for code in synthetic.values_list("code", flat=True))  # real: ≤ 860
    assert not StaffingSnapshot.objects.filter(unit__municipality__in=synthetic, is_demo=False)
    assert not Scenario.objects.filter(municipality__in=synthetic, is_demo=False)
    assert set(
        StatusUpdate.objects.filter(recommendation__report__municipality__in=synthetic)
        .values_list("origin", flat=True)
        .distinct()
    ) == {"demo"}
    units = OrganisationalUnit.objects.filter(municipality__in=synthetic)
    assert all("syntetisk" in u.name.lower() for u in units)
    assert Municipality.objects.filter(code=201).exists()  # a real municipality is left alone


@pytest.mark.django_db
def test_proportions_follow_the_scale(generated):
    synthetic = generator.synthetic_municipalities()
    per = {
        "recommendations": Recommendation.objects.filter(
            report__municipality__in=synthetic
        ).count(),
        "indicators": Indicator.objects.filter(plan__municipality__in=synthetic).count(),
        "measurements": Measurement.objects.filter(
            indicator__plan__municipality__in=synthetic
        ).count(),
        "institutions": OrganisationalUnit.objects.filter(
            municipality__in=synthetic, name__startswith="Syntetisk institution"
        ).count(),
    }
    # At scale 0.1: 1 report of 25, 1 plan of 84 indicators × 60 months, 6 institutions each.
    assert per == {
        "recommendations": 2 * 25,
        "indicators": 2 * 84,
        "measurements": 2 * 84 * 60,
        "institutions": 2 * 6,
    }
    updates = StatusUpdate.objects.filter(recommendation__report__municipality__in=synthetic)
    assert per["recommendations"] <= updates.count() <= 4 * per["recommendations"]


@pytest.mark.django_db
def test_generated_data_is_valid(generated):
    synthetic = generator.synthetic_municipalities()
    measurements = Measurement.objects.filter(indicator__plan__municipality__in=synthetic)
    percent = measurements.filter(indicator__unit="percent").aggregate(
        low=Min("value"), high=Max("value")
    )
    assert Decimal(0) <= percent["low"] and percent["high"] <= Decimal(100)
    assert not measurements.filter(value__lt=0).exists()
    # Every measurement lies within its plan's period.
    assert not measurements.filter(date__lt=F("indicator__plan__period_start")).exists()
    assert not measurements.filter(date__gt=F("indicator__plan__period_end")).exists()
    # The current status is the latest update's, and the models' own validation passes.
    for recommendation in Recommendation.objects.filter(report__municipality__in=synthetic)[:20]:
        latest = recommendation.updates.order_by("-effective_on", "-created_at", "-id").first()
        assert latest is not None
        assert latest.new_status_id == recommendation.status_id
        assert latest.progress == recommendation.progress
        recommendation.full_clean()
    for indicator in Indicator.objects.filter(plan__municipality__in=synthetic)[:20]:
        indicator.full_clean()
    for snapshot in StaffingSnapshot.objects.filter(unit__municipality__in=synthetic)[:20]:
        snapshot.full_clean()
        assert sum(snapshot.age_bands.values()) == snapshot.headcount


def page_text(response) -> str:
    """The text of the page's main landmark, as a reader sees it (tags gone, spaces collapsed)."""
    content = response.content.decode()
    main = content[content.index("<main") :]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main))).strip()


@pytest.mark.django_db
def test_pages_show_a_synthetic_municipality(generated, client):
    from organizations.models import Role
    from tests.factories import member

    municipality = generator.synthetic_municipalities().order_by("code").first()
    recommendations = Recommendation.objects.filter(report__municipality=municipality)
    indicators = Indicator.objects.filter(plan__municipality=municipality)
    first = recommendations.order_by("report__key", "sort_key").first()
    institution = (
        OrganisationalUnit.objects.filter(
            municipality=municipality, name__startswith="Syntetisk institution"
        )
        .order_by("name")
        .first()
    )
    assert first is not None and institution is not None
    scenario = Scenario.objects.get(municipality=municipality)
    client.force_login(member("syn-admin", municipality, Role.ADMINISTRATOR))

    def page(path):
        response = client.get(f"/kommune/{municipality.slug}/{path}")
        assert response.status_code == 200, path
        return page_text(response)

    front = page("")
    assert (
        front.startswith(f"{municipality.name} ") and f"Kommunenummer {municipality.code}" in front
    )
    # The status table beside the chart counts every generated recommendation, status by status.
    for label, count in recommendations.values_list("status__name").annotate(n=Count("pk")):
        assert f"{label} {count}" in front, label
    assert f"I alt {recommendations.count()}" in front
    assert f"({recommendations.count()} anbefalinger)" in front

    listed = page("anbefalinger/liste/")
    assert f"{recommendations.count()} anbefalinger vist" in listed
    assert f"{first.number} {first.title}" in listed

    indicator_list = page("indikatorer/")
    assert f"{indicators.count()} indikatorer vist" in indicator_list
    first_indicator = indicators.order_by("code").first()
    assert first_indicator is not None
    assert f"{first_indicator.code} {first_indicator.title}" in indicator_list

    institutions = page("institutioner/")
    assert "Demodata" in institutions and institution.name in institutions

    workforce = page("arbejdsstyrke/")
    assert workforce.startswith(f"Arbejdsstyrke – {municipality.name}")
    assert "Demodata" in workforce and scenario.name in workforce
