"""Freshness (days since update, stale / past follow-up) and the daily digest to contact persons:
one e-mail per contact, only their flagged recommendations, at most once a day."""

import datetime
from io import StringIO

import pytest
from django.contrib import admin
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.functional import Promise

from recommendations import reminders
from recommendations.freshness import freshness
from recommendations.models import ReminderSent
from recommendations.reminders import recommendation_url, send_followup_reminders
from tests.factories import RecommendationFactory, ReportFactory, UserFactory, status

# PostgreSQL: a reminder sent once: a unique constraint decides a race.
pytestmark = pytest.mark.postgres

TODAY = datetime.date(2025, 6, 30)


def days_before(days: int, at: datetime.time = datetime.time(12)) -> datetime.datetime:
    """A moment ``days`` calendar days before TODAY, in the project's time zone."""
    return timezone.make_aware(datetime.datetime.combine(TODAY - datetime.timedelta(days), at))


def fresh(**kwargs):
    kwargs.setdefault("last_updated_at", days_before(3))
    return RecommendationFactory(**kwargs)


def stale(**kwargs):
    return RecommendationFactory(last_updated_at=days_before(91), **kwargs)


def overdue(**kwargs):
    return RecommendationFactory(
        last_updated_at=days_before(10), follow_up_date=datetime.date(2025, 5, 31), **kwargs
    )


def blocks(body: str | Promise) -> dict[str, str]:
    """The body's entry for each recommendation, keyed by its title (a message's body may be lazy
    text, to the types)."""
    entries: dict[str, str] = {}
    current = None
    for line in str(body).splitlines():
        if line.startswith("  ") and not line.startswith("   "):
            current = line.split(". ", 1)[1]
            entries[current] = ""
        elif line.startswith("     ") and current:
            entries[current] += line.strip() + "\n"
        else:
            current = None
    return entries


def run_command(*args) -> str:
    out = StringIO()
    call_command("send_followup_reminders", *args, stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def report(allerod):
    return ReportFactory(municipality=allerod, title="Flere hænder i ældreplejen")


@pytest.fixture
def karen(db):
    return UserFactory(
        username="karen", first_name="Karen", last_name="Holm", email="karen@allerod.dk"
    )


@pytest.fixture
def lars(db):
    return UserFactory(
        username="lars", first_name="Lars", last_name="Berg", email="lars@allerod.dk"
    )


# freshness() -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_freshness_counts_calendar_days_since_the_last_update():
    rec = fresh(last_updated_at=days_before(12, datetime.time(23, 59)))
    assert freshness(rec, TODAY) == {"days_since_update": 12, "needs_update": False, "reasons": []}


@pytest.mark.django_db
def test_freshness_gives_each_reason_that_applies():
    assert freshness(stale(), TODAY)["reasons"] == ["stale"]
    assert freshness(overdue(), TODAY)["reasons"] == ["overdue"]
    both = stale(follow_up_date=datetime.date(2025, 1, 1))
    assert freshness(both, TODAY) == {
        "days_since_update": 91,
        "needs_update": True,
        "reasons": ["stale", "overdue"],
    }


@pytest.mark.django_db
def test_follow_up_year_is_due_at_its_end_and_the_due_day_itself_is_not_overdue():
    assert freshness(fresh(follow_up_year=2024), TODAY)["reasons"] == ["overdue"]
    assert freshness(fresh(follow_up_year=2025), TODAY)["reasons"] == []
    assert freshness(fresh(follow_up_date=TODAY), TODAY)["reasons"] == []


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["gennemfoert", "fravalgt"])
def test_closed_recommendation_never_needs_an_update(key):
    rec = stale(status=status(key), follow_up_date=datetime.date(2024, 1, 1))
    assert rec.status.closes
    assert freshness(rec, TODAY) == {"days_since_update": 91, "needs_update": False, "reasons": []}


@pytest.mark.django_db
def test_ninety_days_is_not_stale_and_ninety_one_is():
    assert not freshness(fresh(last_updated_at=days_before(90, datetime.time.min)), TODAY)[
        "needs_update"
    ]
    assert freshness(fresh(last_updated_at=days_before(91, datetime.time(23, 59))), TODAY)[
        "needs_update"
    ]


