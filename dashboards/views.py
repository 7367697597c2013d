"""Council dashboards: a municipality's front page, lists with filters, the meeting report, the
accessibility statement. Thin: parse the query string, call selectors, render."""

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from core import writers
from employment_plan import wording
from employment_plan.resources import IndicatorProgressResource
from employment_plan.selectors import evaluate
from exchange.views import export_refusal, requested_format
from followup import selectors as followup_selectors
from organizations import access
from organizations.access import can_export
from organizations.decorators import municipality_view
from organizations.models import INSTITUTION_KINDS, OrganisationalUnit
from recommendations import selectors as rec_selectors
from recommendations.freshness import freshness, stale_after_days
from recommendations.models import Report
from recommendations.resources import RecommendationResource
from workforce import selectors as workforce_selectors
from workforce.institution_table import InstitutionRow, LazyRows, institution_table
from workforce.resources import InstitutionRowResource

from . import charts, selectors
from . import indicators as indicator_selectors
from . import meeting_report as meetings
from .filters import DashboardRecommendationFilter, IndicatorFilter, InstitutionFilter
from .forms import MeetingReportForm

PAGE_SIZE = 25
# Query parameters that choose the file or the page, not the rows.
UNFILTERED_PARAMETERS = {"format", "page", "sort"}


