"""The one import pipeline. Every subject (status changes, measurements, staffing) goes through it,
in the admin, in a background job and on the command line:

    read the file (core.tabular) → map its columns (with aliases) → typed cells (core.cells) →
    check every row through the subject (which asks its services) → preview (new / changed /
    unchanged / error per row, with old → new values) → one signed, expiring payload → apply every
    row through the subject's service in one transaction, all or nothing.

A subject declares its columns and three steps: ``prepare`` (look everything up once, for all rows),
``check`` (one row: what it would do, or why it cannot) and ``apply`` (write the checked rows, in the
pipeline's transaction). This module knows no domain.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any, ClassVar

from django import forms
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .cells import WHOLE_DIGITS, CellError, Digits, cell_text, parse_date, parse_number
from .resources import ExportResource, header_aliases
from .tabular import Row, read_table

Progress = Callable[[int], None]

# What a row does. The words are the preview's; the keys travel in payloads and data attributes.
NEW, CHANGED, UNCHANGED, ERROR = "new", "changed", "unchanged", "error"
ACTIONS = {
    NEW: gettext_lazy("new"),
    CHANGED: gettext_lazy("changed"),
    UNCHANGED: gettext_lazy("unchanged"),
    ERROR: gettext_lazy("error"),
}
PAYLOAD_MAX_AGE = 60 * 60  # a preview may be confirmed within the hour
PROGRESS_EVERY = 500


# Cells -------------------------------------------------------------------------------------------
Reader = Callable[[object], Any]


def text(value: object) -> str:
    return cell_text(value)


def number(digits: Digits | None = None, *, minimum: Decimal | int | None = None) -> Reader:
    """A decimal cell (Danish first, see core.cells), within the column's digits."""

    def read(value: object) -> Decimal | None:
        parsed = parse_number(value, **digits) if digits else parse_number(value)
        if parsed is not None and minimum is not None and parsed < minimum:
            raise CellError(_("Must be a number ≥ %(minimum)s.") % {"minimum": minimum})
        return parsed

    return read


def whole(value: object) -> int | None:
    """A count: a whole number ≥ 0."""
    parsed = parse_number(value, max_digits=WHOLE_DIGITS)
    if parsed is None:
        return None
    if parsed < 0 or parsed != parsed.to_integral_value():
        raise CellError(_("Must be a whole number ≥ 0."))
    return int(parsed)


def date(value: object) -> datetime.date | None:
    return parse_date(value)


TRUE_WORDS = {"1", "ja", "j", "yes", "y", "true", "sand", "x"}
FALSE_WORDS = {"", "0", "nej", "n", "no", "false", "falsk"}


def flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    word = cell_text(value).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(_("Write “ja” or “nej”, not “%s”.") % word)


@dataclass(frozen=True)
class Column:
    """One column a subject reads: its key, the names a file may use (the first is shown in
    messages), how a cell is read and whether the column and its cells are required."""

    key: str
    names: tuple[str, ...]
    read: Reader = text
    required: bool = False

    @property
    def name(self) -> str:
        return self.names[0]


# Rows --------------------------------------------------------------------------------------------
@dataclass
class Change:
    column: Any  # the column's name as the preview shows it (text, or lazy text)
    old: object
    new: object


@dataclass
class Outcome:
    """What one row of the file does, as the preview shows it."""

    row: int | None  # the row number a spreadsheet user sees (header = row 1); None: the file
    label: str = ""  # what the row is about, in the user's words
    action: str = ""
    changes: list[Change] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, message)
    notes: list[str] = field(default_factory=list)
    record: Any = None  # what the subject's apply needs; never leaves the process
    cells: Cells | None = None  # the row's cells as read

    def error(self, column: str, message: str) -> None:
        self.errors.append((column, message))

    def change(self, column: Any, old: object, new: object) -> None:
        if old != new:
            self.changes.append(Change(column, old, new))


