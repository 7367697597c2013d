"""The frozen annex as files: PDF (WeasyPrint, A4, page numbers and a running header on every page)
and XLSX (core.writers). Both are drawn from the stored snapshot only, never from the live rows, and
carry its content hash; the same snapshot gives the same bytes."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal, InvalidOperation
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from core import writers

from .models import FrozenAnnex

ANNEX_LANGUAGE = "da"


def _date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _number(value: str | None) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


def file_name(annex: FrozenAnnex, fmt: str) -> str:
    round = annex.round
    stem = writers.name_part(f"{round.municipality.slug}-statusbilag-{round.title}")[:80]
    return f"{stem}-{annex.content_hash[:12]}.{fmt}"


def pdf(annex: FrozenAnnex) -> bytes:
    from weasyprint import HTML

    content: dict[str, Any] = annex.content
    # Each item with what changed since the previous approved round, printed beside it: a second
    # list repeating 2,000 titles would double what WeasyPrint lays out (docs/benchmarks.md).
    changed = {change["key"]: change for change in content.get("changes", [])}
    with translation.override(ANNEX_LANGUAGE):
        html = render_to_string(
            "followup/annex_print.html",
            {
                "round": annex.round,
                "annex": annex,
                "content": content,
                "recommendations": [(e, changed.get(e["key"])) for e in content["recommendations"]],
                "indicators": [(e, changed.get(e["key"])) for e in content["indicators"]],
            },
        )
    # No creation date or other moment in the file: the same snapshot, the same bytes.
    return bytes(
        HTML(string=html).write_pdf(pdf_identifier=annex.content_hash[:32].encode(), pdf_tags=True)
    )


def xlsx(annex: FrozenAnnex) -> bytes:
    content: dict[str, Any] = annex.content
    with translation.override(ANNEX_LANGUAGE):
        preface = [
            content["round"].get("title", ""),
            _("Approved annex. Content hash (SHA-256): %(hash)s") % {"hash": annex.content_hash},
        ]
        recommendations = (
            _("Recommendations"),
            [
                _("Report"),
                _("Number"),
                _("Title"),
                _("Status"),
                _("Progress (%)"),
                _("Reason or note"),
                _("Unit"),
                _("Owner"),
                _("Council decisions"),
            ],
            [
                [
                    e["report"],
                    e["number"],
                    e["title"],
                    e["status"],
                    _number(e["progress"]),
                    e["reason"] or e["note"],
                    e["unit"],
                    e["owner"],
                    "; ".join(
                        f"{d['body']} {d['meeting_date']}: {d['decision']}" for d in e["decisions"]
                    ),
                ]
                for e in content["recommendations"]
            ],
            preface,
        )
        indicators = (
            _("Indicators"),
            [
                _("Plan"),
                _("Number"),
                _("Title"),
                _("Status"),
                _("Latest value"),
                _("Latest date"),
                _("Target"),
                _("Owner"),
            ],
            [
                [
                    e["plan"],
                    e["code"],
                    e["title"],
                    e["status"],
                    _number(e["latest_value"]),
                    _date(e["latest_date"]),
                    _number(e["target"]),
                    e["owner"],
                ]
                for e in content["indicators"]
            ],
            preface,
        )
        changes = (
            _("Changes"),
            [_("Number"), _("Title"), _("Before"), _("Now")],
            [
                [c["label"], c["title"], c["before"] or _("new"), c["now"]]
                for c in content["changes"]
            ],
            preface,
        )
        out = io.BytesIO()
        writers.write_xlsx(out, [recommendations, indicators, changes])
    return out.getvalue()
