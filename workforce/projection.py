"""The workforce projection engine: a yearly stock-and-flow per institution × profession (a *cell*).

Pure pandas/numpy: no ORM, no request. Inputs are DataFrames and an :class:`Assumptions`; the output is
a :class:`ProjectionResult` with one row per cell and projected year, and the assumptions attached.
Everything is vectorised over cells; the only Python loop is over the years of the horizon.

The model (docs/workforce.md, ../shared/guide/domain.md)
----------------------------------------------------------
*Stock.* Each cell has a headcount by five-year age band (``15-19`` … ``65-69``, ``70+``). Inside the
engine the bands are spread evenly over single years of age (``70+`` over 70–74), the only smoothing
assumption; from then on cohorts age exactly one year per year, so in the first year one fifth of each
band moves up a band.

*One year t → t+1, in this order*:

1. **Retirements** ``R`` come from the start-of-year stock ``S(t)``: with ``retirement_method="age"``
   everyone aged ``retirement_age`` or older retires; with ``"rates"`` each age band loses its
   age-specific exit rate.
2. **Other leavers** ``Q = q × (S − R)`` with the yearly leaver rate ``q`` excluding retirement, per
   profession (optionally per institution), changed by scenario effects from their year.
3. The remaining stock **ages** one year (people above 74 stay in the top year of age).
4. **Hires** ``H`` fill the gap to the year's demand, ``gap = max(D(t+1) − (S − R − Q), 0)``, limited
   by the hiring capacity: unlimited (``"replace"``), or a number per year per profession (``"fixed"``,
   e.g. a share of a graduate pipeline). A capacity given without an institution is shared by every
   cell of that profession in the municipality in proportion to each cell's gap, so no cell hires more
   than its gap; a capacity given per institution applies to that cell alone. Hires enter at the ages
   of ``entry_band`` (evenly spread), or by ``entry_distribution``.

So ``S(t+1) = S(t) − R − Q + H`` exactly, in every cell and every year. FTE follows headcount with each
cell's start FTE/headcount ratio held constant. Demand is ``D(t) = D0 × (1+g)^(t−t0)`` (``"growth"``)
or ``D(t) = D0 × driver(t) / driver(t0)`` (``"driver"``: a demand driver such as children 0–6,
i.e. a staffing norm ``D0 / driver(t0)`` staff per unit of driver), where ``D0`` is the base-year
demand (by default headcount + vacancies), or an explicit demand table. Shortage = ``D − S``
(negative = surplus); replacement need = ``R + Q + ΔD``. Persons are expected values (fractions);
round only for display. The projection is mechanical: all else equal.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

BANDS = [
    "15-19",
    "20-24",
    "25-29",
    "30-34",
    "35-39",
    "40-44",
    "45-49",
    "50-54",
    "55-59",
    "60-64",
    "65-69",
    "70+",
]
MIN_AGE = 15
MAX_AGE = 74  # the 70+ band is spread over 70–74
AGES = np.arange(MIN_AGE, MAX_AGE + 1)
N_AGES = len(AGES)
BAND_OF_AGE = np.minimum((AGES - MIN_AGE) // 5, len(BANDS) - 1)

KEYS = ["municipality", "institution", "kind", "profession"]
FLOW_COLUMNS = [
    "supply_start",
    "retirements",
    "other_leavers",
    "hires",
    "supply",
    "supply_fte",
    "demand",
    "shortage",
    "replacement_need",
]
RETIREMENT_METHODS = ("age", "rates")
HIRING_MODES = ("replace", "fixed")
DEMAND_METHODS = ("growth", "driver", "table")


def band_of_age(age: int) -> str:
    return BANDS[min(max(age - MIN_AGE, 0) // 5, len(BANDS) - 1)]


@dataclass(frozen=True)
class Effect:
    """An assumed effect of a recommendation, e.g. −3 percentage points on the SOSU leaver rate."""

    profession: str
    from_year: int
    leaver_rate_change_pp: float = 0.0
    hires_change: float = 0.0  # extra hires per year (a capacity change; no effect on "replace")
    label: str = ""


@dataclass(frozen=True)
class Assumptions:
    start_year: int
    horizon: int = 10
    retirement_method: str = "age"
    retirement_age: float = 64
    exit_rates: dict = field(default_factory=dict)  # band → yearly retirement exit rate
    default_leaver_rate: float = 0.0
    hiring_mode: str = "replace"
    demand_method: str = "growth"
    demand_growth: float = 0.0
    entry_band: str = "25-29"
    entry_distribution: dict | None = None  # band → share, overrides entry_band
    default_fte_ratio: float = 1.0  # for cells that start with no staff
    effects: tuple[Effect, ...] = ()
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.retirement_method not in RETIREMENT_METHODS:
            raise ValueError(f"retirement_method must be one of {RETIREMENT_METHODS}")
        if self.hiring_mode not in HIRING_MODES:
            raise ValueError(f"hiring_mode must be one of {HIRING_MODES}")
        if self.demand_method not in DEMAND_METHODS:
            raise ValueError(f"demand_method must be one of {DEMAND_METHODS}")
        if not 1 <= self.horizon <= 60:
            raise ValueError("horizon must be between 1 and 60 years")
        if self.entry_band not in BANDS:
            raise ValueError(f"unknown entry band {self.entry_band!r}")
        for band, rate in self.exit_rates.items():
            if band not in BANDS or not 0 <= rate <= 1:
                raise ValueError(f"exit rate for {band!r} must be a band and between 0 and 1")

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year + 1, self.start_year + self.horizon + 1))

    def as_dict(self) -> dict:
        data = asdict(self)
        data["effects"] = [asdict(e) for e in self.effects]
        data["notes"] = list(self.notes)
        data["years"] = f"{self.start_year + 1}–{self.start_year + self.horizon}"
        return data


@dataclass
class ProjectionResult:
    frame: pd.DataFrame  # one row per cell and year: KEYS + ["year"] + FLOW_COLUMNS
    assumptions: dict
    bands: pd.DataFrame | None = None  # end-of-year headcount by age band, when asked for

    def totals(self, by: Sequence[str] = ("profession",)) -> pd.DataFrame:
        return totals(self.frame, by)


# Inputs ------------------------------------------------------------------------------------------
def cells_frame(rows: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """A cells table from dicts with KEYS, ``fte``, ``vacancies`` and a headcount per band."""
    frame = pd.DataFrame(list(rows))
    for band in BANDS:
        frame[band] = frame[band].fillna(0.0).astype(float) if band in frame else 0.0
    for column, default in (("fte", np.nan), ("vacancies", 0.0), ("municipality", "")):
        if column not in frame:
            frame[column] = default
    return frame


def _spread_bands(bands: np.ndarray) -> np.ndarray:
    """cells × bands → cells × single years of age, each band spread evenly over its five years."""
    return np.repeat(bands, 5, axis=1) / 5.0


def _entry_weights(assumptions: Assumptions) -> np.ndarray:
    shares = assumptions.entry_distribution or {assumptions.entry_band: 1.0}
    band_weights = np.array([float(shares.get(b, 0.0)) for b in BANDS])
    if band_weights.sum() <= 0:
        raise ValueError("the entry distribution is empty")
    weights = _spread_bands(band_weights[None, :])[0]
    return np.asarray(weights / weights.sum(), dtype=float)


def _leaver_rates(cells: pd.DataFrame, rates: pd.DataFrame | None, default: float) -> np.ndarray:
    """Per cell: the institution-specific rate, else the profession's, else the default."""
    result = np.full(len(cells), float(default))
    if rates is None or rates.empty:
        return result
    rates = rates.copy()
    if "institution" not in rates:
        rates["institution"] = None
    general = rates[rates["institution"].isna()].drop_duplicates("profession", keep="last")
    by_profession = dict(
        zip(general["profession"], general["leaver_rate"].astype(float), strict=True)
    )
    mapped = cells["profession"].map(by_profession)
    specific = rates[rates["institution"].notna()]
    if not specific.empty:
        lookup = specific.drop_duplicates(["institution", "profession"], keep="last").set_index(
            ["institution", "profession"]
        )["leaver_rate"]
        index = pd.MultiIndex.from_frame(cells[["institution", "profession"]])
        mapped = pd.Series(lookup.reindex(index).to_numpy(), index=cells.index).fillna(mapped)
    return np.asarray(mapped.fillna(default).to_numpy(dtype=float), dtype=float)


