"""manage.py import_data: the admin's checks and services from the command line, for files too
large for a browser, with a progress line."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from recommendations.models import Recommendation, StatusUpdate
from workforce.models import StaffingSnapshot

# PostgreSQL: imports.
pytestmark = pytest.mark.postgres


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_data", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def staffing_file(seeded, login, analyst, tmp_path):
    url = reverse("export-subject", args=["allerod", "staffing"]) + "?format=csv"
    text = login(analyst).get(url).content.decode("utf-8-sig")
    lines = text.splitlines()
    cells = lines[1].split(";")
    cells[3] = str(int(cells[3]) + 2)  # two more staff in the first snapshot
    lines[1] = ";".join(cells)
    path = tmp_path / "bemanding.csv"
    path.write_text("\r\n".join(lines), encoding="utf-8")
    return path


@pytest.mark.django_db
def test_dry_run_reports_what_would_change_and_saves_nothing(staffing_file, hr_officer):
    before = list(StaffingSnapshot.objects.order_by("pk").values_list("headcount", flat=True))
    out, err = run(
        "staffing", str(staffing_file), "--user", "hanne", "--municipality", "allerod", "--dry-run"
    )
    assert "Checked (dry run, nothing saved)" in out and "updated 1," in out
    assert (
        list(StaffingSnapshot.objects.order_by("pk").values_list("headcount", flat=True)) == before
    )


@pytest.mark.django_db
def test_apply_changes_the_edited_snapshot_only(staffing_file, hr_officer):
    before = dict(StaffingSnapshot.objects.values_list("pk", "headcount"))
    out, _err = run("staffing", str(staffing_file), "--user", "hanne", "--municipality", "201")
    assert "Imported" in out and "created 0, updated 1," in out
    after = dict(StaffingSnapshot.objects.values_list("pk", "headcount"))
    changed = {pk for pk in before if before[pk] != after[pk]}
    assert len(changed) == 1 and after[changed.pop()] - 2 in before.values()


@pytest.mark.django_db
def test_a_council_member_may_not_import(staffing_file, council_member):
    with pytest.raises(CommandError, match="may not import staffing"):
        run("staffing", str(staffing_file), "--user", "rita", "--municipality", "allerod")


@pytest.mark.django_db
def test_unknown_user_plan_or_file_is_refused(seeded, hr_officer, tmp_path):
    with pytest.raises(CommandError, match="No active user"):
        run("staffing", __file__, "--user", "nobody", "--municipality", "allerod")
    with pytest.raises(CommandError, match="No such file"):
        run("staffing", str(tmp_path / "missing.csv"), "--user", "hanne")
    path = tmp_path / "m.csv"
    path.write_text("plan;indikator;dato;værdi\n", encoding="utf-8")
    with pytest.raises(CommandError, match="No employment plan"):
        run("measurements", str(path), "--user", "hanne", "--plan", "Ingen plan")


@pytest.mark.django_db
def test_status_changes_from_the_command_go_through_the_status_service(
    seeded, login, analyst, hr_officer, tmp_path
):
    url = reverse("export-subject", args=["allerod", "recommendations"]) + "?format=csv"
    text = login(analyst).get(url).content.decode("utf-8-sig")
    own = Recommendation.objects.filter(report__municipality=seeded).first()
    assert own is not None
    lines = text.splitlines()
    header = lines[0].split(";")
    for index, line in enumerate(lines[1:], start=1):
        cells = line.split(";")
        if cells[header.index("Rapport")] == own.report.key and cells[1] == own.number:
            cells[header.index("Fremdrift (%)")] = "42"
            lines[index] = ";".join(cells)
    path = tmp_path / "anbefalinger.csv"
    path.write_text("\r\n".join(lines), encoding="utf-8")
    before = StatusUpdate.objects.count()
    out, err = run("recommendations", str(path), "--user", "hanne")
    assert "updated 1," in out
    update = StatusUpdate.objects.latest("pk")
    assert StatusUpdate.objects.count() == before + 1
    assert update.recommendation == own and update.progress == 42
    assert update.origin == "import" and update.author == hr_officer
