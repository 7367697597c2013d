"""Importing staffing from a spreadsheet (read by core.tabular), in two shapes:

* **Aggregated rows**: institution, profession, date, headcount, FTE, vacancies, headcount per age
  band (columns "15-19" … "70+"), leavers for retirement, other leavers and hires in the past 12
  months.
* **An anonymised staff list**: a pseudonymous id, birth year, profession, institution, FTE, start
  date, end date and reason for leaving. It is aggregated on import to one snapshot per institution ×
  profession on a chosen date and never stored row by row.

Before anything else the file is checked for personal data: a column named like a name or a CPR
number, or any cell that looks like a CPR number, refuses the whole file. Every row is validated and
shown as a preview; confirming writes all snapshots through the service, or none.
"""

import datetime
import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core import signing
from django.utils.translation import gettext as _

from core.cells import WHOLE_DIGITS, CellError, cell_text, digits_of, parse_date, parse_number
from core.resources import with_aliases
from core.tabular import Row, TableError
from organizations.models import INSTITUTION_KINDS, OrganisationalUnit, Profession

from . import services
from .models import StaffingSnapshot
from .projection import BANDS, band_of_age

IMPORT_PERM = "workforce.import_staffing"
SIGNING_SALT = "workforce.import"

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


@functools.cache
def aggregated_columns() -> dict[str, tuple[str, ...]]:
    """The aggregated columns, with the staffing export's headers in both languages."""
    from .resources import StaffingSnapshotResource

    return with_aliases(AGGREGATED, StaffingSnapshotResource)


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


@dataclass
class Preview:
    kind: str  # "aggregated" or "staff_list"
    snapshots: list[dict] = field(default_factory=list)  # unit, profession, date, values
    errors: list[tuple[int | None, str, str]] = field(default_factory=list)  # row, column, message
    source_rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.snapshots)


def _columns(header, spec, required):
    mapping, errors = {}, []
    for name, aliases in spec.items():
        found = [h for h in header if h in aliases]
        if found:
            mapping[name] = found[0]
        elif name in required:
            errors.append(
                (
                    None,
                    aliases[0],
                    _("The column “%(column)s” is missing.") % {"column": aliases[0]},
                )
            )
    return mapping, errors


def _lookups(municipality):
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


def _whole(value, column, row, errors, *, required=False):
    try:
        number = parse_number(value, max_digits=WHOLE_DIGITS)
    except CellError as exc:
        errors.append((row.number, column, str(exc)))
        return None
    if number is None:
        if required:
            errors.append((row.number, column, _("A value is required.")))
        return None if required else 0
    if number < 0 or number != number.to_integral_value():
        errors.append((row.number, column, _("Must be a whole number ≥ 0.")))
        return None
    return int(number)


def _decimal(value, column, row, errors, *, digits, required=False):
    try:
        number = parse_number(value, **digits)
    except CellError as exc:
        errors.append((row.number, column, str(exc)))
        return None
    if number is None:
        if required:
            errors.append((row.number, column, _("A value is required.")))
        return None if required else 0
    if number < 0:
        errors.append((row.number, column, _("Must be a number ≥ 0.")))
        return None
    return number


def _getter(row, mapping):
    return lambda name: row.values.get(mapping[name]) if name in mapping else None


def _match(value, lookup, column, row, errors, message):
    text = cell_text(value)
    found = lookup.get(text.lower())
    if found is None:
        errors.append((row.number, column, message % {"value": text}))
    return found


def preview(header, rows, *, municipality, date: datetime.date | None = None) -> Preview:
    """Validate (and, for a staff list, aggregate) every row; writes nothing. Each snapshot gets
    an ``action``: "create", "update", or "unchanged" when it repeats the stored snapshot (so
    re-importing an export changes nothing)."""
    guard_personal_data(header, rows)
    if is_staff_list(header):
        result = _staff_list(header, rows, municipality, date)
    else:
        result = _aggregated(header, rows, municipality)
    if not result.errors:
        _mark_actions(result)
    return result


def _mark_actions(result: Preview) -> None:
    from .services import SNAPSHOT_FIELDS

    units = {s["unit"].pk for s in result.snapshots}
    stored = {
        (s.unit_id, s.profession_id, s.date): s
        for s in StaffingSnapshot.objects.filter(unit__in=units)
    }
    for snapshot in result.snapshots:
        existing = stored.get((snapshot["unit"].pk, snapshot["profession"].pk, snapshot["date"]))
        if existing is None:
            snapshot["action"] = "create"
            continue
        same = all(
            _same(getattr(existing, name), snapshot["values"][name])
            for name in SNAPSHOT_FIELDS
            if name in snapshot["values"]
        )
        snapshot["action"] = "unchanged" if same else "update"


