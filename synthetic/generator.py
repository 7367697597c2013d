"""Synthetic municipalities at national scale, for benchmarks and capacity tests (issue #9).

Every municipality made here is clearly synthetic: named "Syntetisk kommune 001", coded 901–999
(real Danish municipality codes end at 860), with the slug prefix ``syntetisk-kommune-``; workforce
rows carry ``is_demo=True``, status updates ``origin="demo"`` and a "[Syntetisk]" note, and every
other record says "(syntetisk)" in its name or note.

Per municipality and unit of ``scale`` (98 municipalities at scale 1 ≈ the whole country):

- 4 reports × 3 themes × 25 recommendations (≈ 100), each with 1–4 status updates;
- 2 employment plans (2015–2019, 2020–2024) × 4 focus areas × 21 indicators, each indicator with
  a monthly measurement for every month of its plan's period (60) ≈ 10,080 measurements;
- 61 institutions under four areas, with a staffing snapshot per profession of the institution's
  kind on two dates; one baseline projection scenario with a rate per profession.

Deterministic: the same seed gives the same rows (``random.Random(seed + index)`` per municipality,
timestamps derived from the fixed ``REFERENCE_DATE``). Written with ``bulk_create`` in batches,
without services, audit entries or history rows: this is synthetic data, not user input.
"""

from __future__ import annotations

import contextlib
import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.db import models, transaction

from employment_plan import models as plan_models
from employment_plan import progress
from organizations.generation import municipality_bump_generation
from organizations.models import (
    Body,
    BodyKind,
    Membership,
    Municipality,
    OrganisationalUnit,
    Profession,
    UnitKind,
)
from recommendations import models as rec_models
from workforce import models as workforce_models
from workforce.demo import LEAVER_RATES

FIRST_CODE = 900  # municipality n (1–99) gets code 900 + n; real codes end at 860
MAX_MUNICIPALITIES = 99
SLUG_PREFIX = "syntetisk-kommune-"
NAME_PREFIX = "Syntetisk kommune"
MARK = "(syntetisk)"
NOTE = "[Syntetisk] Genereret af generate_demo_data; ikke rigtige data."
REFERENCE_DATE = datetime.date(2025, 6, 30)
REFERENCE_TIME = datetime.datetime(2025, 6, 30, 12, 0, tzinfo=datetime.UTC)
BATCH = 5000

REPORTS = 4
THEMES = 3
RECOMMENDATIONS_PER_REPORT = 25
PLANS = 2
PLAN_PERIODS = [(datetime.date(2015, 1, 1), 2019), (datetime.date(2020, 1, 1), 2024)]
FOCUS_AREAS = 4
INDICATORS_PER_AREA = 21
INSTITUTIONS = 61
SNAPSHOT_DATES = [datetime.date(2023, 12, 31), datetime.date(2024, 12, 31)]
BASE_YEAR = 2024

