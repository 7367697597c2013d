"""KL's pedagogue model on the seeded KKR Hovedstaden intake table."""

from decimal import Decimal

import pandas as pd
import pytest

from workforce.models import PipelineModel, SeriesKind
from workforce.pipeline import KL_WEIGHTS, capacity_from_pipeline, graduates, mean_completion_rate
from workforce.selectors import completion_rate, projection_inputs


def series(pipeline, kind):
    rows = pipeline.series.filter(kind=kind).values_list("year", "value")
    return pd.Series({year: float(value) for year, value in rows})


@pytest.mark.django_db
def test_kl_formula_on_the_seeded_intake(seeded):
    pipeline = PipelineModel.objects.get(key="kl-2018-paedagogfremskrivning")
    intake = series(pipeline, SeriesKind.INTAKE)
    rates = series(pipeline, SeriesKind.COMPLETION_RATE)
    completion = mean_completion_rate(rates, range(2012, 2015))
    assert completion == pytest.approx((0.78 + 0.77 + 0.75) / 3, rel=1e-12)
    assert completion_rate(pipeline) == completion
    assert {int(k): v for k, v in pipeline.weights.items()} == KL_WEIGHTS
    result = graduates(
        intake,
        weights=pipeline.weights,
        completion_rate=completion,
        constant_inflow=float(pipeline.constant_inflow),
    )
    # Every year by hand: (0.2 × intake t−5 + 0.6 × t−4 + 0.2 × t−3) × completion + 135.
    for year in result.index:
        weighted = 0.2 * intake[year - 5] + 0.6 * intake[year - 4] + 0.2 * intake[year - 3]
        assert result[year] == pytest.approx(weighted * completion + 135)
    assert list(result.index) == list(range(2015, 2023))
    # The seed file's check figures (without the +135): 2015 1,197; 2016 1,323; 2017 1,383.
    assert result[2015] - 135 == pytest.approx(1197.4, abs=0.5)
    assert result[2016] - 135 == pytest.approx(1323.3, abs=0.5)
    assert result[2017] - 135 == pytest.approx(1383.1, abs=0.5)


@pytest.mark.django_db
def test_future_intake_extends_the_pipeline(seeded):
    pipeline = PipelineModel.objects.get(key="kl-2018-paedagogfremskrivning")
    intake = series(pipeline, SeriesKind.INTAKE)
    assert pipeline.future_intake is not None
    result = graduates(
        intake,
        completion_rate=0.7667,
        constant_inflow=135,
        years=range(2023, 2034),
        future_intake=float(pipeline.future_intake),
    )
    # From 2025 every weighted year is at the dimensioning level 1,881.
    assert result[2030] == pytest.approx(1881 * 0.7667 + 135)
    capacity = capacity_from_pipeline(result, share=0.01, profession="paedagog")
    assert capacity.set_index("year").loc[2030, "hires"] == pytest.approx(result[2030] * 0.01)


def test_years_without_enough_intake_are_left_out():
    intake = pd.Series({2010: 100.0, 2011: 100.0})
    assert graduates(intake, completion_rate=1.0).empty


@pytest.mark.django_db
def test_projected_hires_are_what_the_documents_rates_give(seeded, allerod):
    """A scenario hiring 1 % of KL's pipeline: each projected year's hires are the document's
    formula on its own figures at full precision, not on a rate rounded to four decimals."""
    from workforce.models import HiringMode, Scenario

    scenario = Scenario.objects.create(
        municipality=allerod,
        name="Pipeline",
        start_year=2020,
        horizon=11,
        hiring_mode=HiringMode.PIPELINE,
        pipeline=PipelineModel.objects.get(key="kl-2018-paedagogfremskrivning"),
        pipeline_share=Decimal("0.01"),
    )
    capacity = projection_inputs(scenario).capacity
    assert capacity is not None
    hires = capacity.set_index("year")["hires"]
    # The KL note: intake 2016 1,924, 2017 1,958, from 2018 on 1,881; model completion rates
    # 2012–2014 78 %, 77 % and 75 %, averaged; +135 a year.
    completion = (78 + 77 + 75) / 3 / 100
    assert hires[2021] == pytest.approx(
        0.01 * ((0.2 * 1924 + 0.6 * 1958 + 0.2 * 1881) * completion + 135), rel=1e-12
    )
    assert hires[2031] == pytest.approx(0.01 * (1881 * completion + 135), rel=1e-12)
