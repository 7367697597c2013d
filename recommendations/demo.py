"""A demo status history for Allerød's recommendations, on top of the seed data, for ./dev demo.

Every entry is recorded with origin "demo" and a note that starts with "[Demo]", so it is visibly
not a fact from the documents. Running it again adds nothing.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from organizations.models import User

from . import services
from .models import ProgressMode, Recommendation, Status, StatusUpdate, UpdateOrigin

REPORT_KEY = "allerod-2023-opgaveudvalg"

# number, [(days ago, status key, progress or None, note)]
# (number, [(days ago, status key, progress or None, note)])
HISTORY: list[tuple[str, list[tuple[int, str, int | None, str]]]] = [
    (
        "1",
        [
            (400, "besluttet", None, "Byrådet har vedtaget anbefalingen"),
            (300, "i-gang", 30, "Kompetenceteamet er nedsat"),
            (40, "i-gang", 55, "Første netværk for studerende holdt"),
        ],
    ),
    (
        "2",
        [
            (380, "undersoeges", None, "Økonomien i ekstra timer beregnes"),
            (200, "forsinket", None, "Afventer budgetforhandlingerne"),
        ],
    ),
    (
        "3",
        [
            (350, "besluttet", None, "Vedtaget med budgettet"),
            (120, "i-gang", 40, "Mentorordning i gang på to plejecentre"),
        ],
    ),
    ("5", [(330, "i-gang", 20, "Pilotprojekt om fleksible vagter")]),
    ("6a", [(300, "undersoeges", None, "Forvaltningen undersøger mulighederne")]),
    ("6b", [(300, "i-gang", 60, "Forsøg med selvplanlægning")]),
    ("6c", [(250, "fravalgt", None, "Fravalgt: kan ikke rummes i overenskomsten")]),
    ("7", [(280, "gennemfoert", None, "Onboardingprogram indført i alle områder")]),
    ("9", [(150, "i-gang", 25, "Kommunikationsplan udarbejdet")]),
]


@transaction.atomic
def create_demo_history(*, author_username: str = "hr") -> int:
    """Add the demo history once; returns the number of updates created (0 on a second run)."""
    if StatusUpdate.objects.filter(
        origin=UpdateOrigin.DEMO, recommendation__report__key=REPORT_KEY
    ).exists():
        return 0
    author = User.objects.filter(username=author_username).first()
    statuses = {s.key: s for s in Status.objects.all()}
    today = timezone.localdate()
    recs = {r.number: r for r in Recommendation.objects.filter(report__key=REPORT_KEY)}
    if not recs:
        return 0
    six = recs.get("6")
    if six is not None:
        services.recommendation_set_progress_mode(
            recommendation=six, mode=ProgressMode.ROLLUP, acting_user=None
        )
    created = 0
    for number, entries in HISTORY:
        rec = recs.get(number)
        if rec is None:
            continue
        if author is not None and rec.contact_id is None:
            rec.contact = author
            rec.save(update_fields=["contact"])
        for days_ago, key, progress, note in entries:
            services.recommendation_change_status(
                recommendation=Recommendation.objects.get(pk=rec.pk),
                status=statuses[key],
                progress=progress,
                note=f"[Demo] {note}",
                effective_on=today - datetime.timedelta(days=days_ago),
                origin=UpdateOrigin.DEMO,
                acting_user=author,
            )
            created += 1
    return created
