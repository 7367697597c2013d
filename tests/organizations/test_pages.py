"""Every page a visitor can reach is in Danish first, has one h1, landmarks and a working language
switch."""

import pytest
from django.urls import reverse

from tests.html import structure


def page_urls(municipality):
    return [
        reverse("home"),
        reverse("login"),
        reverse("municipality-detail", args=[municipality.slug]),
    ]


@pytest.mark.django_db
def test_every_page_sets_lang_one_h1_and_landmarks(login, council_member, allerod):
    client = login(council_member)
    for url in page_urls(allerod) + ["/no-such-page/"]:
        response = client.get(url)
        page = structure(response.content.decode())
        assert page.lang == "da", url
        assert page.h1_count == 1, url
        assert {"banner", "navigation", "main", "contentinfo"} <= page.landmarks, url
        assert "main" in page.ids, f"{url}: the skip link has no target"


@pytest.mark.django_db
def test_anonymous_pages_have_the_same_structure(client):
    for url in [reverse("home"), reverse("login")]:
        page = structure(client.get(url).content.decode())
        assert page.lang == "da" and page.h1_count == 1, url


@pytest.mark.django_db
def test_switching_to_english_and_back(login, council_member, allerod):
    client = login(council_member)
    url = reverse("municipality-detail", args=[allerod.slug])
    assert "Organisation" in client.get(url).content.decode()
    assert "Log ud" in client.get(url).content.decode()

    response = client.post(reverse("set_language"), {"language": "en", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    english = client.get(url).content.decode()
    assert structure(english).lang == "en"
    assert "Log out" in english and "Log ud" not in english

    client.post(reverse("set_language"), {"language": "da", "next": url})
    danish = client.get(url).content.decode()
    assert structure(danish).lang == "da"
    assert "Log ud" in danish


@pytest.mark.django_db
def test_numbers_use_danish_formats(login, council_member):
    from django.template import Context, Template
    from django.utils import translation

    with translation.override("da"):
        rendered = Template("{{ n }} {{ x }}").render(Context({"n": 1050, "x": 12.5}))
    assert rendered == "1.050 12,5"
    with translation.override("en"):
        rendered = Template("{{ n }} {{ x }}").render(Context({"n": 1050, "x": 12.5}))
    assert rendered == "1,050 12.5"


@pytest.mark.django_db
def test_login_with_wrong_password_says_so_in_danish(client, council_member):
    response = client.post(reverse("login"), {"username": "rita", "password": "wrong"})
    assert response.status_code == 200
    assert "korrekt brugernavn og adgangskode" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_login_and_logout(client, council_member):
    response = client.post(
        reverse("login"), {"username": "rita", "password": "correct horse battery staple"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert "Allerød" in client.get(reverse("home")).content.decode()
    client.post(reverse("logout"))
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_an_english_browser_still_gets_danish_until_english_is_chosen(client):
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert structure(page.content.decode()).lang == "da"
    assert "Log ind" in page.content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert structure(client.get(reverse("home")).content.decode()).lang == "en"
