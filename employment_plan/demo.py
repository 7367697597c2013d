"""Demo measurements for Allerød's Beskæftigelsesplan 2026, on top of the seed data, for ./dev demo:
without them the 2026 barometer says "No data" for every indicator.

Every value is recorded through the measurement service with the data source “Demodata” and a
comment that starts with "[Demo]", so it is visibly not a figure from the documents (the indicator
page names each value's data source). The values are plausible against each indicator's baseline
and target, and give the barometer a mix of statuses. Values dated after today are left out (the
barometer only knows what has been measured). Running it again adds nothing.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from . import services
from .models import EmploymentPlan, Measurement

MUNICIPALITY_CODE = 201
PLAN_TITLE = "Beskæftigelsesplan 2026"
DATA_SOURCE = "Demodata"
COMMENT = "[Demo] Fiktivt tal til demonstration, ikke fra planen"

D = datetime.date
# code → [(date, value)]. The change targets (2.1, 3.2, 4.2, 6.2) get their 2025 level first; level
# targets start in January 2026 (the plan states no baseline for them). 5.2 has one measurement
# only: its status says that a baseline is missing. 7.3 is a deliverable: delivered in September.
VALUES: dict[str, list[tuple[datetime.date, str]]] = {
    "1.1": [(D(2026, 1, 31), "20"), (D(2026, 3, 31), "55"), (D(2026, 6, 30), "80"), (D(2026, 9, 30), "92")],
    "1.2": [(D(2026, 1, 31), "55"), (D(2026, 6, 30), "60"), (D(2026, 9, 30), "62")],
    "2.1": [(D(2025, 12, 31), "73"), (D(2026, 3, 31), "72"), (D(2026, 6, 30), "70"), (D(2026, 9, 30), "69")],
    "2.2": [(D(2026, 1, 31), "60"), (D(2026, 4, 30), "78"), (D(2026, 7, 31), "88"), (D(2026, 10, 31), "95")],
    "2.3": [(D(2026, 3, 31), "74"), (D(2026, 9, 30), "78")],
    "3.1": [(D(2026, 1, 31), "8"), (D(2026, 4, 30), "13"), (D(2026, 7, 31), "17"), (D(2026, 10, 31), "21")],
    "3.2": [(D(2025, 12, 31), "290"), (D(2026, 3, 31), "284"), (D(2026, 6, 30), "279"), (D(2026, 9, 30), "270")],
    "4.1": [(D(2026, 3, 31), "38"), (D(2026, 6, 30), "44"), (D(2026, 9, 30), "47")],
    "4.2": [(D(2025, 12, 31), "12"), (D(2026, 3, 31), "13"), (D(2026, 6, 30), "15"), (D(2026, 9, 30), "16")],
    "5.1": [(D(2026, 1, 31), "3"), (D(2026, 4, 30), "6"), (D(2026, 7, 31), "8"), (D(2026, 10, 31), "10")],
    "5.2": [(D(2026, 6, 30), "68")],
    "6.1": [(D(2026, 3, 31), "80"), (D(2026, 9, 30), "83")],
    "6.2": [(D(2025, 12, 31), "40"), (D(2026, 3, 31), "36"), (D(2026, 6, 30), "31"), (D(2026, 9, 30), "27")],
    "7.1": [(D(2026, 1, 31), "15"), (D(2026, 5, 31), "40"), (D(2026, 9, 30), "55")],
    "7.2": [(D(2026, 1, 31), "28"), (D(2026, 4, 30), "14")],
    "7.3": [(D(2026, 3, 31), "0"), (D(2026, 9, 30), "100")],
    "7.4": [(D(2026, 6, 30), "1200000"), (D(2026, 9, 30), "1700000")],
}  # fmt: skip


def demo_measurements() -> QuerySet[Measurement]:
    """The measurements this module records (the marker is their data source)."""
    return Measurement.objects.filter(
        data_source=DATA_SOURCE,
        indicator__plan__title=PLAN_TITLE,
        indicator__plan__municipality__code=MUNICIPALITY_CODE,
    )


@transaction.atomic
def create_demo_measurements(today: datetime.date | None = None) -> int:
    """Add the demo measurements once; returns how many were recorded (0 on a second run, or
    without the seeded plan)."""
    if demo_measurements().exists():
        return 0
    plan = EmploymentPlan.objects.filter(
        municipality__code=MUNICIPALITY_CODE, title=PLAN_TITLE
    ).first()
    if plan is None:
        return 0
    today = today or timezone.localdate()
    indicators = {i.code: i for i in plan.indicators.select_related("plan")}
    created = 0
    for code, values in VALUES.items():
        indicator = indicators.get(code)
        if indicator is None:
            continue
        for day, value in values:
            if day > today:
                continue
            services.measurement_record(
                indicator=indicator,
                date=day,
                value=Decimal(value),
                source=DATA_SOURCE,
                comment=COMMENT,
                period_label=day.strftime("%Y-%m"),
                acting_user=None,
            )
            created += 1
    return created
