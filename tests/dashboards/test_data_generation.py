"""One data generation per municipality, raised in the transaction of every write, is the version of
every dashboard cache: edits that cancel out in a total, or move no timestamp, still renew the
cached figures; a write another municipality cannot see leaves its caches alone."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from dashboards import selectors
from organizations.generation import municipality_bump_generation, municipality_generation
from organizations.models import Municipality, Profession
from recommendations import services as rec_services
from recommendations.models import Recommendation, Status
from tests.factories import UserFactory
from tests.workforce.test_pages import make_data
from workforce import services as workforce_services
from workforce import views as workforce_views
from workforce.models import ScenarioRate, StaffingSnapshot
from workforce.selectors import _outlook_rows, outlook
from workforce.selectors import cached as workforce_cached

from .conftest import build, status_named


def generation(municipality) -> int:
    return municipality_generation(municipality)


@pytest.fixture
def professions(db):
    return {
        key: Profession.objects.get_or_create(
            key=key, defaults={"name": name, "name_plural": plural}
        )[0]
        for key, name, plural in (
            ("paedagog", "Pædagog", "Pædagoger"),
            ("sosu-assistent", "SOSU-assistent", "SOSU-assistenter"),
        )
    }


# The generation itself -------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_write_raises_its_municipalitys_generation_once_and_no_other(allerod, norddjurs):
    data = build(allerod, 3)
    rec = data["recs"][0]
    before = generation(allerod), generation(norddjurs)
    # One service call writes a status change and the recommendation: one transaction, one step.
    rec_services.recommendation_change_status(
        recommendation=rec, status=status_named("gennemfoert"), acting_user=None
    )
    assert (generation(allerod), generation(norddjurs)) == (before[0] + 1, before[1])
    rec.refresh_from_db()
    rec.note = "Ny note"
    rec.save()
    assert generation(allerod) == before[0] + 2


@pytest.mark.django_db
def test_shared_data_raises_every_municipality_and_a_user_account_none(allerod, norddjurs):
    before = generation(allerod), generation(norddjurs)
    status = Status.objects.get(key="i-gang")
    status.name = "I gang (ny betegnelse)"
    status.save()
    assert (generation(allerod), generation(norddjurs)) == (before[0] + 1, before[1] + 1)
    UserFactory(username="ny-bruger")
    assert (generation(allerod), generation(norddjurs)) == (before[0] + 1, before[1] + 1)


@pytest.mark.django_db
def test_a_rolled_back_write_leaves_the_generation_as_it_was(allerod):
    rec = build(allerod, 2)["recs"][0]
    before = generation(allerod)
    with pytest.raises(RuntimeError), transaction.atomic():
        rec.note = "Fortrudt"
        rec.save()
        raise RuntimeError
    assert generation(allerod) == before
    # A later write in the same (test) transaction raises it again: the undone step is not counted.
    with transaction.atomic():
        rec.note = "Gemt"
        rec.save()
    assert generation(allerod) == before + 1


@pytest.mark.django_db
def test_saving_a_municipality_loaded_earlier_never_turns_its_generation_back(allerod):
    stale = Municipality.objects.get(pk=allerod.pk)
    municipality_bump_generation(municipality_ids=[allerod.pk])
    municipality_bump_generation(municipality_ids=[allerod.pk])
    raised = generation(allerod)
    stale.is_published = True
    stale.save()
    assert generation(allerod) == raised + 1
    assert Municipality.objects.get(pk=allerod.pk).is_published


# The caches follow it ----------------------------------------------------------------------------
def _totals(page):
    return [(s.key, n) for s, n in page.status_totals], page.overdue_count, page.stale_count


@pytest.mark.django_db
def test_the_front_page_count_follows_a_save_that_moves_no_timestamp(allerod, council_member):
    build(allerod, 10)
    before = _totals(selectors.front_page(council_member, allerod))
    # The admin's content form, or a fix in the shell: no status update, no new timestamp.
    rec = Recommendation.objects.filter(status__key="i-gang").first()
    assert rec is not None
    rec.status = status_named("gennemfoert")
    rec.save()
    shown = _totals(selectors.front_page(council_member, allerod))
    cache.clear()
    fresh = _totals(selectors.front_page(council_member, allerod))
    assert shown == fresh != before
    assert dict(shown[0])["gennemfoert"] == dict(before[0])["gennemfoert"] + 1


@pytest.mark.django_db
def test_staffing_edits_that_cancel_out_still_renew_the_institutions_page(allerod, professions):
    baseline, _better = make_data(allerod, professions, institutions=2)

    def page():
        return workforce_cached(
            workforce_views.INSTITUTIONS_CACHE,
            baseline,
            lambda: workforce_views._institution_data(baseline),
        )

    before = page()
    # In one institution a pedagogue aged 60–64 is replaced by one aged 30–34, in the other the
    # reverse: every total (and every Sum() over the snapshots) is unchanged, the institutions'
    # retirements and so their shortages are not.
    snapshots = list(
        StaffingSnapshot.objects.filter(
            unit__municipality=allerod, profession=professions["paedagog"]
        ).order_by("unit__name")
    )
    for snapshot, change in zip(snapshots, (1, -1), strict=True):
        bands = snapshot.age_bands
        workforce_services.staffing_snapshot_set(
            unit=snapshot.unit,
            profession=snapshot.profession,
            date=snapshot.date,
            values={
                "age_bands": {"30-34": bands["30-34"] + change, "60-64": bands["60-64"] - change}
            },
            acting_user=None,
        )
    shown = page()
    assert shown == workforce_views._institution_data(baseline) != before


@pytest.mark.django_db
def test_rate_changes_that_keep_the_sum_still_renew_the_front_page_outlook(allerod, professions):
    baseline, _better = make_data(allerod, professions, institutions=2)
    found = outlook(allerod)
    assert found is not None
    before = found.rows
    # Edited in place (the admin's inline): +5 points for one profession, −5 for the other.
    for rate, change in zip(
        ScenarioRate.objects.filter(scenario=baseline).order_by("profession__key"),
        (Decimal("0.05"), Decimal("-0.05")),
        strict=True,
    ):
        assert rate.leaver_rate is not None
        rate.leaver_rate += change
        rate.save()
    found, computed = outlook(allerod), _outlook_rows(baseline)
    assert found is not None and computed is not None
    shown = found.rows
    assert shown == computed[1] != before


@pytest.mark.django_db
def test_a_write_in_another_municipality_keeps_this_ones_cache(allerod, norddjurs, council_member):
    build(allerod, 5)
    other = build(norddjurs, 5, label="N")
    with CaptureQueriesContext(connection) as cold:
        selectors.front_page(council_member, allerod)
    with CaptureQueriesContext(connection) as warm:
        selectors.front_page(council_member, allerod)
    rec = other["recs"][0]
    rec.note = "Kun i Norddjurs"
    rec.save()
    with CaptureQueriesContext(connection) as after:
        selectors.front_page(council_member, allerod)
    assert len(after) == len(warm) < len(cold)
