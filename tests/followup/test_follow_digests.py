"""The daily e-mail to those who follow: the status changes since the last one, once, one e-mail a
day, nothing when nothing changed, nothing about what the person can no longer see."""

import datetime
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from followup import follow_digests, follows
from followup.models import Follow, FollowChangeSent, FollowDigestSent
from organizations import services as organization_services
from organizations.models import Membership, Role, User
from recommendations.services import recommendation_change_status
from tests.factories import RecommendationFactory, ReportFactory, member, status

# PostgreSQL: one e-mail a day and each change once are decided by unique constraints.
pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

TODAY = timezone.localdate()
TOMORROW = TODAY + datetime.timedelta(days=1)


@pytest.fixture
def rita(council_member):
    User.objects.filter(pk=council_member.pk).update(email="rita@allerod.dk", first_name="Rita")
    council_member.refresh_from_db()
    return council_member


@pytest.fixture
def report(allerod):
    return ReportFactory.create(municipality=allerod, title="Rekruttering og fastholdelse")


@pytest.fixture
def six(report):
    return RecommendationFactory.create(report=report, number="6", title="Flere sosu-elever")


@pytest.fixture
def seven(report):
    return RecommendationFactory.create(report=report, number="7", title="Bedre introduktion")


def change(recommendation, key, note="", by=None):
    return recommendation_change_status(
        recommendation=recommendation, status=status(key), note=note, acting_user=by
    )


def test_the_digest_tells_each_change_once_in_one_email_a_day(rita, allerod, six, hr_officer):
    change(six, "i-gang", by=hr_officer)  # before she followed: not news to her
    follows.follow_start(target=six, municipality=allerod, acting_user=rita)
    assert follow_digests.send(today=TODAY).sent == 0 and mail.outbox == []  # nothing changed

    change(six, "forsinket", note="Mangler praktikpladser", by=hr_officer)
    result = follow_digests.send(today=TODAY)
    assert result.sent == 1
    message = mail.outbox[0]
    assert message.to == ["rita@allerod.dk"]
    assert message.subject == "Ny status: 1 anbefaling, du følger"
    body = message.body
    assert "Kære Rita" in body
    assert "6. Flere sosu-elever" in body and "Rapport: Rekruttering og fastholdelse" in body
    day = f"{TODAY.day}. "
    assert f"{day}" in body and ": I gang → Forsinket" in body
    assert "Ikke påbegyndt → I gang" not in body  # recorded before she followed
    assert "Begrundelse: Mangler praktikpladser" in body
    assert "http://testserver" not in body
    assert reverse("recommendation-detail", args=["allerod", six.pk]) in body
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<http") and "/afmeld/" in unsubscribe
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"

    # The same day again, even with a new change: no second e-mail.
    change(six, "i-gang", by=hr_officer)
    again = follow_digests.send(today=TODAY)
    assert (again.sent, again.already_sent) == (0, 1) and len(mail.outbox) == 1

    # The next day: only what she has not been told.
    assert follow_digests.send(today=TOMORROW).sent == 1
    body = mail.outbox[1].body
    assert ": Forsinket → I gang" in body and "I gang → Forsinket" not in body
    # And the day after, with nothing new: nothing.
    assert follow_digests.send(today=TOMORROW + datetime.timedelta(days=1)).sent == 0
    assert len(mail.outbox) == 2
    assert FollowChangeSent.objects.filter(user=rita).count() == 2


def test_a_report_follow_covers_its_recommendations_and_each_change_is_told_once(
    rita, allerod, report, six, seven, hr_officer
):
    follows.follow_start(target=report, municipality=allerod, acting_user=rita)
    follows.follow_start(target=six, municipality=allerod, acting_user=rita)
    change(six, "i-gang", by=hr_officer)
    change(seven, "undersoeges", by=hr_officer)
    # A new progress or "no change" with a note is not a status change.
    recommendation_change_status(
        recommendation=seven, status=status("undersoeges"), note="ingen ændring", acting_user=None
    )
    follow_digests.send(today=TODAY)
    body = mail.outbox[0].body
    assert mail.outbox[0].subject == "Ny status: 2 anbefalinger, du følger"
    assert body.count("Ikke påbegyndt → I gang") == 1
    assert body.count("Ikke påbegyndt → Undersøges") == 1 and "ingen ændring" not in body
    assert body.index("6. Flere sosu-elever") < body.index("7. Bedre introduktion")


