"""Read-only pages for council members: a municipality's reports, a report, a recommendation. Each
page reads through selectors in a fixed number of queries, whatever the number of rows."""

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from organizations.decorators import municipality_view

from . import selectors
from .filters import RecommendationFilter, ReportListFilter
from .freshness import freshness, stale_after_days
from .models import Recommendation

FACT_UNITS = {
    "kr": "kr.",
    "dkk": "kr.",
    "percent": "%",
}


def fact_unit(unit: str) -> str:
    words = {
        "persons": _("persons"),
        "meetings": _("meetings"),
        "phases": _("phases"),
        "initiatives": _("initiatives"),
        "companies": _("companies"),
        "municipalities": _("municipalities"),
        "students": _("students"),
        "years": _("years"),
        "count": "",
        "date": "",
    }
    return FACT_UNITS.get(unit, words.get(unit, unit))


def with_freshness(recommendation: Recommendation) -> Recommendation:
    recommendation.freshness = freshness(recommendation)  # type: ignore[attr-defined]  # for the template
    return recommendation


REPORTS_PER_PAGE = 10  # as many as the front page shows


@municipality_view
def recommendation_reports(request, municipality):
    """The municipality's own reports, newest first or as sorted (``?sort=``), paginated
    (``?page=``), and the few cross-municipal ones on every page. Counts are read for the shown
    reports only."""
    reports = selectors.reports_for_municipality(request.user, municipality)
    filterset = ReportListFilter(
        request.GET or None, reports.filter(municipality=municipality), request=request
    )
    sorted_by = list(filterset.qs.query.order_by) if filterset.data.get("sort") else []
    own_ids = filterset.qs.order_by(*sorted_by, "-published_on", "title", "pk").values_list(
        "pk", flat=True
    )
    # A page of ids, whose object_list is then swapped for the reports.
    page: Page[Any] = Paginator(own_ids, REPORTS_PER_PAGE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    cross = list(reports.filter(municipality__isnull=True).order_by("-published_on", "title", "pk"))
    found = {r.pk: r for r in reports.filter(pk__in=shown)}
    own = [found[pk] for pk in shown if pk in found]
    counts = selectors.status_counts(r.pk for r in own + cross)
    for report in own + cross:
        report.status_counts = counts.get(report.pk, [])  # type: ignore[attr-defined]  # for the template
    page.object_list = own
    return render(
        request,
        "recommendations/report_list.html",
        {
            "municipality": municipality,
            "own_reports": own,
            "filter": filterset,
            "page_obj": page,
            "cross_reports": cross,
        },
    )


def _tree(recommendations: list[Recommendation]) -> list[tuple[object, list]]:
    """Group the (filtered) rows by theme, sub-items under their parent. A sub-item whose parent was
    filtered out stands on its own, marked as a sub-item."""
    by_pk = {r.pk: r for r in recommendations}
    # A cycle in old data (A under B, B under A) would hide its members and loop in the template:
    # they stand on their own.
    nested = {r.pk for r in recommendations if r.parent_id in by_pk and not _on_a_cycle(r, by_pk)}
    children: dict[int, list[Recommendation]] = {}
    for r in recommendations:
        if r.pk in nested:
            children.setdefault(r.parent_id, []).append(r)  # type: ignore[arg-type]
    groups: dict[object, list] = {}
    for r in recommendations:
        # For the template (not fields of the model: hence the ignores).
        r.shown_children = children.get(r.pk, [])  # type: ignore[attr-defined]
        r.parent_hidden = r.parent_id is not None and r.parent_id not in by_pk  # type: ignore[attr-defined]
        if r.pk not in nested:
            groups.setdefault(r.theme, []).append(r)
    return list(groups.items())


def _on_a_cycle(recommendation: Recommendation, by_pk: dict[int, Recommendation]) -> bool:
    """Whether walking up from ``recommendation`` through ``by_pk`` comes back to it."""
    seen: set[int] = set()
    parent_id = recommendation.parent_id
    while parent_id in by_pk and parent_id not in seen:
        if parent_id == recommendation.pk:
            return True
        seen.add(parent_id)
        parent_id = by_pk[parent_id].parent_id
    return False


@municipality_view
def report_detail(request, municipality, pk):
    report = selectors.report_for_municipality(request.user, municipality, pk)
    if report is None:
        raise Http404
    filterset = RecommendationFilter(
        request.GET or None,
        selectors.recommendation_list(),
        request=request,
        report=report,
    )
    rows = [with_freshness(r) for r in filterset.qs]
    themes = list(report.themes.all())
    grouped = dict(_tree(rows))
    sections = [(theme, grouped.get(theme, [])) for theme in themes]
    if None in grouped:
        sections.append((None, grouped[None]))
    facts = list(report.facts.all())
    for fact in facts:
        fact.unit_label = fact_unit(fact.unit)
    return render(
        request,
        "recommendations/report_detail.html",
        {
            "municipality": municipality,
            "report": report,
            "facts": facts,
            "filter": filterset,
            "sections": sections,
            "shown_count": len(rows),
            "status_counts": selectors.status_counts([report.pk]).get(report.pk, []),
            "is_filtered": bool(request.GET),
            "stale_after_days": stale_after_days(),
        },
    )


@municipality_view
def recommendation_detail(request, municipality, pk):
    recommendation = selectors.recommendation_for_municipality(request.user, municipality, pk)
    if recommendation is None:
        raise Http404
    with_freshness(recommendation)
    children = [with_freshness(c) for c in recommendation.children.all()]
    related = list(recommendation.related.all())
    cited_by = list(recommendation.cited_by.all())
    targets = selectors.cross_reference_targets(request.user, municipality, related + cited_by)
    # A reference into a municipality the visitor may not read is left out, title and all.
    related = [r for r in related if targets.get(r.pk)]
    cited_by = [r for r in cited_by if targets.get(r.pk)]
    for r in related + cited_by:
        r.link_slug = targets[r.pk]
    budget_lines = list(recommendation.budget_lines.all())
    return render(
        request,
        "recommendations/recommendation_detail.html",
        {
            "municipality": municipality,
            "report": recommendation.report,
            "recommendation": recommendation,
            "children": children,
            "related": related,
            "cited_by": cited_by,
            "budget_lines": budget_lines,
            "budget_total": sum(line.amount_kr for line in budget_lines),
            "timeline": selectors.timeline(recommendation),
            "stale_after_days": stale_after_days(),
        },
    )
