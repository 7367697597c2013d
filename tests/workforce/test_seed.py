"""The workforce seed data: Allerød's 2023 facts and published shortages, KL's pipeline, with
provenance; reloading changes nothing."""

from decimal import Decimal

import pytest
from django.conf import settings

from organizations import seed as organizations_seed
from organizations.seeding import CREATED, UPDATED, SeedLoader
from workforce import seed as workforce_seed
from workforce.models import (
    PipelineModel,
    PipelineSeries,
    ReferenceShortage,
    SeriesKind,
    WorkforceFact,
)

# PostgreSQL: the seed loader's upserts and JSON fields.
pytestmark = pytest.mark.postgres


@pytest.mark.django_db
def test_allerod_facts_are_present_with_provenance(seeded):
    facts = {f.key: f for f in WorkforceFact.objects.filter(municipality__code=201)}
    expected = {
        "staff_school_daycare_elderly": 1050,
        "children_in_daycare": 1500,
        "care_home_places": 200,
        "home_care_citizens": 450,
        "sosu_staff_turnover": 25,
        "welfare_staff_retiring_10y_share": 19,
        "retirement_age": 64,
    }
    for key, value in expected.items():
        assert facts[key].value == Decimal(value), key
        source = facts[key].source
        assert source is not None
        assert source.key == "allerod-2023-opgaveudvalg"
        assert facts[key].source_section
    assert facts["children_in_daycare"].approximate
    assert {p.key for p in facts["sosu_staff_turnover"].professions.all()} == {
        "sosu-assistent",
        "sosu-hjaelper",
    }
    inconsistency = facts["sosu_retiring_10y_persons"].inconsistency
    assert inconsistency is not None
    assert inconsistency["values"] == [53, 53]


@pytest.mark.django_db
def test_published_shortages_35_sosu_and_53_pedagogues_in_2032(seeded):
    sosu = ReferenceShortage.objects.get(key="sosu_shortage_2032")
    paedagog = ReferenceShortage.objects.get(key="paedagog_shortage_2032")
    assert (sosu.year, sosu.value_min, sosu.value_max) == (2032, 35, 35)
    assert (paedagog.year, paedagog.value_min, paedagog.value_max) == (2032, 53, 53)
    assert {p.key for p in paedagog.professions.all()} == {"paedagog"}
    assert paedagog.inconsistency is not None
    assert paedagog.inconsistency["values"] == [53, 30]
    per_daycare = ReferenceShortage.objects.get(key="paedagog_shortage_per_daycare_institution")
    assert (per_daycare.value_min, per_daycare.value_max, per_daycare.per) == (
        1,
        2,
        "daycare_institution",
    )
    per_home = ReferenceShortage.objects.get(key="sosu_shortage_per_care_home")
    assert (per_home.value_min, per_home.value_max) == (5, 6)
    assert all(r.source_id for r in ReferenceShortage.objects.all())


@pytest.mark.django_db
def test_kl_pipeline_is_seeded(seeded):
    pipeline = PipelineModel.objects.get(key="kl-2018-paedagogfremskrivning")
    assert pipeline.profession.key == "paedagog"
    assert pipeline.constant_inflow == 135
    assert pipeline.future_intake == 1881
    # The document gives the yearly rates, not their mean: the years are stored, not a rounded mean.
    assert pipeline.completion_rate is None
    assert (pipeline.completion_rate_first_year, pipeline.completion_rate_last_year) == (2012, 2014)
    rates = PipelineSeries.objects.filter(pipeline=pipeline, kind=SeriesKind.COMPLETION_RATE)
    assert {r.year: r.value for r in rates.filter(year__gte=2012)} == {
        2012: Decimal("0.78"),
        2013: Decimal("0.77"),
        2014: Decimal("0.75"),
    }
    intake = PipelineSeries.objects.filter(pipeline=pipeline, kind=SeriesKind.INTAKE)
    assert intake.count() == 10
    assert intake.get(year=2013).value == 1805
    assert (
        PipelineSeries.objects.filter(pipeline=pipeline, kind=SeriesKind.COMPLETIONS).count() == 8
    )
    assert PipelineSeries.objects.get(pipeline=pipeline, kind="supply", year=2033).approximate
    assert WorkforceFact.objects.filter(municipality=None, label="Indpendling").get().value == 1248


@pytest.mark.django_db
def test_reloading_changes_nothing(seeded):
    again = SeedLoader(settings.SEED_DATA_DIR)
    organizations_seed.load(again)
    workforce_seed.load(again)
    assert again.total(CREATED) == 0
    assert again.total(UPDATED) == 0