def test_nothing_about_what_the_person_can_no_longer_see(
    rita, allerod, six, hr_officer, administrator
):
    follows.follow_start(target=six, municipality=allerod, acting_user=rita)
    membership = Membership.objects.get(user=rita, municipality=allerod)
    organization_services.membership_remove(membership=membership, acting_user=administrator)
    change(six, "i-gang", by=hr_officer)
    assert follow_digests.send(today=TODAY).sent == 0 and mail.outbox == []
    assert not FollowDigestSent.objects.exists()
    # The follow stays (the e-mail's link stops it); while she may not see it, she hears nothing.
    assert Follow.objects.filter(user=rita).exists()


def test_inactive_accounts_and_those_without_an_address_get_nothing(allerod, six, hr_officer):
    quiet = member("quiet", allerod, Role.COUNCIL_MEMBER)  # no e-mail address
    gone = member("gone", allerod, Role.COUNCIL_MEMBER)
    User.objects.filter(pk=gone.pk).update(email="gone@allerod.dk", is_active=False)
    for user in (quiet, gone):
        follows.follow_start(target=six, municipality=allerod, acting_user=user)
    gone.refresh_from_db()
    change(six, "i-gang", by=hr_officer)
    result = follow_digests.send(today=TODAY)
    assert (result.sent, result.unreachable) == (0, 2) and mail.outbox == []


def test_the_digest_takes_the_same_queries_for_2_and_20_follows(rita, allerod, hr_officer):
    def follow_and_change(n):
        report = ReportFactory.create(municipality=allerod)
        for _ in range(n):
            recommendation = RecommendationFactory.create(report=report)
            follows.follow_start(target=recommendation, municipality=allerod, acting_user=rita)
            change(recommendation, "i-gang", by=hr_officer)

    def build():
        with CaptureQueriesContext(connection) as queries:
            digests = follow_digests.due(TODAY)
            for digest in digests:
                follow_digests.render(digest)
        return len(queries.captured_queries), digests

    follow_and_change(2)
    few, digests = build()
    assert len(digests[0].changes) == 2
    follow_and_change(18)
    many, digests = build()
    assert len(digests[0].changes) == 20
    assert many == few, f"{few} queries for 2 follows, {many} for 20"


def test_the_command_previews_and_then_sends(rita, allerod, six, hr_officer, capsys):
    follows.follow_start(target=six, municipality=allerod, acting_user=rita)
    change(six, "i-gang", by=hr_officer)
    call_command("send_follow_digests", "--dry-run", "--date", TODAY.isoformat())
    out = capsys.readouterr().out
    assert "rita@allerod.dk: Ny status: 1 anbefaling, du følger" in out
    assert mail.outbox == [] and not FollowDigestSent.objects.exists()
    call_command("send_follow_digests", "--date", TODAY.isoformat())
    assert "Sent 1 follow digest(s)" in capsys.readouterr().out


def test_the_unsubscribe_header_through_a_real_mail_server(
    rita, allerod, six, hr_officer, smtp_server
):
    follows.follow_start(target=six, municipality=allerod, acting_user=rita)
    change(six, "i-gang", by=hr_officer)
    call_command("send_follow_digests", "--date", TODAY.isoformat())
    [message] = smtp_server.messages
    assert message["To"] == "rita@allerod.dk"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = str(message["List-Unsubscribe"]).strip()  # long: folded onto its own line
    assert header.startswith("<") and header.endswith(">")
    # The mail program's one-click unsubscribe: a POST to that address, no login, no CSRF token.
    path = urlsplit(header[1:-1]).path
    response = Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert not Follow.objects.filter(user=rita).exists()
