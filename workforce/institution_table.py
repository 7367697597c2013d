"""The institutions table: each institution × profession of a scenario (by default the baseline) in
its horizon year (staff now, projected supply, demand and shortage), read from the cached projection.

The one place an institution's figures are read from a projection: the dashboard's institutions list
and the workforce institutions table both use ``institution_values`` and ``InstitutionRow.words``, so
one institution has one figure on every page. Values are kept at full precision (persons are expected
values, docs/workforce.md): the words are derived from them, and only the numbers shown are rounded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from organizations.models import Municipality, Profession, UnitKind

from . import selectors


class Values(NamedTuple):
    """One row as cached: plain values at full precision, so 15,000 of them pickle small and
    filter fast."""

    unit_pk: int
    unit_name: str
    unit_kind: str
    area: str
    profession_key: str
    staff_now: float
    supply: float
    demand: float
    shortage: float


@dataclass(slots=True)
class UnitRef:
    """What the institutions list shows of a unit (cached with the projection)."""

    pk: int
    name: str
    kind: str
    municipality: Municipality


@dataclass(slots=True)
class InstitutionRow:
    """One institution × profession as shown: the numbers rounded for display (and export), the
    words from the unrounded shortage (a shortage of 3.96 is "3–4", not "4")."""

    unit: UnitRef
    kind: str
    area: str
    profession: str
    staff_now: float
    supply: float
    demand: float
    shortage: float
    exact_shortage: float
    profession_ref: Profession | None = None

    @property
    def words(self) -> str:
        return selectors.shortage_words(self.exact_shortage, self.profession_ref)


@dataclass
class InstitutionTable:
    scenario: object
    year: int
    is_demo: bool
    rows: LazyRows


def institution_values(inputs, result) -> tuple[int, list[Values]]:
    """(horizon year, rows) of a projection: each institution × profession at full precision, in
    the order institution name, then profession name."""
    frame = result.frame
    year = int(frame["year"].max())
    first = frame[frame["year"] == frame["year"].min()]
    start = {(r.institution, str(r.profession)): r.supply_start for r in first.itertuples()}
    rows = []
    for r in frame[frame["year"] == year].itertuples():
        unit = inputs.units.get(r.institution)
        if unit is None:
            continue
        key = str(r.profession)
        rows.append(
            Values(
                unit_pk=unit.pk,
                unit_name=unit.name,
                unit_kind=unit.kind,
                area=unit.parent.name if unit.parent_id and unit.parent else "",
                profession_key=key,
                staff_now=float(start.get((r.institution, key), 0.0)),
                supply=float(r.supply),
                demand=float(r.demand),
                shortage=float(r.shortage),
            )
        )
    # Cached in the table's order (institution, then profession name): a request then filters
    # without sorting 15,000 rows.
    names = {key: p.name for key, p in selectors.professions_by_key().items()}
    rows.sort(key=lambda v: (v.unit_name, names.get(v.profession_key, v.profession_key)))
    return year, rows


def _institution_rows(scenario):
    """(year, is_demo, rows) of the scenario's projection in its horizon year."""
    inputs = selectors.projection_inputs(scenario)
    result = selectors.run(inputs)
    if result is None:
        return None
    year, rows = institution_values(inputs, result)
    return year, inputs.is_demo, rows


def row_maker(municipality, professions: dict[str, Profession] | None = None):
    """A function turning cached ``Values`` into the ``InstitutionRow`` a page shows."""
    professions = professions if professions is not None else selectors.professions_by_key()
    kinds = {k: str(v) for k, v in UnitKind.choices}

    def make(v: Values) -> InstitutionRow:
        return InstitutionRow(
            unit=UnitRef(v.unit_pk, v.unit_name, v.unit_kind, municipality),
            kind=kinds.get(v.unit_kind, v.unit_kind),
            area=v.area,
            profession=getattr(professions.get(v.profession_key), "name", v.profession_key),
            staff_now=selectors.rounded(v.staff_now),
            supply=selectors.rounded(v.supply),
            demand=selectors.rounded(v.demand),
            shortage=selectors.rounded(v.shortage),
            exact_shortage=v.shortage,
            profession_ref=professions.get(v.profession_key),
        )

    return make


def institution_table(
    municipality, unit_ids=None, profession_keys=None, scenario=None
) -> InstitutionTable | None:
    """Each institution × profession of the scenario (by default the baseline) in its horizon
    year: staff now, projected supply, demand and shortage. The projection is cached on the data
    generation (workforce.selectors.cached), so a page costs the same queries and nearly the same
    time whatever the number of institutions."""
    scenario = scenario or selectors.scenario_for(municipality, None)
    if scenario is None:
        return None
    found = selectors.cached("institution-values", scenario, lambda: _institution_rows(scenario))
    if found is None:
        return None
    year, is_demo, values = found
    professions = selectors.professions_by_key()
    kinds = {k: str(v) for k, v in UnitKind.choices}
    names = {key: p.name for key, p in professions.items()}
    # Filter the plain tuples (cached in order); the row objects are built when read (``LazyRows``), so the
    # HTML page builds only the 25 rows it shows out of 15,000 at 100×.
    values = [
        v
        for v in values
        if (unit_ids is None or v.unit_pk in unit_ids)
        and (not profession_keys or v.profession_key in profession_keys)
    ]
    make = row_maker(municipality, professions)
    return InstitutionTable(
        scenario=scenario, year=year, is_demo=is_demo, rows=LazyRows(values, make, kinds, names)
    )


class LazyRows:
    """The institution rows as plain tuples, turned into ``InstitutionRow`` when read: a list-like
    a paginator slices and an export iterates. ``keep``/``sort_by`` work on the tuples."""

    def __init__(self, values, make, kinds, names):
        self.values, self.make, self.kinds, self.names = values, make, kinds, names

    def __len__(self):
        return len(self.values)

    def __bool__(self):
        return bool(self.values)

    def __iter__(self):
        return (self.make(v) for v in self.values)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self.make(v) for v in self.values[index]]
        return self.make(self.values[index])

    def count(self):
        return len(self.values)

    def shortage_only(self, limit: float = 0.5) -> None:
        self.values = [v for v in self.values if v.shortage >= limit]

    def sort_by(self, order: str) -> None:
        if order == "shortage":
            self.values.sort(key=lambda v: -v.shortage)
        elif order == "kind":
            self.values.sort(
                key=lambda v: (
                    self.kinds.get(v.unit_kind, v.unit_kind),
                    v.unit_name,
                    self.names.get(v.profession_key, v.profession_key),
                )
            )
