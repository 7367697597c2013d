"""Importing staffing from a spreadsheet, through the one import pipeline (core.importing), in two
shapes:

* **Aggregated rows**: institution, profession, date, headcount, FTE, vacancies, headcount per age
  band (columns "15-19" … "70+"), leavers for retirement, other leavers and hires in the past 12
  months.
* **An anonymised staff list**: a pseudonymous id, birth year, profession, institution, FTE, start
  date, end date and reason for leaving. It is aggregated on import to one snapshot per institution ×
  profession on a chosen date and never stored row by row.

Before anything else the file is checked for personal data: a column named like a name or a CPR
number, or any cell that looks like a CPR number, refuses the whole file. A staff list is turned into
aggregated rows first (``transform``); only those are shown, signed and written, never the list.
"""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import importing
from core.cells import digits_of
from core.importing import CHANGED, NEW, UNCHANGED, Cells, Column, Outcome, Table
from core.tabular import Row, TableError
from organizations.importing import MunicipalSubject
from organizations.models import INSTITUTION_KINDS, Municipality, OrganisationalUnit, Profession

from . import services
from .models import StaffingSnapshot
from .projection import BANDS, band_of_age
from .resources import StaffingSnapshotResource

AGGREGATED = {
    "institution": ("institution", "institutionsnavn", "enhed", "unit"),
    "profession": ("profession", "faggruppe", "fag", "stillingskategori"),
    "date": ("date", "dato", "opgørelsesdato"),
    "headcount": ("headcount", "antal", "antal ansatte", "ansatte"),
    "fte": ("fte", "årsværk", "fuldtidsstillinger"),
    "vacancies": ("vacancies", "vakancer", "ledige stillinger"),
    "leavers_retirement": ("leavers_retirement", "afgang pension", "fratrådte pension"),
    "leavers_other": ("leavers_other", "afgang øvrige", "fratrådte øvrige"),
    "hires": ("hires", "ansættelser", "tilgang"),
}
AGGREGATED_REQUIRED = ("institution", "profession", "date", "headcount", "fte")
DIGITS = {name: digits_of(StaffingSnapshot._meta.get_field(name)) for name in ("fte", "vacancies")}


STAFF_LIST = {
    "id": ("id", "pseudonym", "pseudonym id", "løbenummer", "medarbejder-id"),
    "birth_year": ("birth_year", "birth year", "fødselsår"),
    "profession": AGGREGATED["profession"],
    "institution": AGGREGATED["institution"],
    "fte": ("fte", "årsværk", "beskæftigelsesgrad"),
    "start_date": ("start_date", "start date", "startdato", "ansat fra"),
    "end_date": ("end_date", "end date", "slutdato", "fratrådt"),
    "end_reason": ("end_reason", "reason", "fratrædelsesårsag", "årsag"),
}
STAFF_LIST_REQUIRED = ("id", "birth_year", "profession", "institution", "fte", "start_date")
RETIREMENT_WORDS = {"pension", "retirement", "alderspension", "efterløn", "folkepension", "retired"}

# Header words that name a person or a CPR number. "Name" is allowed only as part of the name of an
# institution or profession ("institution name").
PERSONAL_WORDS = {
    "navn",
    "fornavn",
    "efternavn",
    "mellemnavn",
    "kaldenavn",
    "fuldenavn",
    "name",
    "firstname",
    "lastname",
    "surname",
    "fullname",
    "givenname",
    "cpr",
    "cprnr",
    "cprnummer",
    "personnummer",
    "personnr",
    "email",
    "mail",
    "adresse",
    "address",
    "telefon",
    "tlf",
    "phone",
}
ALLOWED_WITH_NAME = {"institution", "enhed", "unit", "profession", "fag", "faggruppe"}
CPR_PATTERN = re.compile(r"^\s*(\d{2})(\d{2})(\d{2})[-\s]?(\d{4})\s*$")


class PersonalDataError(TableError):
    pass


def _personal_column(column: str) -> bool:
    tokens = [t for t in re.split(r"[^a-z0-9æøå]+", column.lower()) if t]
    hits = [t for t in tokens if t in PERSONAL_WORDS]
    if not hits:
        return False
    only_name = all(t in ("name", "navn") for t in hits)
    return not (only_name and any(t in ALLOWED_WITH_NAME for t in tokens))


