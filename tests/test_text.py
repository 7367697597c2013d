"""Numbers, percentages, dates and names as a Danish reader writes them (core.text), and in English
where the rule differs."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from core.text import format_date, format_number, format_percent, genitive


@pytest.mark.parametrize(
    ("name", "danish", "english"),
    [
        ("Allerød", "Allerøds", "Allerød's"),
        ("Norddjurs", "Norddjurs'", "Norddjurs'"),
        ("Fanø", "Fanøs", "Fanø's"),
        ("Vejle", "Vejles", "Vejle's"),
    ],
)
def test_genitive_takes_an_apostrophe_only_after_s_x_z(name, danish, english):
    assert genitive(name, "da") == danish
    assert genitive(name, "en") == english


def test_numbers_percentages_and_dates_in_danish_format():
    with translation.override("da"):
        assert format_number(Decimal("64.0")) == "64"
        assert format_number(Decimal("0.1200")) == "0,12"
        assert format_number(Decimal("1050.5")) == "1.050,5"
        assert format_number(Decimal("-3.00"), 1) == "-3,0"
        assert format_percent(Decimal("0.1200")) == "12,0\u00a0%"
        assert format_date(datetime.date(2022, 12, 31)) == "31.12.2022"
    with translation.override("en"):
        assert format_percent(Decimal("0.12")) == "12.0\u00a0%"
