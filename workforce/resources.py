"""The workforce's export columns (see core.resources). The staffing sheet is the staffing
import's aggregated format: re-importing it unchanged changes nothing."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from import_export.fields import Field

from core.resources import ExportResource, ObjectResource

from .models import StaffingSnapshot
from .projection import BANDS


class AgeBandField(Field):
    """One age band's headcount, read from the snapshot's ``age_bands``."""

    def __init__(self, band: str):
        super().__init__(attribute="age_bands", column_name=format_lazy("{} {}", _("age"), band))
        self.band = band


def _band(band):
    return lambda bands: (bands or {}).get(band, 0)


class StaffingSnapshotResource(ExportResource):
    convert = {f"band_{band}": _band(band) for band in BANDS}

    institution = Field(attribute="unit__name", column_name=_("Institution"))
    profession = Field(attribute="profession__name", column_name=_("Profession"))
    date = Field(attribute="date", column_name=_("Date"))
    headcount = Field(attribute="headcount", column_name=_("Headcount"))
    fte = Field(attribute="fte", column_name=_("FTE"))
    vacancies = Field(attribute="vacancies", column_name=_("Vacancies"))
    leavers_retirement = Field(
        attribute="leavers_retirement", column_name=_("Leavers for retirement")
    )
    leavers_other = Field(attribute="leavers_other", column_name=_("Other leavers"))
    hires = Field(attribute="hires", column_name=_("Hires"))
    locals().update({f"band_{band}": AgeBandField(band) for band in BANDS})
    is_demo = Field(attribute="is_demo", column_name=_("Demo data"))

    class Meta:
        model = StaffingSnapshot

    def get_queryset(self):
        return StaffingSnapshot.objects.order_by("unit__name", "profession__name", "date")


class InstitutionRowResource(ObjectResource):
    """The institutions list as the dashboard shows it (the baseline scenario's horizon year)."""

    institution = Field(attribute="unit__name", column_name=_("Institution"))
    kind = Field(attribute="kind", column_name=_("Kind"))
    area = Field(attribute="area", column_name=_("Area"))
    profession = Field(attribute="profession", column_name=_("Profession"))
    staff_now = Field(attribute="staff_now", column_name=_("Staff now"))
    year = Field(attribute="year", column_name=_("Year"))
    supply = Field(attribute="supply", column_name=_("Projected supply"))
    demand = Field(attribute="demand", column_name=_("Demand"))
    shortage = Field(attribute="shortage", column_name=_("Shortage"))
    words = Field(attribute="words", column_name=_("In words"))
    is_demo = Field(attribute="is_demo", column_name=_("Demo data"))

    def __init__(self, table=None, **kwargs):
        super().__init__(**kwargs)
        self.table = table

    def rows(self, source, selected_fields=None):
        return super().rows((_InTable(row, self.table) for row in source), selected_fields)


class _InTable:
    """A row of the institutions table with the table's year and demo marking."""

    def __init__(self, row, table):
        self._row = row
        self.year = table.year if table else None
        self.is_demo = table.is_demo if table else False

    def __getattr__(self, name):
        return getattr(self._row, name)