def looks_like_cpr(value) -> bool:
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, int) and 100_000_000 <= value <= 9_999_999_999:
        text = f"{value:010d}"  # a CPR number in a number cell has lost its leading zero
    elif isinstance(value, float) and value.is_integer() and 1e8 <= value < 1e10:
        text = f"{int(value):010d}"
    else:
        text = str(value)
    match = CPR_PATTERN.match(text)
    if not match:
        return False
    day, month, year = (int(g) for g in match.groups()[:3])
    try:
        datetime.date(2000 + year if year < 100 else year, month, day)
    except ValueError:
        return False
    return True


def guard_personal_data(header: list[str], rows: list[Row]) -> None:
    """Refuse a file with a name-like or CPR-like column, or a cell that looks like a CPR number."""
    columns = [h for h in header if h and _personal_column(h)]
    if columns:
        raise PersonalDataError(
            _(
                "The file seems to contain personal data (column “%(column)s”). Remove names and "
                "CPR numbers and use a pseudonymous id; nothing was imported."
            )
            % {"column": columns[0]}
        )
    for row in rows:
        for column, value in row.values.items():
            if looks_like_cpr(value):
                raise PersonalDataError(
                    _(
                        "Row %(row)d, column “%(column)s” looks like a CPR number. Remove CPR "
                        "numbers and use a pseudonymous id; nothing was imported."
                    )
                    % {"row": row.number, "column": column}
                )


def is_staff_list(header: list[str]) -> bool:
    return any(h in STAFF_LIST["birth_year"] for h in header)


def band_columns(header) -> dict[str, str]:
    """Age-band columns: "25-29", "alder 25-29", "age 25-29", "25-29 år"."""
    found = {}
    for h in header:
        label = h
        for word in ("alder", "age", "år", "years"):
            label = label.replace(word, "")
        label = label.strip()
        if label in BANDS:
            found[label] = h
    return found


class StaffingOptions(forms.Form):
    municipality = forms.ModelChoiceField(
        label=gettext_lazy("Municipality"), queryset=Municipality.objects.none()
    )
    date = forms.DateField(
        label=gettext_lazy("Snapshot date"),
        required=False,
        help_text=gettext_lazy("For a staff list: the date the staff are counted on (31.12.2025)."),
    )

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        field_ = self.fields["municipality"]
        assert isinstance(field_, forms.ModelChoiceField)
        field_.queryset = Municipality.objects.editable_by(user, SUBJECT.permission).order_by(
            "name"
        )
        if field_.queryset.count() == 1:
            field_.initial = field_.queryset.first()


@dataclass
class Context:
    units: dict[str, OrganisationalUnit]
    professions: dict[str, Profession]
    stored: dict[tuple[int, int, datetime.date], StaffingSnapshot]
    seen: dict[tuple[int, int, datetime.date], int | None] = field(default_factory=dict)


def _lookups(municipality) -> tuple[dict[str, OrganisationalUnit], dict[str, Profession]]:
    units = {}
    for unit in OrganisationalUnit.objects.filter(
        municipality=municipality, kind__in=INSTITUTION_KINDS
    ):
        units[unit.name.strip().lower()] = unit
    professions = {}
    for profession in Profession.objects.all():
        for name in (profession.key, profession.name, profession.name_plural):
            professions[name.strip().lower()] = profession
    return units, professions


def _found(lookup: dict, cells: Cells, key: str, outcome: Outcome, message: str):
    found = lookup.get((cells[key] or "").lower())
    if found is None:
        outcome.error(cells.names[key], message % {"value": cells[key]})
    return found


