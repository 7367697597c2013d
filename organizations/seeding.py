"""Loading the facts of the source documents (fixtures/*.yaml) idempotently by natural key.

Each app may provide a ``seed`` module with ``load(loader)``; ``manage.py load_seed_data`` calls them in
INSTALLED_APPS order (which is the dependency order) inside one transaction. The loader counts what it
created, updated or left unchanged per model so a second run can show that it changed nothing.
"""

from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import TypeVar

import yaml
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from .models import Municipality, Profession, SourceDocument

_M = TypeVar("_M", bound=models.Model)

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


class SeedError(ImproperlyConfigured):
    pass


class SeedLoader:
    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.counts: dict[str, Counter] = defaultdict(Counter)
        self._documents: dict[Path, dict] = {}
        self._sources: dict[str, SourceDocument] = {}
        self._municipalities: dict[int, Municipality] = {}
        self._professions: dict[str, Profession] = {}

    # Files -----------------------------------------------------------------------------------
    def documents(self, pattern: str = "**/*.yaml") -> list[tuple[Path, dict]]:
        """Parsed YAML files under the seed directory matching ``pattern``, in name order."""
        result = []
        for path in sorted(self.directory.glob(pattern)):
            if path not in self._documents:
                try:
                    with path.open(encoding="utf-8") as handle:
                        data = yaml.safe_load(handle)
                except yaml.YAMLError as exc:
                    raise SeedError(f"{self._rel(path)}: not valid YAML: {exc}") from None
                if not isinstance(data, dict):
                    raise SeedError(f"{self._rel(path)}: expected a mapping at the top level")
                self._documents[path] = data
            result.append((path, self._documents[path]))
        return result

    def _rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.directory))
        except ValueError:
            return str(path)

    # Upserting -------------------------------------------------------------------------------
    def upsert(
        self,
        model: type[_M],
        lookup: dict,
        values: dict,
        create_only: dict | None = None,
    ) -> _M:
        """Create or update the row identified by ``lookup`` so that it holds ``values``.

        ``create_only`` values are set on a new row only: state users own afterwards (a status, say)
        is never reset by reloading the seed data.
        """
        obj = model._default_manager.filter(**lookup).first()
        label = str(model._meta.verbose_name_plural)
        if obj is None:
            obj = model(**lookup, **values, **(create_only or {}))
            obj.full_clean()
            obj.save()
            self.counts[label][CREATED] += 1
            return obj
        changed = False
        for name, value in values.items():
            if _differs(getattr(obj, name), value):
                setattr(obj, name, value)
                changed = True
        if changed:
            obj.full_clean()
            obj.save()
            self.counts[label][UPDATED] += 1
        else:
            self.counts[label][UNCHANGED] += 1
        return obj

    def set_m2m(self, obj, field: str, targets) -> None:
        manager = getattr(obj, field)
        wanted = {t.pk for t in targets}
        if set(manager.values_list("pk", flat=True)) != wanted:
            manager.set(list(targets))

    # Shared look-ups -------------------------------------------------------------------------
    def load_sources(self) -> None:
        """Upsert every source document named in any seed file; one key must mean one document."""
        seen: dict[str, tuple[dict, Path]] = {}
        for path, data in self.documents():
            blocks = []
            if "source" in data:
                blocks.append(data["source"])
            blocks.extend(data.get("sources", []))
            for block in blocks:
                key = block.get("key")
                if not key:
                    raise SeedError(f"{self._rel(path)}: a source block has no key")
                if key in seen and seen[key][0] != block:
                    raise SeedError(
                        f"{self._rel(path)}: source {key!r} differs from its description in "
                        f"{self._rel(seen[key][1])}"
                    )
                seen[key] = (block, path)
        for key, (block, _path) in sorted(seen.items()):
            self._sources[key] = self.upsert(
                SourceDocument,
                {"key": key},
                {
                    "title": block["title"],
                    "publisher": block.get("publisher") or "",
                    "published_on": _as_date(block.get("date")),
                    "file_name": block.get("file") or "",
                },
            )

    def source(self, key: str) -> SourceDocument:
        try:
            return self._sources[key]
        except KeyError:
            raise SeedError(f"unknown source document {key!r}") from None

    def provenance(self, source_key: str, record: dict) -> dict:
        section = record.get("section")
        if not section:
            raise SeedError(f"a record from {source_key!r} has no section: {record!r:.120}")
        return {"source": self.source(source_key), "source_section": str(section)[:300]}

    def municipality(self, code: int | None) -> Municipality | None:
        if code is None:
            return None
        if code not in self._municipalities:
            try:
                self._municipalities[code] = Municipality.objects.get(code=code)
            except Municipality.DoesNotExist:
                raise SeedError(f"unknown municipality code {code}") from None
        return self._municipalities[code]

    def profession(self, key: str) -> Profession:
        if key not in self._professions:
            try:
                self._professions[key] = Profession.objects.get(key=key)
            except Profession.DoesNotExist:
                raise SeedError(f"unknown profession key {key!r}") from None
        return self._professions[key]

    # Reporting -------------------------------------------------------------------------------
    def summary_lines(self) -> list[str]:
        lines = []
        for label in sorted(self.counts):
            c = self.counts[label]
            lines.append(
                f"{label}: {c[CREATED]} created, {c[UPDATED]} updated, {c[UNCHANGED]} unchanged"
            )
        return lines

    def total(self, kind: str) -> int:
        return sum(c[kind] for c in self.counts.values())


def _as_date(value):
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _differs(current, new) -> bool:
    if isinstance(current, models.Model) or isinstance(new, models.Model):
        return getattr(current, "pk", None) != getattr(new, "pk", None)
    return current != new
