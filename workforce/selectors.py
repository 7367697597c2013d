"""Every read the workforce pages and exports need, in a fixed number of queries whatever the number
of institutions, professions or snapshots: the scenarios of a municipality, and a scenario's
projection inputs turned into the engine's DataFrames."""

import datetime
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TypeVar

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _

from core.text import format_date, format_percent
from organizations.generation import cached_for_municipality
from organizations.models import INSTITUTION_KINDS, Municipality, Profession

from . import pipeline as pipeline_module
from .models import (
    DemandDriver,
    HiringMode,
    PipelineModel,
    PipelineSeries,
    ReferenceShortage,
    Scenario,
    SeriesKind,
    StaffingNorm,
    StaffingSnapshot,
)
from .projection import (
    BANDS,
    Assumptions,
    Effect,
    ProjectionResult,
    cells_frame,
    project,
    totals,
)

_T = TypeVar("_T")
# (year, (profession name, shortage) rows, is demo, date of the latest staffing snapshot) of the
# outlook.
OutlookRows = tuple[int, list[tuple[str, float]], bool, datetime.date | None]

# Used when a snapshot gives no ages at all: spread evenly over 25–64.
DEFAULT_AGE_PROFILE = dict.fromkeys(BANDS[2:10], 1.0)
# Which demand driver moves each kind of institution when a scenario uses drivers and the
# municipality has no staffing norm saying otherwise.
DEFAULT_DRIVERS = {
    "daycare": "children_0_6",
    "care_home": "citizens_75plus",
    "home_care": "citizens_75plus",
    "school": "children_6_16",
}


def scenarios(municipality: Municipality) -> list[Scenario]:
    return list(Scenario.objects.filter(municipality=municipality).order_by("-is_baseline", "name"))


def scenario_for(municipality: Municipality, pk: str | int | None) -> Scenario | None:
    found: Scenario | None
    if pk is None or pk == "":
        found = (
            Scenario.objects.filter(municipality=municipality)
            .order_by("-is_baseline", "name")
            .first()
        )
        return found
    try:
        found = Scenario.objects.filter(municipality=municipality, pk=int(pk)).first()
        return found
    except (TypeError, ValueError):
        return None


def reference_shortages(municipality: Municipality) -> list[ReferenceShortage]:
    return list(
        ReferenceShortage.objects.filter(municipality=municipality)
        .select_related("source")
        .prefetch_related("professions")
        .order_by("key")
    )


def professions_by_key() -> dict[str, Profession]:
    return {p.key: p for p in Profession.objects.all()}


@dataclass
class Inputs:
    scenario: Scenario
    cells: pd.DataFrame
    assumptions: Assumptions
    rates: pd.DataFrame
    capacity: pd.DataFrame | None
    drivers: pd.DataFrame | None
    driver_of_kind: dict
    units: dict  # institution id → OrganisationalUnit
    effects: list = field(default_factory=list)
    rate_rows: list = field(default_factory=list)
    snapshot_dates: list = field(default_factory=list)
    is_demo: bool = False


def _bands(snapshot: StaffingSnapshot) -> dict[str, float]:
    """Headcount by band; ages not given are spread like the known ones (or evenly over 25–64)."""
    known = {b: float(v) for b, v in (snapshot.age_bands or {}).items() if b in BANDS}
    missing = snapshot.headcount - sum(known.values())
    if missing > 0:
        profile = known if sum(known.values()) > 0 else DEFAULT_AGE_PROFILE
        weight = sum(profile.values())
        for band, value in profile.items():
            known[band] = known.get(band, 0.0) + missing * value / weight
    return known