@dataclass
class Cells:
    """One row's typed cells: ``values`` by column key (None for an empty or unreadable cell),
    ``given`` the keys of the columns the file has, ``names`` each column's name in this file."""

    values: dict[str, Any]
    given: frozenset[str]
    names: Mapping[str, str]

    def __getitem__(self, key: str) -> Any:
        return self.values.get(key)


@dataclass
class Preview:
    subject: str
    rows: list[Outcome]
    file_errors: list[str] = field(default_factory=list)
    applied: bool = False
    # The rows as checked (a staff list already aggregated): what is signed and applied.
    table: Table | None = None
    source_rows: int = 0  # the file's rows, before a subject turned them into its own

    @property
    def ok(self) -> bool:
        return not self.file_errors and not any(r.errors for r in self.rows)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {action: self.count(action) for action in ACTIONS}

    @property
    def errors(self) -> list[tuple[int | None, str, str]]:
        """Every problem as (row, column, message); a problem of the whole file has no row."""
        return [(None, "", m) for m in self.file_errors] + [
            (r.row, column, message) for r in self.rows for column, message in r.errors
        ]


@dataclass
class Table:
    header: list[str]
    rows: list[Row]
    # The file's rows when a subject made these rows from them (a staff list's people).
    source_rows: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "header": self.header,
            "rows": [[r.number, {k: jsonable(v) for k, v in r.values.items()}] for r in self.rows],
            "source_rows": self.source_rows,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Table:
        rows = [Row(number, values) for number, values in data["rows"]]
        return cls(list(data["header"]), rows, data.get("source_rows"))


def jsonable(value: object) -> object:
    """A cell as it can travel in a payload: a date as ISO text (core.cells reads it back), a typed
    number stays a number so 1.125 typed in Excel is never read again as Danish text."""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()[:10]
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if isinstance(value, Decimal):
        return float(value)  # read back as the typed number it is, never as Danish text
    return str(value)


# Subjects ----------------------------------------------------------------------------------------
class Subject:
    """What one kind of import declares. Subclasses set the class attributes and implement
    ``prepare``, ``check`` and ``apply``; ``options_form`` and ``transform`` are optional."""

    key: ClassVar[str]  # in addresses, payloads and `manage.py import_data KEY`
    title: ClassVar[Any]  # lazy text, e.g. "Import measurements"
    # The subject's export (core.resources): its model's changelist has the import, and its
    # headers in Danish and English are accepted as column names, so an export imports again.
    resource: ClassVar[type[ExportResource]]
    columns: ClassVar[Sequence[Column]]  # as declared; ``named_columns`` adds the export's names
    help_text: ClassVar[Any] = ""

    @property
    def model(self) -> Any:
        return self.resource._meta.model

    @functools.cached_property
    def permission(self) -> str:
        """The permission to import, "app_label.codename": the one ``import_…`` permission its
        model declares in its Meta."""
        opts = self.model._meta
        [codename] = [name for name, _words in opts.permissions if name.startswith("import_")]
        return f"{opts.app_label}.{codename}"

    @functools.cached_property
    def named_columns(self) -> list[Column]:
        exported = header_aliases(self.resource)
        return [
            dataclasses.replace(
                c, names=tuple(dict.fromkeys([*c.names, *sorted(exported.get(c.key, ()))]))
            )
            for c in self.columns
        ]

    def options_form(self, user: Any, data: Mapping[str, Any] | None = None) -> forms.Form:
        """The choices besides the file (which plan, which municipality, which date)."""
        return forms.Form(data)

    def may_import(self, user: Any) -> bool:
        """Whether ``user`` may import this subject somewhere (each row is checked again)."""
        raise NotImplementedError

    def columns_for(self, header: Sequence[str]) -> Sequence[Column]:
        """The columns read from a file with this header (a subject may add some it finds)."""
        return self.named_columns

    def transform(self, table: Table, options: Mapping[str, Any]) -> tuple[Table, list[Outcome]]:
        """A file in another shape turned into the subject's rows (a staff list into aggregated
        rows); the outcomes are its rows' errors. By default the file is the rows."""
        return table, []

    def prepare(self, rows: list[Cells], *, user: Any, options: Mapping[str, Any]) -> Any:
        """Everything looked up once for all rows; handed to ``check`` and ``apply``."""
        raise NotImplementedError

    def check(self, context: Any, cells: Cells, outcome: Outcome) -> None:
        """Decide the row's action (NEW, CHANGED, UNCHANGED) and changes, or add its errors."""
        raise NotImplementedError

    def apply(self, context: Any, rows: list[Outcome], *, user: Any, progress: Progress) -> None:
        """Write the rows that are NEW or CHANGED through the services (the pipeline holds the
        transaction). A ValidationError rolls everything back and is shown."""
        raise NotImplementedError


