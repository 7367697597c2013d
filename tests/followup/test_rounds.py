"""A follow-up round from preparation to the frozen annex: its scope and owners, opening, what
counts as updated, approval, and an annex that later changes never touch."""

import datetime
import hashlib
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from employment_plan.services import measurement_record
from followup import selectors, services
from followup.models import AnnexFile, FrozenAnnex, RoundItem, RoundState
from recommendations.services import recommendation_change_status
from tests.factories import status
from tests.followup.conftest import new_round

pytestmark = pytest.mark.django_db


def test_a_new_round_covers_the_committees_open_recommendations_and_their_indicators(
    allerod, committee, scope, owners, administrator
):
    round = new_round(allerod, committee, administrator)
    items = {str(i.subject): i for i in RoundItem.objects.filter(round=round)}
    assert round.state == RoundState.DRAFT
    assert set(items) == {str(scope["first"]), str(scope["second"]), str(scope["indicator"])}
    # Owners: the contact person, else the responsible unit's contact; an indicator is owned by
    # the owner of the recommendation it measures.
    assert items[str(scope["first"])].owner == owners["olga"]
    assert items[str(scope["second"])].owner == owners["otto"]
    assert items[str(scope["indicator"])].owner == owners["olga"]


def test_a_contact_who_may_not_update_is_left_for_the_administrator_to_replace(
    allerod, committee, scope, council_member, administrator
):
    scope["second"].contact = council_member
    scope["second"].save()
    round = new_round(allerod, committee, administrator)
    item = RoundItem.objects.get(round=round, recommendation=scope["second"])
    assert item.owner is None
    with pytest.raises(ValidationError) as refused:
        services.round_open(round=round, expected_version=round.version, acting_user=administrator)
    assert str(scope["second"]) in str(refused.value)
    round.refresh_from_db()
    assert round.state == RoundState.DRAFT
    item.owner = council_member
    with pytest.raises(ValidationError):
        services.round_item_save(item=item, acting_user=administrator)


def test_only_an_administrator_of_the_municipality_opens_and_approves(
    allerod, committee, scope, hr_officer, outsider, administrator
):
    round = new_round(allerod, committee, administrator)
    for user in (hr_officer, outsider):
        with pytest.raises(PermissionDenied):
            services.round_open(round=round, expected_version=round.version, acting_user=user)
    round = services.round_open(
        round=round, expected_version=round.version, acting_user=administrator
    )
    for user in (hr_officer, outsider):
        with pytest.raises(PermissionDenied):
            services.round_approve(round=round, expected_version=round.version, acting_user=user)


def test_a_stale_open_is_refused(allerod, committee, scope, administrator):
    round = new_round(allerod, committee, administrator)
    seen = round.version
    round.title = "Ny titel"
    services.round_update(round=round, expected_version=seen, acting_user=administrator)
    with pytest.raises(ValidationError):
        services.round_open(round=round, expected_version=seen, acting_user=administrator)


def test_an_item_is_updated_by_a_status_change_or_measurement_after_the_round_opened(
    allerod, committee, scope, owners, administrator
):
    recommendation_change_status(
        recommendation=scope["first"], status=status("i-gang"), acting_user=owners["olga"]
    )  # before the round: does not count
    round = new_round(allerod, committee, administrator)
    round = services.round_open(
        round=round, expected_version=round.version, acting_user=administrator
    )
    progress = selectors.round_progress(round)
    assert (progress.total.updated, progress.total.missing) == (0, 3)

    # "No change" is an explicit update: the same status again, with a note.
    recommendation_change_status(
        recommendation=scope["second"],
        status=scope["second"].status,
        note="Ingen ændring",
        acting_user=owners["otto"],
    )
    measurement_record(
        indicator=scope["indicator"],
        date=datetime.date(2026, 6, 30),
        value=Decimal(12),
        acting_user=owners["olga"],
    )
    progress = selectors.round_progress(round)
    assert (progress.total.updated, progress.total.missing) == (2, 1)
    assert [str(r.subject) for r in progress.missing] == [str(scope["first"])]
    per_owner = {t.label: (t.updated, t.missing) for t in progress.per_owner}
    name = selectors.owner_label
    assert per_owner == {name(owners["olga"]): (1, 1), name(owners["otto"]): (1, 0)}
    per_unit = {t.label: (t.updated, t.missing) for t in progress.per_unit}
    assert per_unit["HR og Løn"] == (1, 0)

    tasks = selectors.tasks_for(owners["olga"])
    updated = [(r.pk, [(str(i.subject), i.updated) for i in rows]) for r, rows in tasks]  # type: ignore[attr-defined]
    assert updated == [(round.pk, [(str(scope["indicator"]), True), (str(scope["first"]), False)])]


