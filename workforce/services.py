"""Every write to workforce data: keyword-only, atomic, validated before saving. The admin, the
import and the demo command all come through here. The audit log records each write with the
acting user."""

import datetime

from django.db import transaction

from organizations.models import Municipality, OrganisationalUnit, Profession

from .models import (
    DemandDriver,
    InstitutionSize,
    Scenario,
    ScenarioEffect,
    ScenarioRate,
    StaffingNorm,
    StaffingSnapshot,
)

SNAPSHOT_FIELDS = (
    "headcount",
    "fte",
    "vacancies",
    "age_bands",
    "leavers_retirement",
    "leavers_other",
    "hires",
    "is_demo",
    "note",
)


def _save(obj, acting_user):
    obj.full_clean()
    obj._audit_actor = acting_user  # for the audit log, also outside a request
    obj.save()
    return obj


@transaction.atomic
def staffing_snapshot_set(
    *,
    unit: OrganisationalUnit,
    profession: Profession,
    date: datetime.date,
    values: dict,
    acting_user,
) -> tuple[StaffingSnapshot, bool]:
    """Create or replace the snapshot of ``unit`` × ``profession`` on ``date``. Returns (snapshot,
    created)."""
    unknown = set(values) - set(SNAPSHOT_FIELDS)
    if unknown:
        raise TypeError(f"unknown snapshot fields: {sorted(unknown)}")
    snapshot = (
        StaffingSnapshot.objects.select_for_update()
        .filter(unit=unit, profession=profession, date=date)
        .first()
    )
    created = snapshot is None
    if created:
        snapshot = StaffingSnapshot(unit=unit, profession=profession, date=date)
    for name, value in values.items():
        setattr(snapshot, name, value)
    _save(snapshot, acting_user)
    return snapshot, created


@transaction.atomic
def staffing_import_apply(*, rows: list[dict], acting_user, on_progress=None) -> dict:
    """Write every aggregated row (unit, profession, date and snapshot values), all or nothing.
    Rows the preview found unchanged are skipped."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for done, row in enumerate(rows, start=1):
        if on_progress and done % 500 == 0:
            on_progress(done)
        if row.get("action") == "unchanged":
            counts["unchanged"] += 1
            continue
        _snapshot, created = staffing_snapshot_set(
            unit=row["unit"],
            profession=row["profession"],
            date=row["date"],
            values=row["values"],
            acting_user=acting_user,
        )
        counts["created" if created else "updated"] += 1
    return counts


@transaction.atomic
def institution_size_set(
    *, unit, year: int, measure: str, value, is_demo: bool = False, acting_user
) -> InstitutionSize:
    size = InstitutionSize.objects.filter(unit=unit, year=year, measure=measure).first()
    size = size or InstitutionSize(unit=unit, year=year, measure=measure)
    size.value, size.is_demo = value, is_demo
    return _save(size, acting_user)


@transaction.atomic
def demand_driver_set(
    *,
    municipality: Municipality,
    key: str,
    year: int,
    value,
    label: str = "",
    is_demo: bool = False,
    acting_user,
) -> DemandDriver:
    driver = DemandDriver.objects.filter(municipality=municipality, key=key, year=year).first()
    driver = driver or DemandDriver(municipality=municipality, key=key, year=year)
    driver.value, driver.label, driver.is_demo = value, label, is_demo
    return _save(driver, acting_user)


@transaction.atomic
def staffing_norm_set(
    *,
    municipality,
    unit_kind: str,
    profession,
    driver_key: str,
    staff_per_unit,
    is_demo: bool = False,
    acting_user,
) -> StaffingNorm:
    norm = StaffingNorm.objects.filter(
        municipality=municipality, unit_kind=unit_kind, profession=profession
    ).first()
    norm = norm or StaffingNorm(
        municipality=municipality, unit_kind=unit_kind, profession=profession
    )
    norm.driver_key, norm.staff_per_unit, norm.is_demo = driver_key, staff_per_unit, is_demo
    return _save(norm, acting_user)


@transaction.atomic
def scenario_set(
    *,
    municipality: Municipality,
    name: str,
    values: dict,
    rates: list[dict] = (),
    effects: list[dict] = (),
    acting_user,
) -> Scenario:
    """Create or update a scenario with its rates and effects (which replace the old ones).

    ``rates``: {profession, unit (optional), leaver_rate, hires_per_year}; ``effects``: {profession,
    from_year, leaver_rate_change_pp, hires_change, text, recommendations}.
    """
    scenario = Scenario.objects.filter(municipality=municipality, name=name).first()
    scenario = scenario or Scenario(municipality=municipality, name=name)
    for field, value in values.items():
        setattr(scenario, field, value)
    _save(scenario, acting_user)
    scenario.rates.all().delete()
    for rate in rates:
        _save(ScenarioRate(scenario=scenario, **rate), acting_user)
    scenario.effects.all().delete()
    for spec in effects:
        spec = dict(spec)
        recommendations = spec.pop("recommendations", [])
        effect = _save(ScenarioEffect(scenario=scenario, **spec), acting_user)
        effect.recommendations.set(recommendations)
    return scenario