KIND_CYCLE = [
    UnitKind.DAYCARE,
    UnitKind.DAYCARE,
    UnitKind.SCHOOL,
    UnitKind.CARE_HOME,
    UnitKind.DAYCARE,
    UnitKind.HOME_CARE,
    UnitKind.SCHOOL,
    UnitKind.OTHER_INSTITUTION,
]
AREA_OF_KIND = {
    UnitKind.DAYCARE: "Dagtilbud",
    UnitKind.SCHOOL: "Skoler",
    UnitKind.CARE_HOME: "Ældre og sundhed",
    UnitKind.HOME_CARE: "Ældre og sundhed",
    UnitKind.OTHER_INSTITUTION: "Social og handicap",
}
PROFESSIONS_OF_KIND = {
    UnitKind.DAYCARE: {"paedagog": 14, "paedagogisk-assistent": 9},
    UnitKind.SCHOOL: {"laerer": 45, "paedagog": 12},
    UnitKind.CARE_HOME: {"sosu-assistent": 25, "sosu-hjaelper": 30, "sygeplejerske": 4},
    UnitKind.HOME_CARE: {"sosu-assistent": 35, "sosu-hjaelper": 50, "sygeplejerske": 6},
    UnitKind.OTHER_INSTITUTION: {"paedagog": 10, "sosu-assistent": 6},
}
PROFESSION_NAMES = {
    "paedagog": ("Pædagog", "Pædagoger"),
    "paedagogisk-assistent": ("Pædagogisk assistent", "Pædagogiske assistenter"),
    "sosu-assistent": ("Social- og sundhedsassistent", "Social- og sundhedsassistenter"),
    "sosu-hjaelper": ("Social- og sundhedshjælper", "Social- og sundhedshjælpere"),
    "sygeplejerske": ("Sygeplejerske", "Sygeplejersker"),
    "laerer": ("Lærer", "Lærere"),
}
AGE_WEIGHTS = {
    "20-24": 5,
    "25-29": 10,
    "30-34": 12,
    "35-39": 13,
    "40-44": 13,
    "45-49": 14,
    "50-54": 14,
    "55-59": 11,
    "60-64": 8,
}
STATUS_WEIGHTS = {
    "ikke-paabegyndt": 10,
    "undersoeges": 10,
    "besluttet": 10,
    "i-gang": 35,
    "forsinket": 10,
    "gennemfoert": 20,
    "fravalgt": 5,
}
INDICATOR_TITLES = [
    "Andel af ledige i job efter 6 måneder",
    "Antal borgere på offentlig forsørgelse",
    "Andel unge i uddannelse eller job",
    "Antal virksomhedsbesøg",
    "Andel borgere i ordinære løntimer",
    "Antal personer i jobafklaringsforløb",
    "Andel sygemeldte tilbage i job",
]


def code_of(index: int) -> int:
    return FIRST_CODE + index


def slug_of(index: int) -> str:
    return f"{SLUG_PREFIX}{index:03d}"


def synthetic_municipalities():
    """Every synthetic municipality in the database (by code range and slug prefix)."""
    return Municipality.objects.filter(
        code__gt=FIRST_CODE, code__lte=FIRST_CODE + MAX_MUNICIPALITIES, slug__startswith=SLUG_PREFIX
    )


@dataclass
class Counts:
    municipalities: int = 0
    reports: int = 0
    recommendations: int = 0
    status_updates: int = 0
    plans: int = 0
    focus_areas: int = 0
    indicators: int = 0
    measurements: int = 0
    institutions: int = 0
    snapshots: int = 0
    extra: dict = field(default_factory=dict)

    def add(self, other: Counts) -> None:
        for name in (
            "municipalities",
            "reports",
            "recommendations",
            "status_updates",
            "plans",
            "focus_areas",
            "indicators",
            "measurements",
            "institutions",
            "snapshots",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "extra"}


class Refused(Exception):
    """Synthetic municipalities already exist and ``replace`` was not given."""


@contextlib.contextmanager
def fixed_timestamps(*model_classes):
    """``auto_now``/``auto_now_add`` off while generating: timestamps come from REFERENCE_TIME, so
    the same seed gives the same rows."""
    saved = []
    for model in model_classes:
        for f in model._meta.concrete_fields:
            if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
                saved.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _one(model, **values):
    """One row without signals (no audit entry, no history row): synthetic data."""
    return model.objects.bulk_create([model(**values)])[0]


def _bulk(model, rows):
    created = []
    for start in range(0, len(rows), BATCH):
        created += model.objects.bulk_create(rows[start : start + BATCH], batch_size=BATCH)
    return created