def _same(stored, given) -> bool:
    if isinstance(stored, dict) or isinstance(given, dict):
        return {k: v for k, v in (stored or {}).items() if v} == {
            k: v for k, v in (given or {}).items() if v
        }
    return Decimal(str(stored)) == Decimal(str(given))


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


def _aggregated(header, rows, municipality) -> Preview:
    result = Preview("aggregated", source_rows=len(rows))
    mapping, result.errors = _columns(header, aggregated_columns(), AGGREGATED_REQUIRED)
    band_columns_found = band_columns(header)
    if result.errors:
        return result
    units, professions = _lookups(municipality)
    seen: dict[tuple[int, int, datetime.date], int] = {}
    for row in rows:
        errors = result.errors
        get = _getter(row, mapping)
        unit = _match(
            get("institution"),
            units,
            mapping["institution"],
            row,
            errors,
            _("No institution “%(value)s” in this municipality."),
        )
        profession = _match(
            get("profession"),
            professions,
            mapping["profession"],
            row,
            errors,
            _("Unknown profession “%(value)s”."),
        )
        try:
            date = parse_date(get("date"))
            if date is None:
                errors.append((row.number, mapping["date"], _("A value is required.")))
        except CellError as exc:
            date = None
            errors.append((row.number, mapping["date"], str(exc)))
        values = {
            "headcount": _whole(get("headcount"), mapping["headcount"], row, errors, required=True),
            "fte": _decimal(
                get("fte"), mapping["fte"], row, errors, digits=DIGITS["fte"], required=True
            ),
        }
        for name in ("vacancies",):
            values[name] = _decimal(
                get(name), mapping.get(name, name), row, errors, digits=DIGITS[name]
            )
        for name in ("leavers_retirement", "leavers_other", "hires"):
            values[name] = _whole(get(name), mapping.get(name, name), row, errors)
        bands = {}
        for band, column in band_columns_found.items():
            count = _whole(row.values.get(column), column, row, errors)
            if count:
                bands[band] = count
        values["age_bands"] = bands
        if values["headcount"] is not None and sum(bands.values()) > values["headcount"]:
            errors.append(
                (
                    row.number,
                    band_columns_found[next(iter(bands))],
                    _("The age bands add up to more than the headcount."),
                )
            )
        if unit and profession and date:
            key = (unit.pk, profession.pk, date)
            if key in seen:
                errors.append(
                    (
                        row.number,
                        mapping["institution"],
                        _("The same institution, profession and date as row %(row)d.")
                        % {"row": seen[key]},
                    )
                )
            seen[key] = row.number
        if not any(e[0] == row.number for e in errors):
            result.snapshots.append(
                {"unit": unit, "profession": profession, "date": date, "values": values}
            )
    return result


