"""One XLSX workbook per municipality: a sheet per subject (recommendations, status history,
decisions, indicators, measurements, staffing), the workforce projection with its assumptions, and a
first sheet saying when, by whom and from what it was produced."""

import io

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.writers import write_xlsx
from organizations.models import SourceDocument
from workforce import exporting as workforce_exporting
from workforce import selectors as workforce_selectors

from .subjects import SUBJECTS


def _about(municipality, user, scenario, sources, is_demo):
    now = timezone.localtime()
    rows = [
        [_("Municipality"), f"{municipality.name} ({municipality.code})"],
        [_("Produced"), date_format(now, "DATETIME_FORMAT")],
        [_("Produced by"), user.get_username()],
        [_("Sheets"), ", ".join(str(s.title) for s in SUBJECTS)],
    ]
    if scenario is not None:
        rows.append([_("Workforce projection"), _("Scenario: %(name)s") % {"name": scenario.name}])
    else:
        rows.append([_("Workforce projection"), _("No staffing data to project.")])
    if is_demo:
        rows.append([_("Demo data"), _("Demo data: synthetic institutions, not real staffing.")])
    rows.append(
        [
            _("Measurements"),
            _("One value per indicator and date: the one that counts (final before provisional)."),
        ]
    )
    for source in sources:
        published = date_format(source.published_on) if source.published_on else ""
        rows.append(
            [_("Source"), " · ".join(p for p in (source.title, source.publisher, published) if p)]
        )
    return rows


def _sources(municipality):
    """The documents this municipality's recommendations and plans were seeded from."""
    return SourceDocument.objects.filter(
        pk__in=_source_ids(municipality),
    ).order_by("published_on", "title")


def _source_ids(municipality):
    from employment_plan.models import EmploymentPlan
    from recommendations.models import Report

    ids = set(
        Report.objects.filter(municipality=municipality)
        .exclude(source=None)
        .values_list("source_id", flat=True)
    )
    ids |= set(
        EmploymentPlan.objects.filter(municipality=municipality)
        .exclude(source=None)
        .values_list("source_id", flat=True)
    )
    return ids


def build(municipality, user) -> bytes:
    scenario = workforce_selectors.scenario_for(municipality, None)
    projection_sheets, is_demo = [], False
    if scenario is not None:
        inputs = workforce_selectors.projection_inputs(scenario)
        result = workforce_selectors.run(inputs)
        if result is not None:
            is_demo = inputs.is_demo
            detail, summed = workforce_exporting.frames(inputs, result)
            assumptions = workforce_exporting.assumption_rows(
                result.assumptions, inputs.scenario, inputs.rate_rows, inputs.effects, is_demo
            )
            projection_sheets = workforce_exporting.sheets(detail, summed, assumptions, is_demo)
        else:
            scenario = None
    about = _about(municipality, user, scenario, _sources(municipality), is_demo)
    sheets = [(_("About this file"), [_("What"), _("Value")], about)]
    for subject in SUBJECTS:
        resource = subject.resource()
        sheets.append(
            (
                str(subject.title),
                resource.headers(),
                resource.rows(subject.rows(user, municipality)),
            )
        )
    sheets += projection_sheets
    buffer = io.BytesIO()
    write_xlsx(buffer, sheets)
    return buffer.getvalue()