class Staffing(MunicipalSubject):
    key = "staffing"
    title = gettext_lazy("Import staffing")
    resource = StaffingSnapshotResource
    help_text = gettext_lazy(
        "Upload aggregated staffing rows (the columns below, and a headcount per age band in "
        "columns 15-19 … 70+), or an anonymised staff list that is aggregated on import and never "
        "stored row by row (columns id, fødselsår, faggruppe, institution, årsværk, startdato and "
        "optionally slutdato and årsag; choose the snapshot date). Files with names or CPR numbers "
        "are refused."
    )
    columns = [
        Column("institution", AGGREGATED["institution"], required=True),
        Column("profession", AGGREGATED["profession"], required=True),
        Column("date", AGGREGATED["date"], importing.date, required=True),
        Column("headcount", AGGREGATED["headcount"], importing.whole, required=True),
        Column("fte", AGGREGATED["fte"], importing.number(DIGITS["fte"], minimum=0), required=True),
        Column(
            "vacancies", AGGREGATED["vacancies"], importing.number(DIGITS["vacancies"], minimum=0)
        ),
        *(
            Column(name, AGGREGATED[name], importing.whole)
            for name in ("leavers_retirement", "leavers_other", "hires")
        ),
    ]

    def columns_for(self, header):
        bands = [
            Column(band, (name,), importing.whole) for band, name in band_columns(header).items()
        ]
        return [*self.named_columns, *bands]

    def options_form(self, user, data=None):
        return StaffingOptions(data, user=user)

    def transform(self, table: Table, options) -> tuple[Table, list[Outcome]]:
        try:
            guard_personal_data(table.header, table.rows)
        except PersonalDataError as exc:
            return table, [Outcome(row=None, errors=[("", str(exc))], action=importing.ERROR)]
        if not is_staff_list(table.header):
            return table, []
        return aggregate_staff_list(table, options)

    def prepare(self, rows: list[Cells], *, user: Any, options: Any) -> Context:
        municipality = options["municipality"]
        self.check_municipality(user, municipality.pk)
        units, professions = _lookups(municipality)
        stored = {
            (s.unit_id, s.profession_id, s.date): s
            for s in StaffingSnapshot.objects.filter(unit__municipality=municipality)
        }
        return Context(units, professions, stored)

    def check(self, context: Context, cells: Cells, outcome: Outcome) -> None:
        unit = _found(
            context.units,
            cells,
            "institution",
            outcome,
            _("No institution “%(value)s” in this municipality."),
        )
        profession = _found(
            context.professions, cells, "profession", outcome, _("Unknown profession “%(value)s”.")
        )
        values: dict[str, Any] = {name: cells[name] or 0 for name in SNAPSHOT_VALUES}
        bands = {b: cells[b] for b in BANDS if cells[b]}
        values["age_bands"] = bands
        if cells["headcount"] is not None and sum(bands.values()) > cells["headcount"]:
            outcome.error(
                cells.names[next(iter(bands))],
                _("The age bands add up to more than the headcount."),
            )
        if outcome.errors:
            return
        key = (unit.pk, profession.pk, cells["date"])
        if key in context.seen:
            outcome.error(
                cells.names["institution"],
                _("The same institution, profession and date as row %(row)s.")
                % {"row": context.seen[key]},
            )
            return
        context.seen[key] = outcome.row
        outcome.label = f"{unit.name} · {profession.name} · {cells['date']:%d.%m.%Y}"
        self._compare(context.stored.get(key), values, outcome)
        outcome.record = {
            "unit": unit,
            "profession": profession,
            "date": cells["date"],
            "values": values,
        }

    def _compare(self, stored: StaffingSnapshot | None, values: dict, outcome: Outcome) -> None:
        for name, value in values.items():
            old = getattr(stored, name) if stored is not None else None
            if name == "age_bands":
                old = {k: v for k, v in (old or {}).items() if v} if stored is not None else None
            elif old is not None:
                old = Decimal(str(old))
            new = value if name == "age_bands" else Decimal(str(value))
            outcome.change(FIELD_LABELS[name], old, new)
        outcome.action = NEW if stored is None else (CHANGED if outcome.changes else UNCHANGED)

    def apply(self, context: Context, rows: list[Outcome], *, user: Any, progress) -> None:
        services.staffing_import_apply(
            rows=[r.record for r in rows if r.action in (NEW, CHANGED)],
            acting_user=user,
            on_progress=progress,
        )


