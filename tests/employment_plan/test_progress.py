"""The pure progress engine, case by case. Every expected number is worked out by hand in the
comment beside it. Dates: baseline 1 January 2026, target 11 April 2026 = 100 days later, so a
measurement on day n is expected to have come n % of the way."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.utils import translation

from employment_plan import progress as p

START = date(2026, 1, 1)
TARGET = date(2026, 4, 11)
assert (TARGET - START).days == 100


def day(n: int) -> date:
    return START + timedelta(days=n)


def spec(kind=p.ABSOLUTE, direction=p.LOWER, value=None, baseline=None, unit="persons", **kw):
    return p.IndicatorSpec(
        unit=unit,
        direction=direction,
        target_kind=kind,
        target_value=None if value is None else D(str(value)),
        target_date=kw.pop("target_date", TARGET),
        baseline_value=None if baseline is None else D(str(baseline)),
        baseline_date=START if baseline is not None else None,
        **kw,
    )


def pts(*items):
    """(day, value) or (day, value, provisional) → points, entered in the order given."""
    out = []
    for seq, item in enumerate(items):
        out.append(p.Point(day(item[0]), D(str(item[1])), item[2] if len(item) > 2 else False, seq))
    return out


CASES = [
    # id, spec, points, as_of day, status, target, raw progress, achieved
    # Absolute, lower is better: 20 → 10; 15 on day 50 is half-way, as expected.
    (
        "abs-lower-on-track",
        spec(value=10, baseline=20),
        pts((50, 15)),
        50,
        p.ON_TRACK,
        10,
        50,
        False,
    ),
    # Absolute, higher is better: 10 → 20; 15 on day 50.
    (
        "abs-higher-on-track",
        spec(direction=p.HIGHER, value=20, baseline=10),
        pts((50, 15)),
        50,
        p.ON_TRACK,
        20,
        50,
        False,
    ),
    # 13 on day 50: (13−10)/(20−10) = 30 %, 20 points behind the expected 50 → at risk (10 < 20 ≤ 25).
    (
        "abs-higher-at-risk",
        spec(direction=p.HIGHER, value=20, baseline=10),
        pts((50, 13)),
        50,
        p.AT_RISK,
        20,
        30,
        False,
    ),
    # 19 on day 50: (19−20)/(10−20) = 10 %, 40 points behind → off track.
    (
        "abs-lower-off-track",
        spec(value=10, baseline=20),
        pts((50, 19)),
        50,
        p.OFF_TRACK,
        10,
        10,
        False,
    ),
    # Beyond the target: 21 ≥ 20, raw (21−10)/10 = 110 %.
    (
        "abs-higher-achieved",
        spec(direction=p.HIGHER, value=20, baseline=10),
        pts((50, 21)),
        50,
        p.ACHIEVED,
        20,
        110,
        True,
    ),
    (
        "abs-lower-achieved",
        spec(value=10, baseline=20),
        pts((50, 9)),
        50,
        p.ACHIEVED,
        10,
        110,
        True,
    ),
    # Relative −10 % of 200 persons → 180; 190 on day 50 is half-way.
    (
        "rel-lower",
        spec(kind=p.RELATIVE, value=-10, baseline=200),
        pts((50, 190)),
        50,
        p.ON_TRACK,
        180,
        50,
        False,
    ),
    # Relative +50 % of a 20 % share → 30 % (not 70 %): 25 on day 50 is half-way.
    (
        "rel-higher-percent",
        spec(kind=p.RELATIVE, direction=p.HIGHER, value=50, baseline=20, unit="percent"),
        pts((50, 25)),
        50,
        p.ON_TRACK,
        30,
        50,
        False,
    ),
    # Relative −10 %, 190 on day 80: 50 % against 80 % expected → 30 behind → off track.
    (
        "rel-lower-off-track",
        spec(kind=p.RELATIVE, value=-10, baseline=200),
        pts((80, 190)),
        80,
        p.OFF_TRACK,
        180,
        50,
        False,
    ),
    # Percentage points: 13,0 % − 1,4 pp → 11,6 %; 12,3 is (12,3−13)/(11,6−13) = 50 %.
    (
        "pp-lower",
        spec(kind=p.PERCENTAGE_POINTS, value=-1.4, baseline=13.0, unit="percent"),
        pts((50, 12.3)),
        50,
        p.ON_TRACK,
        D("11.6"),
        50,
        False,
    ),
    # +5 pp on 40 % → 45 %; 42,5 is half-way.
    (
        "pp-higher",
        spec(kind=p.PERCENTAGE_POINTS, direction=p.HIGHER, value=5, baseline=40, unit="percent"),
        pts((50, 42.5)),
        50,
        p.ON_TRACK,
        45,
        50,
        False,
    ),
    # pp, 12,9 on day 80: (12,9−13)/(−1,4) = 7,1429 % against 80 % → off track.
    (
        "pp-lower-off-track",
        spec(kind=p.PERCENTAGE_POINTS, value=-1.4, baseline=13.0, unit="percent"),
        pts((80, 12.9)),
        80,
        p.OFF_TRACK,
        D("11.6"),
        D("7.1429"),
        False,
    ),
    # Target met at baseline (higher): 50 already ≥ 45; still 48 → achieved, progress undefined.
    (
        "met-at-baseline-higher",
        spec(direction=p.HIGHER, value=45, baseline=50),
        pts((50, 48)),
        50,
        p.ACHIEVED,
        45,
        None,
        True,
    ),
    # Target met at baseline (lower): 12,0 ≤ 12,5, but 13 now → slipped → off track.
    (
        "met-at-baseline-slipped-lower",
        spec(value=12.5, baseline=12.0, unit="percent"),
        pts((50, 13)),
        50,
        p.OFF_TRACK,
        D("12.5"),
        None,
        False,
    ),
    # Zero baseline, absolute: 0 → 10 companies; 5 is half-way.
    (
        "zero-baseline-absolute",
        spec(direction=p.HIGHER, value=10, baseline=0, unit="companies"),
        pts((50, 5)),
        50,
        p.ON_TRACK,
        10,
        50,
        False,
    ),
    # Zero baseline, relative −10 %: the target is 0, already met; 0 is data, not missing.
    (
        "zero-baseline-relative",
        spec(kind=p.RELATIVE, value=-10, baseline=0),
        pts((50, 0)),
        50,
        p.ACHIEVED,
        0,
        None,
        True,
    ),
    # Zero as the latest value reaches an absolute target of 0.
    ("zero-is-a-value", spec(value=0, baseline=10), pts((50, 0)), 50, p.ACHIEVED, 0, 100, True),
    # No measurements: no data (grey), though the target is known.
    ("no-data", spec(value=10, baseline=20), [], 50, p.NO_DATA, 10, None, None),
    # A relative target without its baseline waits.
    (
        "awaiting",
        spec(kind=p.RELATIVE, value=-10, awaiting_baseline=True, baseline_period="2025"),
        [],
        50,
        p.AWAITING_BASELINE,
        None,
        None,
        None,
    ),
    # No stated baseline: the first measurement (20 on day 0) is the start; 15 on day 50 → 50 %.
    ("implicit-baseline", spec(value=10), pts((0, 20), (50, 15)), 50, p.ON_TRACK, 10, 50, False),
    # Frequency (days between board meetings, lower is better): 21 → 14; 17,5 on day 50 → 50 %.
    (
        "frequency",
        spec(kind=p.FREQUENCY, value=14, baseline=21, unit="count"),
        pts((50, 17.5)),
        50,
        p.ON_TRACK,
        14,
        50,
        False,
    ),
    # All or nothing: 100 % of staff; 90 % of 80 → 100 % is half-way at day 50.
    (
        "all-or-nothing",
        spec(kind=p.ALL_OR_NOTHING, direction=p.HIGHER, value=100, baseline=80, unit="percent"),
        pts((50, 99)),
        50,
        p.ON_TRACK,
        100,
        95,
        False,
    ),
]


@pytest.mark.parametrize(
    "case_spec, points, as_of, status, target, raw, achieved",
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_engine_cases(case_spec, points, as_of, status, target, raw, achieved):
    result = p.evaluate(case_spec, points, day(as_of))
    assert result.status == status
    assert result.target == (None if target is None else D(str(target)))
    assert result.progress_raw == (None if raw is None else D(str(raw)))
    assert result.achieved is achieved
    if raw is not None:
        assert result.progress == min(max(D(str(raw)), D(0)), D(100))


@pytest.mark.parametrize(
    "kind, value, baseline, expected",
    [
        # 10 % fewer of 13,0 % is 11,7 %; 10 percentage points fewer is 3,0 %.
        (p.RELATIVE, -10, "13.0", "11.7"),
        (p.PERCENTAGE_POINTS, -10, "13.0", "3.0"),
        (p.RELATIVE, 50, "20", "30"),
        (p.PERCENTAGE_POINTS, 50, "20", "70"),
        (p.ABSOLUTE, "12.5", "13.0", "12.5"),
        (p.RELATIVE, -10, None, None),
        (p.RELATIVE, None, "5", None),
    ],
)
def test_percent_and_percentage_points_differ(kind, value, baseline, expected):
    s = spec(kind=kind, value=value, unit="percent")
    target = p.absolute_target(s, None if baseline is None else D(baseline))
    assert target == (None if expected is None else D(expected))


@pytest.mark.parametrize(
    "direction, base, tgt, value", [(p.LOWER, 20, 10, 14), (p.HIGHER, 10, 20, 16)]
)
def test_provisional_latest_value_is_used_and_marked(direction, base, tgt, value):
    # Final 15 on day 50, provisional 14 (or 16) on day 60 → 60 % at day 60, as expected.
    points = pts((50, 15), (60, value, True))
    result = p.evaluate(spec(direction=direction, value=tgt, baseline=base), points, day(60))
    assert result.latest is not None
    assert result.latest.value == value and result.provisional
    assert result.progress == 60 and result.status == p.ON_TRACK
    # The sentence is worded when read, in the reader's language.
    with translation.override("en"):
        assert "provisional" in result.explanation


@pytest.mark.parametrize("direction, base, tgt", [(p.LOWER, 20, 10), (p.HIGHER, 10, 20)])
def test_several_measurements_on_one_date(direction, base, tgt):
    # A final value beats a provisional one on the same date, whatever the entry order …
    result = p.evaluate(
        spec(direction=direction, value=tgt, baseline=base),
        pts((50, 15), (50, 11, True)),
        day(50),
    )
    assert result.latest is not None
    assert result.latest.value == 15 and not result.latest.provisional
    assert len(result.series) == 1
    # … and of two final values, the one entered last is the correction.
    result = p.evaluate(
        spec(direction=direction, value=tgt, baseline=base), pts((50, 16), (50, 15)), day(50)
    )
    assert result.latest is not None
    assert result.latest.value == 15


@pytest.mark.parametrize(
    "direction, base, tgt, at_target, later",
    [(p.LOWER, 20, 10, 11, 9), (p.HIGHER, 10, 20, 19, 21)],
)
def test_measurements_after_the_target_date_do_not_count(direction, base, tgt, at_target, later):
    # Day 100 is the target date: 11 misses ≤ 10 (19 misses ≥ 20); the day-130 value would meet
    # it but comes too late.
    points = pts((100, at_target), (130, later))
    result = p.evaluate(spec(direction=direction, value=tgt, baseline=base), points, day(150))
    assert result.latest is not None
    assert result.latest.value == at_target
    assert result.status == p.OFF_TRACK and result.achieved is False
    assert result.ignored_after_target == 1
    assert len(result.series) == 2  # still shown


def test_only_measurements_after_the_target_date_is_no_data():
    result = p.evaluate(spec(value=10, baseline=20), pts((130, 9)), day(150))
    assert result.status == p.NO_DATA and result.ignored_after_target == 1


def test_measurements_after_as_of_are_not_yet_known():
    result = p.evaluate(spec(value=10, baseline=20), pts((50, 15), (80, 11)), day(60))
    assert result.latest is not None
    assert result.latest.value == 15


@pytest.mark.parametrize(
    "period, points, baseline, target, status",
    [
        # The 2025 level (200) arrives: −10 % → 180. It is the only measurement, so there is no
        # progress to judge yet (not "on track" at 0 % of nothing).
        ("2025", [(date(2025, 12, 31), 200)], 200, 180, p.AWAITING_NEXT),
        # The next measurement is judged against it.
        ("2025", [(date(2025, 12, 31), 200), (date(2026, 1, 31), 190)], 200, 180, p.ON_TRACK),
        # December 2025 named: a November value is not the baseline.
        ("2025-12", [(date(2025, 11, 30), 200)], None, None, p.AWAITING_BASELINE),
        # Of two values in the period, the later one is the level of the period.
        ("2025", [(date(2025, 6, 30), 210), (date(2025, 12, 31), 200)], 200, 180, p.AWAITING_NEXT),
        # A 2026 value is not the 2025 level.
        ("2025", [(date(2026, 1, 31), 200)], None, None, p.AWAITING_BASELINE),
    ],
)
def test_awaiting_baseline_is_found_in_its_period(period, points, baseline, target, status):
    s = spec(kind=p.RELATIVE, value=-10, awaiting_baseline=True, baseline_period=period)
    series = [p.Point(d, D(v), False, i) for i, (d, v) in enumerate(points)]
    result = p.evaluate(s, series, date(2026, 1, 31))
    assert result.status == status
    assert result.baseline_value == (None if baseline is None else D(baseline))
    assert result.target == (None if target is None else D(target))


@pytest.mark.parametrize(
    "direction, base, tgt, values, at_target, meets_on",
    [
        # +0,1 a day from 10: day 100 → 20, exactly the target on the target date.
        (p.HIGHER, 10, 20, (10, 11, 12), "20", date(2026, 4, 11)),
        # −0,05 a day from 20: day 100 → 15; reaches 10 on day 200 = 20 July 2026.
        (p.LOWER, 20, 10, (20, 19.5, 19), "15", date(2026, 7, 20)),
        # Moving away from the target: a forecast, but no date it would be met.
        (p.LOWER, 20, 10, (20, 21, 22), "30", None),
    ],
)
def test_linear_forecast_from_three_measurements(direction, base, tgt, values, at_target, meets_on):
    points = pts(*[(10 * i, v) for i, v in enumerate(values)])
    result = p.evaluate(spec(direction=direction, value=tgt, baseline=base), points, day(20))
    assert result.forecast is not None
    assert result.forecast.value_at_target_date == D(at_target)
    assert result.forecast.meets_target_on == meets_on


def test_no_forecast_from_two_measurements():
    result = p.evaluate(spec(value=10, baseline=20), pts((0, 20), (10, 19)), day(10))
    assert result.forecast is None


def test_expected_progress_is_a_straight_line_and_clamped():
    assert p.expected_progress(START, TARGET, day(25)) == 25
    assert p.expected_progress(START, TARGET, day(-5)) == 0
    assert p.expected_progress(START, TARGET, day(150)) == 100
    result = p.evaluate(spec(value=10, baseline=20), pts((50, 15)), day(70))
    assert result.expected == 70 and result.expected_at_latest == 50


def test_thresholds_are_configurable():
    # 30 % against 50 % expected: 20 behind.
    case = (spec(direction=p.HIGHER, value=20, baseline=10), pts((50, 13)), day(50))
    assert p.evaluate(*case).status == p.AT_RISK
    assert p.evaluate(*case, p.Thresholds(at_risk=D(25), off_track=D(40))).status == p.ON_TRACK
    assert p.evaluate(*case, p.Thresholds(at_risk=D(5), off_track=D(15))).status == p.OFF_TRACK


def test_a_direction_without_a_size_counts_any_improvement():
    # "The share falls": no size stated; the first measurement (no period named) is the baseline.
    s = spec(kind=p.RELATIVE, value=None, awaiting_baseline=True, baseline_period="")
    result = p.evaluate(s, pts((10, 30), (50, 25)), day(60))
    assert result.baseline_value == 30 and result.status == p.ACHIEVED
    result = p.evaluate(s, pts((10, 30), (50, 31)), day(60))
    assert result.status == p.AT_RISK and result.achieved is False


def test_explanation_is_one_sentence_with_the_numbers():
    result = p.evaluate(spec(value=10, baseline=20), pts((50, 15)), day(50))
    with translation.override("en"):
        text = result.explanation
    assert text.count(". ") == 0 and text.endswith(".")
    assert "15\u00a0persons" in text and "10\u00a0persons" in text
    assert "50 %" in text


def test_danish_numbers_in_the_explanation():
    result = p.evaluate(
        spec(kind=p.PERCENTAGE_POINTS, value=-1.4, baseline=13.0, unit="percent"),
        pts((50, 12.3)),
        day(50),
    )
    with translation.override("da"):
        text = result.explanation
    assert "12,3\u00a0%" in text and "11,6\u00a0%" in text


@pytest.mark.parametrize(
    "text, bounds",
    [
        ("2025", (date(2025, 1, 1), date(2025, 12, 31))),
        ("2025-12", (date(2025, 12, 1), date(2025, 12, 31))),
        ("2024-02", (date(2024, 2, 1), date(2024, 2, 29))),
        ("2025-12-31", (date(2025, 12, 31), date(2025, 12, 31))),
        ("", None),
        ("december", None),
        ("2025-13", None),
    ],
)
def test_period_bounds(text, bounds):
    assert p.period_bounds(text) == bounds


@pytest.mark.parametrize(
    "direction, base, tgt, value", [(p.LOWER, 20, 10, 11), (p.HIGHER, 10, 20, 19)]
)
def test_a_passed_target_date_without_the_target_met_is_off_track(direction, base, tgt, value):
    # Day 90 is nearly there (90 % of the way, 90 % expected), but by day 120 the target date has
    # passed and no measurement met it.
    s = spec(direction=direction, value=tgt, baseline=base)
    assert p.evaluate(s, pts((90, value)), day(95)).status == p.ON_TRACK
    late = p.evaluate(s, pts((90, value)), day(120))
    assert late.status == p.OFF_TRACK and late.progress == 90


def test_progress_is_never_negative_zero():
    result = p.evaluate(
        spec(value="12.5", baseline="13.0", unit="percent"), pts((0, "13.0")), day(0)
    )
    assert str(result.progress_raw) == "0.0000"


def test_the_engine_runs_without_django_settings():
    """The engine is plain Python: a notebook or a script can evaluate an indicator without
    configuring Django (only the wording of the result needs it)."""
    import os
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from datetime import date\n"
        "from decimal import Decimal\n"
        "from employment_plan import progress as p\n"
        "spec = p.IndicatorSpec(unit='persons', direction=p.HIGHER, target_kind=p.ABSOLUTE,\n"
        "    target_value=Decimal(20), target_date=date(2026, 12, 31),\n"
        "    baseline_value=Decimal(10), baseline_date=date(2026, 1, 1))\n"
        "r = p.evaluate(spec, [p.Point(date(2026, 7, 1), Decimal(15))], date(2026, 7, 2))\n"
        "print(r.status, r.progress, r.reason)\n"
        "assert 'django' not in sys.modules, sorted(m for m in sys.modules if 'django' in m)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["on_track", "50.0000", "progress_vs_expected"]


# A level target without a stated baseline (issue #15) ----------------------------------------------
def test_a_single_measurement_is_never_on_track_without_a_stated_baseline():
    # 100 % by the target date; one measurement of 45,5 %: it is its own starting point, so there
    # is no progress to judge (not "on track" with "progress 0 %").
    s = spec(direction=p.HIGHER, value=100, unit="percent", plan_start=START)
    result = p.evaluate(s, pts((10, 45.5)), day(20))
    assert result.status == p.BASELINE_MISSING
    assert result.baseline_from_first and result.progress is None
    with translation.override("en"):
        assert "states no baseline" in result.explanation
        assert result.status_label == "Baseline missing"


def test_a_baseline_measured_in_its_period_and_nothing_since_is_not_judged():
    # −10 % from the 2025 level; the 2025 level (200) is measured and nothing after it: neither on
    # track nor at risk, whatever the expected path says (issue #15: no status without grounds).
    s = spec(kind=p.RELATIVE, value=-10, awaiting_baseline=True, baseline_period="2025")
    result = p.evaluate(s, [p.Point(date(2025, 12, 31), D(200))], date(2026, 1, 31))
    assert result.status == p.AWAITING_NEXT and result.progress is None
    assert result.baseline_value == 200 and result.target == 180
    with translation.override("en"):
        assert result.status_label == "Awaiting the next measurement"
        assert "is the baseline: progress can be judged from the next" in result.explanation
    with translation.override("da"):
        assert result.status_label == "Afventer næste måling"
        assert result.explanation == (
            "Den eneste måling indtil nu, 200\u00a0personer (31.12.2025), er udgangspunktet: "
            "fremdriften kan vurderes fra næste måling."
        )
    # Once the target date has passed with nothing but the baseline, it is missed.
    late = p.evaluate(s, [p.Point(date(2025, 12, 31), D(200))], date(2026, 5, 1))
    assert late.status == p.OFF_TRACK


def test_a_direction_without_a_size_is_not_at_risk_on_its_first_measurement():
    # "The share falls", no period named: the first measurement is the baseline; alone it shows
    # no change either way.
    s = spec(kind=p.RELATIVE, value=None, awaiting_baseline=True, baseline_period="")
    result = p.evaluate(s, pts((10, 30)), day(60))
    assert result.status == p.BASELINE_MISSING and result.progress is None
    with translation.override("en"):
        assert "is the baseline" in result.explanation
    named = spec(kind=p.RELATIVE, value=None, awaiting_baseline=True, baseline_period="2026")
    assert p.evaluate(named, pts((10, 30)), day(60)).status == p.AWAITING_NEXT


def test_a_single_measurement_that_meets_the_target_is_achieved():
    s = spec(direction=p.HIGHER, value=100, unit="percent", plan_start=START)
    assert p.evaluate(s, pts((10, 100)), day(20)).status == p.ACHIEVED


def test_without_a_stated_baseline_the_expected_path_starts_at_the_plan_start():
    # First measured on day 50 (20), then 17,5 on day 75: 25 % of the way from 20 to 10. Counted from
    # the plan's start (day 0), 75 % was expected by day 75: 50 points behind, off track. From the
    # first measurement it would have been 50 % expected: 25 behind, at risk.
    s = spec(value=10, plan_start=START)
    result = p.evaluate(s, pts((50, 20), (75, 17.5)), day(75))
    assert result.expected_from == START and result.expected_at_latest == 75
    assert result.progress == 25 and result.status == p.OFF_TRACK
    without_plan_start = p.evaluate(spec(value=10), pts((50, 20), (75, 17.5)), day(75))
    assert without_plan_start.status == p.AT_RISK


# A one-off deliverable by a date ---------------------------------------------------------------
DELIVERABLE = spec(kind=p.DELIVERABLE, direction=p.HIGHER, value=1, unit="count")


@pytest.mark.parametrize(
    "points, as_of, status",
    [
        ([], 50, p.NOT_DELIVERED),  # before the date, nothing recorded: not yet, no claim
        (pts((40, 0)), 50, p.NOT_DELIVERED),  # "not yet" recorded: still not on track
        (pts((40, 0), (60, 1)), 70, p.ACHIEVED),  # delivered
        ([], 101, p.OFF_TRACK),  # the due date (day 100) has passed undelivered
        (pts((40, 0)), 101, p.OFF_TRACK),
        (pts((120, 1)), 130, p.OFF_TRACK),  # delivered only after the due date
    ],
)
def test_a_deliverable_is_done_or_not_never_on_track(points, as_of, status):
    result = p.evaluate(DELIVERABLE, points, day(as_of))
    assert result.status == status
    with translation.override("en"):
        assert result.explanation