def generate(
    municipalities: int,
    scale: float = 1,
    seed: int = 1,
    first: int = 1,
    replace: bool = False,
    log=print,
) -> Counts:
    """Create ``municipalities`` synthetic municipalities numbered ``first``, ``first + 1`` … at
    ``scale`` in one transaction. Existing synthetic municipalities with those numbers are refused
    (``Refused``) unless ``replace``, which deletes them first. Others are left alone."""
    if municipalities < 1 or first < 1 or first + municipalities - 1 > MAX_MUNICIPALITIES:
        raise ValueError(
            f"numbers {first}–{first + municipalities - 1} are outside 1–{MAX_MUNICIPALITIES}"
        )
    if scale <= 0:
        raise ValueError("scale must be positive")
    indexes = list(range(first, first + municipalities))
    codes = [code_of(i) for i in indexes]
    statuses = {s.key: s for s in rec_models.Status.objects.all()}
    missing = set(STATUS_WEIGHTS) - set(statuses)
    if missing:
        raise ValueError(f"statuses missing (run migrate): {', '.join(sorted(missing))}")
    total = Counts()
    with (
        transaction.atomic(),
        fixed_timestamps(plan_models.Measurement, plan_models.Indicator, rec_models.StatusUpdate),
    ):
        existing = Municipality.objects.filter(code__in=codes)
        clash = [m for m in existing if not m.slug.startswith(SLUG_PREFIX)]
        if clash:
            raise Refused(
                "codes taken by municipalities that are not synthetic: "
                + ", ".join(f"{m.code} {m.name}" for m in clash)
            )
        if existing.exists():
            if not replace:
                raise Refused(
                    f"{existing.count()} synthetic municipalities with these numbers exist "
                    f"({', '.join(str(m.code) for m in existing)}); use --replace to replace them"
                )
            log(f"deleting {existing.count()} existing synthetic municipalities …")
            delete_municipalities(list(existing.values_list("pk", flat=True)))
        professions = _professions()
        for n, index in enumerate(indexes, start=1):
            rng = random.Random(seed * 1000 + index)
            counts = _municipality(index, scale, rng, statuses, professions)
            total.add(counts)
            log(
                f"[{n}/{len(indexes)}] {NAME_PREFIX} {index:03d}: "
                f"{counts.recommendations:,} recommendations, {counts.measurements:,} "
                f"measurements, {counts.institutions:,} institutions"
            )
        # bulk_create passes no signal, so the audit log raises no generation: say here that the
        # data changed (every municipality's, since new professions are shared).
        municipality_bump_generation(municipality_ids=None)
    return total


def _professions() -> dict[str, Profession]:
    """The six professions of the projection; created (marked synthetic) when not seeded."""
    found = {p.key: p for p in Profession.objects.filter(key__in=PROFESSION_NAMES)}
    for key, (name, plural) in PROFESSION_NAMES.items():
        if key not in found:
            found[key] = Profession.objects.create(
                key=key, name=name, name_plural=plural, source_section=MARK
            )
    return found


def _scaled(count: int, scale: float) -> int:
    return max(1, round(count * scale))


def _municipality(index, scale, rng, statuses, professions) -> Counts:
    counts = Counts(municipalities=1)
    municipality = _one(
        Municipality,
        name=f"{NAME_PREFIX} {index:03d}",
        code=code_of(index),
        slug=slug_of(index),
        source_section=NOTE,
    )
    bodies = [
        _one(Body, name=f"{name} {MARK}", kind=kind, municipality=municipality, source_section=NOTE)
        for name, kind in (
            ("Byrådet", BodyKind.COUNCIL),
            ("Social- og sundhedsudvalget", BodyKind.COMMITTEE),
            ("Beskæftigelsesudvalget", BodyKind.COMMITTEE),
        )
    ]

    def unit(name, kind, parent=None):
        return _one(
            OrganisationalUnit,
            municipality=municipality,
            name=f"{name} {MARK}",
            kind=kind,
            parent=parent,
            source_section=NOTE,
        )

    admin = unit("Administrationen", UnitKind.ADMINISTRATION)
    areas = {
        area_name: unit(area_name, UnitKind.AREA, admin)
        for area_name in dict.fromkeys(AREA_OF_KIND.values())
    }
    jobcentre = unit("Jobcenter", UnitKind.JOB_CENTRE, admin)
    indicators = _employment_plans(municipality, scale, rng, jobcentre, counts)
    _reports(municipality, scale, rng, statuses, bodies, areas, indicators, counts)
    _workforce(municipality, scale, rng, areas, professions, counts)
    return counts