def projection_inputs(scenario: Scenario) -> Inputs:
    """Load a scenario's inputs: the latest snapshot per institution × profession dated no later
    than 1 January after the base year, its rates, effects, drivers and pipeline. Fixed queries."""
    municipality = scenario.municipality
    cutoff = datetime.date(scenario.start_year + 1, 1, 1)
    snapshots = (
        StaffingSnapshot.objects.filter(
            unit__municipality=municipality, unit__kind__in=INSTITUTION_KINDS, date__lte=cutoff
        )
        .select_related("unit", "unit__parent", "profession")
        .order_by("unit_id", "profession_id", "-date")
    )
    latest, units, dates, is_demo = {}, {}, set(), scenario.is_demo
    for snapshot in snapshots:
        key = (snapshot.unit_id, snapshot.profession_id)
        if key in latest:
            continue
        latest[key] = snapshot
        units[snapshot.unit_id] = snapshot.unit
        dates.add(snapshot.date)
        is_demo = is_demo or snapshot.is_demo
    rows = []
    for snapshot in latest.values():
        rows.append(
            {
                "municipality": municipality.slug,
                "institution": snapshot.unit_id,
                "kind": snapshot.unit.kind,
                "profession": snapshot.profession.key,
                "fte": float(snapshot.fte),
                "vacancies": float(snapshot.vacancies),
                **_bands(snapshot),
            }
        )
    cells = cells_frame(rows) if rows else cells_frame([])
    if not rows:
        cells = pd.DataFrame(columns=["municipality", "institution", "kind", "profession", *BANDS])

    rate_rows = list(scenario.rates.select_related("profession", "unit"))
    rates = pd.DataFrame(
        [
            {
                "profession": r.profession.key,
                "institution": r.unit_id,
                "leaver_rate": float(r.leaver_rate),
            }
            for r in rate_rows
            if r.leaver_rate is not None
        ],
        columns=["profession", "institution", "leaver_rate"],
    )
    effects = list(
        scenario.effects.select_related("profession").prefetch_related("recommendations__report")
    )
    engine_effects = tuple(
        Effect(
            profession=e.profession.key,
            from_year=e.from_year,
            leaver_rate_change_pp=float(e.leaver_rate_change_pp),
            hires_change=float(e.hires_change),
            label=e.text,
        )
        for e in effects
    )

    capacity = None
    notes = []
    if scenario.hiring_mode == HiringMode.FIXED:
        capacity = pd.DataFrame(
            [
                {
                    "municipality": municipality.slug,
                    "profession": r.profession.key,
                    "institution": r.unit_id,
                    "hires": float(r.hires_per_year),
                }
                for r in rate_rows
                if r.hires_per_year is not None
            ],
            columns=["municipality", "profession", "institution", "hires"],
        )
    elif scenario.hiring_mode == HiringMode.PIPELINE:
        model, share = scenario.pipeline, scenario.pipeline_share
        if model is None or share is None:  # Scenario.clean() requires both for this mode
            raise ValueError(
                f"Scenario {scenario.pk} hires from a pipeline without one or a share."
            )
        intake = pd.Series(
            {
                s.year: float(s.value)
                for s in PipelineSeries.objects.filter(pipeline=model, kind=SeriesKind.INTAKE)
            },
            dtype=float,
        )
        graduates = pipeline_module.graduates(
            intake,
            weights=model.weights,
            completion_rate=completion_rate(model),
            constant_inflow=float(model.constant_inflow),
            years=range(scenario.start_year + 1, scenario.end_year + 1),
            future_intake=None if model.future_intake is None else float(model.future_intake),
        )
        capacity = pipeline_module.capacity_from_pipeline(
            graduates,
            share=float(share),
            profession=model.profession.key,
            municipality=municipality.slug,
        )
        notes.append(
            _("Graduates from %(pipeline)s, a share of %(share)s")
            % {"pipeline": model.title, "share": format_percent(share)}
        )

    drivers, driver_of_kind = None, dict(DEFAULT_DRIVERS)
    if scenario.demand_method == "driver":
        for norm in StaffingNorm.objects.filter(municipality=municipality):
            driver_of_kind[norm.unit_kind] = norm.driver_key
        drivers = pd.DataFrame(
            [
                {"driver": d.key, "year": d.year, "value": float(d.value)}
                for d in DemandDriver.objects.filter(municipality=municipality)
            ],
            columns=["driver", "year", "value"],
        )
    hiring = (
        "fixed" if scenario.hiring_mode in (HiringMode.FIXED, HiringMode.PIPELINE) else "replace"
    )
    if dates:
        notes.append(
            _("Staffing as counted on %(dates)s")
            % {"dates": ", ".join(format_date(d) for d in sorted(dates))}
        )
    assumptions = Assumptions(
        start_year=scenario.start_year,
        horizon=scenario.horizon,
        retirement_method=scenario.retirement_method,
        retirement_age=float(scenario.retirement_age),
        exit_rates={k: float(v) for k, v in (scenario.exit_rates or {}).items()},
        default_leaver_rate=float(scenario.default_leaver_rate),
        hiring_mode=hiring,
        demand_method=scenario.demand_method,
        demand_growth=float(scenario.demand_growth),
        entry_band=scenario.entry_band,
        effects=engine_effects,
        notes=tuple(notes),
    )
    return Inputs(
        scenario=scenario,
        cells=cells,
        assumptions=assumptions,
        rates=rates,
        capacity=capacity,
        drivers=drivers,
        driver_of_kind=driver_of_kind,
        units=units,
        effects=effects,
        rate_rows=rate_rows,
        snapshot_dates=sorted(dates),
        is_demo=is_demo,
    )


