import datetime
from decimal import Decimal

import factory

from employment_plan.models import EmploymentPlan, FocusArea, Indicator, Measurement
from tests.factories import MunicipalityFactory


class PlanFactory(factory.django.DjangoModelFactory[EmploymentPlan]):
    class Meta:
        model = EmploymentPlan

    municipality = factory.SubFactory(MunicipalityFactory)
    title = factory.Sequence(lambda n: f"Beskæftigelsesplan {2026 + n}")
    period_start = datetime.date(2026, 1, 1)
    period_end = datetime.date(2026, 12, 31)


class FocusAreaFactory(factory.django.DjangoModelFactory[FocusArea]):
    class Meta:
        model = FocusArea

    plan = factory.SubFactory(PlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Indsatsområde {n + 1}")


class IndicatorFactory(factory.django.DjangoModelFactory[Indicator]):
    class Meta:
        model = Indicator

    focus_area = factory.SubFactory(FocusAreaFactory)
    plan = factory.SelfAttribute("focus_area.plan")
    code = factory.Sequence(lambda n: f"{n + 1}.1")
    title = factory.Sequence(lambda n: f"Indikator {n + 1}")
    unit = "persons"
    direction = "lower"
    target_kind = "absolute"
    target_value = Decimal(10)
    target_operator = "<="
    target_date = datetime.date(2026, 12, 31)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        obj = model_class(*args, **kwargs)
        obj.full_clean()  # derives target_absolute, as the services do
        obj.save()
        return obj


class MeasurementFactory(factory.django.DjangoModelFactory[Measurement]):
    class Meta:
        model = Measurement

    indicator = factory.SubFactory(IndicatorFactory)
    date = datetime.date(2026, 3, 31)
    value = Decimal(15)
