"""Run every benchmark module and write docs/benchmarks.md. Exit 1 when a budget is missed.

Usage: python -m bench.run [--scale full|smoke] [--output docs/benchmarks.md] [--only NAME]
"""

import argparse
import datetime
import importlib
import pkgutil
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


def render(results, scale: str) -> str:
    today = datetime.date.today().isoformat()
    lines = [
        "# Benchmarks",
        "",
        f"Measured {today} with `./dev bench` (scale: {scale}) on: {machine()}.",
        "Every figure is measured by the code in `bench/`, not estimated. A budget missed makes",
        "`./dev bench` exit non-zero.",
        "",
    ]
    groups: dict[str, list] = {}
    for result in results:
        groups.setdefault(result.group, []).append(result)
    for group, rows in groups.items():
        lines += [f"## {group}", "", "| measure | value | budget | met |", "|---|---|---|---|"]
        for r in rows:
            met = "–" if r.ok is None else ("yes" if r.ok else "**NO**")
            value = (
                f"{r.value:,.3f}".rstrip("0").rstrip(".") if isinstance(r.value, float) else r.value
            )
            note = f" ({r.note})" if r.note else ""
            lines.append(f"| {r.name}{note} | {value} {r.unit} | {r.budget} | {met} |")
        lines.append("")
    return "\n".join(lines)


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
        Path(args.output).write_text(render(results, args.scale), encoding="utf-8")
        print(f"Wrote {args.output}")
    missed = [r for r in results if r.ok is False]
    if missed:
        print(f"{len(missed)} budget(s) missed: " + ", ".join(r.name for r in missed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