def completion_rate(model: PipelineModel) -> float:
    """A graduate pipeline's completion rate at full precision: the rate its source states, or the
    mean of its stored yearly completion rates over its years (KL: 2012–2014, from the
    document's own rates 78, 77 and 75 %), computed here rather than stored rounded."""
    if model.completion_rate_first_year is None or model.completion_rate_last_year is None:
        if model.completion_rate is None:  # the model's constraint requires one or the other
            raise ValueError(f"Pipeline {model.pk} has neither a completion rate nor years.")
        return float(model.completion_rate)
    years = range(model.completion_rate_first_year, model.completion_rate_last_year + 1)
    rates = pd.Series(
        {
            s.year: float(s.value)
            for s in PipelineSeries.objects.filter(
                pipeline=model, kind=SeriesKind.COMPLETION_RATE, year__in=years
            )
        },
        dtype=float,
    )
    return pipeline_module.mean_completion_rate(rates, years)


def run(inputs: Inputs) -> ProjectionResult | None:
    if inputs.cells.empty:
        return None
    drivers = inputs.drivers
    if inputs.assumptions.demand_method == "driver" and (drivers is None or drivers.empty):
        # No driver series: demand stays at the base year's level, and the assumptions say so.
        assumptions = replace(
            inputs.assumptions,
            demand_method="growth",
            demand_growth=0.0,
            notes=(
                *inputs.assumptions.notes,
                _("No demand-driver series: demand is held at the base year's level."),
            ),
        )
    else:
        assumptions = inputs.assumptions
    result = project(
        inputs.cells,
        assumptions,
        rates=inputs.rates,
        capacity=inputs.capacity,
        drivers=drivers,
        driver_of_kind=inputs.driver_of_kind,
    )
    result.assumptions["scenario"] = inputs.scenario.name
    result.assumptions["is_demo"] = inputs.is_demo
    return result


def with_labels(frame: pd.DataFrame, inputs: Inputs, professions: dict) -> pd.DataFrame:
    """Add institution and profession names to an engine frame (for pages and exports)."""
    frame = frame.copy()
    names = {pk: unit.name for pk, unit in inputs.units.items()}
    if "institution" in frame:
        frame["institution_name"] = frame["institution"].astype(object).map(names)
    if "profession" in frame:
        frame["profession_name"] = (
            frame["profession"].astype(object).map(lambda k: getattr(professions.get(k), "name", k))
        )
    return frame


def shortage_words(value: float, profession: Profession | None) -> str:
    """“short of 1–2 pedagogues”: the expected value as the whole persons on either side of it."""
    if abs(value) < 0.5:
        return _("about in balance")
    low, high = math.floor(abs(value)), math.ceil(abs(value))
    low = max(low, 1)
    amount = str(low) if low == high else f"{low}–{high}"
    if profession is None:
        name = ""
    else:
        name = (profession.name if high == 1 else profession.name_plural).lower()
    if value > 0:
        return _("short of %(amount)s %(profession)s") % {"amount": amount, "profession": name}
    return _("surplus of %(amount)s %(profession)s") % {"amount": amount, "profession": name}


def rounded(value: float) -> float:
    return float(np.round(value, 1))


@dataclass
class Outlook:
    """The baseline scenario's shortage by profession in its horizon year, for the front page."""

    scenario: Scenario
    year: int
    rows: list[tuple[str, float]]  # (profession name, shortage; negative = surplus)
    is_demo: bool
    staffing_as_of: datetime.date | None = None  # the latest staffing snapshot projected


def outlook(municipality: Municipality) -> Outlook | None:
    """None when the municipality has no scenario or no staffing to project."""
    scenario = scenario_for(municipality, None)
    if scenario is None:
        return None
    found = cached("outlook-dated", scenario, lambda: _outlook_rows(scenario))
    if found is None:
        return None
    year, rows, is_demo, staffing_as_of = found
    return Outlook(
        scenario=scenario, year=year, rows=rows, is_demo=is_demo, staffing_as_of=staffing_as_of
    )


def _outlook_rows(scenario: Scenario) -> OutlookRows | None:
    inputs = projection_inputs(scenario)
    result = run(inputs)
    if result is None:
        return None
    by_profession = totals(result.frame, ["profession"])
    year = int(by_profession["year"].max())
    last = by_profession[by_profession["year"] == year]
    names = professions_by_key()
    rows = sorted(
        (
            (
                getattr(names.get(str(row.profession)), "name", str(row.profession)),
                rounded(row.shortage),
            )
            for row in last.itertuples()
        ),
        key=lambda pair: -pair[1],
    )
    return year, rows, inputs.is_demo, max(inputs.snapshot_dates, default=None)


# Cached projections ------------------------------------------------------------------------------
# The projection is recomputed only when its inputs may have changed: the key is the scenario and
# its municipality's data generation, raised by every write to the municipality's staffing, units,
# scenarios, drivers and norms (and to the professions and pipeline models every municipality
# shares) in the write's own transaction (organizations.generation).
def cached(namespace: str, scenario: Scenario, compute: Callable[[], _T]) -> _T:
    """``compute()`` for the scenario's current inputs, from the cache when they are unchanged."""
    return cached_for_municipality(
        f"workforce:{namespace}", scenario.municipality_id, (scenario.pk,), compute
    )