def _staff_list(header, rows, municipality, date) -> Preview:
    result = Preview("staff_list", source_rows=len(rows))
    mapping, result.errors = _columns(header, STAFF_LIST, STAFF_LIST_REQUIRED)
    if date is None:
        result.errors.append((None, "", _("A staff list needs the date of the snapshot.")))
    if result.errors:
        return result
    units, professions = _lookups(municipality)
    year_ago = (
        date.replace(year=date.year - 1)
        if not (date.month == 2 and date.day == 29)
        else date - datetime.timedelta(days=365)
    )
    # (unit, profession) → the counts of its snapshot ("bands": age band → headcount).
    cells: defaultdict[tuple[OrganisationalUnit, Profession], dict[str, Any]] = defaultdict(
        lambda: {
            "headcount": 0,
            "fte": 0,
            "bands": defaultdict(int),
            "leavers_retirement": 0,
            "leavers_other": 0,
            "hires": 0,
        }
    )
    ids: dict[tuple[str, int | None, int | None], int] = {}
    for row in rows:
        errors = result.errors
        get = _getter(row, mapping)
        before = len(errors)
        pseudonym = cell_text(get("id"))
        if not pseudonym:
            errors.append((row.number, mapping["id"], _("A value is required.")))
        unit = _match(
            get("institution"),
            units,
            mapping["institution"],
            row,
            errors,
            _("No institution “%(value)s” in this municipality."),
        )
        profession = _match(
            get("profession"),
            professions,
            mapping["profession"],
            row,
            errors,
            _("Unknown profession “%(value)s”."),
        )
        birth_year = _whole(get("birth_year"), mapping["birth_year"], row, errors, required=True)
        if birth_year is not None and not 1900 <= birth_year <= date.year - 14:
            errors.append((row.number, mapping["birth_year"], _("Not a plausible birth year.")))
        fte = _decimal(get("fte"), mapping["fte"], row, errors, digits=DIGITS["fte"], required=True)
        if fte is not None and fte > 1:
            errors.append(
                (row.number, mapping["fte"], _("FTE is a share of full time, at most 1."))
            )
        dates = {}
        for name in ("start_date", "end_date"):
            try:
                dates[name] = parse_date(get(name))
            except CellError as exc:
                dates[name] = None
                errors.append((row.number, mapping[name], str(exc)))
        if dates["start_date"] is None and "start_date" not in [e[1] for e in errors[before:]]:
            errors.append((row.number, mapping["start_date"], _("A value is required.")))
        start, end = dates["start_date"], dates["end_date"]
        if start and end and end < start:
            errors.append(
                (row.number, mapping["end_date"], _("The end date is before the start date."))
            )
        reason = cell_text(get("end_reason")).lower()
        key = (pseudonym, unit.pk if unit else None, profession.pk if profession else None)
        if pseudonym and key in ids:
            errors.append(
                (row.number, mapping["id"], _("The same id as row %(row)d.") % {"row": ids[key]})
            )
        ids[key] = row.number
        if len(errors) > before:
            continue
        cell = cells[(unit, profession)]
        if start <= date and (end is None or end > date):
            cell["headcount"] += 1
            cell["fte"] += fte
            cell["bands"][band_of_age(date.year - birth_year)] += 1
        if end is not None and year_ago < end <= date:
            if reason in RETIREMENT_WORDS:
                cell["leavers_retirement"] += 1
            else:
                cell["leavers_other"] += 1
        if year_ago < start <= date:
            cell["hires"] += 1
    if result.errors:
        return result
    for (unit, profession), cell in sorted(
        cells.items(), key=lambda kv: (kv[0][0].name, kv[0][1].name)
    ):
        result.snapshots.append(
            {
                "unit": unit,
                "profession": profession,
                "date": date,
                "values": {
                    "headcount": cell["headcount"],
                    "fte": cell["fte"],
                    "vacancies": 0,
                    "age_bands": dict(sorted(cell["bands"].items())),
                    "leavers_retirement": cell["leavers_retirement"],
                    "leavers_other": cell["leavers_other"],
                    "hires": cell["hires"],
                },
            }
        )
    return result


# The preview is confirmed in a second request: the aggregated snapshots (no personal data) travel
# signed, so what is written is exactly what was shown.
def sign(result: Preview, municipality) -> str:
    payload = {
        "municipality": municipality.pk,
        "snapshots": [
            {
                "unit": s["unit"].pk,
                "profession": s["profession"].pk,
                "date": s["date"].isoformat(),
                "values": {
                    k: str(v) if not isinstance(v, dict | int) else v
                    for k, v in s["values"].items()
                },
            }
            for s in result.snapshots
        ],
    }
    return signing.dumps(payload, salt=SIGNING_SALT, compress=True)


class PayloadError(ValueError):
    pass


def unsign(token: str, municipality) -> list[dict]:
    try:
        payload = signing.loads(token, salt=SIGNING_SALT, max_age=60 * 60)
    except signing.BadSignature:
        raise PayloadError from None
    if payload["municipality"] != municipality.pk:
        raise PayloadError
    units = OrganisationalUnit.objects.in_bulk({s["unit"] for s in payload["snapshots"]})
    professions = Profession.objects.in_bulk({s["profession"] for s in payload["snapshots"]})
    rows = []
    for s in payload["snapshots"]:
        unit = units.get(s["unit"])
        if unit is None or unit.municipality_id != municipality.pk:
            raise PayloadError
        values = dict(s["values"])
        for name in ("fte", "vacancies"):
            values[name] = Decimal(values[name])
        rows.append(
            {
                "unit": unit,
                "profession": professions[s["profession"]],
                "date": datetime.date.fromisoformat(s["date"]),
                "values": values,
            }
        )
    # Decided again now: the database may have changed since the preview.
    _mark_actions(Preview("aggregated", snapshots=rows))
    return rows


def apply(result: Preview, *, acting_user, on_progress=None) -> dict:
    if not result.ok:
        raise ValueError("cannot apply an import with errors")
    return services.staffing_import_apply(
        rows=result.snapshots, acting_user=acting_user, on_progress=on_progress
    )
