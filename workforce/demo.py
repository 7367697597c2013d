"""Synthetic workforce data for the demo: Allerød institutions, staffing, demand drivers and two
scenarios, calibrated to the facts of the 2023 task-committee report (fixtures/workforce) and marked
as demo data everywhere. Deterministic (a fixed random seed) and idempotent: a second run changes
nothing.

Calibration (docs/workforce.md): 10 daycare institutions with 1,500 children, 4 care homes with 200
places, home care for 450 citizens, three schools (2,900 pupils) — 1,050 staff in all; leaver rate
excluding retirement 22 % for SOSU staff (≈25 % turnover with retirements); age profile with 19 %
aged 55 or more (they reach 64 within ten years); retirement at 64.
"""

import datetime
from decimal import Decimal

import numpy as np
from django.db import transaction

from organizations.models import Municipality, OrganisationalUnit, Profession, UnitKind

from . import services
from .models import HiringMode, InstitutionSize, SizeMeasure, StaffingSnapshot

SEED = 201
BASE_YEAR = 2022
SNAPSHOT_DATE = datetime.date(2022, 12, 31)
# The baseline scenario: today's leaver rates and hiring. Not "Grundforløb" (the SOSU basic
# course, a subject of the recommendations themselves).
BASELINE = "Nuværende niveau (demo)"
ONBOARDING = "Onboarding – anbefaling 7 (demo)"
ONBOARDING_DESCRIPTION = (
    "Demodata: som nuværende niveau, men bedre onboarding (anbefaling 7) sænker "
    "SOSU-personalets afgang med 3 procentpoint fra 2025."
)

# Share of staff per age band: 19 % aged 55+ (Allerød: 19 % retire within ten years).
AGE_PROFILE = {
    "20-24": 0.05,
    "25-29": 0.10,
    "30-34": 0.12,
    "35-39": 0.13,
    "40-44": 0.13,
    "45-49": 0.14,
    "50-54": 0.14,
    "55-59": 0.11,
    "60-64": 0.08,
}
LEAVER_RATES = {
    "paedagog": Decimal("0.12"),
    "paedagogisk-assistent": Decimal("0.15"),
    "sosu-assistent": Decimal("0.22"),
    "sosu-hjaelper": Decimal("0.22"),
    "sygeplejerske": Decimal("0.15"),
    "laerer": Decimal("0.09"),
}
FTE_RATIO = {
    "paedagog": 0.85,
    "paedagogisk-assistent": 0.8,
    "sosu-assistent": 0.8,
    "sosu-hjaelper": 0.75,
    "sygeplejerske": 0.85,
    "laerer": 0.95,
}
# Hires a year the demo municipality can make (baseline), below what replacing every leaver and
# meeting growing demand would take for the professions the report is worried about.
CAPACITY = {
    "paedagog": Decimal(34),
    "paedagogisk-assistent": Decimal(22),
    "sosu-assistent": Decimal(36),
    "sosu-hjaelper": Decimal(46),
    "sygeplejerske": Decimal(6),
    "laerer": Decimal(34),
}
# name, kind, size, {profession: staff}
DAYCARES = [
    ("Børnehuset Solsikken (demo)", 160),
    ("Børnehuset Mælkebøtten (demo)", 140),
    ("Skovbørnehaven Egern (demo)", 120),
    ("Vuggestuen Myretuen (demo)", 90),
    ("Børnehuset Regnbuen (demo)", 180),
    ("Børnehuset Kastanjen (demo)", 150),
    ("Integreret institution Lindely (demo)", 200),
    ("Børnehuset Troldehøj (demo)", 130),
    ("Naturbørnehaven Spætten (demo)", 110),
    ("Børnehuset Bakkehuset (demo)", 220),
]
CARE_HOMES = [
    ("Plejecenter Skovvang (demo)", 60),
    ("Plejecenter Engholm (demo)", 50),
    ("Plejecenter Lynge Park (demo)", 48),
    ("Plejecenter Birkebo (demo)", 42),
]
HOME_CARE = [("Hjemmeplejen (demo)", 450)]
SCHOOLS = [("Skole Nord (demo)", 1000), ("Skole Syd (demo)", 1050), ("Skole Vest (demo)", 850)]
# Staff per unit of size, by kind (1,050 in all).
NORMS = {
    UnitKind.DAYCARE: {"paedagog": 0.12, "paedagogisk-assistent": 0.08},
    UnitKind.CARE_HOME: {"sosu-assistent": 0.45, "sosu-hjaelper": 0.55, "sygeplejerske": 0.06},
    UnitKind.HOME_CARE: {"sosu-assistent": 0.1, "sosu-hjaelper": 0.14, "sygeplejerske": 0.02},
    UnitKind.SCHOOL: {"laerer": 0.1, "paedagog": 0.048},
}
MEASURE = {
    UnitKind.DAYCARE: SizeMeasure.CHILDREN,
    UnitKind.CARE_HOME: SizeMeasure.PLACES,
    UnitKind.HOME_CARE: SizeMeasure.CITIZENS,
    UnitKind.SCHOOL: SizeMeasure.PUPILS,
}
# Demand drivers (synthetic, shaped like the national trends the report cites: 75+ up about 3 % a
# year, children 0–6 up a little, school age flat).
DRIVERS = {
    "children_0_6": ("Børn 0–6 år (demo)", 1900, 0.006),
    "citizens_75plus": ("Borgere 75+ år (demo)", 2600, 0.03),
    "children_6_16": ("Børn 6–16 år (demo)", 3300, 0.0),
}
DRIVER_OF_KIND = {
    UnitKind.DAYCARE: "children_0_6",
    UnitKind.CARE_HOME: "citizens_75plus",
    UnitKind.HOME_CARE: "citizens_75plus",
    UnitKind.SCHOOL: "children_6_16",
}


