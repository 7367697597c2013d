import datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.shortcuts import render

from organizations import access
from organizations.decorators import municipality_view

from . import charts, progress, selectors


def _as_of(request) -> datetime.date | None:
    """``?dato=2017-12-31`` shows the plan as it stood on that date."""
    text = request.GET.get("dato", "")
    try:
        return datetime.date.fromisoformat(text) if text else None
    except ValueError:
        return None


PLANS_PER_PAGE = 10  # as many as the front page shows


@municipality_view
def plan_list(request, municipality):
    """The municipality's plans, newest first, paginated (``?page=``); the counts of focus areas
    and indicators are read for the shown plans only."""
    ids = selectors.plans_for(municipality, counts=False).values_list("pk", flat=True)
    # A page of ids, whose object_list is then swapped for the plans.
    page: Page[Any] = Paginator(ids, PLANS_PER_PAGE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    found = {p.pk: p for p in selectors.plans_for(municipality).filter(pk__in=shown)}
    page.object_list = [found[pk] for pk in shown if pk in found]
    return render(
        request,
        "employment_plan/plan_list.html",
        {"municipality": municipality, "plans": page.object_list, "page_obj": page},
    )


@municipality_view
def plan_barometer(request, municipality, pk):
    plan = selectors.plan_barometer(municipality=municipality, plan_id=pk, as_of=_as_of(request))
    for area in plan.focus_areas.all():
        for indicator in area.indicators.all():
            # The selector attaches each indicator's result; the sparkline is attached here for
            # the template. (The plan's related managers are untyped: ``indicator`` is Any.)
            result: progress.Progress = indicator.result
            indicator.sparkline = charts.sparkline(result)
            indicator.sparkline_alt = charts.sparkline_alt(result, indicator.unit)
            indicator.sparkline_points = charts.sparkline_points(result)
    return render(
        request,
        "employment_plan/plan_barometer.html",
        {
            "municipality": municipality,
            "plan": plan,
            "can_enter": access.has_perm_in(
                request.user, "employment_plan.add_measurement", municipality
            ),
        },
    )


@municipality_view
def indicator_detail(request, municipality, pk):
    indicator = selectors.indicator_detail(municipality=municipality, pk=pk, as_of=_as_of(request))
    result: progress.Progress = indicator.result  # type: ignore[attr-defined]  # attached by the selector
    names = sorted({c.municipality.name for c in indicator.comparisons.all()})
    return render(
        request,
        "employment_plan/indicator_detail.html",
        {
            "municipality": municipality,
            "plan": indicator.plan,
            "indicator": indicator,
            "result": result,
            "chart": charts.indicator_chart(indicator, result, names),
            "chart_alt": charts.indicator_alt(indicator, result),
            "comparison_names": names,
            "rows": charts.table_rows(indicator, result, names),
        },
    )
