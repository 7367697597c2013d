"""The one reading of a spreadsheet cell as a number, a date or text, for every importer.

Every importer (status changes, measurements, staffing, and ``import_data`` for each) calls these,
so the same cell means the same thing whichever file it is in. The rules, with examples, are the
table in docs/import-export.md ("Numbers and dates in cells"); in short:

- A typed cell (an XLSX number or date) is taken as it is; a float is read to Excel's 15
  significant digits, so 0.1 + 0.2 computed in a sheet is 0.3.
- Text is read Danish first: ``,`` is the decimal comma and ``.`` groups thousands
  (``1.050`` = 1050, ``45,5`` = 45.5, ``1.050,5`` = 1050.5). English is understood where it is the
  only reading (``1.5``, ``1,050.5``, ``1,050,000``).
- A cell that could mean two things is refused with both readings, never guessed: ``1,050`` (1,05
  with a decimal comma, or 1050 with a thousands comma) and a two-digit year (``01-03-24``).
- Infinite, NaN and numbers beyond the column's digits are refused before the database sees them.

A refusal is a ``CellError`` whose message names the cell's text and what is wrong; the importer
adds the row and the column.
"""

import datetime
import re
from decimal import Context, Decimal
from typing import TypedDict

from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.db.models.fields.reverse_related import ForeignObjectRel
from django.utils.translation import gettext as _

# Excel keeps 15 significant digits; a float read from a workbook is rounded to them.
EXCEL_DIGITS = 15
# For whole-number columns (PositiveIntegerField and the like): well inside 32 bits.
WHOLE_DIGITS = 9

_SPACES = ("\u00a0", "\u202f", " ")
_NUMBER_TEXT = re.compile(r"^[0-9., ]*$")
_DANISH_DATE = re.compile(r"^(\d{1,2})([-./])(\d{1,2})\2(\d{2}|\d{4})$", re.ASCII)
_DANISH_SHORT_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})-(\d{2}|\d{4})$", re.ASCII)  # 1/3-2024
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$", re.ASCII)


class CellError(ValueError):
    """A cell that is not what its column needs; the message is for the user."""


class Digits(TypedDict):
    """A decimal column's digits, as ``DecimalField`` and ``parse_number`` take them."""

    max_digits: int
    decimal_places: int


# Text ----------------------------------------------------------------------------------------------
def cell_text(value: object) -> str:
    """A cell as text: empty for an empty cell, a whole float without its ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


# Numbers -------------------------------------------------------------------------------------------
def parse_number(
    value: object, *, max_digits: int | None = None, decimal_places: int | None = None
) -> Decimal | None:
    """The number in a cell, or None for an empty cell; ``CellError`` when it is not one number.

    ``max_digits`` and ``decimal_places`` are the column's (a DecimalField's, or
    ``max_digits=WHOLE_DIGITS`` for a whole-number column): a number with more digits before the
    decimal mark, or more decimals (after trailing zeros), is refused instead of reaching the
    database."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool | datetime.date):
        raise CellError(_("“%(value)s” is not a number.") % {"value": value})
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float | Decimal):
        number = _typed(value)
    else:
        number = _from_text(str(value))
    number = _plain(number)  # 0,050 is 0.05: trailing zeros are no decimals the column must keep
    _check_range(number, value, max_digits, decimal_places)
    return number


def digits_of(field: models.Field | ForeignObjectRel | GenericForeignKey) -> Digits:
    """The ``max_digits``/``decimal_places`` of a model field, for ``parse_number``."""
    if not isinstance(field, models.DecimalField):
        raise TypeError(f"digits_of needs a DecimalField, not {field!r}")
    return {"max_digits": field.max_digits, "decimal_places": field.decimal_places}


def _typed(value: float | Decimal) -> Decimal:
    if isinstance(value, float):
        if value != value:  # NaN
            raise CellError(_("“%(value)s” is not a number.") % {"value": value})
        if value in (float("inf"), float("-inf")):
            raise CellError(_("“%(value)s” is too large for this column.") % {"value": value})
        number = Decimal(repr(value))
        digits = len(number.as_tuple().digits)
        if digits > EXCEL_DIGITS:
            number = round(number, EXCEL_DIGITS - number.adjusted() - 1)
        return number
    if not value.is_finite():
        if value.is_nan():
            raise CellError(_("“%(value)s” is not a number.") % {"value": value})
        raise CellError(_("“%(value)s” is too large for this column.") % {"value": value})
    return value


def _plain(number: Decimal) -> Decimal:
    """Without trailing zeros and never in exponent form (1E+3 → 1000)."""
    # Exact at any length: the default context (28 digits) would round a long number.
    exact = Context(prec=max(len(number.as_tuple().digits), number.adjusted() + 1, 1) + 2)
    number = number.normalize(exact)
    return number.quantize(Decimal(1), context=exact) if _exponent(number) > 0 else number


def _exponent(number: Decimal) -> int:
    """The exponent of a finite number (an infinity or NaN has a letter there; none gets here)."""
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int), number
    return exponent


