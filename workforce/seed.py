"""Seed data: workforce facts and published shortages (fixtures/workforce/*_facts.yaml) and graduate
pipelines (fixtures/workforce/*prognose*.yaml).

Facts files: ``source``, ``municipality`` (code), ``facts`` (key, label, value, unit, year, approximate,
profession: a key, a list or null, section, inconsistency) and ``reference_shortages`` (key, label,
professions, year, value_min, value_max, unit, per, basis, uncertainty, section, inconsistency).
Pipeline files: ``source``, ``region``, ``profession``, ``method`` (weights, completion_rate: a
``value`` the document states or ``mean_of_years: [first, last]`` of the ``completion_rates``,
constant_inflow, future_intake, assumptions), the series ``intake``, ``completions``,
``completion_rates``, ``supply``, ``demand`` ({year, value, approximate, note, section}) and ``facts``
(label, value, unit, year, note, section; keyed by their label).
"""

from decimal import Decimal

from django.utils.text import slugify

from organizations.seeding import SeedError

from .models import (
    PipelineModel,
    PipelineSeries,
    ReferenceShortage,
    SeriesKind,
    WorkforceFact,
)

SERIES = {
    "intake": SeriesKind.INTAKE,
    "completions": SeriesKind.COMPLETIONS,
    "completion_rates": SeriesKind.COMPLETION_RATE,
    "supply": SeriesKind.SUPPLY,
    "demand": SeriesKind.DEMAND,
}


def _professions(loader, spec):
    if spec is None:
        return []
    keys = [spec] if isinstance(spec, str) else list(spec)
    return [loader.profession(key) for key in keys]


def _number(value) -> Decimal:
    if value is None:
        raise SeedError("a workforce number is missing")
    return Decimal(str(value))


def load(loader) -> None:
    for path, data in loader.documents("workforce/*.yaml"):
        if "method" in data:
            _load_pipeline(loader, data)
        elif "facts" in data or "reference_shortages" in data:
            _load_facts(loader, data)
        else:
            raise SeedError(f"{path.name}: neither workforce facts nor a pipeline")


def _load_facts(loader, data):
    source_key = data["source"]["key"]
    municipality = loader.municipality(data.get("municipality"))
    for record in data.get("facts", []):
        fact = loader.upsert(
            WorkforceFact,
            {"municipality": municipality, "key": record["key"]},
            _fact_values(loader, source_key, record),
        )
        loader.set_m2m(fact, "professions", _professions(loader, record.get("profession")))
    for record in data.get("reference_shortages", []):
        if municipality is None:
            raise SeedError(f"{source_key}: a published shortage needs a municipality")
        shortage = loader.upsert(
            ReferenceShortage,
            {"municipality": municipality, "key": record["key"]},
            {
                "label": record["label"],
                "year": record.get("year"),
                "value_min": _number(record["value_min"]),
                "value_max": _number(record["value_max"]),
                "unit": record["unit"],
                "per": record["per"],
                "basis": record.get("basis") or "",
                "uncertainty": record.get("uncertainty") or "",
                "inconsistency": record.get("inconsistency"),
                **loader.provenance(source_key, record),
            },
        )
        loader.set_m2m(shortage, "professions", _professions(loader, record.get("professions")))


def _fact_values(loader, source_key, record):
    """A workforce fact's fields, whether the file states it alone or beside a pipeline."""
    return {
        "label": record["label"],
        "value": _number(record["value"]),
        "unit": record.get("unit") or "",
        "year": record.get("year"),
        "approximate": bool(record.get("approximate")),
        "note": record.get("note") or "",
        "inconsistency": record.get("inconsistency"),
        **loader.provenance(source_key, record),
    }


def _load_pipeline(loader, data):
    source_key = data["source"]["key"]
    method = data["method"]
    profession = loader.profession(data["profession"])
    completion = method["completion_rate"]
    # The document's yearly rates are kept (series "completion_rate"); a mean of them is named by
    # its years and computed at full precision when used, not stored rounded.
    years = completion.get("mean_of_years") or [None, None]
    if (completion.get("value") is None) == (years[0] is None):
        raise SeedError(f"{source_key}: give the completion rate's value or its mean_of_years")
    inflow = method.get("constant_inflow") or {}
    intake = method.get("future_intake") or {}
    pipeline = loader.upsert(
        PipelineModel,
        {"key": source_key},
        {
            "title": data["source"]["title"],
            "region": data.get("region") or "",
            "profession": profession,
            "weights": {str(k): float(v) for k, v in method["weights"].items()},
            "completion_rate": None
            if completion.get("value") is None
            else _number(completion["value"]),
            "completion_rate_first_year": years[0],
            "completion_rate_last_year": years[-1],
            "completion_rate_note": " ".join(
                str(p) for p in (completion.get("basis"), completion.get("note")) if p
            ),
            "constant_inflow": _number(inflow.get("value", 0)),
            "future_intake": None if not intake else _number(intake["value"]),
            "assumptions": list(method.get("assumptions") or []),
            **loader.provenance(source_key, method),
        },
    )
    for name, kind in SERIES.items():
        for record in data.get(name, []):
            loader.upsert(
                PipelineSeries,
                {"pipeline": pipeline, "kind": kind, "year": record["year"]},
                {
                    "value": _number(record["value"]),
                    "approximate": bool(record.get("approximate")),
                    "note": record.get("note") or "",
                    **loader.provenance(source_key, record),
                },
            )
    for record in data.get("facts", []):
        key = slugify(f"{source_key}-{record['label']}")[:100]
        fact = loader.upsert(
            WorkforceFact,
            {"municipality": None, "key": key},
            _fact_values(loader, source_key, record),
        )
        loader.set_m2m(fact, "professions", [profession])