def _page(request, rows):
    paginator = Paginator(rows, PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def _page_by_ids(request, queryset):
    """A page of a wide queryset: the database sorts the ids alone (not every column of the joined
    tables), then the shown rows are read in full, in that order. One query more, the same number
    at any size (bench: recommendations list at 100×)."""
    page = _page(request, queryset.values_list("pk", flat=True))
    rows = queryset.order_by().in_bulk(list(page.object_list))
    page.object_list = [rows[pk] for pk in page.object_list if pk in rows]
    return page


def _export(request, municipality, *, stem, resource, source):
    """The list's "export what I see": the same rows, filters and order, in the asked format."""
    refused = export_refusal(request, municipality)
    if refused:
        return refused
    fmt = requested_format(request)
    assert fmt is not None  # the lists export only when a format is asked for
    filtered = any(v for k, v in request.GET.items() if k not in UNFILTERED_PARAMETERS)
    return writers.response(
        fmt,
        filename=writers.file_name(
            fmt,
            place=municipality.slug,
            subject=stem,
            scope=writers.FILTERED if filtered else writers.FULL,
        ),
        resource=resource,
        source=source,
    )


@municipality_view
def front_page(request, municipality):
    data = selectors.front_page(request.user, municipality)
    workforce = workforce_selectors.outlook(municipality)
    rec_rows = charts.recommendation_rows(data.status_totals)
    ind_rows = charts.indicator_rows(data.indicator_summary)
    return render(
        request,
        "dashboards/front_page.html",
        {
            "municipality": municipality,
            "data": data,
            "is_member": access.is_member(request.user, municipality),
            "recommendation_chart": charts.status_chart("recommendations", rec_rows),
            "recommendation_chart_alt": charts.alt_text(_("Recommendations by status"), rec_rows),
            "indicator_chart": charts.status_chart("indicators", ind_rows),
            "indicator_chart_alt": charts.alt_text(_("Indicators by status"), ind_rows),
            "stale_after_days": stale_after_days(),
            "workforce": workforce,
            "data_as_of": selectors.data_as_of(data, workforce),
            "open_rounds": followup_selectors.open_round_progress(municipality.pk)
            if access.has_perm_in(request.user, "followup.view_followupround", municipality)
            else [],
        },
    )


@municipality_view
def recommendation_list(request, municipality):
    reports = Report.objects.visible_to(request.user, municipality)
    filterset = DashboardRecommendationFilter(
        request.GET or None,
        rec_selectors.recommendation_list(),
        request=request,
        reports=reports,
    )
    if requested_format(request):
        return _export(
            request,
            municipality,
            stem="anbefalinger",
            resource=RecommendationResource(),
            source=filterset.qs,
        )
    page = _page_by_ids(request, filterset.qs)
    today = timezone.localdate()
    for r in page.object_list:
        r.freshness = freshness(r, today)
    return render(
        request,
        "dashboards/recommendation_list.html",
        {
            "municipality": municipality,
            "filter": filterset,
            "page_obj": page,
            "can_export": can_export(request.user, municipality),
            "is_filtered": any(k not in ("page", "format") for k in request.GET),
            "stale_after_days": stale_after_days(),
        },
    )


@municipality_view
def indicator_list(request, municipality):
    filterset = IndicatorFilter(
        request.GET or None,
        indicator_selectors.indicator_queryset(municipality),
        municipality=municipality,
        request=request,
    )
    wanted = filterset.wanted_statuses()
    if requested_format(request):
        refused = export_refusal(request, municipality)
        if refused:
            return refused
        indicators = indicator_selectors.indicators_with_progress(
            municipality, queryset=filterset.qs
        )
        if wanted:
            # ``result``: attached by indicators_with_progress (not a field: hence the ignore).
            indicators = [i for i in indicators if i.result.status in wanted]  # type: ignore[attr-defined]
        return _export(
            request,
            municipality,
            stem="indikatorer",
            resource=IndicatorProgressResource(),
            source=indicators,
        )
    # Statuses come from the cache (keyed on the data generation); only the shown page is evaluated
    # with its measurements, so the page costs the same whatever the number of indicators.
    evaluated = indicator_selectors.indicator_statuses(municipality)
    statuses = evaluated["statuses"]
    if filterset.narrows():
        ids = [pk for pk in filterset.qs.values_list("pk", flat=True) if pk in statuses]
        summary = wording.summarise(_Status(statuses[pk]) for pk in ids)
        if wanted:
            ids = [pk for pk in ids if statuses[pk] in wanted]
        page = _page(request, ids)
    else:
        # Unfiltered: the cached summary, and the database counts and slices the page (bench:
        # indicator list at 100×, 16,800 indicators).
        summary = evaluated["summary"]
        page = _page(request, filterset.qs.values_list("pk", flat=True))
    shown = {i.pk: i for i in filterset.qs.filter(pk__in=list(page.object_list))}
    page.object_list = [shown[pk] for pk in page.object_list if pk in shown]
    for indicator in page.object_list:
        indicator.result = evaluate(indicator)
    rows = charts.indicator_rows(summary)
    return render(
        request,
        "dashboards/indicator_list.html",
        {
            "municipality": municipality,
            "filter": filterset,
            "page_obj": page,
            "summary": summary,
            "chart": charts.status_chart("indicator-list", rows),
            "chart_alt": charts.alt_text(_("Indicators by status"), rows),
            "can_export": can_export(request.user, municipality),
            "is_filtered": any(k not in ("page", "format") for k in request.GET),
        },
    )


class _Status:
    """What ``wording.summarise`` reads of a result."""

    def __init__(self, status):
        self.status = status


@municipality_view
def institution_list(request, municipality):
    filterset = InstitutionFilter(
        request.GET or None,
        OrganisationalUnit.objects.filter(municipality=municipality, kind__in=INSTITUTION_KINDS),
        municipality=municipality,
        request=request,
    )
    # Without a filter on the institutions themselves every cached row is shown: no need to read
    # the ids of every institution (6,100 at 100×).
    narrowed = any(filterset.cleaned(name) for name in ("q", "kind", "area"))
    unit_ids = set(filterset.qs.values_list("pk", flat=True)) if narrowed else None
    professions = filterset.cleaned("profession")
    table = institution_table(
        municipality, unit_ids=unit_ids, profession_keys={p.key for p in professions or []}
    )
    rows: LazyRows | list[InstitutionRow] = table.rows if table else []
    if table and filterset.cleaned("shortage_only"):
        table.rows.shortage_only()
    order = filterset.cleaned("sort")
    if table and order:
        table.rows.sort_by(order)
    if requested_format(request):
        return _export(
            request,
            municipality,
            stem="institutioner",
            resource=InstitutionRowResource(table=table),
            source=rows,
        )
    return render(
        request,
        "dashboards/institution_list.html",
        {
            "municipality": municipality,
            "filter": filterset,
            "table": table,
            "page_obj": _page(request, rows),
            "can_export": can_export(request.user, municipality),
            "is_filtered": any(k not in ("page", "format") for k in request.GET),
        },
    )


@municipality_view
def meeting_report(request, municipality):
    form = MeetingReportForm(request.GET or None, municipality=municipality)
    report = None
    annex = False
    if form.is_bound and form.is_valid():
        # Without ?annex=1: the summary, the first changes, overdue items and indicators (the cost
        # stays flat); with it: every recommendation of the municipality (grows with the data).
        annex = bool(form.cleaned_data.get("annex"))
        build = meetings.meeting_report if annex else meetings.cached_meeting_summary
        report = build(
            municipality,
            form.cleaned_data["body"],
            form.cleaned_data["date"],
            form.cleaned_data.get("previous"),
        )
    return render(
        request,
        "dashboards/meeting_report.html",
        {"municipality": municipality, "form": form, "report": report, "annex": annex},
    )


def accessibility_statement(request):
    """Tilgængelighedserklæringen that every Danish public website must publish."""
    return render(
        request,
        "dashboards/accessibility_statement.html",
        {
            "contact_email": settings.ACCESSIBILITY_CONTACT_EMAIL,
            "statement_date": settings.ACCESSIBILITY_STATEMENT_DATE,
        },
    )
