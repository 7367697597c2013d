"""The seed data: municipalities, professions and bodies from the source documents, loaded
idempotently, with provenance on every record."""

import pytest
from django.apps import apps
from django.core.management import call_command

from organizations.models import Body, Municipality, Profession, SourceDocument
from organizations.seeding import SeedError, SeedLoader

# Both databases: the seed loader's idempotent upserts, all or nothing (the demo runs on SQLite).
pytestmark = [pytest.mark.postgres, pytest.mark.sqlite]


def row_counts():
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.managed
    }


@pytest.fixture
def seeded(seed_data):
    """load_seed_data's result (built once per session; a fresh copy for each test)."""


def test_second_load_changes_no_table(seeded, capsys):
    before = row_counts()
    call_command("load_seed_data")
    out = capsys.readouterr().out
    assert row_counts() == before
    assert "0 created, 0 updated" in out


def test_municipalities_carry_official_codes(seeded):
    codes = dict(Municipality.objects.values_list("name", "code"))
    assert codes["Allerød"] == 201
    assert codes["Norddjurs"] == 707
    assert codes["Hørsholm"] == 223 and codes["Rudersdal"] == 230


def test_professions_named_in_the_reports_exist(seeded):
    names = set(Profession.objects.values_list("name", flat=True))
    assert {
        "Social- og sundhedsassistent",
        "Social- og sundhedshjælper",
        "Pædagog",
        "Pædagogisk assistent",
        "Sygeplejerske",
        "Lærer",
        "Leder",
    } <= names


def test_bodies_include_cross_municipal_kkr_and_kl(seeded):
    assert Body.objects.get(name="KKR Hovedstaden").municipality is None
    assert Body.objects.get(name="KL").kind == "kl"
    assert Body.objects.filter(municipality__code=201, kind="task_committee").exists()


def test_every_seeded_record_has_provenance(seeded):
    for model in (Municipality, Profession, Body):
        for record in model.objects.all():
            assert record.source_id is not None, record
            assert record.source_section, record
    assert SourceDocument.objects.filter(file_name="000_6d7be076b693219f.txt").exists()


def test_a_changed_fact_is_updated_not_duplicated(seeded, capsys):
    Profession.objects.filter(key="paedagog").update(name="Forkert navn")
    call_command("load_seed_data")
    assert "1 updated" in capsys.readouterr().out
    assert Profession.objects.get(key="paedagog").name == "Pædagog"


def test_a_broken_seed_file_changes_nothing(db, tmp_path):
    (tmp_path / "organizations.yaml").write_text(
        "municipalities:\n"
        "  - {code: 201, name: Allerød, slug: allerod, source: nowhere, section: x}\n",
        encoding="utf-8",
    )
    with pytest.raises(SeedError):
        SeedLoader(tmp_path).source("nowhere")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="nothing changed"):
        call_command("load_seed_data", directory=str(tmp_path))
    assert not Municipality.objects.exists()
