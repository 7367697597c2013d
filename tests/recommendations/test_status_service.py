"""The one service every status change goes through: history, reasons, stale edits, roll-up and
status as of a past date."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from recommendations import selectors, services
from recommendations.models import ProgressMode, StatusUpdate, UpdateOrigin
from tests.factories import RecommendationFactory, ReportFactory, status

# PostgreSQL: status changes with version checks and row locks.
pytestmark = pytest.mark.postgres


@pytest.fixture
def report(allerod):
    return ReportFactory(municipality=allerod)


@pytest.fixture
def rec(report):
    return RecommendationFactory(report=report, number="1")


@pytest.mark.django_db
def test_change_writes_exactly_one_update_with_author_and_note(rec, hr_officer):
    services.recommendation_change_status(
        recommendation=rec,
        status=status("i-gang"),
        progress=40,
        note="Kompetenceteamet er nedsat",
        expected_version=rec.version,
        acting_user=hr_officer,
    )
    updates = list(StatusUpdate.objects.filter(recommendation=rec))
    assert len(updates) == 1
    update = updates[0]
    assert update.author == hr_officer
    assert update.old_status is not None
    assert update.old_status.key == "ikke-paabegyndt"
    assert update.new_status.key == "i-gang"
    assert update.progress == Decimal("40.00")
    assert update.note == "Kompetenceteamet er nedsat"
    rec.refresh_from_db()
    assert rec.status.key == "i-gang" and rec.progress == Decimal(40)


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["forsinket", "fravalgt"])
def test_delayed_or_opted_out_without_reason_is_refused(rec, hr_officer, key):
    with pytest.raises(ValidationError) as caught:
        services.recommendation_change_status(
            recommendation=rec, status=status(key), note="   ", acting_user=hr_officer
        )
    assert "note" in caught.value.message_dict
    rec.refresh_from_db()
    assert rec.status.key == "ikke-paabegyndt" and rec.version == 0
    assert not StatusUpdate.objects.filter(recommendation=rec).exists()


@pytest.mark.django_db
def test_a_change_on_a_stale_version_is_refused_and_nothing_is_overwritten(rec, hr_officer):
    opened_version = rec.version
    services.recommendation_change_status(
        recommendation=rec,
        status=status("i-gang"),
        progress=30,
        expected_version=opened_version,
        acting_user=hr_officer,
    )
    with pytest.raises(services.StaleEdit):
        services.recommendation_change_status(
            recommendation=RecommendationFactory._meta.model.objects.get(pk=rec.pk),
            status=status("gennemfoert"),
            expected_version=opened_version,
            acting_user=hr_officer,
        )
    rec.refresh_from_db()
    assert rec.status.key == "i-gang" and rec.progress == Decimal(30)
    assert StatusUpdate.objects.filter(recommendation=rec).count() == 1


@pytest.mark.django_db
def test_status_default_progress_applies_when_none_given(rec, hr_officer):
    services.recommendation_change_status(
        recommendation=rec, status=status("gennemfoert"), acting_user=hr_officer
    )
    rec.refresh_from_db()
    assert rec.progress == Decimal(100)


@pytest.mark.django_db
def test_delay_keeps_progress(rec, hr_officer):
    services.recommendation_change_status(
        recommendation=rec, status=status("i-gang"), progress=55, acting_user=hr_officer
    )
    services.recommendation_change_status(
        recommendation=rec,
        status=status("forsinket"),
        note="Mangler budget",
        acting_user=hr_officer,
    )
    rec.refresh_from_db()
    assert rec.progress == Decimal(55)


@pytest.mark.django_db
@pytest.mark.parametrize("bad", [-1, 100.5, "mange"])
def test_progress_out_of_range_is_refused(rec, hr_officer, bad):
    with pytest.raises(ValidationError):
        services.recommendation_change_status(
            recommendation=rec, status=status("i-gang"), progress=bad, acting_user=hr_officer
        )
    assert not StatusUpdate.objects.filter(recommendation=rec).exists()


@pytest.mark.django_db
def test_future_date_is_refused(rec, hr_officer):
    with pytest.raises(ValidationError):
        services.recommendation_change_status(
            recommendation=rec,
            status=status("i-gang"),
            effective_on=datetime.date.today() + datetime.timedelta(days=1),
            acting_user=hr_officer,
        )


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["council_member", "analyst", "outsider"])
def test_only_staff_of_the_municipality_may_change_status(request, rec, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.recommendation_change_status(
            recommendation=rec, status=status("i-gang"), acting_user=user
        )
    rec.refresh_from_db()
    assert rec.status.key == "ikke-paabegyndt"


@pytest.mark.django_db
def test_parent_progress_is_the_weighted_mean_of_its_children(report, hr_officer):
    parent = RecommendationFactory.create(report=report, number="6")
    a = RecommendationFactory.create(report=report, number="6a", parent=parent, weight=Decimal(1))
    b = RecommendationFactory.create(report=report, number="6b", parent=parent, weight=Decimal(1))
    c = RecommendationFactory.create(report=report, number="6c", parent=parent, weight=Decimal(2))
    services.recommendation_set_progress_mode(
        recommendation=parent, mode=ProgressMode.ROLLUP, acting_user=hr_officer
    )
    for child, progress in [(a, 100), (b, 50), (c, 25)]:
        services.recommendation_change_status(
            recommendation=child, status=status("i-gang"), progress=progress, acting_user=hr_officer
        )
    parent.refresh_from_db()
    # (100·1 + 50·1 + 25·2) / 4 = 50
    assert parent.progress == Decimal("50.00")
    rollups = StatusUpdate.objects.filter(recommendation=parent, origin=UpdateOrigin.ROLLUP)
    assert [u.progress for u in rollups] == [Decimal("25.00"), Decimal("37.50"), Decimal("50.00")]

    services.recommendation_change_status(
        recommendation=c, status=status("gennemfoert"), acting_user=hr_officer
    )
    parent.refresh_from_db()
    assert parent.progress == Decimal("87.50")  # (100 + 50 + 200) / 4

    with pytest.raises(ValidationError):
        services.recommendation_change_status(
            recommendation=parent, status=status("i-gang"), progress=10, acting_user=hr_officer
        )


@pytest.mark.django_db
def test_status_as_of_a_past_date_follows_the_history(rec, hr_officer):
    def change(key, day, progress=None, note=""):
        services.recommendation_change_status(
            recommendation=rec,
            status=status(key),
            progress=progress,
            note=note,
            effective_on=day,
            acting_user=hr_officer,
        )

    change("undersoeges", datetime.date(2024, 1, 10))
    change("besluttet", datetime.date(2024, 3, 1))
    change("i-gang", datetime.date(2024, 6, 15), progress=40)
    change("forsinket", datetime.date(2024, 9, 1), note="Ingen ansøgere")
    # Two changes on one day: the later one counts for that day.
    change("i-gang", datetime.date(2024, 9, 1), progress=45)

    def as_of(day):
        update = selectors.status_as_of(rec, day)
        return update and (update.new_status.key, update.progress)

    assert as_of(datetime.date(2024, 1, 9)) is None
    assert as_of(datetime.date(2024, 1, 10)) == ("undersoeges", Decimal(10))
    assert as_of(datetime.date(2024, 2, 29)) == ("undersoeges", Decimal(10))
    assert as_of(datetime.date(2024, 3, 1)) == ("besluttet", Decimal(20))
    assert as_of(datetime.date(2024, 8, 31)) == ("i-gang", Decimal(40))
    assert as_of(datetime.date(2024, 9, 1)) == ("i-gang", Decimal(45))
    assert as_of(datetime.date(2030, 1, 1)) == ("i-gang", Decimal(45))


@pytest.mark.django_db
def test_statuses_as_of_answers_for_many_in_fixed_queries(
    report, hr_officer, django_assert_max_num_queries
):
    recs = [RecommendationFactory.create(report=report, number=str(n)) for n in range(1, 21)]
    for r in recs[:10]:
        services.recommendation_change_status(
            recommendation=r,
            status=status("i-gang"),
            effective_on=datetime.date(2024, 5, 1),
            acting_user=hr_officer,
        )
    queryset = report.recommendations.all()
    with django_assert_max_num_queries(2):
        result = selectors.statuses_as_of(queryset, datetime.date(2024, 6, 1))
        keys = {pk: u.new_status.key for pk, u in result.items()}
    assert sum(1 for k in keys.values() if k == "i-gang") == 10


@pytest.mark.django_db
def test_indicator_link_must_stay_within_the_municipality(report, norddjurs, allerod):
    from employment_plan.models import EmploymentPlan, FocusArea, Indicator

    def indicator(municipality):
        plan = EmploymentPlan.objects.create(
            municipality=municipality,
            title=f"Plan {municipality.code}",
            period_start=datetime.date(2026, 1, 1),
            period_end=datetime.date(2026, 12, 31),
        )
        area = FocusArea.objects.create(plan=plan, number=1, title="Unge")
        return Indicator.objects.create(
            plan=plan,
            focus_area=area,
            code="1.1",
            title="Unge på ydelse",
            unit="persons",
            direction="lower",
            target_kind="absolute",
            target_value=10,
            target_operator="<=",
            target_date=datetime.date(2026, 12, 31),
            baseline_value=12,
            baseline_date=datetime.date(2025, 12, 31),
        )

    rec = RecommendationFactory.create(report=report, baseline_indicator=indicator(norddjurs))
    with pytest.raises(ValidationError) as caught:
        rec.full_clean()
    assert "baseline_indicator" in caught.value.message_dict
    rec.baseline_indicator = indicator(allerod)
    rec.full_clean()
