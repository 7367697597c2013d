"""Every write to reports, themes, facts, council decisions, statuses, addressees and
recommendations — their content, status and progress — goes through here, from the admin form, the
bulk action, imports, seed data and the demo alike (``<entity>_<verb>(*, …, acting_user)``, see
``organizations.writes``)."""

import datetime
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations import access, writes
from organizations.models import User

from .models import (
    IN_PROGRESS,
    NOT_STARTED,
    Addressee,
    CouncilDecision,
    ProgressMode,
    Recommendation,
    Report,
    ReportFact,
    Status,
    StatusUpdate,
    Theme,
    UpdateOrigin,
)
from .seed import INITIAL_STATUS

STATUS_PERM = "recommendations.change_recommendation_status"
TWO_PLACES = Decimal("0.01")

# The record changed after the form was opened.
StaleEdit = writes.StaleEdit

# A report without a municipality is cross-municipal (KKR, KL): superusers only.
REPORT = writes.entity_services(Report, "report")
report_create, report_update, report_delete = REPORT
THEME = writes.entity_services(Theme, "theme")
theme_create, theme_update, theme_delete = THEME
REPORT_FACT = writes.entity_services(ReportFact, "fact")
report_fact_create, report_fact_update, report_fact_delete = REPORT_FACT
COUNCIL_DECISION = writes.entity_services(CouncilDecision, "decision")
council_decision_create, council_decision_update, council_decision_delete = COUNCIL_DECISION
# Shared by every municipality: superusers only.
STATUS = writes.entity_services(Status, "status")
status_create, status_update, status_delete = STATUS
ADDRESSEE = writes.entity_services(Addressee, "addressee")
addressee_create, addressee_update, addressee_delete = ADDRESSEE


def can_change_status(user: User, recommendation: Recommendation) -> bool:
    return access.has_perm_in(user, STATUS_PERM, recommendation.report.municipality)


