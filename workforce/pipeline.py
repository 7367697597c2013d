"""The graduate pipeline (KL's pedagogue model), pure pandas.

graduates(t) = Σ_k w_k · intake(t − k) × completion rate + a constant yearly inflow

KL (KKR Hovedstaden 2018): w₅ = 0.2, w₄ = 0.6, w₃ = 0.2; completion = the mean of the model completion
rates 2012–2014; +135 a year from adult education and foreign degrees; intake from 2018 on held at the
latest dimensioning level (1,881).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

KL_WEIGHTS = {5: 0.2, 4: 0.6, 3: 0.2}


def mean_completion_rate(rates: pd.Series, years: Iterable[int]) -> float:
    """The mean of the completion rates of ``years`` (KL: 2012–2014), at full precision; a year
    without a rate is refused rather than left out of the mean."""
    years = list(years)
    chosen = rates.reindex(years).astype(float)
    missing = [year for year, value in zip(years, chosen, strict=True) if pd.isna(value)]
    if missing or not years:
        raise ValueError(f"no completion rate for {missing or 'any year'}")
    return float(chosen.mean())


def graduates(
    intake: pd.Series,
    *,
    weights: dict | None = None,
    completion_rate: float,
    constant_inflow: float = 0.0,
    years: Iterable[int] | None = None,
    future_intake: float | None = None,
) -> pd.Series:
    """Graduates per year from an intake series indexed by year.

    A year needs the intake of every weighted year before it; intake after the last year in the
    series is ``future_intake`` when given. Years that cannot be computed are left out.
    """
    weights = {int(k): float(v) for k, v in (weights or KL_WEIGHTS).items()}
    intake = intake.astype(float).sort_index()
    intake.index = intake.index.astype(int)
    first = int(intake.index.min()) + max(weights)
    if years is None:
        last = int(intake.index.max()) + min(weights)
        years = range(first, last + 1)
    years = list(years)
    if not years:
        return pd.Series(dtype=float, name="graduates").rename_axis("year")
    span = range(int(intake.index.min()), max(years) + 1)
    extended = intake.reindex(span)
    if future_intake is not None:
        after = extended.index > intake.index.max()
        extended[after] = float(future_intake)
    values = {}
    for year in years:
        needed = [extended.get(year - k) for k in weights]
        if any(v is None or pd.isna(v) for v in needed):
            continue
        weighted = sum(w * extended[year - k] for k, w in weights.items())
        values[year] = weighted * completion_rate + constant_inflow
    return pd.Series(values, name="graduates", dtype=float).rename_axis("year")


def capacity_from_pipeline(
    graduates_by_year: pd.Series, *, share: float, profession: str, municipality: str = ""
) -> pd.DataFrame:
    """Hiring capacity per year = the share of a pipeline's graduates a municipality recruits."""
    return pd.DataFrame(
        {
            "municipality": municipality,
            "profession": profession,
            "year": graduates_by_year.index.astype(int),
            "hires": graduates_by_year.to_numpy() * float(share),
        }
    )
