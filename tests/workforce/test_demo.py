"""The demo command: calibrated to Allerød's facts, marked as demo data, idempotent, with a baseline
and an onboarding scenario whose effect lowers the SOSU shortage."""

import importlib
import io

import pytest
from django.core.management import call_command

from tests import snapshots as tests_snapshots
from workforce import selectors
from workforce.models import InstitutionSize, Scenario, StaffingSnapshot
from workforce.projection import totals


@pytest.fixture
def demo(db, settings):
    """The organisations' and workforce's seed data, then ``create_workforce_demo``: run once per
    test process, a fresh copy of the result for each test (tests/snapshots.py)."""
    settings.DEBUG = True
    tests_snapshots.restore("workforce-seed+workforce-demo")


@pytest.mark.django_db
def test_demo_is_calibrated_to_the_published_facts(demo):
    snapshots = StaffingSnapshot.objects.filter(unit__municipality__code=201)
    assert snapshots.exists() and not snapshots.filter(is_demo=False).exists()
    headcount = sum(s.headcount for s in snapshots)
    assert 1000 <= headcount <= 1100  # about 1,050 staff in school, daycare and elderly care
    sizes = InstitutionSize.objects.filter(year=2022)
    assert sum(s.value for s in sizes.filter(measure="children")) == 1500
    assert sum(s.value for s in sizes.filter(measure="places")) == 200
    assert sum(s.value for s in sizes.filter(measure="citizens")) == 450
    aged = sum(
        sum(v for b, v in s.age_bands.items() if b in ("55-59", "60-64", "65-69", "70+"))
        for s in snapshots
    )
    assert aged / headcount == pytest.approx(0.19, abs=0.02)
    assert all("(demo)" in s.unit.name for s in snapshots.select_related("unit"))


@pytest.mark.django_db
def test_demo_is_idempotent(demo):
    counts = (StaffingSnapshot.objects.count(), Scenario.objects.count())
    out = io.StringIO()
    call_command("create_workforce_demo", stdout=out)
    assert (StaffingSnapshot.objects.count(), Scenario.objects.count()) == counts
    assert "0 staffing snapshots added" in out.getvalue()


@pytest.mark.django_db
def test_onboarding_scenario_lowers_the_sosu_shortage(demo):
    baseline = Scenario.objects.get(is_baseline=True, municipality__code=201)
    onboarding = Scenario.objects.exclude(pk=baseline.pk).get(municipality__code=201)
    a = selectors.run(selectors.projection_inputs(baseline))
    b = selectors.run(selectors.projection_inputs(onboarding))
    assert a is not None and b is not None
    ta = totals(a.frame, ["profession"]).set_index(["profession", "year"])
    tb = totals(b.frame, ["profession"]).set_index(["profession", "year"])
    for key in ("sosu-assistent", "sosu-hjaelper"):
        assert tb.loc[(key, 2032), "shortage"] < ta.loc[(key, 2032), "shortage"]
    assert a.assumptions["is_demo"] is True


@pytest.mark.django_db
def test_an_installation_with_the_old_demo_name_gets_one_baseline_not_two(demo):
    """Until migration 0005 the demo baseline was "Grundforløb (demo)" (the SOSU basic course's
    name): the migration renames it, so the demo command finds it instead of adding another."""
    from django.apps import apps

    migration = importlib.import_module("workforce.migrations.0006_demo_scenario_names")
    baseline = Scenario.objects.get(is_baseline=True, municipality__code=201)
    onboarding = Scenario.objects.exclude(pk=baseline.pk).get(municipality__code=201)
    Scenario.objects.filter(pk=baseline.pk).update(name="Grundforløb (demo)")
    Scenario.objects.filter(pk=onboarding.pk).update(
        description=onboarding.description.replace("som nuværende niveau", "som grundforløbet")
    )
    migration.rename(apps, None)
    call_command("create_workforce_demo", stdout=io.StringIO())
    names = set(Scenario.objects.filter(municipality__code=201).values_list("name", flat=True))
    assert names == {"Nuværende niveau (demo)", "Onboarding – anbefaling 7 (demo)"}
    onboarding.refresh_from_db()
    assert "grundforløb" not in onboarding.description
