"""Exporting a projection: XLSX with the projection per institution × profession × year, the totals
per profession, and a sheet of assumptions; or the projection alone as CSV (for Danish Excel or with
commas) or JSON. Demo data says so in every sheet, every CSV row and every JSON object. The files are
written by the one set of writers (``core.writers``): typed numbers, a byte-order mark for Danish
Excel, formula-like text neutralised."""

import io

from django.utils.translation import gettext as _

from core import writers
from core.text import format_number, format_percent
from organizations.models import UnitKind

from .projection import FLOW_COLUMNS, totals


def column_titles() -> dict[str, str]:
    return {
        "year": _("year"),
        "institution_name": _("institution"),
        "kind": _("kind"),
        "profession_name": _("profession"),
        "supply_start": _("staff at start of year"),
        "retirements": _("retirements"),
        "other_leavers": _("other leavers"),
        "hires": _("hires"),
        "supply": _("staff at end of year (supply)"),
        "supply_fte": _("supply, FTE"),
        "demand": _("demand"),
        "shortage": _("shortage (demand − supply)"),
        "replacement_need": _("replacement need"),
    }


DETAIL_COLUMNS = ["year", "institution_name", "kind", "profession_name", *FLOW_COLUMNS]
TOTAL_COLUMNS = ["year", "profession_name", *FLOW_COLUMNS]


def _exit_rates(rates: dict) -> str:
    return "; ".join(f"{band}: {format_percent(rate)}" for band, rate in rates.items()) or "–"


def assumption_rows(
    assumptions: dict, scenario, rates, effects, is_demo: bool
) -> list[tuple[str, str]]:
    """The assumptions as (label, value) in the reader's language and number format: rates and
    growth as percentages ("12,0 %"), the retirement age as a number ("64")."""
    rows = []
    if is_demo:
        rows.append((_("Demo data"), _("Synthetic institutions calibrated to published facts.")))
    rows += [
        (_("Scenario"), scenario.name),
        (_("Municipality"), scenario.municipality.name),
        (_("Years"), assumptions["years"]),
        (_("Retirement method"), scenario.get_retirement_method_display()),
        (_("Retirement age"), format_number(assumptions["retirement_age"])),
        (_("Exit rates by age band"), _exit_rates(assumptions["exit_rates"] or {})),
        (
            _("Leaver rate excluding retirement (default)"),
            format_percent(assumptions["default_leaver_rate"]),
        ),
        (_("Hiring"), scenario.get_hiring_mode_display()),
        (_("Demand"), scenario.get_demand_method_display()),
        (_("Yearly demand growth"), format_percent(assumptions["demand_growth"])),
        (_("Age band of new hires"), assumptions["entry_band"]),
    ]
    for rate in rates:
        rows.append(
            (
                _("Rates: %(profession)s") % {"profession": rate.profession.name},
                _("leaver rate %(rate)s, hires per year %(hires)s, institution %(unit)s")
                % {
                    "rate": format_percent(rate.leaver_rate),
                    "hires": format_number(rate.hires_per_year),
                    "unit": rate.unit or _("all"),
                },
            )
        )
    for effect in effects:
        linked = ", ".join(
            _("%(report)s, recommendation %(number)s")
            % {"report": r.report.title, "number": r.number}
            for r in effect.recommendations.all()
        )
        text = _(
            "%(text)s (%(profession)s, from %(year)s: %(change)s percentage points leaver rate, "
            "%(hires)s hires a year)"
        ) % {
            "text": effect.text,
            "profession": effect.profession.name,
            "year": effect.from_year,
            "change": format_number(effect.leaver_rate_change_pp),
            "hires": format_number(effect.hires_change),
        }
        rows.append((_("Assumed effect"), text + (f" – {linked}" if linked else "")))
    for note in assumptions.get("notes", []):
        rows.append((_("Note"), note))
    rows.append(
        (
            _("Reading"),
            _(
                "A mechanical projection, all else equal: it shows what follows from the "
                "assumptions above, not a forecast."
            ),
        )
    )
    return rows


def frames(inputs, result):
    """The projection per institution × profession × year and its totals per profession, with
    names and labels: what the projection export and the municipality's workbook write."""
    from . import selectors

    professions = selectors.professions_by_key()
    detail = selectors.with_labels(result.frame, inputs, professions)
    detail["kind"] = detail["kind"].astype(object).map(dict(UnitKind.choices)).map(str)
    summed = selectors.with_labels(totals(result.frame, ["profession"]), inputs, professions)
    return detail, summed


def sheets(detail, totals_frame, assumption_list, is_demo: bool):
    """The projection's sheets as (title, headers, rows, preface) for ``core.writers.write_xlsx``."""
    titles = column_titles()
    preface = [_("Demo data: synthetic institutions, not real staffing.")] if is_demo else []
    result: list[writers.Sheet] = []
    for title, frame, columns in (
        (_("Projection"), detail, DETAIL_COLUMNS),
        (_("Projection totals"), totals_frame, TOTAL_COLUMNS),
    ):
        rows = ([_plain(v) for v in record] for record in frame[columns].itertuples(index=False))
        result.append((title, [titles[c] for c in columns], rows, preface))
    result.append(
        (
            _("Assumptions"),
            [_("Assumption"), _("Value")],
            ([str(label), str(value)] for label, value in assumption_list),
        )
    )
    return result


def _plain(value):
    """A projection cell as a plain value; the writer neutralises text and types numbers."""
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, int):
        return value
    if hasattr(value, "item"):  # a numpy scalar
        return _plain(value.item())
    return "" if value is None else str(value)


def render(fmt: str, detail, totals_frame, assumption_list, is_demo: bool) -> bytes:
    """The projection export in ``fmt`` (one of ``core.writers.FORMATS``). XLSX has every sheet;
    CSV and JSON the projection per institution × profession × year, with a demo mark on every row
    (a "data" column in CSV, ``is_demo`` in JSON) so a demo projection is never taken for real."""
    if fmt == "xlsx":
        buffer = io.BytesIO()
        writers.write_xlsx(buffer, sheets(detail, totals_frame, assumption_list, is_demo))
        return buffer.getvalue()
    titles = column_titles()
    records = detail[DETAIL_COLUMNS].itertuples(index=False)
    if fmt == "json":
        keys = [*DETAIL_COLUMNS, "is_demo"]
        rows = ([*(_plain(v) for v in record), is_demo] for record in records)
        return writers.render(fmt, title="", keys=keys, headers=keys, rows=rows)
    headers = [titles[c] for c in DETAIL_COLUMNS] + ([_("data")] if is_demo else [])
    marker = [_("Demo data")] if is_demo else []
    rows = ([*(_plain(v) for v in record), *marker] for record in records)
    return writers.render(fmt, title="", keys=headers, headers=headers, rows=rows)