SUBJECTS: dict[str, Subject] = {}


def register(subject: Subject) -> Subject:
    """Make ``subject`` known by its key, to background jobs and the command line."""
    SUBJECTS[subject.key] = subject
    return subject


def admin_import_url(subject: Subject) -> str:
    """The address of the subject's import page in the admin (core.admin_import)."""
    from django.urls import reverse

    opts = subject.model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_import")


# The pipeline ------------------------------------------------------------------------------------
def read(uploaded: IO[bytes], **limits: int) -> Table:
    header, rows = read_table(uploaded, **limits)
    return Table(header, rows)


def clean_options(subject: Subject, user: Any, data: Mapping[str, Any]) -> dict[str, Any]:
    """The subject's options, validated by its form; ValidationError names what is wrong."""
    form = subject.options_form(user, data)
    if not form.is_valid():
        raise ValidationError(
            [f"{name}: {' '.join(str(e) for e in errors)}" for name, errors in form.errors.items()]
        )
    return dict(form.cleaned_data)


def options_data(options: Mapping[str, Any]) -> dict[str, Any]:
    """Cleaned options as a form's data again (model instances by key, dates as ISO text)."""
    data: dict[str, Any] = {}
    for name, value in options.items():
        if hasattr(value, "pk"):
            data[name] = value.pk
        elif isinstance(value, datetime.date):
            data[name] = value.isoformat()
        else:
            data[name] = value
    return data


def _map_columns(
    columns: Sequence[Column], header: Sequence[str]
) -> tuple[dict[str, str], list[str]]:
    names, errors = {}, []
    for column in columns:
        found = next((h for h in header if h in column.names), None)
        if found is not None:
            names[column.key] = found
        elif column.required:
            errors.append(_("The column “%(column)s” is missing.") % {"column": column.name})
    return names, errors


def typed_rows(
    columns: Sequence[Column], table: Table
) -> tuple[list[tuple[Cells, Outcome]], list[str]]:
    """Each row's cells read by its column's reader; an unreadable or missing required cell is an
    error of the row's outcome. The second item: the file's missing columns."""
    names, file_errors = _map_columns(columns, table.header)
    if file_errors:
        return [], file_errors
    given = frozenset(names)
    # Resolved once for the file: a column it lacks has the same (empty) value in every row.
    present = [(c.key, names[c.key], c.read, c.required) for c in columns if c.key in names]
    absent = {c.key: c.read(None) for c in columns if c.key not in names}
    typed = []
    for row in table.rows:
        outcome = Outcome(row=row.number)
        values = dict(absent)
        for key, name, read, required in present:
            try:
                value = read(row.values.get(name))
            except CellError as exc:
                outcome.error(name, str(exc))
                value = None
            else:
                if required and (value is None or value == ""):
                    outcome.error(name, _("A value is required."))
            values[key] = value
        outcome.cells = Cells(values, given, names)
        typed.append((outcome.cells, outcome))
    return typed, []