def _as_progress(value: Decimal | float | str) -> Decimal:
    try:
        progress = Decimal(str(value)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    except ArithmeticError:
        raise ValidationError(
            {"progress": _("Progress must be a number between 0 and 100.")}
        ) from None
    if not Decimal(0) <= progress <= Decimal(100):
        raise ValidationError({"progress": _("Progress must be between 0 and 100 %.")})
    return progress


class StatusChange(NamedTuple):
    note: str
    effective_on: datetime.date
    progress: Decimal


def validate_status_change(
    *,
    current_status_id: int | None,
    current_progress: Decimal,
    rolled_up: bool,
    status: Status,
    progress: Decimal | float | str | None,
    note: str,
    effective_on: datetime.date | None,
) -> StatusChange:
    """The checks of a status change, and what it records: the form, the bulk action and the import
    ask here before they write. ``rolled_up``: the progress is computed from sub-items.
    ValidationError is keyed by the field at fault (note, effective_on, progress, status)."""
    note = (note or "").strip()
    if status.requires_reason and not note:
        raise ValidationError(
            {
                "note": _("A reason is required for the status “%(status)s”.")
                % {"status": status.label}
            }
        )
    today = timezone.localdate()
    effective_on = effective_on or today
    if effective_on > today:
        raise ValidationError(
            {"effective_on": _("The date of a status change cannot be in the future.")}
        )
    if rolled_up:
        if progress is not None and _as_progress(progress) != current_progress:
            raise ValidationError(
                {
                    "progress": _(
                        "Progress is computed from the sub-items and cannot be entered here."
                    )
                }
            )
        new_progress = current_progress
    elif progress is not None:
        new_progress = _as_progress(progress)
    elif status.pk != current_status_id and status.default_progress is not None:
        new_progress = Decimal(status.default_progress).quantize(TWO_PLACES)
    else:
        new_progress = current_progress
    if status.key == NOT_STARTED and new_progress > 0:
        raise ValidationError(
            {
                "status": _(
                    "Progress above 0 %% means the work has started: it cannot be “%(status)s”."
                )
                % {"status": status.label}
            }
        )
    return StatusChange(note, effective_on, new_progress)


@transaction.atomic
def recommendation_change_status(
    *,
    recommendation: Recommendation,
    status: Status,
    progress: Decimal | float | str | None = None,
    note: str = "",
    effective_on: datetime.date | None = None,
    expected_version: int | None = None,
    origin: str = UpdateOrigin.FORM,
    acting_user: User | None,
) -> StatusUpdate:
    """Set a recommendation's status (and progress) and record it in its history.

    ``expected_version`` is the version the user's form was opened on; a later save made on an older
    version is refused so nobody overwrites a change they have not seen. ``progress`` None keeps the
    current progress unless the status brings a default. ``acting_user`` None means the system.
    """
    # Lock the row (PostgreSQL) so two simultaneous changes are serialised, then re-check the version.
    # Lock without a join: PostgreSQL re-checks a joined row after waiting and may then find none.
    locked = _lock(recommendation.pk)
    if acting_user is not None and not can_change_status(acting_user, locked):
        raise PermissionDenied
    if expected_version is not None and locked.version != expected_version:
        raise StaleEdit(writes.stale_message(Recommendation, locked.pk, expected_version))
    rolled_up = locked.progress_mode == ProgressMode.ROLLUP and locked.children.exists()
    change = validate_status_change(
        current_status_id=locked.status_id,
        current_progress=locked.progress,
        rolled_up=rolled_up,
        status=status,
        progress=progress,
        note=note,
        effective_on=effective_on,
    )
    note, effective_on, new_progress = change.note, change.effective_on, change.progress
    update = _record(locked, status, new_progress, note, effective_on, origin, acting_user)
    # The caller's instance now shows the new state too.
    recommendation.status, recommendation.progress = locked.status, locked.progress
    recommendation.version, recommendation.last_updated_at = locked.version, locked.last_updated_at
    if locked.parent_id:
        _roll_up(locked.parent_id, effective_on, acting_user)
    return update


def _lock(pk: int) -> Recommendation:
    locked: Recommendation = Recommendation.objects.select_for_update().get(pk=pk)
    return locked


def _record(
    recommendation: Recommendation,
    status: Status,
    progress: Decimal,
    note: str,
    effective_on: datetime.date,
    origin: str,
    acting_user: User | None,
) -> StatusUpdate:
    update = StatusUpdate(
        recommendation=recommendation,
        effective_on=effective_on,
        old_status=recommendation.status,
        new_status=status,
        old_progress=recommendation.progress,
        progress=progress,
        note=note,
        author=acting_user,
        origin=origin,
    )
    update.full_clean()
    update.save()
    recommendation.status = status
    recommendation.progress = progress
    # The date of its latest history entry (or a later change of its content), never the moment a
    # backdated entry happened to be saved: that is not when anything changed.
    recommendation.last_updated_at = max(recommendation.last_updated_at, update.effective_at)
    # The version was checked above, on the locked row.
    writes.update_checked(
        recommendation,
        acting_user=acting_user,
        update_fields=["status", "progress", "last_updated_at"],
    )
    return update


def weighted_progress(children: Sequence[Recommendation]) -> Decimal:
    """Weighted mean of the children's progress; the weights are relative, not percentages."""
    total_weight = sum((c.weight for c in children), Decimal(0))
    if not total_weight:
        return Decimal(0)
    total = sum((c.progress * c.weight for c in children), Decimal(0))
    return (total / total_weight).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _roll_up(parent_id: int, effective_on: datetime.date, acting_user: User | None) -> None:
    """Recompute a roll-up parent's progress from its children, recording the change in its history,
    and continue upwards: each ancestor once, so a cycle left in old data ends the walk."""
    visited: set[int] = set()
    next_id: int | None = parent_id
    while next_id is not None and next_id not in visited:
        visited.add(next_id)
        parent = _lock(next_id)
        if parent.progress_mode != ProgressMode.ROLLUP:
            return
        progress = weighted_progress(list(parent.children.all()))
        status = _started(parent.status, progress)
        if progress != parent.progress or status != parent.status:
            note = _("Progress computed from the sub-items.")
            if status != parent.status:
                note = _("Progress computed from the sub-items; they have started, so it has too.")
            _record(parent, status, progress, note, effective_on, UpdateOrigin.ROLLUP, acting_user)
        next_id = parent.parent_id


def _started(status: Status, progress: Decimal) -> Status:
    """A rolled-up parent "not started" whose sub-items made progress is "in progress": its status
    and its progress must not contradict each other on any page (the rule of
    ``validate_status_change``, applied to the status nobody chose)."""
    if status.key == NOT_STARTED and progress > 0:
        return Status.objects.filter(key=IN_PROGRESS).first() or status
    return status


@transaction.atomic
def recommendations_change_status(
    *,
    recommendations: Iterable[Recommendation],
    status: Status,
    note: str = "",
    effective_on: datetime.date | None = None,
    origin: str = UpdateOrigin.BULK,
    acting_user: User | None,
) -> list[StatusUpdate]:
    """The bulk action: one status for many recommendations, all or none."""
    change: dict[str, Any] = {"status": status, "note": note, "effective_on": effective_on}
    return [
        recommendation_change_status(
            recommendation=r, origin=origin, acting_user=acting_user, **change
        )
        for r in recommendations
    ]


@transaction.atomic
def recommendation_create(
    *, recommendation: Recommendation, acting_user: User | None, m2m: writes.M2M | None = None
) -> Recommendation:
    """A recommendation entered by hand: it starts with the initial status, and its history with
    that status."""
    recommendation.status = Status.objects.get(key=INITIAL_STATUS)
    recommendation.last_updated_at = timezone.now()
    writes.create(recommendation, acting_user=acting_user, m2m=m2m)
    recommendation_record_creation(recommendation=recommendation, acting_user=acting_user)
    return recommendation


@transaction.atomic
def recommendation_update(
    *,
    recommendation: Recommendation,
    expected_version: int | None,
    acting_user: User | None,
    m2m: writes.M2M | None = None,
) -> Recommendation:
    """A change to a recommendation's content (its status has its own service), made on
    ``expected_version``; it counts as an update for the freshness rules."""
    recommendation.last_updated_at = timezone.now()
    return writes.update(
        recommendation,
        expected_version=expected_version,
        acting_user=acting_user,
        m2m=m2m,
    )


RECOMMENDATION = writes.entity_services(
    Recommendation,
    "recommendation",
    own_create=recommendation_create,
    own_update=recommendation_update,
)
# Deleting a recommendation has no rule of its own: the generated service.
recommendation_delete = RECOMMENDATION.delete


@transaction.atomic
def recommendation_set_progress_mode(
    *, recommendation: Recommendation, mode: str, acting_user: User | None
) -> None:
    """Switch between entering progress by hand and rolling it up from sub-items."""
    if acting_user is not None and not can_change_status(acting_user, recommendation):
        raise PermissionDenied
    recommendation.progress_mode = mode
    recommendation.full_clean()
    writes.update_checked(recommendation, acting_user=acting_user, update_fields=["progress_mode"])
    if mode == ProgressMode.ROLLUP and recommendation.children.exists():
        _roll_up(recommendation.pk, timezone.localdate(), acting_user)


@transaction.atomic
def recommendation_record_creation(
    *, recommendation: Recommendation, acting_user: User | None
) -> StatusUpdate:
    """Start the history of a recommendation created by hand with its initial status."""
    update = StatusUpdate(
        recommendation=recommendation,
        effective_on=timezone.localdate(),
        old_status=None,
        new_status=recommendation.status,
        progress=recommendation.progress,
        note=_("Recommendation created."),
        author=acting_user,
        origin=UpdateOrigin.FORM,
    )
    update.full_clean()
    update.save()
    return update
