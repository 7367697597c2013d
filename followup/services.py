"""Every write to a follow-up round: prepare (create, adjust the items and their owners), open,
approve (freezing the annex). Each checks the permission in the round's municipality and the version
the user saw, and is audited (audit.signals) in the same transaction.

Updating an item is not a write of this app: the owner records a status change or a measurement
through the recommendations' or the employment plan's own services (``followup.views``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from employment_plan.models import Indicator
from organizations import access, writes
from recommendations.models import Recommendation

from . import selectors, tasks
from .models import FollowUpRound, FrozenAnnex, RoundItem, RoundState

if TYPE_CHECKING:
    from organizations.models import User

OPEN_PERM = "followup.open_followupround"
APPROVE_PERM = "followup.approve_followupround"


def _require(acting_user: User | None, perm: str, round: FollowUpRound) -> None:
    writes.check_permission(acting_user, perm, round.municipality_id)


def _require_state(round: FollowUpRound, *states: str) -> None:
    if round.state not in states:
        raise ValidationError(
            _("The round is “%(state)s”: this cannot be done now.")
            % {"state": round.get_state_display()}
        )


@transaction.atomic
def round_create(
    *,
    round: FollowUpRound,
    acting_user: User | None,
    fill: bool = True,
    m2m: writes.M2M | None = None,
) -> FollowUpRound:
    """A new round, being prepared, with the committee's open recommendations and the indicators
    that measure them in its scope, each owned by its contact person (else its unit's contact)."""
    round.state = RoundState.DRAFT
    writes.create(round, acting_user=acting_user, m2m=m2m)
    if fill:
        recommendations = list(selectors.scope_recommendations(round))
        owners: dict[int, User | None] = {}
        for recommendation in recommendations:
            owner = selectors.default_owner(recommendation)
            if owner is not None and not access.has_perm_in(
                owner, "recommendations.change_recommendation_status", round.municipality_id
            ):
                owner = None  # the administrator assigns someone who may update it
            _add_item(round, acting_user, recommendation=recommendation, owner=owner)
            indicator_id = recommendation.baseline_indicator_id
            if indicator_id is not None and (
                indicator_id not in owners or owners[indicator_id] is None
            ):
                owners[indicator_id] = owners.get(indicator_id) or owner
        for indicator in Indicator.objects.filter(pk__in=owners).order_by("plan", "position"):
            _add_item(round, acting_user, indicator=indicator, owner=owners[indicator.pk])
    return round


@transaction.atomic
def round_update(
    *,
    round: FollowUpRound,
    expected_version: int | str | None,
    acting_user: User | None,
    m2m: writes.M2M | None = None,
) -> FollowUpRound:
    """Title, dates and reminder days; not once the round is approved."""
    stored = FollowUpRound.objects.get(pk=round.pk)
    _require_state(stored, RoundState.DRAFT, RoundState.OPEN)
    round.state, round.opened_at = stored.state, stored.opened_at
    return writes.update(round, expected_version=expected_version, acting_user=acting_user, m2m=m2m)


@transaction.atomic
def round_delete(
    *, round: FollowUpRound, acting_user: User | None, expected_version: int | str | None = None
) -> None:
    """Only a round that has not been opened: once owners were asked, the round is on record."""
    _require_state(FollowUpRound.objects.get(pk=round.pk), RoundState.DRAFT)
    writes.delete(round, acting_user=acting_user, expected_version=expected_version)


ROUND = writes.EntityServices(
    create=round_create, update=round_update, delete=round_delete, arg="round"
)


def _add_item(
    round: FollowUpRound,
    acting_user: User | None,
    *,
    recommendation: Recommendation | None = None,
    indicator: Indicator | None = None,
    owner: User | None = None,
) -> RoundItem:
    item = RoundItem(round=round, recommendation=recommendation, indicator=indicator, owner=owner)
    item.full_clean(exclude=["round"])
    return writes.create(item, acting_user=acting_user)


def _check_subject(round: FollowUpRound, item: RoundItem) -> None:
    if item.recommendation is not None:
        municipality = item.recommendation.report.municipality_id
    elif item.indicator is not None:
        municipality = item.indicator.plan.municipality_id
    else:
        municipality = None
    if municipality != round.municipality_id:
        raise ValidationError(_("The item belongs to another municipality."))


def update_perm(item: RoundItem) -> str:
    """The permission the item's update needs: a status change, or a new measurement."""
    if item.recommendation_id:
        return "recommendations.change_recommendation_status"
    return "employment_plan.add_measurement"


def _check_owner(round: FollowUpRound, item: RoundItem) -> None:
    owner = item.owner
    if owner is not None and not (
        owner.is_active and access.has_perm_in(owner, update_perm(item), round.municipality_id)
    ):
        raise ValidationError(
            {
                "owner": _(
                    "The owner must be an active member of the round's municipality who may "
                    "update the item (an HR officer or an administrator)."
                )
            }
        )


@transaction.atomic
def round_item_save(*, item: RoundItem, acting_user: User | None) -> RoundItem:
    """Add an item to a round being prepared, or change its owner (also while the round is open,
    when someone else takes over)."""
    round = FollowUpRound.objects.select_for_update().get(pk=item.round_id)
    if item.pk is None:
        _require_state(round, RoundState.DRAFT)
        _check_subject(round, item)
    else:
        _require_state(round, RoundState.DRAFT, RoundState.OPEN)
        stored = RoundItem.objects.get(pk=item.pk)
        if (stored.recommendation_id, stored.indicator_id) != (
            item.recommendation_id,
            item.indicator_id,
        ):
            raise ValidationError(
                _("An item's subject cannot be changed; remove it and add another.")
            )
    _check_owner(round, item)
    return writes.child_save(item, acting_user=acting_user, path="round__municipality")


@transaction.atomic
def round_item_delete(*, item: RoundItem, acting_user: User | None) -> None:
    round = FollowUpRound.objects.select_for_update().get(pk=item.round_id)
    _require_state(round, RoundState.DRAFT)
    writes.child_delete(item, acting_user=acting_user, path="round__municipality")


@transaction.atomic
def round_open(
    *, round: FollowUpRound, expected_version: int | str | None, acting_user: User | None
) -> FollowUpRound:
    """Open the round for updates. Refused while an item has no owner (the administrator assigns
    one first) or the round is empty."""
    _require(acting_user, OPEN_PERM, round)
    writes.check_version(FollowUpRound, round.pk, expected_version)
    round.refresh_from_db()
    _require_state(round, RoundState.DRAFT)
    items = RoundItem.objects.filter(round=round)
    if not items.exists():
        raise ValidationError(_("The round has no items: add the recommendations it covers."))
    unowned = [str(item) for item in items.filter(owner__isnull=True)]
    if unowned:
        raise ValidationError(
            _("Assign an owner to every item before opening the round. Without an owner: %(items)s")
            % {"items": "; ".join(unowned)}
        )
    round.state = RoundState.OPEN
    round.opened_at = timezone.now()
    return writes.update_checked(round, acting_user=acting_user)


@transaction.atomic
def round_approve(
    *, round: FollowUpRound, expected_version: int | str | None, acting_user: User | None
) -> FrozenAnnex:
    """Approve the round and freeze its annex: a snapshot of every item as of now, with a content
    hash. Nothing changes it afterwards."""
    _require(acting_user, APPROVE_PERM, round)
    writes.check_version(FollowUpRound, round.pk, expected_version)
    round.refresh_from_db()
    _require_state(round, RoundState.OPEN)
    now = timezone.now()
    annex = FrozenAnnex(round=round, content=selectors.annex_content(round, now))
    writes.set_actor(annex, acting_user)
    annex.save()
    round.state = RoundState.APPROVED
    round.approved_at = now
    round.approved_by = acting_user
    writes.update_checked(round, acting_user=acting_user)
    tasks.enqueue_files(annex)
    return annex


def can_update_item(user: User, item: RoundItem) -> bool:
    """While the round is open: its owner, or anyone else who may make the change it asks for in
    the municipality (a colleague standing in). The services of the change check it again."""
    if item.round.state != RoundState.OPEN:
        return False
    return access.has_perm_in(user, update_perm(item), item.round.municipality_id)