def _employment_plans(municipality, scale, rng, jobcentre, counts) -> list[plan_models.Indicator]:
    plans = []
    for p in range(_scaled(PLANS, scale)):
        start, end_year = PLAN_PERIODS[p % len(PLAN_PERIODS)]
        plans.append(
            plan_models.EmploymentPlan(
                municipality=municipality,
                title=f"Syntetisk beskæftigelsesplan {p + 1:04d} ({start.year}–{end_year})",
                period_start=start,
                period_end=datetime.date(end_year, 12, 31),
                adopted_on=start - datetime.timedelta(days=30),
                summary=NOTE,
                source_section=NOTE,
            )
        )
    plans = _bulk(plan_models.EmploymentPlan, plans)
    areas = _bulk(
        plan_models.FocusArea,
        [
            plan_models.FocusArea(
                plan=plan,
                number=n + 1,
                title=f"Fokusområde {n + 1} {MARK}",
                objective=NOTE,
                source_section=NOTE,
            )
            for plan in plans
            for n in range(FOCUS_AREAS)
        ],
    )
    _bulk(
        plan_models.Initiative,
        [
            plan_models.Initiative(
                focus_area=area,
                position=k,
                kind="existing" if k == 0 else "new",
                title=f"Indsats {k + 1} {MARK}",
                status="in_progress",
                source_section=NOTE,
            )
            for area in areas
            for k in range(2)
        ],
    )
    indicators, series = [], []
    for area in areas:
        plan = area.plan
        months = [
            datetime.date(year, month, 1)
            for year in range(plan.period_start.year, plan.period_end.year + 1)
            for month in range(1, 13)
        ]
        for k in range(INDICATORS_PER_AREA):
            percent = rng.random() < 0.6
            unit = "percent" if percent else "persons"
            higher = rng.random() < 0.5
            start_value = rng.uniform(20, 80) if percent else float(rng.randint(50, 2000))
            drift = rng.uniform(-0.004, 0.006) * (1 if higher else -1)
            values = []
            value = start_value
            for _month in months:
                value *= 1 + drift + rng.uniform(-0.02, 0.02)
                value = min(max(value, 0.0), 100.0) if percent else max(value, 0.0)
                values.append(Decimal(str(round(value, 1))))
            baseline = values[0]
            kind = progress.RELATIVE if k % 3 == 0 else progress.ABSOLUTE
            if kind == progress.RELATIVE:
                target_value = Decimal(10 if higher else -10)
            else:
                factor = Decimal("1.1") if higher else Decimal("0.9")
                target_value = (baseline * factor).quantize(Decimal("0.1"))
                if percent:
                    target_value = min(target_value, Decimal(100))
            indicator = plan_models.Indicator(
                plan=plan,
                focus_area=area,
                code=f"{area.number}.{k + 1}",
                position=k,
                title=f"{INDICATOR_TITLES[k % len(INDICATOR_TITLES)]} {MARK}",
                unit=unit,
                direction=progress.HIGHER if higher else progress.LOWER,
                baseline_value=baseline,
                baseline_date=months[0],
                target_kind=kind,
                target_value=target_value,
                target_operator=">=" if higher else "<=",
                target_date=plan.period_end,
                data_source="Syntetiske data",
                responsible_unit=jobcentre,
                updated_at=REFERENCE_TIME,
                source_section=NOTE,
            )
            indicator.target_absolute = progress.absolute_target(indicator.spec(), baseline)
            if percent and indicator.target_absolute is not None:
                indicator.target_absolute = min(indicator.target_absolute, Decimal(100))
            indicators.append(indicator)
            series.append(list(zip(months, values, strict=True)))
    indicators = _bulk(plan_models.Indicator, indicators)
    rows = [
        plan_models.Measurement(
            indicator=indicator,
            date=day,
            period_label=day.strftime("%Y-%m"),
            value=value,
            data_source="Syntetiske data",
            created_at=REFERENCE_TIME,
            updated_at=REFERENCE_TIME,
        )
        for indicator, points in zip(indicators, series, strict=True)
        for day, value in points
    ]
    _bulk(plan_models.Measurement, rows)
    counts.plans, counts.focus_areas = len(plans), len(areas)
    counts.indicators, counts.measurements = len(indicators), len(rows)
    return indicators


