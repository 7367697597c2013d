"""The two Allerød employment plans as the documents state them, loaded idempotently."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command

from employment_plan import selectors, services
from employment_plan.models import (
    EmploymentPlan,
    FocusArea,
    Indicator,
    Initiative,
    Measurement,
    PlanFact,
)

# PostgreSQL: the seed loader's upserts and JSON fields.
pytestmark = pytest.mark.postgres

FIXTURES = Path(settings.SEED_DATA_DIR) / "employment_plan"


def yaml_of(name):
    return yaml.safe_load((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture
def seeded(seed_data):
    """load_seed_data's result (built once per session; a fresh copy for each test)."""


def plan(year):
    return EmploymentPlan.objects.get(municipality__code=201, title=f"Beskæftigelsesplan {year}")


def test_2026_plan_has_seven_focus_areas_with_both_kinds_of_initiative(seeded):
    areas = FocusArea.objects.filter(plan=plan(2026)).order_by("number")
    assert [a.number for a in areas] == [1, 2, 3, 4, 5, 6, 7]
    assert areas[0].title == "Organisering"
    for area in areas:
        assert area.objective
        kinds = set(area.initiatives.values_list("kind", flat=True))
        assert kinds == {"existing", "new"}, area


def test_every_indicator_of_the_follow_up_table_is_loaded_as_stated(seeded):
    for name, year in [
        ("allerod_beskaeftigelsesplan_2026.yaml", 2026),
        ("allerod_beskaeftigelsesplan_2017.yaml", 2017),
    ]:
        data = yaml_of(name)
        stated = {i["code"]: i for area in data["focus_areas"] for i in area["indicators"]}
        loaded = {i.code: i for i in Indicator.objects.filter(plan=plan(year))}
        assert set(loaded) == set(stated)
        for code, item in stated.items():
            indicator = loaded[code]
            assert indicator.unit == item["unit"], code
            assert indicator.direction == item["direction"], code
            assert indicator.target_kind == item["target"]["kind"], code
            assert indicator.title == item["title"], code
            assert indicator.source_section == item["section"], code
        initiatives = sum(len(a["initiatives"]) for a in data["focus_areas"])
        assert Initiative.objects.filter(focus_area__plan=plan(year)).count() == initiatives
        assert PlanFact.objects.filter(plan=plan(year)).count() == len(data["plan"]["facts"])


def test_minus_ten_percent_from_2025_is_a_relative_target_awaiting_its_baseline(seeded):
    youth = Indicator.objects.get(plan=plan(2026), code="2.1")
    assert youth.target_kind == "relative"
    assert youth.target_value == Decimal(-10)
    assert youth.awaiting_baseline and youth.baseline_period == "2025"
    assert youth.baseline_value is None
    assert youth.target_absolute is None  # not an absolute 10
    assert selectors.evaluate(youth).status == "awaiting_baseline"
    sick = Indicator.objects.get(plan=plan(2026), code="3.2")
    assert (sick.unit, sick.baseline_period) == ("fte", "2025-12")


def test_savings_target_is_an_indicator_in_kroner(seeded):
    savings = Indicator.objects.get(plan=plan(2026), code="7.4")
    assert savings.unit == "dkk"
    assert savings.target_absolute == Decimal(6_800_000)


def test_long_sick_leave_target_carries_the_documents_inconsistency(seeded):
    sick_leave = Indicator.objects.get(plan=plan(2017), code="5.1")
    assert sick_leave.target_kind == "absolute" and sick_leave.target_value == Decimal("12.5")
    assert sick_leave.baseline_value == Decimal("13.0")
    flag = sick_leave.inconsistency
    assert flag is not None
    assert flag["stated_level"] == 12.5
    assert flag["stated_change_pp"] == -1.4
    assert flag["stated_baseline"] == 13.0
    assert flag["implied_level"] == 11.6
    assert "1,4" in flag["note"]


def test_2017_plan_has_five_result_targets_baselines_and_comparison_municipalities(seeded):
    p2017 = plan(2017)
    assert p2017.focus_areas.count() == 5
    assert sorted(p2017.comparison_municipalities.values_list("code", flat=True)) == [223, 230]
    youth = Indicator.objects.get(plan=p2017, code="2.1")
    assert (youth.baseline_value, youth.target_absolute) == (Decimal("3.2"), Decimal("3.75"))
    assert Measurement.objects.filter(indicator__plan=p2017).count() == 3


def test_every_seeded_record_has_provenance(seeded):
    for model in (EmploymentPlan, PlanFact, FocusArea, Initiative, Indicator, Measurement):
        assert model.objects.exists()
        for record in model.objects.all():
            assert record.source_id is not None and record.source_section, record


def test_adding_the_2025_level_gives_an_absolute_target(seeded):
    youth = Indicator.objects.get(plan=plan(2026), code="2.1")
    services.measurement_record(
        indicator=youth,
        date=datetime.date(2025, 12, 31),
        value=Decimal(80),
        acting_user=None,
    )
    youth.refresh_from_db()
    assert youth.target_absolute == Decimal(72)  # 80 persons − 10 %
    assert youth.target_kind == "relative" and youth.target_value == Decimal(-10)
    assert selectors.evaluate(youth).status != "awaiting_baseline"


def test_reloading_keeps_what_users_entered(seeded, capsys):
    youth = Indicator.objects.get(plan=plan(2026), code="2.1")
    services.measurement_record(
        indicator=youth, date=datetime.date(2025, 12, 31), value=80, acting_user=None
    )
    initiative = Initiative.objects.filter(focus_area__plan=plan(2026)).first()
    assert initiative is not None
    services.initiative_set_status(initiative=initiative, status="done", acting_user=None)
    call_command("load_seed_data")
    assert "0 created, 0 updated" in capsys.readouterr().out
    youth.refresh_from_db()
    initiative.refresh_from_db()
    assert youth.baseline_value == 80 and youth.target_absolute == 72
    assert initiative.status == "done"


def test_the_barometer_to_build_is_a_deliverable_not_yet_delivered(seeded):
    barometer = plan(2026).indicators.get(code="7.3")
    assert barometer.target_kind == "deliverable"
    result = selectors.evaluate(barometer, datetime.date(2026, 6, 30))
    assert result.status == "not_delivered" and result.status_label == "Endnu ikke leveret"
    assert selectors.evaluate(barometer, datetime.date(2027, 1, 1)).status == "off_track"