@pytest.mark.django_db
def test_the_interval_follows_the_setting(settings, karen):
    settings.RECOMMENDATION_STALE_AFTER_DAYS = 30
    thirty = fresh(contact=karen, title="Tredive dage", last_updated_at=days_before(30))
    thirty_one = fresh(contact=karen, title="31 dage", last_updated_at=days_before(31))
    assert not freshness(thirty, TODAY)["needs_update"]
    assert freshness(thirty_one, TODAY)["reasons"] == ["stale"]

    send_followup_reminders(today=TODAY)
    assert list(blocks(mail.outbox[0].body)) == ["31 dage"]


# The digest --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_contact_gets_one_digest_with_stale_and_overdue_but_not_fresh(karen, report):
    old = stale(contact=karen, report=report, number="2", title="Flere fuldtidsstillinger")
    late = overdue(contact=karen, report=report, number="6a", title="Karriereveje for SOSU")
    fresh(contact=karen, report=report, number="7", title="Velfærdsteknologi")

    result = send_followup_reminders(today=TODAY)

    assert result == reminders.ReminderResult(contacts_emailed=1, recommendations_listed=2)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["karen@allerod.dk"]
    assert "2" in message.subject
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    assert "Karen Holm" in message.body
    assert "Flere hænder i ældreplejen" in message.body
    entries = blocks(message.body)
    assert list(entries) == ["Flere fuldtidsstillinger", "Karriereveje for SOSU"]
    assert "  2. Flere fuldtidsstillinger" in message.body
    assert "  6a. Karriereveje for SOSU" in message.body
    # Rendered in Danish: the Danish status name and Danish date format.
    assert "Ikke påbegyndt" in entries["Flere fuldtidsstillinger"]
    assert "Not started" not in message.body
    assert "91" in entries["Flere fuldtidsstillinger"]
    assert "31.05.2025" in entries["Karriereveje for SOSU"]
    assert "31.05.2025" not in entries["Flere fuldtidsstillinger"]
    assert recommendation_url(old) in entries["Flere fuldtidsstillinger"]
    assert recommendation_url(late) in entries["Karriereveje for SOSU"]
    sent = ReminderSent.objects.get()
    assert (sent.contact, sent.sent_on, sent.recommendation_count) == (karen, TODAY, 2)


@pytest.mark.django_db
def test_links_are_absolute_on_the_configured_site(settings, karen, report):
    settings.SITE_URL = "https://opfoelgning.example.dk/"
    rec = stale(contact=karen, report=report)
    url = recommendation_url(rec)
    assert url.startswith("https://opfoelgning.example.dk/") and "//" not in url[8:]
    assert str(rec.pk) in url
    send_followup_reminders(today=TODAY)
    assert url in mail.outbox[0].body


# Stands in for the public page until recommendations/urls.py has one; same name and arguments.
urlpatterns = [
    path("admin/", admin.site.urls),
    path(
        "<slug:slug>/anbefalinger/<int:pk>/",
        lambda request, slug, pk: HttpResponse(),
        name="recommendation-detail",
    ),
]


@pytest.mark.django_db
def test_links_go_to_the_public_page_when_there_is_one(settings, karen, report):
    settings.ROOT_URLCONF = __name__
    rec = stale(contact=karen, report=report)
    assert recommendation_url(rec) == f"http://127.0.0.1:8000/allerod/anbefalinger/{rec.pk}/"


@pytest.mark.django_db
def test_cross_municipal_report_links_to_the_admin(karen):
    rec = stale(
        contact=karen, report=ReportFactory(municipality=None, issuing_body__municipality=None)
    )
    assert recommendation_url(rec) == (
        f"http://127.0.0.1:8000/admin/recommendations/recommendation/{rec.pk}/change/"
    )


@pytest.mark.django_db
def test_closed_recommendation_is_never_in_a_digest(karen, report):
    stale(contact=karen, report=report, status=status("gennemfoert"))
    overdue(contact=karen, report=report, status=status("gennemfoert"))

    result = send_followup_reminders(today=TODAY)

    assert result.contacts_emailed == 0
    assert mail.outbox == []
    assert not ReminderSent.objects.exists()


@pytest.mark.django_db
def test_each_contact_gets_their_own_digest_with_only_their_own(karen, lars, report):
    stale(contact=karen, report=report, title="Karens anbefaling")
    overdue(contact=lars, report=report, title="Lars' første")
    stale(contact=lars, report=report, title="Lars' anden")
    stale(report=report, title="Uden kontaktperson")

    result = send_followup_reminders(today=TODAY)

    assert (result.contacts_emailed, result.recommendations_listed) == (2, 3)
    by_address = {m.to[0]: set(blocks(m.body)) for m in mail.outbox}
    assert by_address == {
        "karen@allerod.dk": {"Karens anbefaling"},
        "lars@allerod.dk": {"Lars' første", "Lars' anden"},
    }