def _reports(municipality, scale, rng, statuses, bodies, areas, indicators, counts) -> None:
    keys = list(STATUS_WEIGHTS)
    weights = list(STATUS_WEIGHTS.values())
    area_units = list(areas.values())
    reports = _bulk(
        rec_models.Report,
        [
            rec_models.Report(
                key=f"syntetisk-{municipality.code}-{r + 1:05d}",
                title=f"Syntetisk rapport {r + 1:04d} ({municipality.name})",
                issuing_body=bodies[r % len(bodies)],
                municipality=municipality,
                published_on=datetime.date(2020 + r % 5, 1 + r % 12, 1 + r % 28),
                case_number=f"SYN-{municipality.code}-{r + 1:05d}",
                summary=NOTE,
                note=NOTE,
                source_section=NOTE,
            )
            for r in range(_scaled(REPORTS, scale))
        ],
    )
    themes = _bulk(
        rec_models.Theme,
        [
            rec_models.Theme(
                report=report, number=t + 1, title=f"Tema {t + 1} {MARK}", source_section=NOTE
            )
            for report in reports
            for t in range(THEMES)
        ],
    )
    recommendations, histories = [], []
    for report_index, report in enumerate(reports):
        report_themes = themes[report_index * THEMES : (report_index + 1) * THEMES]
        for n in range(RECOMMENDATIONS_PER_REPORT):
            theme = report_themes[n % THEMES]
            history = _history(rng, report.published_on, keys, weights, statuses)
            last_day, last_status, last_progress = history[-1]
            number = str(n + 1)
            follow_up = report.published_on + datetime.timedelta(days=rng.randint(180, 1800))
            recommendations.append(
                rec_models.Recommendation(
                    report=report,
                    theme=theme,
                    number=number,
                    sort_key=rec_models.natural_sort_key(number),
                    title=f"Syntetisk anbefaling {report_index + 1}.{n + 1} {MARK}",
                    summary=NOTE,
                    responsible_unit=area_units[n % len(area_units)],
                    baseline_indicator=(
                        indicators[rng.randrange(len(indicators))] if rng.random() < 0.1 else None
                    ),
                    follow_up_date=follow_up,
                    status=last_status,
                    progress=last_progress,
                    last_updated_at=_at(last_day),
                    note=NOTE,
                    source_section=NOTE,
                )
            )
            histories.append(history)
    recommendations = _bulk(rec_models.Recommendation, recommendations)
    updates = []
    for recommendation, history in zip(recommendations, histories, strict=True):
        old_status, old_progress = None, None
        for day, status, progress_value in history:
            updates.append(
                rec_models.StatusUpdate(
                    recommendation=recommendation,
                    effective_on=day,
                    created_at=_at(day),
                    old_status=old_status,
                    new_status=status,
                    old_progress=old_progress,
                    progress=progress_value,
                    note=NOTE,
                    origin=rec_models.UpdateOrigin.DEMO,
                )
            )
            old_status, old_progress = status, progress_value
    _bulk(rec_models.StatusUpdate, updates)
    decisions = [
        rec_models.CouncilDecision(
            municipality=municipality,
            body=body,
            meeting_date=datetime.date(2024, month, 15),
            item_number=1,
            item_title=f"Opfølgning på anbefalinger {MARK}",
            decision="noted",
            text=NOTE,
            source_section=NOTE,
        )
        for body in bodies
        for month in (3, 6, 9)
    ]
    _bulk(rec_models.CouncilDecision, decisions)
    counts.reports, counts.recommendations = len(reports), len(recommendations)
    counts.status_updates = len(updates)


def _at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)


def _history(rng, start, keys, weights, statuses):
    """1–4 (date, status, progress) steps, the first on the report's date, none after the
    reference date."""
    steps = rng.randint(1, 4)
    day = start
    history = []
    progress_value = Decimal(0)
    for step in range(steps):
        if step == 0:
            status = (
                statuses["ikke-paabegyndt"]
                if steps > 1
                else statuses[rng.choices(keys, weights)[0]]
            )
        else:
            status = statuses[rng.choices(keys, weights)[0]]
        if status.default_progress is not None:
            progress_value = Decimal(status.default_progress)
        else:
            progress_value = min(Decimal(100), progress_value + Decimal(rng.randint(5, 40)))
        history.append((day, status, progress_value))
        day = min(day + datetime.timedelta(days=rng.randint(30, 400)), REFERENCE_DATE)
    return history


def _split(total: int, rng) -> dict:
    keys = list(AGE_WEIGHTS)
    weights = [AGE_WEIGHTS[k] * rng.uniform(0.8, 1.2) for k in keys]
    scale = total / sum(weights)
    counts = {k: int(w * scale) for k, w in zip(keys, weights, strict=True)}
    remainder = total - sum(counts.values())
    for k in keys[:remainder]:
        counts[k] += 1
    return {k: v for k, v in counts.items() if v}


