"""When a recommendation needs an update: not updated within an interval (default 90 days,
setting RECOMMENDATION_STALE_AFTER_DAYS) or past its follow-up date. Closed ones never do."""

import datetime

from django.conf import settings
from django.utils import timezone


def stale_after_days() -> int:
    return int(getattr(settings, "RECOMMENDATION_STALE_AFTER_DAYS", 90))


def stale_before(today: datetime.date) -> datetime.datetime:
    """Updates older than this moment are stale on ``today``."""
    start_of_today = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    return start_of_today - datetime.timedelta(days=stale_after_days())


def freshness(recommendation, today: datetime.date | None = None) -> dict:
    """Days since the last update and whether (and why) the recommendation needs one."""
    today = today or timezone.localdate()
    days = (today - timezone.localtime(recommendation.last_updated_at).date()).days
    reasons = []
    if not recommendation.status.closes:
        if recommendation.last_updated_at < stale_before(today):
            reasons.append("stale")
        due = recommendation.follow_up_due
        if due is not None and due < today:
            reasons.append("overdue")
    return {"days_since_update": days, "needs_update": bool(reasons), "reasons": reasons}