SNAPSHOT_VALUES = ("headcount", "fte", "vacancies", "leavers_retirement", "leavers_other", "hires")
FIELD_LABELS = {
    field.name: field.verbose_name
    for field in StaffingSnapshot._meta.fields
    if field.name in (*SNAPSHOT_VALUES, "age_bands")
}
STAFF_LIST_COLUMNS = [
    Column("id", STAFF_LIST["id"], required=True),
    Column("birth_year", STAFF_LIST["birth_year"], importing.whole, required=True),
    Column("profession", STAFF_LIST["profession"], required=True),
    Column("institution", STAFF_LIST["institution"], required=True),
    Column("fte", STAFF_LIST["fte"], importing.number(DIGITS["fte"], minimum=0), required=True),
    Column("start_date", STAFF_LIST["start_date"], importing.date, required=True),
    Column("end_date", STAFF_LIST["end_date"], importing.date),
    Column("end_reason", STAFF_LIST["end_reason"]),
]


def _year_before(day: datetime.date) -> datetime.date:
    if day.month == 2 and day.day == 29:
        return day - datetime.timedelta(days=365)
    return day.replace(year=day.year - 1)


def _staff_row_errors(cells: Cells, outcome: Outcome, day: datetime.date) -> None:
    birth_year, fte = cells["birth_year"], cells["fte"]
    if birth_year is not None and not 1900 <= birth_year <= day.year - 14:
        outcome.error(cells.names["birth_year"], _("Not a plausible birth year."))
    if fte is not None and fte > 1:
        outcome.error(cells.names["fte"], _("FTE is a share of full time, at most 1."))
    start, end = cells["start_date"], cells["end_date"]
    if start and end and end < start:
        outcome.error(cells.names["end_date"], _("The end date is before the start date."))


def _count(cell: dict[str, Any], cells: Cells, day: datetime.date) -> None:
    """One person's part in their institution × profession on ``day`` and the year before it."""
    start, end = cells["start_date"], cells["end_date"]
    if start <= day and (end is None or end > day):
        cell["headcount"] += 1
        cell["fte"] += cells["fte"]
        cell["bands"][band_of_age(day.year - cells["birth_year"])] += 1
    if end is not None and _year_before(day) < end <= day:
        retired = (cells["end_reason"] or "").lower() in RETIREMENT_WORDS
        cell["leavers_retirement" if retired else "leavers_other"] += 1
    if _year_before(day) < start <= day:
        cell["hires"] += 1


def aggregate_staff_list(table: Table, options) -> tuple[Table, list[Outcome]]:
    """A staff list as aggregated rows (one per institution × profession on the chosen date); its
    rows' errors as outcomes. The list itself is not kept."""
    day = options.get("date")
    if day is None:
        return table, [
            Outcome(None, errors=[("", _("A staff list needs the date of the snapshot."))])
        ]
    typed, file_errors = importing.typed_rows(STAFF_LIST_COLUMNS, table)
    if file_errors:
        return table, [Outcome(None, errors=[("", m)]) for m in file_errors]
    cells_by_group: defaultdict[tuple[str, str], dict[str, Any]] = defaultdict(
        lambda: {
            "headcount": 0,
            "fte": Decimal(0),
            "bands": defaultdict(int),
            "leavers_retirement": 0,
            "leavers_other": 0,
            "hires": 0,
        }
    )
    ids: dict[tuple[str, str, str], int | None] = {}
    refused = []
    first_rows: dict[
        tuple[str, str], int | None
    ] = {}  # an aggregate points at its group's first row
    for cells, outcome in typed:
        _staff_row_errors(cells, outcome, day)
        key = (
            cells["id"],
            (cells["institution"] or "").lower(),
            (cells["profession"] or "").lower(),
        )
        if cells["id"] and key in ids:
            outcome.error(cells.names["id"], _("The same id as row %(row)s.") % {"row": ids[key]})
        ids[key] = outcome.row
        if outcome.errors:
            outcome.action = importing.ERROR
            refused.append(outcome)
        else:
            group = (cells["institution"], cells["profession"])
            first_rows.setdefault(group, outcome.row)
            _count(cells_by_group[group], cells, day)
    header = [*AGGREGATED, *BANDS]
    rows = [
        Row(
            first_rows[(institution, profession)] or 0,
            {
                "institution": institution,
                "profession": profession,
                "date": day,
                **{k: v for k, v in cell.items() if k != "bands"},
                "vacancies": 0,
                **dict(cell["bands"]),
            },
        )
        for (institution, profession), cell in sorted(cells_by_group.items())
    ]
    return Table(header, rows, source_rows=len(table.rows)), refused


SUBJECT = importing.register(Staffing())
