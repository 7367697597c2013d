"""Keeps the follow-up benchmark runnable: the smoke scale freezes, draws and counts a small round."""

import pytest

from bench import bench_followup


@pytest.mark.django_db
def test_followup_benchmark_smoke_reports_its_budgets():
    results = {r.name: r for r in bench_followup.collect("smoke")}
    freeze = results["approve and freeze the annex of 40 recommendations"]
    assert freeze.budget == "≤ 10 s" and freeze.ok
    pdf = results[
        "the frozen annex as PDF (WeasyPrint, A4), drawn once by the worker after approval"
    ]
    assert pdf.value > 0 and pdf.budget == "≤ 10 s" and pdf.ok
    # The next round lists every recommendation again as changed: the longest annex, no budget.
    longest = results[
        "the next round's annex as PDF: the same items, each with its change since "
        "the previous approved round"
    ]
    assert longest.value > 0 and longest.ok is None and longest.note.startswith("40 changes;")
    assert results["the frozen annex as XLSX"].ok
    assert results["queries: Mine opgaver at 40 items"].ok
    assert results["queries: the round's page at 40 items"].ok
