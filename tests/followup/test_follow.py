"""Following a recommendation or a report from its page, the list of what one follows, and the
e-mails' unsubscribe link, which works without logging in."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from followup import follows
from followup.models import Follow
from organizations.models import Role
from tests.factories import RecommendationFactory, ReportFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(allerod):
    return ReportFactory.create(municipality=allerod, title="Rekruttering og fastholdelse")


@pytest.fixture
def recommendation(report):
    return RecommendationFactory.create(report=report, number="6", title="Flere sosu-elever")


def page(recommendation, slug="allerod"):
    return reverse("recommendation-detail", args=[slug, recommendation.pk])


def follow_url(recommendation, slug="allerod"):
    return reverse("follow-recommendation", args=[slug, recommendation.pk])


def test_a_council_member_follows_a_recommendation_and_stops_from_the_list(
    login, council_member, recommendation
):
    client = login(council_member)
    assert ">Følg</button>" in client.get(page(recommendation)).content.decode()

    response = client.post(follow_url(recommendation), {"action": "follow"}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == page(recommendation)
    assert "Du følger nu anbefaling 6. Du får én e-mail om dagen, når dens status ændres." in html
    assert 'Følger <span aria-hidden="true">✓</span> – stop med at følge' in html
    # A second click (or a double click) changes nothing.
    client.post(follow_url(recommendation), {"action": "follow"})
    assert Follow.objects.filter(user=council_member).count() == 1

    listed = client.get(reverse("my-follows")).content.decode()
    assert "Det følger du" in listed and "6. Flere sosu-elever" in listed
    response = client.post(
        follow_url(recommendation), {"action": "unfollow", "next": reverse("my-follows")}
    )
    assert response["Location"] == reverse("my-follows")
    assert not Follow.objects.exists()
    assert "Du følger ikke noget endnu" in client.get(reverse("my-follows")).content.decode()

    entries = AuditEntry.objects.filter(model_label="followup.follow").order_by("id")
    assert [(e.action, e.actor_id) for e in entries] == [
        ("create", council_member.pk),
        ("delete", council_member.pk),
    ]


def test_following_a_report_is_offered_on_its_page(login, hr_officer, report):
    client = login(hr_officer)
    url = reverse("report-detail", args=["allerod", report.pk])
    assert "en af rapportens anbefalinger" in client.get(url).content.decode()
    client.post(reverse("follow-report", args=["allerod", report.pk]))
    assert Follow.objects.get(user=hr_officer).report == report
    assert "Rekruttering og fastholdelse" in client.get(reverse("my-follows")).content.decode()


def test_an_anonymous_reader_sees_no_button_and_cannot_follow(client, allerod, recommendation):
    allerod.is_published = True
    allerod.save()
    html = client.get(page(recommendation)).content.decode()
    assert "Flere sosu-elever" in html and "follow-form" not in html
    response = client.post(follow_url(recommendation))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert not Follow.objects.exists()


def test_nobody_follows_what_they_cannot_see(login, council_member, norddjurs, recommendation):
    hidden = RecommendationFactory.create(report=ReportFactory.create(municipality=norddjurs))
    client = login(council_member)
    # Norddjurs is not published: neither under its own address nor smuggled under Allerød's.
    assert client.post(follow_url(hidden, "norddjurs")).status_code == 404
    assert client.post(follow_url(hidden, "allerod")).status_code == 404
    assert client.get(follow_url(recommendation)).status_code == 405  # a POST only
    assert not Follow.objects.exists()
    with pytest.raises(PermissionDenied):
        follows.follow_start(target=hidden, municipality=norddjurs, acting_user=council_member)


def test_a_published_municipality_may_be_followed_by_a_member_of_another(
    login, outsider, allerod, recommendation
):
    allerod.is_published = True
    allerod.save()
    login(outsider).post(follow_url(recommendation))
    assert Follow.objects.get().user == outsider


def test_the_unsubscribe_link_stops_every_follow_without_login_and_get_changes_nothing(
    council_member, allerod, report, recommendation
):
    follows.follow_start(target=report, municipality=allerod, acting_user=council_member)
    follows.follow_start(target=recommendation, municipality=allerod, acting_user=council_member)
    url = reverse("follow-unsubscribe", args=[follows.unsubscribe_token(council_member)])
    # Someone else is signed in in this browser: the link is still the council member's.
    someone = member("sofie", allerod, Role.ANALYST)
    client = Client(enforce_csrf_checks=True)
    client.force_login(someone)

    page = client.get(url).content.decode()  # a mail scanner opening the link
    assert "Du følger 2 anbefalinger eller rapporter" in page
    assert "Stop e-mails om det, jeg følger" in page
    assert Follow.objects.count() == 2

    # RFC 8058: the mail program POSTs this body, without a CSRF token.
    response = client.post(url, "List-Unsubscribe=One-Click", content_type="text/plain")
    assert response.status_code == 200
    assert "Du følger ikke længere noget" in response.content.decode()
    assert not Follow.objects.exists()
    deleted = AuditEntry.objects.filter(model_label="followup.follow", action="delete")
    assert {e.actor_id for e in deleted} == {council_member.pk} and deleted.count() == 2


def test_a_link_sent_before_a_new_secret_key_works_while_the_old_key_is_a_fallback(
    client, settings, council_member, allerod, recommendation
):
    """docs/deployment.md, "A new secret key": the old key as SECRET_KEY_FALLBACKS keeps the links
    of e-mails already sent working; without it they are refused, and nothing changes."""
    follows.follow_start(target=recommendation, municipality=allerod, acting_user=council_member)
    url = reverse("follow-unsubscribe", args=[follows.unsubscribe_token(council_member)])
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-key-" + "x7" * 30
    settings.SECRET_KEY_FALLBACKS = []
    assert client.post(url).status_code == 400
    assert Follow.objects.count() == 1
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert client.post(url).status_code == 200
    assert not Follow.objects.exists()


@pytest.mark.parametrize("damage", ["cut", "tampered", "garbage"])
def test_a_damaged_link_says_so_in_danish_and_changes_nothing(
    client, council_member, allerod, recommendation, damage
):
    follows.follow_start(target=recommendation, municipality=allerod, acting_user=council_member)
    token = follows.unsubscribe_token(council_member)
    bad = {
        "cut": token[:-3],
        "tampered": token.replace(token[2], "A" if token[2] != "A" else "B", 1),
        "garbage": "not-a-token",
    }[damage]
    url = reverse("follow-unsubscribe", args=[bad])
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 400
        assert "Linket virker ikke" in response.content.decode()
    assert Follow.objects.count() == 1


def test_a_token_for_another_use_is_refused(council_member):
    from django.core import signing

    other = signing.dumps({"u": council_member.pk}, salt="something.else")
    with pytest.raises(follows.BadToken):
        follows.token_user(other)