def _workforce(municipality, scale, rng, areas, professions, counts) -> None:
    units = []
    for n in range(_scaled(INSTITUTIONS, scale)):
        kind = KIND_CYCLE[n % len(KIND_CYCLE)]
        units.append(
            OrganisationalUnit(
                municipality=municipality,
                parent=areas[AREA_OF_KIND[kind]],
                name=f"Syntetisk institution {n + 1:05d}",
                kind=kind,
                source_section=NOTE,
            )
        )
    units = _bulk(OrganisationalUnit, units)
    snapshots = []
    for unit in units:
        size = rng.uniform(0.6, 1.5)
        for key, typical in PROFESSIONS_OF_KIND[unit.kind].items():
            rate = float(LEAVER_RATES[key])
            headcount = max(1, round(typical * size))
            for step, day in enumerate(SNAPSHOT_DATES):
                headcount = max(1, headcount + (rng.randint(-2, 2) if step else 0))
                snapshots.append(
                    workforce_models.StaffingSnapshot(
                        unit=unit,
                        profession=professions[key],
                        date=day,
                        headcount=headcount,
                        fte=Decimal(str(round(headcount * rng.uniform(0.75, 0.95), 1))),
                        vacancies=Decimal(rng.randint(0, 2)),
                        age_bands=_split(headcount, rng),
                        leavers_retirement=round(headcount * 0.02),
                        leavers_other=round(headcount * rate),
                        hires=round(headcount * rate * 0.95),
                        is_demo=True,
                        note="Syntetiske data",
                    )
                )
    _bulk(workforce_models.StaffingSnapshot, snapshots)
    institutions = len(units)
    scenario = _one(
        workforce_models.Scenario,
        municipality=municipality,
        name=f"Nuværende niveau {MARK}",
        description=NOTE,
        start_year=BASE_YEAR,
        horizon=10,
        retirement_age=Decimal(64),
        default_leaver_rate=Decimal("0.12"),
        hiring_mode=workforce_models.HiringMode.FIXED,
        demand_growth=Decimal("0.01"),
        is_baseline=True,
        is_demo=True,
    )
    _bulk(
        workforce_models.ScenarioRate,
        [
            workforce_models.ScenarioRate(
                scenario=scenario,
                profession=professions[key],
                leaver_rate=rate,
                hires_per_year=Decimal(round(institutions * 2.5)),
            )
            for key, rate in LEAVER_RATES.items()
        ],
    )
    counts.institutions, counts.snapshots = institutions, len(snapshots)


# Deleting -----------------------------------------------------------------------------------------
def _raw_delete(queryset) -> int:
    """Delete without loading rows or sending signals (no audit entries for synthetic data)."""
    return queryset._raw_delete(queryset.db)