def test_approval_freezes_the_annex_and_later_changes_leave_it_as_it_was(
    allerod, committee, scope, owners, administrator
):
    round = new_round(allerod, committee, administrator)
    round = services.round_open(
        round=round, expected_version=round.version, acting_user=administrator
    )
    recommendation_change_status(
        recommendation=scope["first"],
        status=status("forsinket"),
        note="Afventer budgetforhandlingerne",
        acting_user=owners["olga"],
    )
    annex = services.round_approve(
        round=round, expected_version=round.version, acting_user=administrator
    )
    round.refresh_from_db()
    assert round.state == RoundState.APPROVED and round.approved_by == administrator
    line = next(e for e in annex.content["recommendations"] if e["title"] == scope["first"].title)
    assert (line["status"], line["reason"], line["owner"]) == (
        "Forsinket",
        "Afventer budgetforhandlingerne",
        selectors.owner_label(owners["olga"]),
    )
    frozen_hash, frozen_content = annex.content_hash, annex.content
    assert len(frozen_hash) == 64 and annex.intact

    recommendation_change_status(
        recommendation=scope["first"], status=status("gennemfoert"), acting_user=owners["olga"]
    )
    annex = FrozenAnnex.objects.get(pk=annex.pk)
    assert annex.content == frozen_content and annex.content_hash == frozen_hash
    assert [u.new_status.key for u in selectors.changes_after_approval(round)] == ["gennemfoert"]

    # Immutable: not through the instance, the QuerySet, or a second approval.
    annex.content = {"recommendations": []}
    with pytest.raises(ValidationError):
        annex.save()
    with pytest.raises(ValidationError):
        annex.delete()
    with pytest.raises(ValidationError):
        FrozenAnnex.objects.filter(pk=annex.pk).update(content_hash="0" * 64)
    with pytest.raises(ValidationError):
        FrozenAnnex.objects.filter(pk=annex.pk).delete()
    with pytest.raises(ValidationError):
        services.round_approve(
            round=round, expected_version=round.version, acting_user=administrator
        )
    assert FrozenAnnex.objects.get(pk=annex.pk).content_hash == frozen_hash

    # Its file, once drawn, is kept byte for byte the same way.
    drawn = AnnexFile.objects.create(annex=annex, fmt=AnnexFile.Format.PDF, body=b"%PDF-1.7 bilag")
    assert drawn.sha256 == hashlib.sha256(b"%PDF-1.7 bilag").hexdigest()
    drawn.body = b"%PDF-1.7 noget andet"
    with pytest.raises(ValidationError):
        drawn.save()
    with pytest.raises(ValidationError):
        drawn.delete()
    with pytest.raises(ValidationError):
        AnnexFile.objects.filter(pk=drawn.pk).delete()
    assert bytes(AnnexFile.objects.get(pk=drawn.pk).body) == b"%PDF-1.7 bilag"


def test_the_next_annex_says_what_changed_since_the_previous_approved_round(
    allerod, committee, scope, owners, administrator
):
    first = new_round(allerod, committee, administrator)
    first = services.round_open(
        round=first, expected_version=first.version, acting_user=administrator
    )
    services.round_approve(round=first, expected_version=first.version, acting_user=administrator)
    recommendation_change_status(
        recommendation=scope["second"],
        status=status("i-gang"),
        progress=40,
        acting_user=owners["otto"],
    )
    second = new_round(
        allerod,
        committee,
        administrator,
        title="Status, juni",
        meeting_date=datetime.date(2027, 6, 10),
        deadline=datetime.date(2027, 6, 1),
    )
    second = services.round_open(
        round=second, expected_version=second.version, acting_user=administrator
    )
    annex = services.round_approve(
        round=second, expected_version=second.version, acting_user=administrator
    )
    changes = annex.content["changes"]
    assert [(c["title"], c["before"], c["now"], c["progress_now"]) for c in changes] == [
        (scope["second"].title, "Ikke påbegyndt", "I gang", "40.00")
    ]


def test_a_round_that_was_opened_cannot_be_deleted_or_have_items_removed(
    allerod, committee, scope, administrator
):
    round = new_round(allerod, committee, administrator)
    round = services.round_open(
        round=round, expected_version=round.version, acting_user=administrator
    )
    item = RoundItem.objects.filter(round=round).first()
    assert item is not None
    with pytest.raises(ValidationError):
        services.round_item_delete(item=item, acting_user=administrator)
    with pytest.raises(ValidationError):
        services.round_delete(round=round, acting_user=administrator)


def test_progress_and_tasks_take_the_same_queries_at_any_size(
    allerod, committee, scope, owners, administrator, django_assert_num_queries
):
    from tests.factories import RecommendationFactory

    def measure():
        round = new_round(allerod, committee, administrator, title=f"R{RoundItem.objects.count()}")
        round = services.round_open(
            round=round, expected_version=round.version, acting_user=administrator
        )
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as progress_queries:
            selectors.round_progress(round)
        with CaptureQueriesContext(connection) as task_queries:
            selectors.tasks_for(owners["olga"])
        services.round_approve(
            round=round, expected_version=round.version, acting_user=administrator
        )
        return len(progress_queries), len(task_queries)

    small = measure()
    for _ in range(20):
        RecommendationFactory(report=scope["first"].report, contact=owners["olga"])
    assert measure() == small
