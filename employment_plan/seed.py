"""Seed data for employment plans: ``fixtures/employment_plan/*.yaml``, one plan per file.

Shape of a file (see the files themselves for every field in use)::

    source: {key, title, publisher, date, file}
    plan: {municipality: <code>, title, period_start, period_end, adopted_on, decision, summary,
           section, comparison_municipalities: [<code>, …],
           facts: [{key, label, value, unit, date, period_text, section, inconsistency}]}
    focus_areas:
      - {number, title, objective, section,
         initiatives: [{kind: existing|new, title, section}],
         indicators:
           - {code, title, unit, direction: lower|higher,
              baseline: null | {value, date, label} | {awaiting: true, period, label},
              target: {kind: absolute|relative|percentage_points|all_or_nothing|frequency|
                             deliverable,
                       value, operator, date, text},
              data_source, responsible_unit, inconsistency, section,
              measurements: [{date, value, provisional, label, section}],
              comparisons: [{municipality: <code>, date, value, label, section}]}]}

Upserts by natural key (plan: municipality + title; focus area: number; initiative: title;
indicator: code; measurement: indicator + date + source document), so a second load changes nothing.
What users own afterwards — an initiative's status, a baseline measured after the plan was written —
is set only when the row is created.
"""

from decimal import Decimal

from organizations.models import OrganisationalUnit
from organizations.seeding import SeedError

from .models import (
    ComparisonMeasurement,
    EmploymentPlan,
    FocusArea,
    Indicator,
    Initiative,
    InitiativeKind,
    InitiativeStatus,
    Measurement,
    PlanFact,
)


def _dec(value):
    return None if value is None else Decimal(str(value))


def _text(value) -> str:
    return "" if value is None else str(value)


def load(loader) -> None:
    for path, data in loader.documents("employment_plan/*.yaml"):
        try:
            _load_plan(loader, data)
        except KeyError as exc:
            raise SeedError(f"{path.name}: missing field {exc}") from None


def _load_plan(loader, data: dict) -> None:
    source_key = data["source"]["key"]
    record = data["plan"]
    municipality = loader.municipality(record["municipality"])
    plan = loader.upsert(
        EmploymentPlan,
        {"municipality": municipality, "title": record["title"]},
        {
            "period_start": record["period_start"],
            "period_end": record["period_end"],
            "adopted_on": record.get("adopted_on"),
            "decision": _text(record.get("decision")),
            "summary": _text(record.get("summary")),
            **loader.provenance(source_key, record),
        },
    )
    loader.set_m2m(
        plan,
        "comparison_municipalities",
        [loader.municipality(code) for code in record.get("comparison_municipalities") or []],
    )
    for position, fact in enumerate(record.get("facts") or [], start=1):
        loader.upsert(
            PlanFact,
            {"plan": plan, "key": fact["key"]},
            {
                "position": position,
                "label": fact["label"],
                "value": _dec(fact.get("value")),
                "unit": _text(fact.get("unit")),
                "date": fact.get("date"),
                "period_text": _text(fact.get("period_text")),
                "inconsistency": fact.get("inconsistency"),
                **loader.provenance(source_key, fact),
            },
        )

    indicator_position = 0
    for area_record in data.get("focus_areas") or []:
        area = loader.upsert(
            FocusArea,
            {"plan": plan, "number": area_record["number"]},
            {
                "title": area_record["title"],
                "objective": _text(area_record.get("objective")),
                **loader.provenance(source_key, area_record),
            },
        )
        for position, item in enumerate(area_record.get("initiatives") or [], start=1):
            kind = item["kind"]
            loader.upsert(
                Initiative,
                {"focus_area": area, "title": item["title"]},
                {"kind": kind, "position": position, **loader.provenance(source_key, item)},
                create_only={
                    "status": InitiativeStatus.IN_PROGRESS
                    if kind == InitiativeKind.EXISTING
                    else InitiativeStatus.PLANNED
                },
            )
        for item in area_record.get("indicators") or []:
            indicator_position += 1
            _load_indicator(loader, source_key, plan, area, item, indicator_position)


def _load_indicator(loader, source_key, plan, area, item, position) -> None:
    target = item["target"]
    baseline = item.get("baseline") or {}
    values = {
        "focus_area": area,
        "position": position,
        "title": item["title"],
        "unit": item["unit"],
        "direction": item["direction"],
        "target_kind": target["kind"],
        "target_value": _dec(target.get("value")),
        "target_operator": _text(target.get("operator")),
        "target_date": target.get("date"),
        "target_text": _text(target.get("text")),
        "data_source": _text(item.get("data_source")),
        "responsible_text": _text(item.get("responsible_unit")),
        "responsible_unit": _unit(plan.municipality, item.get("responsible_unit")),
        "inconsistency": item.get("inconsistency"),
        **loader.provenance(source_key, item),
    }
    baseline_values = {
        "baseline_value": _dec(baseline.get("value")),
        "baseline_date": baseline.get("date"),
        "baseline_label": _text(baseline.get("label")),
        "awaiting_baseline": bool(baseline.get("awaiting")),
        "baseline_period": _text(baseline.get("period")),
    }
    if baseline.get("awaiting"):
        # Once the baseline is measured it belongs to the users; a reload must not undo it.
        indicator = loader.upsert(
            Indicator, {"plan": plan, "code": item["code"]}, values, create_only=baseline_values
        )
    else:
        indicator = loader.upsert(
            Indicator, {"plan": plan, "code": item["code"]}, {**values, **baseline_values}
        )
    source = loader.source(source_key)
    for record in item.get("measurements") or []:
        loader.upsert(
            Measurement,
            {"indicator": indicator, "date": record["date"], "source": source},
            {
                "value": _dec(record["value"]),
                "provisional": bool(record.get("provisional")),
                "period_label": _text(record.get("label")),
                "source_section": str(record.get("section") or item["section"])[:300],
            },
        )
    for record in item.get("comparisons") or []:
        loader.upsert(
            ComparisonMeasurement,
            {
                "indicator": indicator,
                "municipality": loader.municipality(record["municipality"]),
                "date": record["date"],
            },
            {
                "value": _dec(record["value"]),
                "period_label": _text(record.get("label")),
                **loader.provenance(source_key, {"section": item["section"], **record}),
            },
        )


def _unit(municipality, name):
    if not name:
        return None
    return OrganisationalUnit.objects.filter(municipality=municipality, name=name).first()