def delete_municipalities(ids: list[int]) -> None:
    """Everything of the given (synthetic) municipalities, children first. Foreign keys are checked
    at commit: a row elsewhere that still points into them makes the whole transaction fail."""
    with transaction.atomic():
        # Every filter is on the table's own column (with subqueries on other tables): a join in
        # a DELETE becomes "id IN (SELECT … FROM the same table JOIN …)", which PostgreSQL ran for
        # minutes on freshly filled, unanalysed tables.
        in_m = {"municipality_id__in": ids}
        reports = rec_models.Report.objects.filter(**in_m).values("pk")
        plans = plan_models.EmploymentPlan.objects.filter(**in_m).values("pk")
        indicators = plan_models.Indicator.objects.filter(plan__in=plans).values("pk")
        scenarios = workforce_models.Scenario.objects.filter(**in_m).values("pk")
        decisions = rec_models.CouncilDecision.objects.filter(**in_m).values("pk")
        recommendations = rec_models.Recommendation.objects.filter(report__in=reports)
        rec_ids = list(recommendations.values_list("pk", flat=True))
        for through, column in (
            (rec_models.Recommendation.target_professions.through, "recommendation_id"),
            (rec_models.Recommendation.addressees.through, "recommendation_id"),
            (rec_models.Recommendation.related.through, "from_recommendation_id"),
            (rec_models.Recommendation.related.through, "to_recommendation_id"),
            (rec_models.CouncilDecision.recommendations.through, "recommendation_id"),
            (workforce_models.ScenarioEffect.recommendations.through, "recommendation_id"),
        ):
            for start in range(0, len(rec_ids), 500):
                chunk = rec_ids[start : start + 500]
                _raw_delete(through.objects.filter(**{f"{column}__in": chunk}))
        _raw_delete(
            rec_models.CouncilDecision.recommendations.through.objects.filter(
                councildecision__in=decisions
            )
        )
        owned = recommendations.values("pk")
        _raw_delete(rec_models.StatusUpdate.objects.filter(recommendation__in=owned))
        _raw_delete(rec_models.BudgetLine.objects.filter(recommendation__in=owned))
        _raw_delete(rec_models.CouncilDecision.objects.filter(**in_m))
        _raw_delete(recommendations)
        _raw_delete(rec_models.Theme.objects.filter(report__in=reports))
        _raw_delete(rec_models.ReportFact.objects.filter(report__in=reports))
        _raw_delete(rec_models.Report.objects.filter(**in_m))
        _raw_delete(plan_models.Measurement.objects.filter(indicator__in=indicators))
        _raw_delete(plan_models.ComparisonMeasurement.objects.filter(indicator__in=indicators))
        _raw_delete(plan_models.ComparisonMeasurement.objects.filter(**in_m))
        _raw_delete(plan_models.Indicator.objects.filter(plan__in=plans))
        areas = plan_models.FocusArea.objects.filter(plan__in=plans).values("pk")
        _raw_delete(plan_models.Initiative.objects.filter(focus_area__in=areas))
        _raw_delete(plan_models.FocusArea.objects.filter(plan__in=plans))
        _raw_delete(plan_models.PlanFact.objects.filter(plan__in=plans))
        compared = plan_models.EmploymentPlan.comparison_municipalities.through
        _raw_delete(compared.objects.filter(employmentplan__in=plans))
        _raw_delete(compared.objects.filter(municipality_id__in=ids))
        _raw_delete(plan_models.EmploymentPlan.objects.filter(**in_m))
        scenario = {"scenario__in": scenarios}
        effects = workforce_models.ScenarioEffect.objects.filter(**scenario).values("pk")
        _raw_delete(
            workforce_models.ScenarioEffect.recommendations.through.objects.filter(
                scenarioeffect__in=effects
            )
        )
        _raw_delete(workforce_models.ScenarioEffect.objects.filter(**scenario))
        _raw_delete(workforce_models.ScenarioRate.objects.filter(**scenario))
        _raw_delete(workforce_models.Scenario.objects.filter(**in_m))
        unit = {"unit__in": OrganisationalUnit.objects.filter(**in_m).values("pk")}
        _raw_delete(workforce_models.StaffingSnapshot.objects.filter(**unit))
        _raw_delete(workforce_models.InstitutionSize.objects.filter(**unit))
        _raw_delete(workforce_models.DemandDriver.objects.filter(**in_m))
        _raw_delete(workforce_models.StaffingNorm.objects.filter(**in_m))
        for model in (workforce_models.ReferenceShortage, workforce_models.WorkforceFact):
            for m2m in model._meta.many_to_many:
                # The auto-created table; its default manager is its ``objects``, which the
                # type of a model taken from a field does not show.
                link = m2m.remote_field.through
                assert link is not None
                _raw_delete(
                    link._default_manager.filter(
                        **{
                            f"{model._meta.model_name}__in": model.objects.filter(**in_m).values(
                                "pk"
                            )
                        }
                    )
                )
            _raw_delete(model.objects.filter(**in_m))
        _raw_delete(Membership.objects.filter(**in_m))
        _raw_delete(OrganisationalUnit.objects.filter(**in_m))
        _raw_delete(Body.objects.filter(**in_m))
        # The audit log keeps its entries (its foreign key is SET_NULL).
        apps.get_model("audit", "AuditEntry").objects.filter(**in_m).update(municipality=None)
        _raw_delete(Municipality.objects.filter(pk__in=ids))