def check(
    subject: Subject,
    table: Table,
    *,
    user: Any,
    options: Mapping[str, Any],
    progress: Progress | None = None,
) -> tuple[Preview, Any]:
    """Every row checked against the database as it is now; writes nothing. Returns the preview
    and the subject's context (for ``apply``)."""
    tick = progress or _ignore
    if not subject.may_import(user):
        raise PermissionDenied
    source_rows = table.source_rows or len(table.rows)
    table, refused = subject.transform(table, options)
    if refused:
        return Preview(subject.key, refused, table=table, source_rows=source_rows), None
    typed, file_errors = typed_rows(subject.columns_for(table.header), table)
    if file_errors:
        return Preview(subject.key, [], file_errors, table=table, source_rows=source_rows), None
    context = subject.prepare([cells for cells, _o in typed], user=user, options=options)
    for done, (cells, outcome) in enumerate(typed, start=1):
        if not outcome.errors:
            subject.check(context, cells, outcome)
        outcome.action = ERROR if outcome.errors else outcome.action
        if done % PROGRESS_EVERY == 0:
            tick(done)
    tick(len(typed))
    rows = [outcome for _c, outcome in typed]
    return Preview(subject.key, rows, table=table, source_rows=source_rows), context


def apply(subject: Subject, table: Table, *, saved: Progress | None = None, **run: Any) -> Preview:
    """Check every row again (the database may have changed since the preview) and write them all
    in one transaction, or none. ``run``: ``check``'s keywords (user, options, progress: the rows
    checked); ``saved`` counts the rows written."""
    preview: Preview | None = None
    try:
        with transaction.atomic():
            preview, context = check(subject, table, **run)
            if not preview.ok:
                return preview
            subject.apply(context, preview.rows, user=run["user"], progress=saved or _ignore)
    except ValidationError as exc:  # raised by a service: everything written is rolled back
        if preview is None:
            raise
        preview.file_errors += exc.messages
        return preview
    preview.applied = True
    return preview


def _ignore(done: int) -> None:
    """No one follows the progress."""


# The signed payload ------------------------------------------------------------------------------
class PayloadError(ValueError):
    """The payload expired, was altered, or belongs to another subject or user."""


def _salt(subject: Subject) -> str:
    return f"core.importing.{subject.key}"


def sign(subject: Subject, table: Table, *, user: Any, options: Mapping[str, Any]) -> str:
    """The previewed file and options, signed for this user, so the confirm step applies exactly
    what was shown; it expires after ``PAYLOAD_MAX_AGE``."""
    data = {"user": user.pk, "options": options_data(options), "table": table.to_json()}
    return signing.dumps(data, salt=_salt(subject), compress=True)


def unsign(subject: Subject, payload: str, *, user: Any) -> tuple[Table, dict[str, Any]]:
    """The table and the options' form data; PayloadError when it cannot be trusted."""
    try:
        data = signing.loads(payload, salt=_salt(subject), max_age=PAYLOAD_MAX_AGE)
    except signing.BadSignature:
        raise PayloadError from None
    if data.get("user") != user.pk:
        raise PayloadError
    return Table.from_json(data["table"]), data["options"]


def shown(value: object) -> str:
    """A value as the preview shows it: Danish numbers and dates, an empty cell as a dash."""
    from django.utils import formats

    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Decimal | int | float | datetime.date):
        return str(formats.localize(value, use_l10n=True))
    return str(value)


def describe(preview: Preview) -> Iterable[str]:
    """The preview's counts in words, for messages and the command line."""
    counts = preview.counts
    yield _("new: %(n)d") % {"n": counts[NEW]}
    yield _("changed: %(n)d") % {"n": counts[CHANGED]}
    yield _("unchanged: %(n)d") % {"n": counts[UNCHANGED]}
    if counts[ERROR]:
        yield _("errors: %(n)d") % {"n": counts[ERROR]}
