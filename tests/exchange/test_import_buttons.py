"""Every changelist that has an import shows "Importér" beside "Eksportér", and every import subject
has such a changelist. (Who may open them: tests/security/url_rules.py.)"""

import pytest
from django.contrib import admin
from django.urls import reverse

from core import importing
from core.admin_import import ImportAdminMixin

pytestmark = pytest.mark.django_db


def changelist(subject):
    opts = subject.model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")


@pytest.mark.parametrize("key", sorted(importing.SUBJECTS))
def test_the_changelist_has_import_beside_export(key, login, hr_officer):
    subject = importing.SUBJECTS[key]
    client = login(hr_officer)
    html = client.get(changelist(subject)).content.decode()
    url = importing.admin_import_url(subject)
    assert f'<a href="{url}" class="import_link">Importér</a>' in html
    assert 'class="export_link">Eksportér</a>' in html
    assert html.index("import_link") < html.index("export_link")  # side by side, import first
    assert client.get(url).status_code == 200


def test_every_subject_has_its_admin_import_and_no_admin_imports_otherwise():
    with_import = {
        model_admin.import_subject.key
        for model_admin in admin.site._registry.values()
        if isinstance(model_admin, ImportAdminMixin)
    }
    assert with_import == set(importing.SUBJECTS) == {"measurements", "recommendations", "staffing"}
