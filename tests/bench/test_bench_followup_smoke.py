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
    assert pdf.value > 0 and pdf.ok is None
    assert results["the frozen annex as XLSX"].ok
    assert results["queries: Mine opgaver at 40 items"].ok
    assert results["queries: the round's page at 40 items"].ok