def _split(total: int, shares: dict, rng) -> dict:
    """``total`` persons over the bands, close to ``shares`` with a little noise; sums exactly."""
    keys = list(shares)
    weights = np.array([shares[k] for k in keys]) * rng.uniform(0.8, 1.2, len(keys))
    raw = weights / weights.sum() * total
    counts = np.floor(raw).astype(int)
    for index in np.argsort(-(raw - counts))[: total - counts.sum()]:
        counts[index] += 1
    return {k: int(c) for k, c in zip(keys, counts, strict=True) if c}


def _unit(municipality, name, kind, parent):
    unit = OrganisationalUnit.objects.filter(municipality=municipality, name=name).first()
    if unit is None:
        unit = OrganisationalUnit(municipality=municipality, name=name, kind=kind, parent=parent)
        unit.full_clean()
        unit.save()
    return unit


@transaction.atomic
def create_workforce_demo(acting_user=None) -> dict:
    municipality = Municipality.objects.get(code=201)
    professions = {p.key: p for p in Profession.objects.filter(key__in=LEAVER_RATES)}
    rng = np.random.default_rng(SEED)
    areas = {
        UnitKind.DAYCARE: _unit(municipality, "Dagtilbud (demo)", UnitKind.AREA, None),
        UnitKind.CARE_HOME: _unit(municipality, "Ældre og sundhed (demo)", UnitKind.AREA, None),
        UnitKind.SCHOOL: _unit(municipality, "Skoler (demo)", UnitKind.AREA, None),
    }
    areas[UnitKind.HOME_CARE] = areas[UnitKind.CARE_HOME]
    created = {"institutions": 0, "snapshots": 0}
    before = StaffingSnapshot.objects.filter(is_demo=True, unit__municipality=municipality).count()
    for kind, entries in (
        (UnitKind.DAYCARE, DAYCARES),
        (UnitKind.CARE_HOME, CARE_HOMES),
        (UnitKind.HOME_CARE, HOME_CARE),
        (UnitKind.SCHOOL, SCHOOLS),
    ):
        for name, size in entries:
            unit = _unit(municipality, name, kind, areas[kind])
            created["institutions"] += 1
            for year in range(BASE_YEAR, BASE_YEAR + 11):
                if not InstitutionSize.objects.filter(
                    unit=unit, year=year, measure=MEASURE[kind]
                ).exists():
                    growth = (1 + DRIVERS[DRIVER_OF_KIND[kind]][2]) ** (year - BASE_YEAR)
                    services.institution_size_set(
                        unit=unit,
                        year=year,
                        measure=MEASURE[kind],
                        value=Decimal(str(round(size * growth, 1))),
                        is_demo=True,
                        acting_user=acting_user,
                    )
            for key, per_unit in NORMS[kind].items():
                headcount = int(round(size * per_unit * rng.uniform(0.9, 1.1)))
                rate = float(LEAVER_RATES[key])
                vacancies = int(rng.integers(0, 3)) if key in ("paedagog", "sosu-assistent") else 0
                values = {
                    "headcount": headcount,
                    "fte": Decimal(str(round(headcount * FTE_RATIO[key], 1))),
                    "vacancies": Decimal(vacancies),
                    "age_bands": _split(headcount, AGE_PROFILE, rng),
                    "leavers_retirement": int(round(headcount * 0.02)),
                    "leavers_other": int(round(headcount * rate)),
                    "hires": int(round(headcount * rate * 0.95)),
                    "is_demo": True,
                    "note": "Demodata",
                }
                if not StaffingSnapshot.objects.filter(
                    unit=unit, profession=professions[key], date=SNAPSHOT_DATE
                ).exists():
                    services.staffing_snapshot_set(
                        unit=unit,
                        profession=professions[key],
                        date=SNAPSHOT_DATE,
                        values=values,
                        acting_user=acting_user,
                    )
    after = StaffingSnapshot.objects.filter(is_demo=True, unit__municipality=municipality).count()
    created["snapshots"] = after - before

    for key, (label, start, growth) in DRIVERS.items():
        for year in range(BASE_YEAR, BASE_YEAR + 12):
            services.demand_driver_set(
                municipality=municipality,
                key=key,
                year=year,
                value=Decimal(str(round(start * (1 + growth) ** (year - BASE_YEAR)))),
                label=label,
                is_demo=True,
                acting_user=acting_user,
            )
    for kind, norms in NORMS.items():
        for key, per_unit in norms.items():
            services.staffing_norm_set(
                municipality=municipality,
                unit_kind=kind,
                profession=professions[key],
                driver_key=DRIVER_OF_KIND[kind],
                staff_per_unit=Decimal(str(per_unit)),
                is_demo=True,
                acting_user=acting_user,
            )

    common = {
        "start_year": BASE_YEAR,
        "horizon": 10,
        "retirement_method": "age",
        "retirement_age": Decimal(64),
        "default_leaver_rate": Decimal("0.12"),
        "hiring_mode": HiringMode.FIXED,
        "demand_method": "driver",
        "entry_band": "25-29",
        "is_demo": True,
    }
    rates = [
        {
            "profession": professions[key],
            "leaver_rate": LEAVER_RATES[key],
            "hires_per_year": CAPACITY[key],
        }
        for key in LEAVER_RATES
    ]
    if not _scenario_exists(municipality, BASELINE):
        services.scenario_set(
            municipality=municipality,
            name=BASELINE,
            values={
                **common,
                "is_baseline": True,
                "description": "Demodata: nuværende afgang og ansættelsesniveau, efterspørgsel "
                "efter befolkningsudviklingen (0–6 år og 75+).",
            },
            rates=rates,
            acting_user=acting_user,
        )
    if not _scenario_exists(municipality, ONBOARDING):
        recommendation = _recommendation_7()
        services.scenario_set(
            municipality=municipality,
            name=ONBOARDING,
            values={
                **common,
                "is_baseline": False,
                "description": ONBOARDING_DESCRIPTION,
            },
            rates=rates,
            effects=[
                {
                    "profession": professions[key],
                    "from_year": 2025,
                    "leaver_rate_change_pp": Decimal(-3),
                    "hires_change": Decimal(0),
                    "text": "Onboarding sænker afgangen for SOSU-personale med 3 procentpoint "
                    "fra 2025",
                    "recommendations": [recommendation] if recommendation else [],
                }
                for key in ("sosu-assistent", "sosu-hjaelper")
            ],
            acting_user=acting_user,
        )
    return created


def _scenario_exists(municipality, name) -> bool:
    from .models import Scenario

    return Scenario.objects.filter(municipality=municipality, name=name).exists()


def _recommendation_7():
    from recommendations.models import Recommendation

    return (
        Recommendation.objects.filter(report__key="allerod-2023-opgaveudvalg", number="7")
        .order_by("pk")
        .first()
    )