@pytest.mark.django_db
def test_contact_without_address_or_active_account_is_skipped(karen, hr_officer, report):
    assert hr_officer.email == ""
    stale(contact=hr_officer, report=report)
    gone = UserFactory(username="gone", email="gone@allerod.dk", is_active=False)
    stale(contact=gone, report=report)
    stale(contact=karen, report=report)

    result = send_followup_reminders(today=TODAY)

    assert (result.contacts_emailed, result.contacts_unreachable) == (1, 2)
    assert [m.to for m in mail.outbox] == [["karen@allerod.dk"]]
    assert list(ReminderSent.objects.values_list("contact__username", flat=True)) == ["karen"]


@pytest.mark.django_db
def test_second_run_the_same_day_sends_nothing_and_says_so(karen, lars, report):
    stale(contact=karen, report=report)
    overdue(contact=karen, report=report)
    stale(contact=lars, report=report)

    first = run_command("--date", "2025-06-30")
    assert first == (
        "Sent 2 digests covering 3 recommendations; 0 contacts already reminded on 2025-06-30."
    )
    assert len(mail.outbox) == 2

    second = run_command("--date", "2025-06-30")
    assert second == (
        "Sent 0 digests covering 0 recommendations; 2 contacts already reminded on 2025-06-30."
    )
    assert len(mail.outbox) == 2
    assert ReminderSent.objects.count() == 2


@pytest.mark.django_db
def test_the_next_day_sends_again(karen, report):
    stale(contact=karen, report=report)
    run_command("--date", "2025-06-30")

    out = run_command("--date", "2025-07-01")

    assert out == (
        "Sent 1 digest covering 1 recommendation; 0 contacts already reminded on 2025-07-01."
    )
    assert len(mail.outbox) == 2
    assert ReminderSent.objects.filter(contact=karen).count() == 2


@pytest.mark.django_db
def test_command_without_date_uses_today(karen, report):
    RecommendationFactory(contact=karen, report=report, follow_up_date=datetime.date(2000, 1, 1))
    assert run_command() == (
        "Sent 1 digest covering 1 recommendation; 0 contacts already reminded today."
    )
    assert ReminderSent.objects.get().sent_on == timezone.localdate()


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["notadate", "2025-02-30", "30-06-2025"])
def test_invalid_date_is_refused_with_the_expected_form(value):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run_command("--date", value)


@pytest.mark.django_db
def test_run_that_loses_the_race_counts_the_contact_as_already_reminded(monkeypatch, karen, report):
    """Another run inserted today's row after this one looked: the unique constraint decides."""
    stale(contact=karen, report=report)
    ReminderSent.objects.create(contact=karen, sent_on=TODAY, recommendation_count=1)
    monkeypatch.setattr(reminders, "_already_reminded", lambda contact_ids, today: set())

    result = send_followup_reminders(today=TODAY)

    assert (result.contacts_emailed, result.contacts_already_reminded) == (0, 1)
    assert mail.outbox == []


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server down")


@pytest.mark.django_db
def test_refused_e_mail_is_not_recorded_as_sent_and_is_retried(karen, lars, report):
    stale(contact=karen, report=report)

    result = send_followup_reminders(today=TODAY, connection=RefusingBackend())

    assert (result.contacts_emailed, result.contacts_failed) == (0, 1)
    assert not ReminderSent.objects.exists()
    assert send_followup_reminders(today=TODAY).contacts_emailed == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_command_fails_loudly_when_e_mails_were_refused(settings, karen, report):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    stale(contact=karen, report=report)
    with pytest.raises(CommandError, match="1 digest could not be sent"):
        run_command("--date", "2025-06-30")
    assert not ReminderSent.objects.exists()


@pytest.mark.django_db
def test_reading_takes_the_same_queries_however_many_recommendations(
    django_assert_num_queries, karen, report
):
    stale(contact=karen, report=report)
    with django_assert_num_queries(5) as few:  # read, already-sent, savepoint, insert, release
        send_followup_reminders(today=TODAY)
    ReminderSent.objects.all().delete()
    for _ in range(6):
        overdue(contact=karen, report=ReportFactory(municipality=report.municipality))
    with django_assert_num_queries(len(few.captured_queries)):
        send_followup_reminders(today=TODAY)
    assert len(blocks(mail.outbox[-1].body)) == 7
