"""Single sign-on in a real browser: the login page's button, the identity provider's own login page
(oidc-provider-mock on 127.0.0.1, started by the test), and back to the municipality's front page."""

import re

import pytest
from django.urls import reverse

from organizations.models import Membership, Role
from tests.browser.test_council_member import check_axe
from tests.oidc_provider import KEY, running_provider

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_an_hr_officer_signs_in_through_the_provider_and_lands_on_the_front_page(
    page, live_server, settings, allerod
):
    with running_provider() as idp:
        settings.OIDC_PROVIDERS = idp.config(municipality=allerod.code)
        idp.set_user("hanne-sub", groups=["opf-hr"], given_name="Hanne")
        base = live_server.url

        page.goto(base + reverse("login"))
        check_axe(page, "login with a provider")
        page.get_by_role("link", name="Log ind med Testkommunens login").click()
        # The provider's own login page.
        page.wait_for_url(re.compile(re.escape(idp.url) + r"/oauth2/authorize\?"))
        page.fill("input[name=sub]", "hanne-sub")
        page.get_by_role("button", name="Authorize").click()
        page.wait_for_url(base + reverse("municipality-detail", args=[allerod.slug]))

        assert page.get_by_role("heading", level=1).inner_text().strip().startswith(allerod.name)
        assert page.get_by_role("button", name=re.compile("Log ud")).is_visible()
    membership = Membership.objects.get(user__username=f"{KEY}+hanne-sub")
    assert (membership.municipality, membership.role) == (allerod, Role.HR_OFFICER)