def _from_text(original: str) -> Decimal:
    text = original.strip()
    if text.endswith("%"):
        text = text[:-1].rstrip()
    sign = ""
    if text[:1] in ("-", "+", "\u2212"):
        sign, text = ("" if text[0] == "+" else "-"), text[1:].lstrip()
    for space in _SPACES:
        text = text.replace(space, " ")

    def not_a_number() -> CellError:  # built on failure only: gettext costs on every cell
        return CellError(_("“%(value)s” is not a number.") % {"value": original})

    if not text or not _NUMBER_TEXT.match(text) or not any(c.isdigit() for c in text):
        raise not_a_number()
    whole, fraction = _split(text, original)
    groups = re.split(r"[., ]", whole)
    separators = set(re.sub(r"\d", "", whole))
    if len(separators) > 1 or not _grouped(groups):
        raise not_a_number()
    if not fraction.isdigit() and fraction:
        raise not_a_number()
    digits = "".join(groups) or "0"
    return Decimal(f"{sign}{digits}.{fraction}" if fraction else f"{sign}{digits}")


def _split(text: str, original: str) -> tuple[str, str]:
    """The whole part (digits and grouping separators) and the decimals."""
    commas, dots = text.count(","), text.count(".")
    if commas and dots:
        # Both marks: the last one is the decimal mark (1.050,5 and 1,050.5), once.
        mark = "," if text.rfind(",") > text.rfind(".") else "."
        if text.count(mark) > 1:
            mark = ""
    elif commas == 1 or dots == 1:
        mark = "," if commas else "."
        whole, fraction = text.split(mark)
        if _looks_grouped(whole, fraction):
            if mark == ".":
                return text.replace(".", ""), ""  # Danish: 1.050 is one thousand and fifty
            danish = Decimal(f"{whole}.{fraction}")
            raise CellError(
                _(
                    "“%(value)s” can be read two ways: %(danish)s with a decimal comma or "
                    "%(english)s with a thousands comma. Write %(danish)s or %(english)s."
                )
                % {
                    "value": original.strip(),
                    "danish": _danish(danish),
                    "english": f"{whole}{fraction}",
                }
            )
    else:
        mark = ""  # no mark, or several of one kind: grouping (1.050.000, 1,050,000)
    if not mark:
        return text, ""
    whole, _mark, fraction = text.rpartition(mark)
    return whole, fraction


def _looks_grouped(whole: str, fraction: str) -> bool:
    """One separator with three digits after it and one to three before (not a lone 0): the form
    of a thousands separator."""
    return len(fraction) == 3 and 1 <= len(whole) <= 3 and whole.isdigit() and whole[0] != "0"


def _grouped(groups: list[str]) -> bool:
    """Digits grouped in threes after a first group of one to three (or not grouped at all)."""
    if len(groups) == 1:
        return groups[0].isdigit() or groups[0] == ""
    first, *rest = groups
    return (
        first.isdigit() and 1 <= len(first) <= 3 and all(len(g) == 3 and g.isdigit() for g in rest)
    )


def _danish(number: Decimal) -> str:
    return format(_plain(number), "f").replace(".", ",")


def _check_range(
    number: Decimal, value: object, max_digits: int | None, decimal_places: int | None
) -> None:
    """``number`` is plain (no trailing zeros)."""
    if max_digits is None and decimal_places is None:
        return
    decimals = max(0, -_exponent(number))
    whole_digits = max(0, number.adjusted() + 1)
    shown = value if isinstance(value, str) else _danish(number)
    if max_digits is not None and whole_digits > max_digits - (decimal_places or 0):
        raise CellError(_("“%(value)s” is too large for this column.") % {"value": shown})
    if decimal_places is not None and decimals > decimal_places:
        raise CellError(
            _("“%(value)s” has more decimals than this column keeps (%(places)d).")
            % {"value": shown, "places": decimal_places}
        )


# Dates ---------------------------------------------------------------------------------------------
def parse_date(value: object) -> datetime.date | None:
    """The date in a cell, or None for an empty cell; ``CellError`` when it is not one date.

    A spreadsheet date as it is; text as ISO (2024-03-01) or Danish, day first (01-03-2024,
    1.3.2024, 01/03/2024, 1/3-2024). A two-digit year is refused: 1924 or 2024?"""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()

    def not_a_date() -> CellError:  # built on failure only
        return CellError(
            _("“%(value)s” is not a date: use YYYY-MM-DD or DD-MM-YYYY.") % {"value": text}
        )

    if isinstance(value, bool | int | float | Decimal):
        raise not_a_date()  # a bare number (an unformatted Excel date serial) is never guessed
    if match := _ISO_DATE.match(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _DANISH_DATE.match(text) or _DANISH_SHORT_DATE.match(text):
        groups = match.groups()
        day_text, month_text, year_text = groups[0], groups[-2], groups[-1]
        if len(year_text) == 2:
            raise CellError(
                _(
                    "“%(value)s” has a two-digit year: %(first)s or %(second)s? Write the year "
                    "with four digits."
                )
                % {"value": text, "first": f"19{year_text}", "second": f"20{year_text}"}
            )
        day, month, year = int(day_text), int(month_text), int(year_text)
    else:
        raise not_a_date()
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise not_a_date() from None
