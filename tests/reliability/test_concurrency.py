"""Two people editing the same thing: the later save is refused with a message instead of silently
overwriting the first (on SQLite and PostgreSQL), and on PostgreSQL the status service serialises
simultaneous changes with a row lock, shown here with two real database connections."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse

from employment_plan.models import Indicator, Measurement
from recommendations import services
from recommendations.models import Recommendation, StatusUpdate
from tests.employment_plan.factories import MeasurementFactory
from tests.factories import RecommendationFactory, ReportFactory, status
from tests.reliability.browser_form import form_data

# Both databases: stale edits are refused on both; the row locks need PostgreSQL.
pytestmark = [pytest.mark.postgres, pytest.mark.sqlite]

STALE_WORDS = ("changed by someone else", "ændret af en anden")


def refused_as_stale(response) -> bool:
    html = response.content.decode()
    return response.status_code == 200 and any(word in html for word in STALE_WORDS)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def rec(allerod):
    report = ReportFactory(municipality=allerod, key="samtidig")
    return RecommendationFactory(report=report, number="7", title="Rekruttering af SOSU'er")


# (a) Stale saves are refused ----------------------------------------------------------------------
@pytest.mark.django_db
def test_status_service_refuses_a_change_made_on_an_older_version(rec):
    opened_on = rec.version
    services.recommendation_change_status(
        recommendation=Recommendation.objects.get(pk=rec.pk),
        status=status("i-gang"),
        progress=40,
        expected_version=opened_on,
        acting_user=None,
    )
    with pytest.raises(services.StaleEdit, match="changed by someone else|ændret af en anden"):
        services.recommendation_change_status(
            recommendation=Recommendation.objects.get(pk=rec.pk),
            status=status("gennemfoert"),
            expected_version=opened_on,
            acting_user=None,
        )
    rec.refresh_from_db()
    assert (rec.status.key, rec.progress, rec.version) == ("i-gang", Decimal(40), opened_on + 1)
    assert StatusUpdate.objects.filter(recommendation=rec).count() == 1


@pytest.mark.django_db
def test_admin_status_form_opened_before_anothers_save_is_refused(rec, hr_officer, administrator):
    url = reverse("admin:recommendations_recommendation_status", args=[rec.pk])
    hanne, ada = client_for(hr_officer), client_for(administrator)
    hanne_form = form_data(hanne.get(url).content.decode(), containing="version")
    ada_form = form_data(ada.get(url).content.decode(), containing="version")

    hanne_form.update(status=str(status("i-gang").pk), progress="25", note="Hanne først")
    assert hanne.post(url, hanne_form).status_code == 302

    ada_form.update(status=str(status("fravalgt").pk), note="Ada bagefter")
    response = ada.post(url, ada_form)
    assert refused_as_stale(response)
    rec.refresh_from_db()
    assert rec.status.key == "i-gang"
    assert list(StatusUpdate.objects.values_list("note", flat=True)) == ["Hanne først"]


@pytest.mark.django_db
def test_admin_content_form_opened_before_anothers_save_is_refused(rec, hr_officer, administrator):
    url = reverse("admin:recommendations_recommendation_change", args=[rec.pk])
    hanne, ada = client_for(hr_officer), client_for(administrator)
    hanne_form = form_data(hanne.get(url).content.decode(), form_id="recommendation_form")
    ada_form = form_data(ada.get(url).content.decode(), form_id="recommendation_form")

    hanne_form["title"] = "Rekruttering og fastholdelse af SOSU'er"
    first = hanne.post(url, hanne_form)
    assert first.status_code == 302, first.context["adminform"].form.errors

    ada_form["summary"] = "Adas opsummering, skrevet på den gamle udgave"
    response = ada.post(url, ada_form)
    assert refused_as_stale(response)
    rec.refresh_from_db()
    assert rec.title == "Rekruttering og fastholdelse af SOSU'er"
    assert rec.summary != "Adas opsummering, skrevet på den gamle udgave"


@pytest.mark.django_db
def test_admin_content_form_refuses_when_the_status_changed_meanwhile(rec, hr_officer):
    url = reverse("admin:recommendations_recommendation_change", args=[rec.pk])
    hanne = client_for(hr_officer)
    stale_form = form_data(hanne.get(url).content.decode(), form_id="recommendation_form")
    services.recommendation_change_status(
        recommendation=rec, status=status("i-gang"), progress=10, acting_user=None
    )
    stale_form["title"] = "Ny titel"
    assert refused_as_stale(hanne.post(url, stale_form))
    rec.refresh_from_db()
    assert (rec.title, rec.status.key) == ("Rekruttering af SOSU'er", "i-gang")


@pytest.mark.django_db
def test_admin_indicator_form_opened_before_anothers_save_is_refused(
    administrator, percent_indicator
):
    url = reverse("admin:employment_plan_indicator_change", args=[percent_indicator.pk])
    first, second = client_for(administrator), client_for(administrator)
    first_form = form_data(first.get(url).content.decode(), form_id="indicator_form")
    second_form = form_data(second.get(url).content.decode(), form_id="indicator_form")

    first_form["title"] = "Andel i job efter forløb (rettet)"
    saved = first.post(url, first_form)
    assert saved.status_code == 302, saved.context["adminform"].form.errors

    second_form["target_text"] = "Mindst 80 % i job"
    response = second.post(url, second_form)
    indicator = Indicator.objects.get(pk=percent_indicator.pk)
    # What a user needs: the second save is refused, the first one's title survives.
    assert indicator.title == "Andel i job efter forløb (rettet)"
    assert refused_as_stale(response)


@pytest.mark.django_db
def test_admin_measurement_form_opened_before_anothers_save_is_refused(
    administrator, percent_indicator
):
    measurement = MeasurementFactory.create(indicator=percent_indicator, value=Decimal(55))
    url = reverse("admin:employment_plan_measurement_change", args=[measurement.pk])
    first, second = client_for(administrator), client_for(administrator)
    first_form = form_data(first.get(url).content.decode(), form_id="measurement_form")
    second_form = form_data(second.get(url).content.decode(), form_id="measurement_form")

    first_form["value"] = "61,5"
    saved = first.post(url, first_form)
    assert saved.status_code == 302, saved.context["adminform"].form.errors

    second_form["comment"] = "Tjekket mod Jobindsats"
    response = second.post(url, second_form)
    assert Measurement.objects.get(pk=measurement.pk).value == Decimal("61.5")
    assert refused_as_stale(response)


# (b) The row lock on PostgreSQL -----------------------------------------------------------------
LOCK_WAIT_SECONDS = 20


def _waiting_on_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return bool(row) and row[0] == "Lock"


def _until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def _race(allerod, *, second_knows_version: bool) -> tuple[dict, Recommendation, int]:
    """A changes the status and keeps its transaction open (holding the row lock the service took);
    B calls the service meanwhile, on its own connection, and must wait. Returns what each saw."""
    report = ReportFactory(municipality=allerod, key="laas")
    rec = RecommendationFactory.create(report=report, number="1", title="Låst anbefaling")
    opened_on = rec.version
    in_progress, done = status("i-gang"), status("gennemfoert")

    a_holds_lock, release_a = threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def person_a():
        try:
            with transaction.atomic():
                services.recommendation_change_status(
                    recommendation=Recommendation.objects.get(pk=rec.pk),
                    status=in_progress,
                    progress=30,
                    note="A",
                    expected_version=opened_on,
                    acting_user=None,
                )
                a_holds_lock.set()
                release_a.wait(LOCK_WAIT_SECONDS)
                seen["a_released_at"] = time.monotonic()
        except Exception as exc:  # surfaced in the main thread
            seen["a_error"] = exc
        finally:
            a_holds_lock.set()
            connections.close_all()  # this thread's own connection

    def person_b():
        try:
            with connections["default"].cursor() as cursor:
                seen["b_pid"] = connections["default"].connection.info.backend_pid
                # Bounded: a lock never released fails the test instead of hanging CI.
                cursor.execute(f"SET lock_timeout = '{LOCK_WAIT_SECONDS}s'")
                cursor.execute(f"SET statement_timeout = '{LOCK_WAIT_SECONDS + 5}s'")
            try:
                services.recommendation_change_status(
                    recommendation=Recommendation.objects.get(pk=rec.pk),
                    status=done,
                    note="B",
                    expected_version=opened_on if second_knows_version else None,
                    acting_user=None,
                )
                seen["b_outcome"] = "saved"
            except services.StaleEdit as exc:
                seen["b_outcome"] = "stale"
                seen["b_message"] = str(exc.messages[0])
            except Exception as exc:
                seen["b_outcome"] = repr(exc)
            seen["b_finished_at"] = time.monotonic()
        except Exception as exc:
            seen["b_error"] = exc
        finally:
            connections.close_all()

    a = threading.Thread(target=person_a, name="person-a")
    b = threading.Thread(target=person_b, name="person-b")
    try:
        a.start()
        assert a_holds_lock.wait(LOCK_WAIT_SECONDS) and "a_error" not in seen, seen.get("a_error")
        b.start()
        # B is really blocked on A's row lock (not merely slow): PostgreSQL says so.
        assert _until(lambda: "b_pid" in seen, LOCK_WAIT_SECONDS)
        b_pid = seen["b_pid"]
        assert isinstance(b_pid, int)
        assert _until(lambda: _waiting_on_a_lock(b_pid), LOCK_WAIT_SECONDS), seen
        time.sleep(0.3)
        seen["b_done_while_a_held_lock"] = "b_finished_at" in seen
    finally:
        release_a.set()
        a.join(LOCK_WAIT_SECONDS + 10)
        b.join(LOCK_WAIT_SECONDS + 10)
    assert not a.is_alive() and not b.is_alive()
    assert "a_error" not in seen and "b_error" not in seen, (
        seen.get("a_error"),
        seen.get("b_error"),
    )
    rec.refresh_from_db()
    return seen, rec, opened_on


def _history(rec) -> list[tuple[str, str]]:
    return list(
        StatusUpdate.objects.filter(recommendation=rec)
        .order_by("pk")
        .values_list("note", "old_status__key")
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_status_service_row_lock_makes_a_simultaneous_change_wait(allerod):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    seen, _rec, _opened_on = _race(allerod, second_knows_version=True)
    assert seen["b_done_while_a_held_lock"] is False
    assert seen["b_finished_at"] > seen["a_released_at"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("second_knows_version", [True, False], ids=["form", "import"])
def test_after_waiting_for_the_lock_the_second_change_sees_the_first(allerod, second_knows_version):
    """Opened on the old version (a form): refused as stale with the reload message. Without a
    version (bulk action, import): applied on top of A's change, its history starting from A's
    status. Never a lost update, never a server error."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    seen, rec, opened_on = _race(allerod, second_knows_version=second_knows_version)
    assert seen["b_finished_at"] > seen["a_released_at"]
    if second_knows_version:
        assert seen["b_outcome"] == "stale", seen["b_outcome"]
        assert "reload" in seen["b_message"] or "genindlæs" in seen["b_message"]
        assert (rec.status.key, rec.version, _history(rec)) == (
            "i-gang",
            opened_on + 1,
            [("A", "ikke-paabegyndt")],
        )
    else:
        assert seen["b_outcome"] == "saved", seen["b_outcome"]
        assert (rec.status.key, rec.version) == ("gennemfoert", opened_on + 2)
        assert _history(rec) == [("A", "ikke-paabegyndt"), ("B", "i-gang")]
