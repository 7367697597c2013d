from __future__ import annotations

from rest_framework import serializers

from employment_plan.models import Indicator, Measurement
from employment_plan.selectors import evaluate
from followup.models import FollowUpRound, FrozenAnnex
from organizations.models import Profession
from recommendations.models import Addressee, CouncilDecision, Recommendation, StatusUpdate


def municipality_code(path: str, *, allow_null: bool = False) -> serializers.IntegerField:
    """A municipality as the API names it: by its official code (``path`` leads to the
    municipality)."""
    return serializers.IntegerField(source=f"{path}.code", allow_null=allow_null)


class RecommendationSerializer(serializers.ModelSerializer):
    report = serializers.CharField(source="report.key")
    report_title = serializers.CharField(source="report.title")
    municipality = municipality_code("report.municipality", allow_null=True)
    theme = serializers.IntegerField(source="theme.number", allow_null=True)
    theme_title = serializers.CharField(source="theme.title", allow_null=True)
    # DRF's metaclass moves declared fields off the class, so this does not shadow Field.parent
    # (the serializer's own parent) the way the stubs see it; "parent" is the API's key.
    parent = serializers.CharField(source="parent.number", allow_null=True)  # type: ignore[assignment]
    status = serializers.CharField(source="status.key")
    status_name = serializers.CharField(source="status.name")
    status_closes = serializers.BooleanField(source="status.closes")
    target_professions: serializers.SlugRelatedField[Profession] = serializers.SlugRelatedField(
        slug_field="key", many=True, read_only=True
    )
    addressees: serializers.SlugRelatedField[Addressee] = serializers.SlugRelatedField(
        slug_field="name", many=True, read_only=True
    )
    responsible_unit = serializers.CharField(source="responsible_unit.name", allow_null=True)
    budget_total_kr = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "report",
            "report_title",
            "municipality",
            "theme",
            "theme_title",
            "number",
            "parent",
            "title",
            "summary",
            "status",
            "status_name",
            "status_closes",
            "progress",
            "progress_mode",
            "last_updated_at",
            "follow_up_date",
            "follow_up_year",
            "target_professions",
            "addressees",
            "responsible_unit",
            "responsible_text",
            "budget_total_kr",
        ]


class StatusUpdateSerializer(serializers.ModelSerializer):
    report = serializers.CharField(source="recommendation.report.key")
    number = serializers.CharField(source="recommendation.number")
    old_status = serializers.CharField(source="old_status.key", allow_null=True)
    new_status = serializers.CharField(source="new_status.key")
    author = serializers.CharField(source="author.username", allow_null=True)

    class Meta:
        model = StatusUpdate
        fields = [
            "id",
            "recommendation",
            "report",
            "number",
            "effective_on",
            "created_at",
            "old_status",
            "new_status",
            "old_progress",
            "progress",
            "note",
            "author",
            "origin",
        ]


class CommitteeRecordSerializer(serializers.ModelSerializer):
    """A record of a municipality's council or committee (a decision, a follow-up round): the API
    names both the same way, the municipality by its code and the body by its name."""

    municipality = municipality_code("municipality")
    body = serializers.CharField(source="body.name")


class CouncilDecisionSerializer(CommitteeRecordSerializer):
    class Meta:
        model = CouncilDecision
        fields = [
            "id",
            "municipality",
            "body",
            "meeting_date",
            "item_number",
            "item_title",
            "case_number",
            "decision",
            "text",
            "recommendations",
            "employment_plan",
        ]


class IndicatorSerializer(serializers.ModelSerializer):
    plan = serializers.CharField(source="plan.title")
    municipality = municipality_code("plan.municipality")
    focus_area = serializers.IntegerField(source="focus_area.number")
    status = serializers.SerializerMethodField()
    latest_value = serializers.SerializerMethodField()
    progress_percent = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = [
            "id",
            "municipality",
            "plan",
            "focus_area",
            "code",
            "title",
            "unit",
            "direction",
            "baseline_value",
            "baseline_date",
            "awaiting_baseline",
            "baseline_period",
            "target_kind",
            "target_value",
            "target_absolute",
            "target_operator",
            "target_date",
            "status",
            "latest_value",
            "progress_percent",
        ]

    def _result(self, indicator):
        if not hasattr(indicator, "_api_result"):
            indicator._api_result = evaluate(indicator)
        return indicator._api_result

    def get_status(self, indicator):
        return str(self._result(indicator).status)

    def get_latest_value(self, indicator):
        latest = self._result(indicator).latest
        return None if latest is None else str(latest.value)

    def get_progress_percent(self, indicator):
        raw = self._result(indicator).progress_raw
        return None if raw is None else str(raw)


class MeasurementSerializer(serializers.ModelSerializer):
    plan = serializers.CharField(source="indicator.plan.title")
    indicator_code = serializers.CharField(source="indicator.code")

    class Meta:
        model = Measurement
        fields = [
            "id",
            "indicator",
            "plan",
            "indicator_code",
            *Measurement.STATED_FIELDS,
        ]


class FollowUpRoundSerializer(CommitteeRecordSerializer):
    # Empty until the round is approved and its annex frozen.
    annex = serializers.IntegerField(source="annex.pk", allow_null=True)
    annex_hash = serializers.CharField(source="annex.content_hash", allow_null=True)

    class Meta:
        model = FollowUpRound
        fields = [
            "id",
            "municipality",
            "body",
            "title",
            "meeting_date",
            "deadline",
            "state",
            "opened_at",
            "approved_at",
            "annex",
            "annex_hash",
        ]


class FrozenAnnexSerializer(serializers.ModelSerializer):
    """The approved annex as frozen: its content and the hash of that content."""

    municipality = municipality_code("round.municipality")
    round_title = serializers.CharField(source="round.title")

    class Meta:
        model = FrozenAnnex
        fields = [
            "id",
            "round",
            "municipality",
            "round_title",
            "created_at",
            "content_hash",
            "content",
        ]