def _demand_matrix(
    cells: pd.DataFrame,
    base: np.ndarray,
    assumptions: Assumptions,
    demand: pd.DataFrame | None,
    drivers: pd.DataFrame | None,
    driver_of_kind: dict | None,
) -> np.ndarray:
    """cells × (horizon + 1) demand: column 0 is the base year t0."""
    years = np.arange(assumptions.start_year, assumptions.start_year + assumptions.horizon + 1)
    if assumptions.demand_method == "growth":
        factor = (1.0 + assumptions.demand_growth) ** (years - assumptions.start_year)
        return np.asarray(base[:, None] * factor[None, :], dtype=float)
    if assumptions.demand_method == "table":
        if demand is None:
            raise ValueError("demand_method 'table' needs a demand table")
        wide = demand.pivot_table(
            index=["institution", "profession"], columns="year", values="demand", aggfunc="sum"
        ).reindex(columns=years)
        wide = wide.ffill(axis=1).bfill(axis=1)
        index = pd.MultiIndex.from_frame(cells[["institution", "profession"]])
        matrix = wide.reindex(index).to_numpy(dtype=float)
        missing = np.isnan(matrix).any(axis=1)
        matrix[missing] = base[missing, None]  # cells without a demand row keep their base demand
        return np.asarray(matrix, dtype=float)
    # driver: D(t) = D0 × driver(t) / driver(t0); a cell whose kind has no driver keeps D0.
    if drivers is None or not driver_of_kind:
        raise ValueError("demand_method 'driver' needs driver series and a kind → driver map")
    series = drivers.copy()
    if "municipality" not in series:
        series["municipality"] = ""
    series["municipality"] = series["municipality"].fillna("")
    wide = series.pivot_table(
        index=["municipality", "driver"], columns="year", values="value", aggfunc="sum"
    ).reindex(columns=years)
    wide = wide.astype(float).interpolate(axis=1, limit_direction="both")
    index = wide.div(wide[assumptions.start_year], axis=0)
    driver_key = cells["kind"].map(driver_of_kind)
    own = index.reindex(pd.MultiIndex.from_arrays([cells["municipality"], driver_key]))
    common = index.reindex(pd.MultiIndex.from_arrays([[""] * len(cells), driver_key]))
    factors = own.to_numpy(dtype=float)
    factors = np.where(np.isnan(factors), common.to_numpy(dtype=float), factors)
    factors = np.where(np.isnan(factors), 1.0, factors)
    return base[:, None] * factors


