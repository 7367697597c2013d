"""Recording measurements: validation, who may, and the baseline rule."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEntry
from employment_plan import selectors, services
from employment_plan.models import Measurement
from tests.employment_plan.factories import IndicatorFactory

# PostgreSQL: writes with version checks in transactions.
pytestmark = pytest.mark.postgres

D = datetime.date


def record(indicator, day, value, user=None, **kw):
    return services.measurement_record(
        indicator=indicator, date=day, value=Decimal(str(value)), acting_user=user, **kw
    )


def test_first_2025_measurement_turns_the_relative_target_into_a_level(
    relative_indicator, hr_officer
):
    assert selectors.evaluate(relative_indicator).status == "awaiting_baseline"
    record(relative_indicator, D(2025, 12, 31), 200, hr_officer)
    relative_indicator.refresh_from_db()
    assert not relative_indicator.awaiting_baseline
    assert relative_indicator.baseline_value == 200
    assert relative_indicator.baseline_date == D(2025, 12, 31)
    assert relative_indicator.target_absolute == 180
    # What the document said is kept.
    assert relative_indicator.target_kind == "relative"
    assert relative_indicator.target_value == -10
    assert relative_indicator.baseline_period == "2025"
    result = selectors.evaluate(relative_indicator, D(2026, 1, 15))
    assert result.status not in ("awaiting_baseline", "no_data")
    assert result.target == 180


def test_a_2026_measurement_is_not_the_2025_baseline(relative_indicator, hr_officer):
    record(relative_indicator, D(2026, 1, 31), 200, hr_officer)
    relative_indicator.refresh_from_db()
    assert relative_indicator.awaiting_baseline and relative_indicator.target_absolute is None


def test_a_correction_within_the_baseline_period_moves_the_baseline(relative_indicator):
    first = record(relative_indicator, D(2025, 12, 31), 200, provisional=True)
    record(relative_indicator, D(2025, 12, 31), 190)
    relative_indicator.refresh_from_db()
    assert relative_indicator.baseline_value == 190  # the final value beats the provisional one
    services.measurement_update(measurement=first, value=Decimal(150), acting_user=None)
    relative_indicator.refresh_from_db()
    assert relative_indicator.target_absolute == Decimal(171)  # still 190 − 10 %


def test_percentage_point_target_gets_its_level(area):
    indicator = IndicatorFactory.create(
        focus_area=area,
        code="9.1",
        unit="percent",
        target_kind="percentage_points",
        target_value=Decimal("-1.4"),
        awaiting_baseline=True,
        baseline_period="2025-12",
    )
    record(indicator, D(2025, 12, 31), "13.0")
    indicator.refresh_from_db()
    assert indicator.target_absolute == Decimal("11.6")


@pytest.mark.parametrize("value", ["100.5", "-1"])
def test_a_percentage_outside_0_to_100_is_refused(percent_indicator, hr_officer, value):
    with pytest.raises(ValidationError) as error:
        record(percent_indicator, D(2026, 3, 31), value, hr_officer)
    assert "value" in error.value.message_dict
    assert not Measurement.objects.exists()


@pytest.mark.parametrize("day", [D(2025, 12, 31), D(2027, 1, 1)])
def test_a_date_outside_the_plan_is_refused(percent_indicator, hr_officer, day):
    with pytest.raises(ValidationError) as error:
        record(percent_indicator, day, 50, hr_officer)
    assert "date" in error.value.message_dict
    assert not Measurement.objects.exists()


def test_the_person_who_entered_a_value_is_kept(percent_indicator, hr_officer):
    measurement = record(percent_indicator, D(2026, 3, 31), "55.5", hr_officer, source="Survey")
    assert measurement.entered_by == hr_officer
    assert measurement.data_source == "Survey"
    entry = AuditEntry.objects.get(
        model_label="employment_plan.measurement", object_id=str(measurement.pk)
    )
    assert entry.actor == hr_officer


@pytest.mark.parametrize("persona", ["council_member", "analyst", "outsider"])
def test_only_hr_and_administrators_record_values(request, percent_indicator, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        record(percent_indicator, D(2026, 3, 31), 50, user)
    assert not Measurement.objects.exists()


def test_administrator_records_values(percent_indicator, administrator):
    record(percent_indicator, D(2026, 3, 31), 50, administrator)
    assert Measurement.objects.count() == 1


def test_hr_officer_updates_an_initiative_status(area, hr_officer, outsider):
    initiative = area.initiatives.create(kind="new", title="Netværksgrupper", status="planned")
    services.initiative_set_status(
        initiative=initiative, status="in_progress", acting_user=hr_officer
    )
    initiative.refresh_from_db()
    assert initiative.status == "in_progress"
    with pytest.raises(PermissionDenied):
        services.initiative_set_status(initiative=initiative, status="done", acting_user=outsider)


def test_one_period_for_several_indicators_is_all_or_nothing(
    plan, percent_indicator, companies_indicator, hr_officer
):
    with pytest.raises(ValidationError):
        services.measurements_record_period(
            plan=plan,
            date=D(2026, 6, 30),
            values={
                companies_indicator.pk: (Decimal(4), False),
                percent_indicator.pk: (Decimal(120), False),
            },
            acting_user=hr_officer,
        )
    assert not Measurement.objects.exists()
    services.measurements_record_period(
        plan=plan,
        date=D(2026, 6, 30),
        values={
            companies_indicator.pk: (Decimal(4), False),
            percent_indicator.pk: (Decimal(60), True),
        },
        acting_user=hr_officer,
    )
    assert Measurement.objects.count() == 2


def test_database_refuses_a_baseline_while_awaiting_one(relative_indicator):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        type(relative_indicator).objects.filter(pk=relative_indicator.pk).update(
            baseline_value=Decimal(5), baseline_date=D(2025, 12, 31)
        )


def test_a_deliverable_needs_its_due_date(area):
    with pytest.raises(ValidationError) as refused:
        IndicatorFactory(
            focus_area=area,
            unit="count",
            direction="higher",
            target_kind="deliverable",
            target_value=1,
            target_operator=">=",
            target_date=None,
        )
    assert "target_date" in refused.value.message_dict
