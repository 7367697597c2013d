"""Run every benchmark module and write docs/benchmarks.md. Exit 1 when a budget is missed.

Usage: python -m bench.run [--scale full|smoke] [--output docs/benchmarks.md] [--only NAME]
"""

import argparse
import datetime
import importlib
import pkgutil
import re
import sys
from pathlib import Path

import django

from bench.core import machine

ROOT = Path(__file__).resolve().parent.parent


def discover(only: str | None):
    import bench

    for info in sorted(pkgutil.iter_modules(bench.__path__), key=lambda i: i.name):
        if info.name.startswith("bench_") and (only is None or only in info.name):
            yield importlib.import_module(f"bench.{info.name}")


def render(results, scale: str, kept: dict[str, str] | None = None) -> str:
    """The whole file: each group measured now, and ``kept`` (title → its section as written
    before) for the groups not run this time (``--only``), each saying when it was measured."""
    today = datetime.date.today().isoformat()
    lines = [
        "# Benchmarks",
        "",
        f"Measured with `./dev bench` (scale: {scale}) on: {machine()}; each section says when.",
        "Every figure is measured by the code in `bench/`, not estimated. A budget missed makes",
        "`./dev bench` exit non-zero.",
        "",
    ]
    groups: dict[str, list] = {}
    for result in results:
        groups.setdefault(result.group, []).append(result)
    for group, rows in groups.items():
        lines += [f"## {group}", "", f"Measured {today}.", ""]
        lines += ["| measure | value | budget | met |", "|---|---|---|---|"]
        for r in rows:
            met = "–" if r.ok is None else ("yes" if r.ok else "**NO**")
            value = (
                f"{r.value:,.3f}".rstrip("0").rstrip(".") if isinstance(r.value, float) else r.value
            )
            note = f" ({r.note})" if r.note else ""
            lines.append(f"| {r.name}{note} | {value} {r.unit} | {r.budget} | {met} |")
        lines.append("")
    for section in (kept or {}).values():
        lines += [section.rstrip("\n"), ""]
    return "\n".join(lines)


def sections(text: str) -> dict[str, str]:
    """The ``## title`` sections of a benchmarks file, each dated: a section of a file written
    before sections carried their own date gets the file's date."""
    found = re.search(r"^Measured (\d{4}-\d{2}-\d{2}) with", text, re.MULTILINE)
    file_date = found.group(1) if found else None
    result = {}
    for part in re.split(r"^(?=## )", text, flags=re.MULTILINE)[1:]:
        title = part.splitlines()[0][3:].strip()
        if file_date and not re.search(r"^Measured \d{4}-\d{2}-\d{2}\.$", part, re.MULTILINE):
            head, _, rest = part.partition("\n\n")
            part = f"{head}\n\nMeasured {file_date}.\n\n{rest}"
        result[title] = part
    return result


def groups_not_run(only: str | None) -> set[str]:
    """The titles of the groups that ``--only`` leaves out (their sections are kept)."""
    if only is None:
        return set()
    ran = {title for m in discover(only) for title in _titles(m)}
    return {title for m in discover(None) for title in _titles(m)} - ran


def _titles(module) -> set[str]:
    """The section titles a benchmark module writes: its GROUP and any other ``*_GROUP``."""
    return {value for name, value in vars(module).items() if name.endswith("GROUP")}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="full", choices=["full", "smoke"])
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--only")
    args = parser.parse_args(argv)
    django.setup()
    results = []
    for module in discover(args.only):
        print(f"== {module.__name__}", flush=True)
        for result in module.run(args.scale):
            mark = "" if result.ok is None else (" ok" if result.ok else " MISSED")
            print(
                f"  {result.name}: {result.value} {result.unit} {result.budget}{mark}", flush=True
            )
            results.append(result)
    if args.output and args.output != "-":
        output = Path(args.output)
        previous = sections(output.read_text(encoding="utf-8")) if output.exists() else {}
        keep = groups_not_run(args.only)
        kept = {title: text for title, text in previous.items() if title in keep}
        output.write_text(render(results, args.scale, kept), encoding="utf-8")
        print(f"Wrote {args.output}")
    missed = [r for r in results if r.ok is False]
    if missed:
        print(f"{len(missed)} budget(s) missed: " + ", ".join(r.name for r in missed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
