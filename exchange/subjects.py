"""What can be exported for one municipality: each subject's resource and rows, shared by the export
page, the workbook and the dashboards' lists."""

from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from employment_plan.models import Indicator, Measurement
from employment_plan.resources import IndicatorResource, MeasurementResource, current_measurements
from followup.models import FollowUpRound
from followup.resources import FollowUpRoundResource
from recommendations.models import CouncilDecision, Recommendation, StatusUpdate
from recommendations.resources import (
    CouncilDecisionResource,
    RecommendationResource,
    StatusUpdateResource,
)
from workforce.models import StaffingSnapshot
from workforce.resources import StaffingSnapshotResource


@dataclass(frozen=True)
class Subject:
    key: str  # in the address
    title: object  # lazy text: the sheet's and the link's name
    file_stem: str  # Danish, as the file names a user keeps
    resource: type
    importable: bool = False

    def rows(self, user, municipality):
        return QUERIES[self.key](user, municipality)


def _recommendations(user, municipality):
    return Recommendation.objects.visible_to(user, municipality).order_by(
        "report__title", "sort_key", "number"
    )


def _history(user, municipality):
    return StatusUpdate.objects.visible_to(user, municipality).order_by(
        "recommendation__report__title", "recommendation__sort_key", "effective_on", "created_at"
    )


def _decisions(user, municipality):
    return CouncilDecision.objects.filter(municipality=municipality).order_by(
        "meeting_date", "item_number"
    )


def _indicators(user, municipality):
    return Indicator.objects.filter(plan__municipality=municipality).order_by(
        "plan__period_start", "position"
    )


def _measurements(user, municipality):
    return current_measurements(
        Measurement.objects.filter(indicator__plan__municipality=municipality)
    ).order_by("indicator__plan__period_start", "indicator__position", "date")


def _rounds(user, municipality):
    return (
        FollowUpRound.objects.filter(municipality=municipality)
        .annotate(item_count=Count("items"))
        .order_by("meeting_date", "pk")
    )


def _staffing(user, municipality):
    return StaffingSnapshot.objects.filter(unit__municipality=municipality).order_by(
        "unit__name", "profession__name", "date"
    )


QUERIES = {
    "recommendations": _recommendations,
    "history": _history,
    "decisions": _decisions,
    "indicators": _indicators,
    "measurements": _measurements,
    "staffing": _staffing,
    "rounds": _rounds,
}

SUBJECTS = [
    Subject("recommendations", _("Recommendations"), "anbefalinger", RecommendationResource, True),
    Subject("history", _("Status history"), "statushistorik", StatusUpdateResource),
    Subject("decisions", _("Council decisions"), "beslutninger", CouncilDecisionResource),
    Subject("indicators", _("Indicators"), "indikatorer", IndicatorResource),
    Subject("measurements", _("Measurements"), "maalinger", MeasurementResource, True),
    Subject("staffing", _("Staffing"), "bemanding", StaffingSnapshotResource, True),
    Subject("rounds", _("Follow-up rounds"), "opfoelgningsrunder", FollowUpRoundResource),
]
BY_KEY = {s.key: s for s in SUBJECTS}
