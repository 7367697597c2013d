"""Reads of follow-up rounds: the scope a new round starts from, which items have been updated,
the round's progress per owner and per unit, an owner's tasks, and the annex's content.

"Updated in the round" is read from the history, never stored: a status update of the
recommendation, or a measurement of the indicator, recorded after the round opened. Recording the
same status again with a note ("no change") is an update.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from employment_plan.models import Measurement
from employment_plan.selectors import evaluate
from organizations.models import BodyKind, Municipality
from recommendations.models import CouncilDecision, Recommendation, Report, StatusUpdate
from recommendations.selectors import statuses_as_of

from .models import Follow, FollowUpRound, RoundItem, RoundState

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from organizations.models import User


# The scope of a new round -------------------------------------------------------------------------
def scope_recommendations(round: FollowUpRound) -> QuerySet[Recommendation]:
    """The committee's open recommendations: those of the municipality's own reports that the
    committee issued or decided on. The city council answers for all of them."""
    queryset = Recommendation.objects.filter(
        report__municipality=round.municipality_id, status__closes=False
    )
    if round.body.kind != BodyKind.COUNCIL:
        decided = CouncilDecision.objects.filter(body=round.body_id, recommendations=OuterRef("pk"))
        queryset = queryset.filter(Q(report__issuing_body=round.body_id) | Exists(decided))
    return queryset.select_related("contact", "responsible_unit__contact").order_by(
        "report", "sort_key"
    )


def default_owner(recommendation: Recommendation) -> User | None:
    """The recommendation's contact person, else its responsible unit's contact."""
    if recommendation.contact is not None and recommendation.contact.is_active:
        return recommendation.contact
    unit = recommendation.responsible_unit
    if unit is not None and unit.contact is not None and unit.contact.is_active:
        return unit.contact
    return None


# Items and whether they are updated ----------------------------------------------------------------
def updated_in_round() -> Q:
    """Whether a round's item was updated since its round opened (false before it opens): a status
    update of its recommendation or a measurement of its indicator recorded since. For annotating
    RoundItems; the one place the rule is written."""
    since = OuterRef("round__opened_at")
    status = StatusUpdate.objects.filter(
        recommendation=OuterRef("recommendation"), created_at__gte=since
    )
    measured = Measurement.objects.filter(indicator=OuterRef("indicator"), created_at__gte=since)
    # Exists | Exists is a Q of the two, which annotate() takes as a boolean expression.
    return Exists(status) | Exists(measured)


def items(round: FollowUpRound) -> QuerySet[RoundItem]:
    """The round's items with ``updated`` and what their lines show, in a fixed number of queries."""
    return (
        RoundItem.objects.filter(round=round)
        .annotate(
            updated=updated_in_round(),
            has_children=Exists(Recommendation.objects.filter(parent=OuterRef("recommendation"))),
        )
        .select_related(
            "owner",
            "recommendation__status",
            "recommendation__report",
            "recommendation__responsible_unit",
            "indicator__plan",
        )
        .order_by(
            Coalesce("recommendation__report_id", Value(0)),
            "indicator",
            "recommendation__sort_key",
            "pk",
        )
    )


@dataclass
class Tally:
    """Updated and not updated, for one owner or unit or the whole round."""

    label: str
    updated: int = 0
    missing: int = 0

    @property
    def total(self) -> int:
        return self.updated + self.missing

    @property
    def percent(self) -> int:
        return round(100 * self.updated / self.total) if self.total else 0


@dataclass
class RoundProgress:
    round: FollowUpRound
    rows: list[RoundItem]
    total: Tally
    per_owner: list[Tally] = field(default_factory=list)
    per_unit: list[Tally] = field(default_factory=list)

    @property
    def missing(self) -> list[RoundItem]:
        return [row for row in self.rows if not row.updated]  # type: ignore[attr-defined]  # annotated by items()


