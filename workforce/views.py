"""The workforce pages of a municipality: the overview (shortage by profession, supply against
demand), the per-institution table for the horizon year, a comparison of two scenarios, and the
export. Every page reads through selectors in a fixed number of queries and states that the
projection is mechanical, all else equal, with its assumptions."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from core import writers
from core.text import format_number
from organizations import access
from organizations.decorators import municipality_view
from organizations.models import UnitKind

from . import charts, exporting, selectors
from .institution_table import institution_values, row_maker
from .projection import difference, totals

EXPORT_PERM = "workforce.export_projection"


def _num(value: float, digits: int = 0) -> str:
    """A projected figure rounded for display only (persons are expected values)."""
    return format_number(value, digits)


def _projection(scenario):
    inputs = selectors.projection_inputs(scenario)
    result = selectors.run(inputs)
    return inputs, result


def _assumptions(inputs, result):
    return exporting.assumption_rows(
        result.assumptions, inputs.scenario, inputs.rate_rows, inputs.effects, inputs.is_demo
    )


def _base_context(request, municipality, scenario):
    return {
        "municipality": municipality,
        "scenario": scenario,
        "scenarios": selectors.scenarios(municipality),
        "can_export": access.has_perm_in(request.user, EXPORT_PERM, municipality),
    }


def _projection_page(request, municipality, cache_name, compute):
    """The base context of a page on the scenario the address names (``?scenario=``), and the
    page's data from ``compute(scenario)``, cached; the data is None when there is no scenario or
    nothing projected, and the page then says so."""
    scenario = selectors.scenario_for(municipality, request.GET.get("scenario"))
    context = _base_context(request, municipality, scenario)
    if scenario is None:
        return context, None
    # The cache key carries the language (numbers and labels are formatted for it).
    data = selectors.cached(cache_name, scenario, lambda: compute(scenario))
    context.update(is_demo=data["is_demo"])
    return context, data if data["has_result"] else None


def _overview_data(scenario):
    """Everything the overview shows of a projection, as plain values (cached on the
    municipality's data generation: the projection is rerun only when its inputs may have changed)."""
    inputs, result = _projection(scenario)
    data = {"is_demo": inputs.is_demo, "has_result": result is not None}
    if result is None:
        return data
    professions = selectors.professions_by_key()
    by_profession = totals(result.frame, ["profession"])
    years = sorted(by_profession["year"].unique().tolist())
    keys = sorted(by_profession["profession"].astype(str).unique())
    shortage = by_profession.pivot(index="year", columns="profession", values="shortage")
    lines = [(professions[k].name if k in professions else k, shortage[k].tolist()) for k in keys]
    table = [
        {"year": year, "values": [_num(shortage.loc[year, k]) for k in keys]} for year in years
    ]
    overall = totals(result.frame, [])
    supply_demand = [
        {
            "year": int(row.year),
            "supply": _num(row.supply),
            "supply_fte": _num(row.supply_fte),
            "demand": _num(row.demand),
            "shortage": _num(row.shortage),
            "retirements": _num(row.retirements, 1),
            "other_leavers": _num(row.other_leavers, 1),
            "hires": _num(row.hires, 1),
        }
        for row in overall.itertuples()
    ]
    data.update(
        years=years,
        lines=lines,
        shortage_table=table,
        supply_table=supply_demand,
        supply=overall["supply"].tolist(),
        demand=overall["demand"].tolist(),
        assumption_list=_assumptions(inputs, result),
        start_total=_num(float(result.frame[result.frame.year == years[0]]["supply_start"].sum())),
    )
    return data


@municipality_view
def overview(request, municipality):
    context, data = _projection_page(request, municipality, "overview-page", _overview_data)
    context["references"] = selectors.reference_shortages(municipality)
    if data is None:
        return render(request, "workforce/overview.html", context)
    years, lines = data["years"], data["lines"]
    context.update(
        result=True,
        profession_names=[name for name, _values in lines],
        shortage_table=data["shortage_table"],
        shortage_chart=charts.lines("shortage", years, lines, _("persons")),
        shortage_alt=charts.shortage_alt(lines, years),
        supply_table=data["supply_table"],
        supply_chart=charts.lines(
            "supply",
            years,
            [(_("Supply"), data["supply"]), (_("Demand"), data["demand"])],
            _("persons"),
        ),
        supply_alt=charts.supply_alt(years, data["supply"], data["demand"]),
        assumption_list=data["assumption_list"],
        start_total=data["start_total"],
    )
    return render(request, "workforce/overview.html", context)


INSTITUTIONS_PER_PAGE = 25
INSTITUTIONS_CACHE = "institutions-page-values"


def _institution_data(scenario):
    """The horizon year's figures per institution and profession (``institution_values``, the
    same as the dashboard's institutions list), institutions in the table's order (cached on the
    data generation)."""
    inputs, result = _projection(scenario)
    data = {"is_demo": inputs.is_demo, "has_result": result is not None}
    if result is None:
        return data
    year, values = institution_values(inputs, result)
    keys = sorted({v.profession_key for v in values})
    cells = {(v.unit_pk, v.profession_key): v for v in values}
    units = sorted(inputs.units.values(), key=lambda u: (u.kind, u.name))
    data.update(
        year=year,
        keys=keys,
        rows=[(u.pk, u.name, u.kind, [cells.get((u.pk, k)) for k in keys]) for u in units],
        assumption_list=_assumptions(inputs, result),
    )
    return data


@municipality_view
def institutions(request, municipality):
    """Every institution of the baseline projection, 25 to a page (``?page=``, kept with the
    scenario in the address); the projection itself comes from the cache."""
    # The namespace names the cached shape (rows of ``institution_table.Values``): an entry cached
    # by an older release under the same data generation is never read as the new shape.
    context, data = _projection_page(request, municipality, INSTITUTIONS_CACHE, _institution_data)
    if data is None:
        return render(request, "workforce/institutions.html", context)
    professions = selectors.professions_by_key()
    keys = data["keys"]
    kinds = dict(UnitKind.choices)
    make = row_maker(municipality, professions)
    page = Paginator(data["rows"], INSTITUTIONS_PER_PAGE).get_page(request.GET.get("page"))
    rows = []
    for _pk, name, kind, values in page.object_list:
        entries: list[dict[str, str] | None] = []
        for value in values:
            if value is None:
                entries.append(None)
                continue
            row = make(value)
            entries.append(
                {
                    "shortage": _num(row.shortage, 1),
                    "words": row.words,
                    "supply": _num(row.supply, 1),
                    "demand": _num(row.demand, 1),
                }
            )
        rows.append({"unit": {"name": name}, "kind": kinds.get(kind, kind), "entries": entries})
    context.update(
        year=data["year"],
        profession_names=[professions[k].name if k in professions else k for k in keys],
        rows=rows,
        page_obj=page,
        assumption_list=data["assumption_list"],
    )
    return render(request, "workforce/institutions.html", context)


@municipality_view
def compare(request, municipality):
    all_scenarios = selectors.scenarios(municipality)
    a = selectors.scenario_for(municipality, request.GET.get("a"))
    b = selectors.scenario_for(municipality, request.GET.get("b"))
    if request.GET.get("b") in (None, "") and a is not None:
        b = next((s for s in all_scenarios if s.pk != a.pk), None)
    context = {
        "municipality": municipality,
        "scenarios": all_scenarios,
        "a": a,
        "b": b,
    }
    if a is None or b is None:
        return render(request, "workforce/compare.html", context)
    inputs_a, result_a = _projection(a)
    inputs_b, result_b = _projection(b)
    context["is_demo"] = inputs_a.is_demo or inputs_b.is_demo
    if result_a is None or result_b is None:
        return render(request, "workforce/compare.html", context)
    professions = selectors.professions_by_key()
    ta = totals(result_a.frame, ["profession"]).set_index(["profession", "year"])
    tb = totals(result_b.frame, ["profession"]).set_index(["profession", "year"])
    diff = difference(result_a, result_b, by=["profession"]).set_index(["profession", "year"])
    rows = []
    for profession, year in diff.index:
        rows.append(
            {
                "profession": getattr(professions.get(str(profession)), "name", profession),
                "year": year,
                "a": _num(ta.loc[(profession, year), "shortage"], 1)
                if (profession, year) in ta.index
                else "–",
                "b": _num(tb.loc[(profession, year), "shortage"], 1)
                if (profession, year) in tb.index
                else "–",
                "difference": _num(diff.loc[(profession, year), "shortage"], 1),
            }
        )
    keys = sorted({str(p) for p, _y in diff.index})
    years = sorted({int(y) for _p, y in diff.index})
    lines = [
        (
            getattr(professions.get(k), "name", k),
            [float(diff.loc[(k, y), "shortage"]) for y in years],
        )
        for k in keys
    ]
    context.update(
        rows=rows,
        chart=charts.lines("compare", years, lines, _("persons")),
        chart_alt=_(
            "Line chart of the change in projected shortage per profession when scenario "
            "“%(b)s” replaces “%(a)s”, %(first)s–%(last)s."
        )
        % {"a": a.name, "b": b.name, "first": years[0], "last": years[-1]},
        assumptions_a=_assumptions(inputs_a, result_a),
        assumptions_b=_assumptions(inputs_b, result_b),
    )
    return render(request, "workforce/compare.html", context)


@municipality_view
def export(request, municipality):
    if not access.has_perm_in(request.user, EXPORT_PERM, municipality):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied
    scenario = selectors.scenario_for(municipality, request.GET.get("scenario"))
    if scenario is None:
        raise Http404
    inputs, result = _projection(scenario)
    if result is None:
        return HttpResponse(
            _("No staffing data to project."), status=404, content_type="text/plain"
        )
    detail, summed = exporting.frames(inputs, result)
    fmt = request.GET.get("format", "xlsx")
    if fmt not in writers.FORMATS:
        fmt = "xlsx"
    name = writers.file_name(
        fmt,
        place=municipality.slug,
        subject=f"fremskrivning-{writers.name_part(scenario.name)}",
        extra=["demodata"] if inputs.is_demo else [],
    )
    body = exporting.render(fmt, detail, summed, _assumptions(inputs, result), inputs.is_demo)
    return writers.attachment(body, fmt, name)
