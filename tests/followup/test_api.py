"""Rounds and approved annexes in the read-only API: only the key owner's municipalities, the frozen
content with the hash it is stored under, nothing writable."""

import pytest
from django.urls import reverse

from followup import services
from followup.models import content_hash
from tests.factories import api_key
from tests.followup.conftest import new_round

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def api(client, user, url, method="get"):
    return getattr(client, method)(url, HTTP_AUTHORIZATION=f"Token {api_key(user)}")


def test_rounds_and_annexes_are_read_only_and_kept_apart(
    client, allerod, committee, scope, administrator, analyst, outsider
):
    round = new_round(allerod, committee, administrator)
    round = services.round_open(
        round=round, expected_version=round.version, acting_user=administrator
    )
    [opened] = api(client, analyst, reverse("api-round-list")).json()["results"]
    assert (opened["state"], opened["annex"], opened["annex_hash"]) == ("open", None, None)
    annex = services.round_approve(
        round=round, expected_version=round.version, acting_user=administrator
    )

    [listed] = api(client, analyst, reverse("api-round-list")).json()["results"]
    assert (listed["municipality"], listed["state"], listed["annex"], listed["annex_hash"]) == (
        201,
        "approved",
        annex.pk,
        annex.content_hash,
    )
    frozen = api(client, analyst, reverse("api-annex-detail", args=[annex.pk])).json()
    assert frozen["content_hash"] == content_hash(frozen["content"]) == annex.content_hash
    assert {e["title"] for e in frozen["content"]["recommendations"]} == {
        scope["first"].title,
        scope["second"].title,
    }

    assert api(client, outsider, reverse("api-round-list")).json()["results"] == []
    assert api(client, outsider, reverse("api-annex-detail", args=[annex.pk])).status_code == 404
    for method in ("post", "put", "patch", "delete"):
        response = api(client, analyst, reverse("api-annex-detail", args=[annex.pk]), method)
        assert response.status_code == 405


def test_rounds_are_on_the_export_page_and_in_the_workbook(
    client, allerod, committee, scope, administrator, analyst
):
    import io

    import openpyxl

    round = new_round(allerod, committee, administrator)
    round = services.round_open(
        round=round, expected_version=round.version, acting_user=administrator
    )
    annex = services.round_approve(
        round=round, expected_version=round.version, acting_user=administrator
    )
    client.force_login(analyst)
    page = client.get(reverse("export-page", args=["allerod"])).content.decode()
    assert "Opfølgningsrunder" in page
    response = client.get(reverse("export-subject", args=["allerod", "rounds"]), {"format": "xlsx"})
    assert "allerod-opfoelgningsrunder-" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    header = rows.index(next(r for r in rows if r and r[0] == "Runde"))
    [line] = rows[header + 1 :]
    assert line[0] == round.title and line[4] == "Godkendt" and line[5] == 3
    assert line[-1] == annex.content_hash
