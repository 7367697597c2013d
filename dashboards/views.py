"""Council dashboards: a municipality's front page, lists with filters, the meeting report, the
accessibility statement. Thin: parse the query string, call selectors, render."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from employment_plan import progress
from organizations import access
from organizations.decorators import municipality_view
from organizations.models import INSTITUTION_KINDS, OrganisationalUnit
from recommendations import selectors as rec_selectors
from recommendations.freshness import freshness, stale_after_days
from workforce import selectors as workforce_selectors

from . import charts, selectors
from .access import can_export
from .export import csv_response
from .filters import DashboardRecommendationFilter, IndicatorFilter, InstitutionFilter
from .forms import MeetingReportForm

PAGE_SIZE = 25


def _page(request, rows):
    paginator = Paginator(rows, PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def _wants_csv(request) -> bool:
    return request.GET.get("format") == "csv"


def _export_allowed(request, municipality):
    """None when the visitor may export; otherwise the response to give instead."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not can_export(request.user, municipality):
        raise PermissionDenied
    return None


@municipality_view
def front_page(request, municipality):
    data = selectors.front_page(request.user, municipality)
    rec_rows = charts.recommendation_rows(data.status_totals)
    ind_rows = charts.indicator_rows(data.indicator_summary)
    return render(
        request,
        "dashboards/front_page.html",
        {
            "municipality": municipality,
            "data": data,
            "is_member": access.is_member(request.user, municipality),
            "recommendation_chart": charts.status_chart(
                "recommendations", rec_rows, data.recommendation_version
            ),
            "recommendation_chart_alt": charts.alt_text(_("Recommendations by status"), rec_rows),
            "indicator_chart": charts.status_chart("indicators", ind_rows, data.indicator_version),
            "indicator_chart_alt": charts.alt_text(_("Indicators by status"), ind_rows),
            "stale_after_days": stale_after_days(),
            "workforce": workforce_selectors.outlook(municipality),
        },
    )


@municipality_view
def recommendation_list(request, municipality):
    reports = rec_selectors.reports_for_municipality(request.user, municipality)
    filterset = DashboardRecommendationFilter(
        request.GET or None,
        rec_selectors.recommendation_list(),
        request=request,
        reports=reports,
    )
    if _wants_csv(request):
        refused = _export_allowed(request, municipality)
        if refused:
            return refused
        return _recommendations_csv(municipality, filterset.qs)
    page = _page(request, filterset.qs)
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


def _recommendations_csv(municipality, queryset):
    header = [
        _("Report"),
        _("Theme"),
        _("Number"),
        _("Title"),
        _("Status"),
        _("Progress (%)"),
        _("Responsible unit"),
        _("Follow-up"),
        _("Last updated"),
        _("Needs update"),
    ]
    today = timezone.localdate()
    rows = (
        [
            r.report.title,
            r.theme.title if r.theme else "",
            r.number,
            r.title,
            r.status.label,
            r.progress,
            r.responsible_unit.name if r.responsible_unit else r.responsible_text,
            r.follow_up_due,
            r.last_updated_at,
            freshness(r, today)["needs_update"],
        ]
        for r in queryset
    )
    return csv_response(f"anbefalinger-{municipality.slug}.csv", header, rows)


@municipality_view
def indicator_list(request, municipality):
    filterset = IndicatorFilter(
        request.GET or None,
        selectors.indicator_queryset(municipality),
        municipality=municipality,
        request=request,
    )
    indicators = selectors.indicators_with_progress(municipality, queryset=filterset.qs)
    summary = progress.summarise(i.result for i in indicators)
    wanted = filterset.wanted_statuses()
    if wanted:
        indicators = [i for i in indicators if i.result.status in wanted]
    if _wants_csv(request):
        refused = _export_allowed(request, municipality)
        if refused:
            return refused
        return _indicators_csv(municipality, indicators)
    rows = charts.indicator_rows(summary)
    return render(
        request,
        "dashboards/indicator_list.html",
        {
            "municipality": municipality,
            "filter": filterset,
            "page_obj": _page(request, indicators),
            "summary": summary,
            "chart": charts.status_chart(
                "indicator-list", rows, selectors.indicator_version(indicators)
            ),
            "chart_alt": charts.alt_text(_("Indicators by status"), rows),
            "can_export": can_export(request.user, municipality),
            "is_filtered": any(k not in ("page", "format") for k in request.GET),
        },
    )


@municipality_view
def institution_list(request, municipality):
    filterset = InstitutionFilter(
        request.GET or None,
        OrganisationalUnit.objects.filter(municipality=municipality, kind__in=INSTITUTION_KINDS),
        municipality=municipality,
        request=request,
    )
    unit_ids = set(filterset.qs.values_list("pk", flat=True))
    professions = filterset.cleaned("profession")
    table = selectors.institution_table(
        municipality, unit_ids=unit_ids, profession_keys={p.key for p in professions or []}
    )
    rows = table.rows if table else []
    if filterset.cleaned("shortage_only"):
        rows = [r for r in rows if r.shortage >= 0.5]
    order = filterset.cleaned("sort")
    if order == "shortage":
        rows.sort(key=lambda r: -r.shortage)
    elif order == "kind":
        rows.sort(key=lambda r: (r.kind, r.unit.name, r.profession))
    if _wants_csv(request):
        refused = _export_allowed(request, municipality)
        if refused:
            return refused
        return _institutions_csv(municipality, table, rows)
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


def _institutions_csv(municipality, table, rows):
    header = [
        _("Institution"),
        _("Kind"),
        _("Area"),
        _("Profession"),
        _("Staff now"),
        _("Year"),
        _("Projected supply"),
        _("Demand"),
        _("Shortage"),
        _("In words"),
        _("Demo data"),
    ]
    demo = _("yes") if table and table.is_demo else _("no")
    body = [
        [
            r.unit.name,
            r.kind,
            r.area,
            r.profession,
            r.staff_now,
            table.year,
            r.supply,
            r.demand,
            r.shortage,
            r.words,
            demo,
        ]
        for r in rows
    ]
    return csv_response(f"institutioner-{municipality.slug}.csv", header, body)


def _indicators_csv(municipality, indicators):
    header = [
        _("Plan"),
        _("Focus area"),
        _("Number"),
        _("Indicator"),
        _("Status"),
        _("Latest value"),
        _("Latest date"),
        _("Target"),
        _("Target date"),
        _("Progress (%)"),
    ]
    rows = (
        [
            i.plan.title,
            i.focus_area.title if i.focus_area else "",
            i.code,
            i.title,
            i.result.status_label,
            i.result.latest.value if i.result.latest else None,
            i.result.latest.date if i.result.latest else None,
            i.result.target,
            i.target_date,
            i.result.progress,
        ]
        for i in indicators
    )
    return csv_response(f"indikatorer-{municipality.slug}.csv", header, rows)


@municipality_view
def meeting_report(request, municipality):
    form = MeetingReportForm(request.GET or None, municipality=municipality)
    report = None
    if form.is_bound and form.is_valid():
        report = selectors.meeting_report(
            municipality,
            form.cleaned_data["body"],
            form.cleaned_data["date"],
            form.cleaned_data.get("previous"),
        )
    return render(
        request,
        "dashboards/meeting_report.html",
        {"municipality": municipality, "form": form, "report": report},
    )


def accessibility_statement(request):
    """Tilgængelighedserklæringen that every Danish public website must publish."""
    contact = getattr(settings, "ACCESSIBILITY_CONTACT_EMAIL", "") or ""
    return render(request, "dashboards/accessibility_statement.html", {"contact_email": contact})
