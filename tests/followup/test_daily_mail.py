"""``manage.py send_daily_mail``: the one command the daily systemd unit starts runs the three
e-mail jobs in turn, and a job that fails does not keep the others from sending."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from recommendations.management.commands import send_followup_reminders

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("send_daily_mail", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), str(exc)
    return out.getvalue(), err.getvalue(), None


def test_the_three_jobs_run_in_turn_on_the_given_date():
    out, err, failure = run("--date", "2026-03-02")
    lines = out.splitlines()
    assert failure is None and err == ""
    assert [line.split(";")[0] for line in lines] == [
        "Sent 0 digests covering 0 recommendations",
        "Sent 0 round digest(s)",
        "Sent 0 follow digest(s)",
    ]
    assert "already reminded on 2026-03-02" in lines[0]


def test_a_job_that_fails_is_named_and_the_others_still_send(monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("SMTP-serveren svarer ikke")

    monkeypatch.setattr(send_followup_reminders, "send_followup_reminders", broken)
    out, err, failure = run()
    assert "send_followup_reminders failed: SMTP-serveren svarer ikke" in err
    assert [line.split(";")[0] for line in out.splitlines()] == [
        "Sent 0 round digest(s)",
        "Sent 0 follow digest(s)",
    ]
    assert failure == "Failed: send_followup_reminders; the other daily e-mails were sent."


def test_a_malformed_date_sends_nothing():
    out, _err, failure = run("--date", "02-03-2026")
    assert out == "" and failure is not None and "YYYY-MM-DD" in failure
