"""Every write to workforce data: keyword-only, atomic, validated before saving. The admin, the
import and the demo command all come through here (``<entity>_<verb>(*, …, acting_user)``, see
``organizations.writes``)."""

import datetime
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import transaction
from django.db.models import Model

from organizations import writes
from organizations.models import Municipality, OrganisationalUnit, Profession, Versioned

from .models import (
    DemandDriver,
    InstitutionSize,
    PipelineModel,
    ReferenceShortage,
    Scenario,
    ScenarioEffect,
    ScenarioRate,
    StaffingNorm,
    StaffingSnapshot,
    WorkforceFact,
)

if TYPE_CHECKING:
    from organizations.models import User

_M = TypeVar("_M", bound=Model)

SCENARIO = writes.entity_services(Scenario, "scenario")
scenario_create, scenario_update, scenario_delete = SCENARIO
STAFFING_SNAPSHOT = writes.entity_services(StaffingSnapshot, "snapshot")
staffing_snapshot_create, staffing_snapshot_update, staffing_snapshot_delete = STAFFING_SNAPSHOT
INSTITUTION_SIZE = writes.entity_services(InstitutionSize, "size")
institution_size_create, institution_size_update, institution_size_delete = INSTITUTION_SIZE
DEMAND_DRIVER = writes.entity_services(DemandDriver, "driver")
demand_driver_create, demand_driver_update, demand_driver_delete = DEMAND_DRIVER
STAFFING_NORM = writes.entity_services(StaffingNorm, "norm")
staffing_norm_create, staffing_norm_update, staffing_norm_delete = STAFFING_NORM
WORKFORCE_FACT = writes.entity_services(WorkforceFact, "fact")
workforce_fact_create, workforce_fact_update, workforce_fact_delete = WORKFORCE_FACT
REFERENCE_SHORTAGE = writes.entity_services(ReferenceShortage, "shortage")
reference_shortage_create, reference_shortage_update, reference_shortage_delete = REFERENCE_SHORTAGE
# KL's graduate pipeline is shared by every municipality: superusers only.
PIPELINE_MODEL = writes.entity_services(PipelineModel, "pipeline")
pipeline_model_create, pipeline_model_update, pipeline_model_delete = PIPELINE_MODEL

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


def _save(obj: _M, acting_user: "User | None") -> _M:
    """For the import and the demo, which check their permission up front: an existing versioned
    row is locked and its version bumped, so a form opened on it before is stale."""
    if obj.pk is not None and isinstance(obj, Versioned):  # the models with a ``version``
        return writes.update_checked(obj, acting_user=acting_user, path=None)
    obj.full_clean()
    writes.set_actor(obj, acting_user)
    obj.save()
    return obj


def _set(
    model: type[_M],
    key: dict[str, Any],
    values: dict[str, Any],
    acting_user: "User | None",
    *,
    lock: bool = False,
) -> tuple[_M, bool]:
    """The row of ``model`` with ``key``, or a new one, given ``values`` and saved; and whether it
    is new. ``lock``: hold the existing row while it changes."""
    rows = model._default_manager.select_for_update() if lock else model._default_manager.all()
    obj = rows.filter(**key).first()
    created = obj is None
    if obj is None:
        obj = model(**key)
    for field, value in values.items():
        setattr(obj, field, value)
    return _save(obj, acting_user), created


@transaction.atomic
def staffing_snapshot_set(
    *,
    unit: OrganisationalUnit,
    profession: Profession,
    date: datetime.date,
    values: dict[str, Any],
    acting_user: "User | None",
) -> tuple[StaffingSnapshot, bool]:
    """Create or replace the snapshot of ``unit`` × ``profession`` on ``date``. Returns (snapshot,
    created)."""
    unknown = set(values) - set(SNAPSHOT_FIELDS)
    if unknown:
        raise TypeError(f"unknown snapshot fields: {sorted(unknown)}")
    key = {"unit": unit, "profession": profession, "date": date}
    return _set(StaffingSnapshot, key, values, acting_user, lock=True)


@transaction.atomic
def staffing_import_apply(
    *,
    rows: list[dict[str, Any]],
    acting_user: "User | None",
    on_progress: Callable[[int], object] | None = None,
) -> dict[str, int]:
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
    *,
    unit: OrganisationalUnit,
    year: int,
    measure: str,
    value: Decimal | float,
    is_demo: bool = False,
    acting_user: "User | None",
) -> InstitutionSize:
    key = {"unit": unit, "year": year, "measure": measure}
    return _set(InstitutionSize, key, {"value": value, "is_demo": is_demo}, acting_user)[0]


@transaction.atomic
def demand_driver_set(
    *,
    municipality: Municipality,
    key: str,
    year: int,
    value: Decimal | float,
    label: str = "",
    is_demo: bool = False,
    acting_user: "User | None",
) -> DemandDriver:
    return _set(
        DemandDriver,
        {"municipality": municipality, "key": key, "year": year},
        {"value": value, "label": label, "is_demo": is_demo},
        acting_user,
    )[0]


@transaction.atomic
def staffing_norm_set(
    *,
    municipality: Municipality,
    unit_kind: str,
    profession: Profession,
    driver_key: str,
    staff_per_unit: Decimal | float,
    is_demo: bool = False,
    acting_user: "User | None",
) -> StaffingNorm:
    return _set(
        StaffingNorm,
        {"municipality": municipality, "unit_kind": unit_kind, "profession": profession},
        {"driver_key": driver_key, "staff_per_unit": staff_per_unit, "is_demo": is_demo},
        acting_user,
    )[0]


@transaction.atomic
def scenario_set(
    *,
    municipality: Municipality,
    name: str,
    values: dict[str, Any],
    rates: Sequence[dict[str, Any]] = (),
    effects: Sequence[dict[str, Any]] = (),
    acting_user: "User | None",
) -> Scenario:
    """Create or update a scenario with its rates and effects (which replace the old ones).

    ``rates``: {profession, unit (optional), leaver_rate, hires_per_year}; ``effects``: {profession,
    from_year, leaver_rate_change_pp, hires_change, text, recommendations}.
    """
    scenario, _created = _set(
        Scenario, {"municipality": municipality, "name": name}, values, acting_user
    )
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
