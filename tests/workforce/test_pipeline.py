"""KL's pedagogue model on the seeded KKR Hovedstaden intake table."""

import pandas as pd
import pytest

from workforce.models import PipelineModel, SeriesKind
from workforce.pipeline import KL_WEIGHTS, capacity_from_pipeline, graduates, mean_completion_rate


def series(pipeline, kind):
    rows = pipeline.series.filter(kind=kind).values_list("year", "value")
    return pd.Series({year: float(value) for year, value in rows})


@pytest.mark.django_db
def test_kl_formula_on_the_seeded_intake(seeded):
    pipeline = PipelineModel.objects.get(key="kl-2018-paedagogfremskrivning")
    intake = series(pipeline, SeriesKind.INTAKE)
    rates = series(pipeline, SeriesKind.COMPLETION_RATE)
    completion = mean_completion_rate(rates, range(2012, 2015))
    assert completion == pytest.approx(float(pipeline.completion_rate), abs=1e-4)
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
