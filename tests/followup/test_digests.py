"""The round's e-mails: owners when it opens and before the deadline, administrators at the
deadline; one a day per person at most, never with nothing in it, never across municipalities."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from followup import reminders, services
from followup.models import RoundDigestSent
from organizations.models import Role, User
from recommendations.services import recommendation_change_status
from tests.factories import member, status
from tests.followup.conftest import new_round

# PostgreSQL: a digest sent once a day is decided by a unique constraint.
pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def opened(allerod, committee, scope, owners, administrator):
    for user in (*owners.values(), administrator):
        User.objects.filter(pk=user.pk).update(email=f"{user.username}@allerod.dk")
    round = new_round(allerod, committee, administrator)
    return services.round_open(
        round=round, expected_version=round.version, acting_user=administrator
    )


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_owners_hear_when_the_round_opens_once_that_day(opened, owners):
    today = timezone.localdate(opened.opened_at)
    result = reminders.send(today=today)
    assert result.sent == 2
    assert recipients() == ["olga@allerod.dk", "otto@allerod.dk"]
    olga = next(m for m in mail.outbox if m.to == ["olga@allerod.dk"])
    assert olga.subject == "Opfølgningsrunde: 2 punkter, du skal opdatere"
    assert "Opfølgningsrunden “Status til Beskæftigelsesudvalget" in olga.body
    assert "http://testserver" not in olga.body and reverse("my-tasks") in olga.body
    assert "1. marts 2027" in olga.body

    # Run again the same day: nobody gets a second one.
    mail.outbox.clear()
    again = reminders.send(today=today)
    assert (again.sent, again.already_sent) == (0, 2) and mail.outbox == []
    assert RoundDigestSent.objects.count() == 2


def test_the_reminder_goes_only_to_owners_with_items_not_updated(opened, owners, scope):
    recommendation_change_status(
        recommendation=scope["second"], status=status("i-gang"), acting_user=owners["otto"]
    )
    reminder_day = opened.deadline - datetime.timedelta(days=opened.reminder_days)
    reminders.send(today=reminder_day)
    assert recipients() == ["olga@allerod.dk"]
    body = mail.outbox[0].body
    assert scope["first"].title in body and scope["second"].title not in body
    # A day with nothing due sends nothing.
    mail.outbox.clear()
    assert reminders.send(today=reminder_day + datetime.timedelta(days=1)).sent == 0
    assert mail.outbox == []


def test_at_the_deadline_the_administrator_gets_what_is_missing_and_no_one_elsewhere(
    opened, owners, scope, administrator, norddjurs
):
    outsider = member("niels", norddjurs, Role.ADMINISTRATOR)
    User.objects.filter(pk=outsider.pk).update(email="niels@norddjurs.dk")
    reminders.send(today=opened.deadline)
    assert recipients() == ["ada@allerod.dk"]
    body = mail.outbox[0].body
    assert mail.outbox[0].subject == "Opfølgningsrunde: 3 punkter ikke opdateret ved fristen"
    assert scope["first"].title in body and scope["second"].title in body
    assert reverse("followup-round", args=["allerod", opened.pk]) in body


def test_the_admin_previews_the_emails_without_sending(client, opened, administrator):
    client.force_login(administrator)
    url = reverse("admin:followup_followupround_digests", args=[opened.pk])
    day = timezone.localdate(opened.opened_at).isoformat()
    page = client.get(url, {"date": day}).content.decode()
    assert "olga@allerod.dk" in page and "otto@allerod.dk" in page
    assert mail.outbox == [] and not RoundDigestSent.objects.exists()
    assert "er ikke en dato" in client.get(url, {"date": "1. marts"}).content.decode()


def test_a_digest_through_a_real_mail_server(opened, smtp_server):
    call_command("send_round_digests", "--date", timezone.localdate(opened.opened_at).isoformat())
    assert sorted(m["To"] for m in smtp_server.messages) == ["olga@allerod.dk", "otto@allerod.dk"]
    message = smtp_server.messages[0]
    assert message["Auto-Submitted"] == "auto-generated"
    assert "Mine opgaver" in message.get_content() or "/opgaver/" in message.get_content()
