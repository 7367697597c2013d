"""The admin's filter sidebars name only what the user may see (issue: hardening, item 8): an HR
officer of Allerød is never offered Norddjurs' plans, reports, themes, bodies, units or the
municipality itself, on any changelist; the superuser is offered both."""

import pytest
from django.contrib import admin
from django.urls import reverse

from organizations.admin_scoping import MunicipalityScopedAdmin, ScopedRelatedFilter
from tests.employment_plan.factories import IndicatorFactory
from tests.factories import (
    BodyFactory,
    RecommendationFactory,
    ReportFactory,
    ThemeFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db

SECRET = "Hemmelig"  # in the name of every Norddjurs row a filter could offer


def rows_of(municipality, name):
    """Two of each (a filter with one choice is not shown)."""
    for n in (1, 2):
        body = BodyFactory(municipality=municipality, name=f"{name} udvalg {n}")
        report = ReportFactory(
            municipality=municipality, issuing_body=body, title=f"{name} rapport {n}"
        )
        theme = ThemeFactory(report=report, title=f"{name} tema {n}")
        unit = UnitFactory(municipality=municipality, name=f"{name} enhed {n}")
        RecommendationFactory(report=report, theme=theme, responsible_unit=unit)
        IndicatorFactory(
            focus_area__plan__municipality=municipality,
            focus_area__plan__title=f"{name} plan {n}",
            focus_area__title=f"{name} område {n}",
        )


def scoped_changelists():
    """Every changelist whose admin is scoped and has a filter on a municipality's rows."""
    for model, model_admin in admin.site._registry.items():
        if isinstance(model_admin, MunicipalityScopedAdmin) and model_admin.list_filter:
            yield reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def offered(response) -> list[str]:
    """The choices of the related-field filters on the page (their labels)."""
    cl = response.context["cl"]
    return [
        str(label)
        for spec in cl.filter_specs
        if isinstance(spec, ScopedRelatedFilter)
        for _pk, label in spec.lookup_choices
    ]


def test_no_sidebar_offers_another_municipalitys_rows(client, allerod, norddjurs, hr_officer):
    rows_of(allerod, "Allerød")
    rows_of(norddjurs, SECRET)
    client.force_login(hr_officer)
    seen = []
    for url in scoped_changelists():
        response = client.get(url)
        if response.status_code != 200:
            continue  # a list the HR officer may not open (the authorisation matrix checks which)
        assert SECRET not in response.content.decode(), url
        seen += offered(response)
    assert not [label for label in seen if SECRET in label or label == "Norddjurs"]
    # What is offered is the user's own: the filters work, they are not empty.
    for kind in ("plan", "rapport", "udvalg", "tema"):
        assert any(f"Allerød {kind}" in label for label in seen), kind


def test_the_superuser_is_offered_every_municipality(client, allerod, norddjurs, django_user_model):
    rows_of(allerod, "Allerød")
    rows_of(norddjurs, SECRET)
    client.force_login(django_user_model.objects.create_superuser("root", password=None))
    plans = offered(client.get(reverse("admin:employment_plan_indicator_changelist")))
    assert {f"{SECRET} plan 1", "Allerød plan 1"} <= set(plans)
    municipalities = offered(client.get(reverse("admin:employment_plan_employmentplan_changelist")))
    assert {"Allerød", "Norddjurs"} <= set(municipalities)