def _capacity_matrix(
    cells: pd.DataFrame,
    capacity: pd.DataFrame | None,
    assumptions: Assumptions,
    groups: np.ndarray,
    n_groups: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Hiring capacity per year: (group capacity n_groups × years, cell capacity cells × years).

    NaN means "no limit set at this level". Effects' hires_change adds to the group capacity.
    """
    years = np.array(assumptions.years)
    group_cap = np.full((n_groups, len(years)), np.nan)
    cell_cap = np.full((len(cells), len(years)), np.nan)
    professions = cells["profession"].to_numpy()
    if capacity is not None and not capacity.empty:
        cap = capacity.copy()
        for column in ("municipality", "institution", "year"):
            if column not in cap:
                cap[column] = None
            cap[column] = cap[column].astype(object).where(cap[column].notna(), None)
        municipalities = cells["municipality"].to_numpy()
        institutions = cells["institution"].to_numpy()
        for row in cap.to_dict("records"):
            columns = (
                np.arange(len(years))
                if row["year"] is None
                else np.flatnonzero(years == int(row["year"]))
            )
            match = professions == row["profession"]
            if row["municipality"] not in (None, ""):
                match &= municipalities == row["municipality"]
            if row["institution"] is not None:
                match &= institutions == row["institution"]
                cell_cap[np.ix_(np.flatnonzero(match), columns)] = float(row["hires"])
            else:
                group_cap[np.ix_(np.unique(groups[match]), columns)] = float(row["hires"])
    for effect in assumptions.effects:
        if not effect.hires_change:
            continue
        target = np.ix_(
            np.unique(groups[professions == effect.profession]),
            np.flatnonzero(years >= effect.from_year),
        )
        group_cap[target] = np.nan_to_num(group_cap[target]) + float(effect.hires_change)
    return np.maximum(group_cap, 0), np.maximum(cell_cap, 0)


# The engine --------------------------------------------------------------------------------------
def project(
    cells: pd.DataFrame,
    assumptions: Assumptions,
    *,
    rates: pd.DataFrame | None = None,
    capacity: pd.DataFrame | None = None,
    demand: pd.DataFrame | None = None,
    drivers: pd.DataFrame | None = None,
    driver_of_kind: dict | None = None,
    demand_base: np.ndarray | None = None,
    with_bands: bool = False,
) -> ProjectionResult:
    """Project every cell over the horizon. See the module docstring for the model.

    ``cells``: one row per institution × profession with KEYS (``municipality`` and ``kind`` may be
    empty strings), a headcount per band in columns BANDS, ``fte`` and ``vacancies``.
    ``rates``: ``profession``, optional ``institution``, ``leaver_rate`` (0–1, excluding retirement).
    ``capacity``: ``profession``, ``hires`` and optional ``municipality``, ``institution``, ``year``.
    ``demand``: ``institution``, ``profession``, ``year``, ``demand`` (for ``demand_method="table"``).
    ``drivers``: ``driver``, ``year``, ``value`` (optional ``municipality``), with ``driver_of_kind``.
    """
    cells = cells.reset_index(drop=True)
    for column in ("municipality", "kind"):
        if column not in cells:
            cells[column] = ""
    n = len(cells)
    years = assumptions.years
    horizon = len(years)

    band_counts = cells[BANDS].to_numpy(dtype=float)
    if (band_counts < 0).any():
        raise ValueError("negative headcount in the stock")
    headcount0 = band_counts.sum(axis=1)
    fte0 = pd.to_numeric(cells["fte"], errors="coerce").to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        fte_ratio = np.where(
            (headcount0 > 0) & ~np.isnan(fte0), fte0 / headcount0, assumptions.default_fte_ratio
        )
    vacancies = pd.to_numeric(cells["vacancies"], errors="coerce").fillna(0).to_numpy(dtype=float)
    base = headcount0 + vacancies if demand_base is None else np.asarray(demand_base, dtype=float)
    demand_m = _demand_matrix(cells, base, assumptions, demand, drivers, driver_of_kind)

    entry = _entry_weights(assumptions)
    leaver = _leaver_rates(cells, rates, assumptions.default_leaver_rate)
    professions = cells["profession"].to_numpy()
    leaver_by_year = np.repeat(leaver[:, None], horizon, axis=1)
    for effect in assumptions.effects:
        if effect.leaver_rate_change_pp:
            in_effect = np.array(years) >= effect.from_year
            rows = professions == effect.profession
            leaver_by_year[np.ix_(rows, in_effect)] += effect.leaver_rate_change_pp / 100.0
    leaver_by_year = np.clip(leaver_by_year, 0.0, 1.0)

    group_keys = pd.MultiIndex.from_frame(cells[["municipality", "profession"]])
    groups, uniques = pd.factorize(group_keys)
    n_groups = len(uniques)
    group_cap: np.ndarray | None = None
    cell_cap: np.ndarray | None = None
    if assumptions.hiring_mode == "fixed":
        group_cap, cell_cap = _capacity_matrix(cells, capacity, assumptions, groups, n_groups)

    out = {name: np.empty((horizon, n)) for name in FLOW_COLUMNS}
    band_out = np.empty((horizon, n, len(BANDS))) if with_bands else None
    # The stock is held by birth cohort rather than by age, so ageing costs nothing: column c holds
    # the people aged MIN_AGE + c − horizon + i at the start of year i (the first ``horizon`` columns
    # are cohorts that enter later as hires). Leavers scale a whole cell, so that is kept as a factor
    # per cell (actual = factor × stored) instead of touching every age each year.
    # Stored as cohorts × cells, so that a range of cohorts is one contiguous block of memory.
    stored = np.zeros((horizon + N_AGES, n))
    stored[horizon:] = _spread_bands(band_counts).T
    factor = np.ones(n)
    columns = np.arange(horizon + N_AGES)
    exit_by_band = np.array([float(assumptions.exit_rates.get(b, 0.0)) for b in BANDS])
    entry_ages = np.flatnonzero(entry > 0)
    total = headcount0  # carried, so that next year's start is exactly this year's end
    for i in range(horizon):
        start = total
        ages = np.minimum(MIN_AGE + columns - horizon + i, MAX_AGE)
        if assumptions.retirement_method == "age":
            # Ages rise with the column, so the retiring cohorts are one block at the end.
            first = int(np.searchsorted(ages, assumptions.retirement_age))
            first = max(first, horizon - i)  # never the cohorts not yet 15
            retirements = stored[first:].sum(axis=0) * factor
            stored[first:] = 0.0
        else:
            band = np.minimum(np.maximum(ages - MIN_AGE, 0) // 5, len(BANDS) - 1)
            rate = np.where(ages >= MIN_AGE, exit_by_band[band], 0.0)
            leaving = np.flatnonzero(rate > 0)
            block = stored[leaving]
            retirements = (block * rate[leaving, None]).sum(axis=0) * factor
            stored[leaving] = block * (1.0 - rate[leaving, None])
        q = leaver_by_year[:, i]
        other = (start - retirements) * q
        factor = factor * (1.0 - q)
        tiny = factor < 1e-9  # a cell everyone left: fold the factor in and start afresh
        if tiny.any():
            stored[:, tiny] *= factor[tiny]
            factor[tiny] = 1.0
        after_exits = start - retirements - other
        target = demand_m[:, i + 1]
        gap = np.maximum(target - after_exits, 0.0)
        if group_cap is None or cell_cap is None:  # "replace": hire every gap
            hires = gap
        else:
            hires = gap.copy()
            per_cell = cell_cap[:, i]
            has_cell = ~np.isnan(per_cell)
            hires[has_cell] = np.minimum(gap[has_cell], per_cell[has_cell])
            pooled = ~has_cell
            group_gap = np.bincount(groups[pooled], weights=gap[pooled], minlength=n_groups)
            cap = group_cap[:, i]
            with np.errstate(invalid="ignore", divide="ignore"):
                fill = np.where(
                    np.isnan(cap), 1.0, np.where(group_gap > 0, np.minimum(1.0, cap / group_gap), 0)
                )
            hires[pooled] = gap[pooled] * fill[groups[pooled]]
        # Hires are at their entry ages at the start of next year.
        entry_columns = entry_ages + horizon - (i + 1)
        stored[entry_columns] += entry[entry_ages][:, None] * (hires / factor)[None, :]
        supply = after_exits + hires
        total = supply
        out["supply_start"][i] = start
        out["retirements"][i] = retirements
        out["other_leavers"][i] = other
        out["hires"][i] = hires
        out["supply"][i] = supply
        out["supply_fte"][i] = supply * fte_ratio
        out["demand"][i] = target
        out["shortage"][i] = target - supply
        out["replacement_need"][i] = retirements + other + (target - demand_m[:, i])
        if with_bands:
            next_ages = np.minimum(MIN_AGE + columns - horizon + i + 1, MAX_AGE)
            alive = next_ages >= MIN_AGE
            band_index = (next_ages[alive] - MIN_AGE) // 5
            actual = stored[alive] * factor[None, :]
            band_out[i] = np.stack(  # type: ignore[index]  # with_bands: allocated
                [actual[band_index == b].sum(axis=0) for b in range(len(BANDS))], axis=1
            )

    frame = pd.DataFrame(
        np.stack([out[name].ravel() for name in FLOW_COLUMNS], axis=1), columns=FLOW_COLUMNS
    )
    year_column = np.repeat(np.array(years), n)
    repeated = {}
    for k in KEYS:
        codes, uniques = pd.factorize(cells[k])
        repeated[k] = pd.Categorical.from_codes(np.tile(codes, horizon), categories=uniques)
    frame.insert(0, "year", year_column)
    for position, k in enumerate(KEYS):
        frame.insert(position, k, repeated[k])
    bands = None
    if with_bands:
        bands = pd.DataFrame(
            band_out.reshape(  # type: ignore[union-attr]  # with_bands: allocated
                horizon * n, len(BANDS)
            ),
            columns=BANDS,
        )
        bands.insert(0, "year", year_column)
        bands.insert(0, "profession", repeated["profession"])
        bands.insert(0, "institution", repeated["institution"])
    return ProjectionResult(frame, assumptions.as_dict(), bands)


# Aggregates and comparison -----------------------------------------------------------------------
SUMMED = list(FLOW_COLUMNS)


def totals(frame: pd.DataFrame, by: Sequence[str] = ("profession",)) -> pd.DataFrame:
    """Sum the flows per year and ``by`` (e.g. profession, kind, municipality; () for all)."""
    keys = [*by, "year"]
    return frame.groupby(keys, as_index=False, sort=True, observed=True)[SUMMED].sum()


def difference(
    a: ProjectionResult, b: ProjectionResult, by: Sequence[str] | None = None
) -> pd.DataFrame:
    """``b − a`` row by row (or on totals by ``by``): what scenario b changes relative to a."""
    if by is None:
        keys = [*KEYS, "year"]
        left, right = a.frame, b.frame
    else:
        keys = [*by, "year"]
        left, right = totals(a.frame, by), totals(b.frame, by)
    merged = left.merge(right, on=keys, how="outer", suffixes=("_a", "_b"), validate="1:1")
    result = merged[keys].copy()
    for column in SUMMED:
        result[column] = merged[f"{column}_b"].fillna(0) - merged[f"{column}_a"].fillna(0)
    return result


# Helpers for the demand side ---------------------------------------------------------------------
def demand_from_norms(
    sizes: pd.DataFrame, norms: pd.DataFrame, professions_of_kind: dict | None = None
) -> pd.DataFrame:
    """Demand per institution × profession × year = staff per unit × the institution's size.

    ``sizes``: institution, kind, year, value (e.g. children enrolled). ``norms``: kind, profession,
    staff_per_unit.
    """
    merged = sizes.merge(norms, on="kind", how="inner")
    merged["demand"] = merged["value"].astype(float) * merged["staff_per_unit"].astype(float)
    return merged[["institution", "profession", "year", "demand"]]


def shortage_range_text(low: float, high: float) -> tuple[int, int]:
    """Whole persons for display: a shortage between ``low`` and ``high`` as (floor, ceil)."""
    lo, hi = sorted((low, high))
    return int(np.floor(max(lo, 0) + 1e-9)), int(np.ceil(max(hi, 0) - 1e-9))
