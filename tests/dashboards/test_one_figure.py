"""One figure per fact: the dashboard's institutions list and the workforce institutions table
read an institution's projected shortage through one selector, so both pages say the same."""

import re

import pytest
from django.urls import reverse


def _row_text(html: str, institution: str) -> str:
    """The text of the table row whose header cell names the institution."""
    for row in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S):
        if institution in row:
            return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))
    raise AssertionError(f"no row for {institution}")


@pytest.mark.django_db
def test_both_institution_pages_give_the_same_shortage(seed_workforce_demo, login, council_member):
    client = login(council_member)
    listing = client.get(reverse("dashboard-institutions", args=["allerod"]))
    on_list = {
        (r.unit.name, r.profession): r.words
        for r in listing.context["page_obj"].paginator.object_list
    }
    table = client.get(reverse("workforce-institutions", args=["allerod"]))
    names = table.context["profession_names"]
    on_table = {
        (row["unit"]["name"], name): entry["words"]
        for row in table.context["rows"]
        for name, entry in zip(names, row["entries"], strict=True)
        if entry
    }
    assert on_list and on_table == on_list

    # What the reader sees for Børnehuset Regnbuen's pedagogues: a projected shortage just under
    # four persons is "3–4" on both pages (persons are expected values; only numbers are rounded).
    regnbuen = "Børnehuset Regnbuen (demo)"
    words = on_list[(regnbuen, "Pædagog")]
    assert words.startswith("mangler")
    listed = client.get(
        reverse("dashboard-institutions", args=["allerod"]),
        {"q": "Regnbuen", "profession": "paedagog"},
    )
    assert words in _row_text(listed.content.decode(), regnbuen)
    assert words in _row_text(table.content.decode(), regnbuen)