def owner_label(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def unit_of(item: RoundItem) -> str:
    recommendation = item.recommendation
    if recommendation is not None and recommendation.responsible_unit is not None:
        return recommendation.responsible_unit.name
    if recommendation is not None and recommendation.responsible_text:
        return recommendation.responsible_text
    return ""


def round_progress(round: FollowUpRound) -> RoundProgress:
    """Updated / not updated in all, per owner and per unit (two queries)."""
    rows = list(items(round))
    total = Tally("")
    owners: dict[str, Tally] = {}
    units: dict[str, Tally] = {}
    for row in rows:
        for tally in (
            total,
            owners.setdefault(owner_label(row.owner), Tally(owner_label(row.owner))),
            units.setdefault(unit_of(row), Tally(unit_of(row))),
        ):
            if row.updated:  # type: ignore[attr-defined]  # annotated by items()
                tally.updated += 1
            else:
                tally.missing += 1
    order = lambda t: (-t.missing, t.label)  # noqa: E731 - those with most missing first
    return RoundProgress(
        round,
        rows,
        total,
        sorted(owners.values(), key=order),
        sorted(units.values(), key=order),
    )


def open_round_progress(municipality_id: int) -> list[RoundProgress]:
    """The municipality's open rounds with their progress, deadline first (for the front page)."""
    rounds = FollowUpRound.objects.filter(
        municipality=municipality_id, state=RoundState.OPEN
    ).select_related("body")
    return [round_progress(r) for r in rounds.order_by("deadline", "pk")]


def open_rounds_for(user: User) -> QuerySet[FollowUpRound]:
    return FollowUpRound.objects.filter(state=RoundState.OPEN, items__owner=user).distinct()


def tasks_for(user: User) -> list[tuple[FollowUpRound, list[RoundItem]]]:
    """The user's items in the open rounds, per round (deadline first), with ``updated``: a query
    per round, and the rounds in one."""
    grouped = []
    rounds = open_rounds_for(user).select_related("municipality", "body").order_by("deadline", "pk")
    for round in rounds:
        grouped.append((round, list(items(round).filter(owner=user))))
    return grouped


# The annex -----------------------------------------------------------------------------------------
def _day(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def annex_content(round: FollowUpRound, as_of: datetime.datetime | None = None) -> dict[str, Any]:
    """Everything the frozen annex shows, as plain JSON values: each item's status, reason,
    progress, owner and unit, the council's decisions on it, and each indicator's status."""
    as_of = as_of or timezone.now()
    rows = list(
        items(round).prefetch_related(
            Prefetch(
                "recommendation__decisions",
                queryset=CouncilDecision.objects.select_related("body").order_by("meeting_date"),
            ),
            Prefetch(
                "indicator__measurements",
                queryset=Measurement.objects.order_by("date", "id"),
            ),
        )
    )
    # The note of each recommendation's update in force now: the reason of its current status.
    in_force = statuses_as_of(
        Recommendation.objects.filter(pk__in=[r.recommendation_id for r in rows]), as_of.date()
    )
    notes = {pk: update.note for pk, update in in_force.items()}
    recommendations, indicators = [], []
    for row in rows:
        if row.recommendation is not None:
            rec = row.recommendation
            recommendations.append(
                {
                    "key": f"recommendation:{rec.pk}",
                    "report": rec.report.title,
                    "number": rec.number,
                    "title": rec.title,
                    "status": rec.status.name,
                    "status_key": rec.status.key,
                    "reason": notes.get(rec.pk, "") if rec.status.requires_reason else "",
                    "note": notes.get(rec.pk, ""),
                    "progress": str(rec.progress),
                    "owner": owner_label(row.owner),
                    "unit": unit_of(row),
                    "updated": bool(row.updated),  # type: ignore[attr-defined]  # annotated by items()
                    "decisions": [
                        {
                            "body": d.body.name,
                            "meeting_date": _day(d.meeting_date),
                            "decision": str(d.get_decision_display()),
                            "item": d.item_number,
                        }
                        for d in rec.decisions.all()
                    ],
                }
            )
        elif row.indicator is not None:
            indicator = row.indicator
            result = evaluate(indicator, as_of.date())
            latest = result.latest
            indicators.append(
                {
                    "key": f"indicator:{indicator.pk}",
                    "plan": indicator.plan.title,
                    "code": indicator.code,
                    "title": indicator.title,
                    "status": str(result.status_label),
                    "latest_value": str(latest.value) if latest else None,
                    "latest_date": _day(latest.date) if latest else None,
                    "target": str(result.target) if result.target is not None else None,
                    "owner": owner_label(row.owner),
                    "updated": bool(row.updated),  # type: ignore[attr-defined]  # annotated by items()
                }
            )
    return {
        "round": {
            "title": round.title,
            "municipality": round.municipality.name,
            "body": round.body.name,
            "meeting_date": _day(round.meeting_date),
            "deadline": _day(round.deadline),
            "opened_at": round.opened_at.isoformat() if round.opened_at else None,
            "as_of": as_of.isoformat(),
        },
        "recommendations": recommendations,
        "indicators": indicators,
        "changes": changes_since_previous(round, recommendations, indicators),
    }


def previous_approved(round: FollowUpRound) -> FollowUpRound | None:
    return (
        FollowUpRound.objects.filter(
            municipality=round.municipality_id,
            body=round.body_id,
            state=RoundState.APPROVED,
            meeting_date__lt=round.meeting_date,
        )
        .select_related("annex")
        .order_by("-meeting_date", "-pk")
        .first()
    )


def changes_since_previous(
    round: FollowUpRound, recommendations: list[dict[str, Any]], indicators: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """What changed since the committee's previous approved round: per item, the status (and
    progress) then and now; items new in this round are listed as new."""
    previous = previous_approved(round)
    if previous is None or not hasattr(previous, "annex"):
        return []
    before = {
        entry["key"]: entry
        for entry in previous.annex.content["recommendations"]
        + previous.annex.content["indicators"]
    }
    changes = []
    for entry in recommendations + indicators:
        old = before.get(entry["key"])
        label = entry.get("number") or entry.get("code")
        if old is None:
            changes.append(
                {
                    "key": entry["key"],
                    "label": label,
                    "title": entry["title"],
                    "before": None,
                    "now": entry["status"],
                }
            )
        elif old["status"] != entry["status"] or old.get("progress") != entry.get("progress"):
            changes.append(
                {
                    "key": entry["key"],
                    "label": label,
                    "title": entry["title"],
                    "before": old["status"],
                    "now": entry["status"],
                    "progress_before": old.get("progress"),
                    "progress_now": entry.get("progress"),
                }
            )
    return changes


def changes_after_approval(round: FollowUpRound) -> QuerySet[StatusUpdate]:
    """Status updates of the round's recommendations recorded after its annex was frozen: shown
    beside the annex, never in it."""
    if round.approved_at is None:
        return StatusUpdate.objects.none()
    ids = RoundItem.objects.filter(round=round, recommendation__isnull=False).values(
        "recommendation"
    )
    return (
        StatusUpdate.objects.filter(recommendation__in=ids, created_at__gt=round.approved_at)
        .select_related("recommendation", "new_status", "old_status")
        .order_by("-created_at")
    )


# Following -----------------------------------------------------------------------------------------
def follows_visible_to(user: User, follows: QuerySet[Follow] | None = None) -> QuerySet[Follow]:
    """The user's follows (from ``follows``, default: all of theirs) of what they may still see,
    asked under the address each was followed under with the pages' own rule
    (``Report.objects.visible_to(user, municipality)``, and the same for recommendations): one
    query for the municipalities and the user's roles once, whatever the number of follows; the
    QuerySet is then one more."""
    follows = Follow.objects.filter(user=user) if follows is None else follows.filter(user=user)
    condition = Q(pk__in=[])
    for municipality in Municipality.objects.filter(pk__in=follows.values("municipality")):
        reports = Report.objects.visible_to(user, municipality).order_by().values("pk")
        recommendations = Recommendation.objects.visible_to(user, municipality)
        condition |= Q(municipality=municipality) & (
            Q(report__in=reports) | Q(recommendation__in=recommendations.order_by().values("pk"))
        )
    return follows.filter(condition)


def follows_page(user: User) -> QuerySet[Follow]:
    """What "Det følger du" lists: the reports first, then the recommendations, each with what
    its line shows."""
    return (
        follows_visible_to(user)
        .select_related(
            "municipality", "report", "recommendation__report", "recommendation__status"
        )
        .order_by(
            Coalesce("report__title", "recommendation__report__title"),
            "recommendation__sort_key",
            "pk",
        )
    )


def follow_of(user: User | AnonymousUser, target: Recommendation | Report) -> Follow | None:
    """The user's follow of ``target``, if they follow it (one query; none for a visitor)."""
    if not user.is_authenticated:
        return None
    field = "recommendation" if isinstance(target, Recommendation) else "report"
    return Follow.objects.filter(user=user, **{field: target}).first()
