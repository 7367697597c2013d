"""Seed data: reports with themes, recommendations, sub-items, budget lines, addressees and
cross-references (fixtures/recommendations/*.yaml), and council decisions from meeting minutes.

Report files: ``source``, ``report`` (title, issuing_body, municipality, date or period_text,
status_date, case_number, summary, note, inconsistency, facts), ``themes``, ``recommendations`` (number,
theme, title, summary, purpose, goal, actions, emphasised_points, target_professions, addressees,
responsible_unit, budget_lines, resources_text (what the document says about resources when it gives
no amount), baseline, follow_up (year, date, or text: the wording when it gives neither), next_step,
related, note, inconsistency, children).
Minutes files: ``source``, ``meeting`` (body, date), ``items`` (number, title, case_number, decision,
decision_text, absent).

Seeded recommendations start as "Ikke påbegyndt" on the report's date (``status_date`` where the
document gives only a period). Reloading never touches the status a user has set since.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from employment_plan.models import EmploymentPlan
from organizations.models import Body
from organizations.seeding import SeedError

from . import models

INITIAL_STATUS = "ikke-paabegyndt"


def load(loader) -> None:
    initial = models.Status.objects.get(key=INITIAL_STATUS)
    reports = {}
    pending_links = []
    for path, data in loader.documents("recommendations/*.yaml"):
        if "report" in data:
            report, links = _load_report(loader, data, initial)
            reports[report.key] = report
            pending_links += links
        elif "meeting" in data:
            _load_minutes(loader, data)
        else:
            raise SeedError(f"{path.name}: neither a report nor meeting minutes")
    for recommendation, targets in pending_links:
        related = []
        for target in targets:
            matches = models.Recommendation.objects.filter(
                report__key=target["report"], number=str(target["number"])
            )
            if matches.count() != 1:
                raise SeedError(
                    f"{recommendation.report.key} {recommendation.number}: cross-reference "
                    f"{target} matches {matches.count()} recommendations"
                )
            related.append(matches.get())
        loader.set_m2m(recommendation, "related", related)


def _body(loader, spec, source_key, section):
    # Bodies are described in organizations.yaml; a report only adds one that is missing there.
    return loader.upsert(
        Body,
        {"name": spec["name"], "municipality": loader.municipality(spec.get("municipality"))},
        {},
        create_only={"kind": spec["kind"], **loader.provenance(source_key, {"section": section})},
    )


def _load_report(loader, data, initial):
    key = data["source"]["key"]
    spec = data["report"]
    status_date = spec.get("date") or spec.get("status_date")
    if status_date is None:
        raise SeedError(f"{key}: a report needs a date or a status_date")
    report = loader.upsert(
        models.Report,
        {"key": key},
        {
            "title": spec["title"],
            "issuing_body": _body(loader, spec["issuing_body"], key, spec["section"]),
            "municipality": loader.municipality(spec.get("municipality")),
            "published_on": spec.get("date"),
            "period_text": spec.get("period_text") or "",
            "case_number": spec.get("case_number") or "",
            "summary": spec.get("summary") or "",
            "note": spec.get("note") or "",
            "inconsistency": spec.get("inconsistency"),
            **loader.provenance(key, spec),
        },
    )
    for position, fact in enumerate(spec.get("facts") or []):
        value = fact["value"]
        is_date = isinstance(value, datetime.date)
        notes = [fact.get(k) for k in ("period_text", "source_note", "note") if fact.get(k)]
        loader.upsert(
            models.ReportFact,
            {"report": report, "position": position},
            {
                "label": fact["label"],
                "value_number": None if is_date else Decimal(str(value)),
                "value_date": value if is_date else None,
                "unit": fact.get("unit") or "",
                "approximate": bool(fact.get("approximate")),
                "note": " ".join(str(n) for n in notes),
                "inconsistency": fact.get("inconsistency"),
                **loader.provenance(key, fact),
            },
        )
    themes = {
        t["number"]: loader.upsert(
            models.Theme,
            {"report": report, "number": t["number"]},
            {"title": t["title"], **loader.provenance(key, t)},
        )
        for t in data.get("themes", [])
    }
    links = []
    for spec_rec in data.get("recommendations", []):
        theme = themes.get(spec_rec.get("theme"))
        parent = _load_recommendation(
            loader, key, report, theme, None, spec_rec, initial, status_date
        )
        if spec_rec.get("related"):
            links.append((parent, spec_rec["related"]))
        for child in spec_rec.get("children") or []:
            _load_recommendation(loader, key, report, theme, parent, child, initial, status_date)
    return report, links


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _load_recommendation(loader, key, report, theme, parent, spec, initial, status_date):
    follow_up = spec.get("follow_up") or {}
    recommendation = loader.upsert(
        models.Recommendation,
        {"report": report, "theme": theme, "number": str(spec["number"])},
        {
            "parent": parent,
            "title": _text(spec["title"]),
            "summary": _text(spec.get("summary")),
            "purpose": _text(spec.get("purpose")),
            "goal": _text(spec.get("goal")),
            "actions": list(spec.get("actions") or []),
            "emphasised_points": list(spec.get("emphasised_points") or []),
            "responsible_text": _text(spec.get("responsible_unit")),
            "baseline": _text(spec.get("baseline")),
            "follow_up_year": follow_up.get("year"),
            "follow_up_date": follow_up.get("date"),
            "follow_up_text": _text(follow_up.get("text")),
            "resources_text": _text(spec.get("resources_text")),
            "next_step": _text(spec.get("next_step")),
            "note": _text(spec.get("note")),
            "inconsistency": spec.get("inconsistency"),
            **loader.provenance(key, spec),
        },
        create_only={
            "status": initial,
            "progress": Decimal(0),
            "last_updated_at": _moment(status_date),
        },
    )
    loader.set_m2m(
        recommendation,
        "target_professions",
        [loader.profession(k) for k in spec.get("target_professions") or []],
    )
    loader.set_m2m(
        recommendation,
        "addressees",
        [
            loader.upsert(models.Addressee, {"name": name}, {})
            for name in spec.get("addressees") or []
        ],
    )
    for position, line in enumerate(spec.get("budget_lines") or []):
        loader.upsert(
            models.BudgetLine,
            {"recommendation": recommendation, "position": position},
            {
                "amount_kr": Decimal(str(line["amount_kr"])),
                "period": _text(line.get("period")),
                "description": _text(line["description"]),
                **loader.provenance(key, line),
            },
        )
    if not recommendation.updates.exists():
        models.StatusUpdate.objects.create(
            recommendation=recommendation,
            effective_on=status_date,
            created_at=_moment(status_date),
            old_status=None,
            new_status=initial,
            progress=Decimal(0),
            note="",
            origin=models.UpdateOrigin.SEED,
        )
        loader.counts[str(models.StatusUpdate._meta.verbose_name_plural)]["created"] += 1
    return recommendation


def _moment(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def _load_minutes(loader, data):
    key = data["source"]["key"]
    meeting = data["meeting"]
    body = _body(loader, meeting["body"], key, meeting.get("section") or "Referat")
    for item in data.get("items", []):
        plan_key = (item.get("relates_to") or {}).get("employment_plan")
        plan = EmploymentPlan.objects.filter(source__key=plan_key).first() if plan_key else None
        if plan_key and plan is None:
            raise SeedError(f"{key} item {item['number']}: unknown employment plan {plan_key!r}")
        loader.upsert(
            models.CouncilDecision,
            {"body": body, "meeting_date": meeting["date"], "item_number": item["number"]},
            {
                "municipality": body.municipality,
                "item_title": _text(item.get("title")),
                "case_number": _text(item.get("case_number")),
                "decision": item["decision"],
                "text": _text(item.get("decision_text")),
                "absent": _text(item.get("absent")),
                "employment_plan": plan,
                **loader.provenance(key, item),
            },
        )
