"""While the database cannot be reached, a request is answered 503 "try again in a moment" with
Retry-After, in the visitor's language, whether the failure came in a view or in a middleware, and
the answer itself needs no database. Other errors stay 500s. (The same against a real PostgreSQL
restart: test_database_restart.py.)

No test here may use the database: pytest-django refuses every query, so a 503 page that needed one
would come out as a 500."""

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.db import OperationalError, ProgrammingError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client

DANISH = "Tjenesten er midlertidigt utilgængelig – prøv igen om lidt."
ENGLISH = "The service is temporarily unavailable – please try again shortly."


@pytest.fixture
def client():
    """A browser: it gets the error page, where the default test client would raise the error."""
    return Client(raise_request_exception=False)


def refuse_connections(monkeypatch, error=OperationalError):
    def connect(self):
        raise error('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", connect)


def test_a_page_while_the_database_is_down_says_try_again_shortly_in_danish(client, monkeypatch):
    refuse_connections(monkeypatch)
    response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    html = response.content.decode()
    assert DANISH in html and '<html lang="da">' in html
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_an_english_visitor_reads_it_in_english(client, monkeypatch):
    refuse_connections(monkeypatch)
    client.cookies["opfoelgning_language"] = "en"
    response = client.get("/")
    assert response.status_code == 503
    assert ENGLISH in response.content.decode()


def test_a_failure_in_a_middleware_is_a_503_too(client, monkeypatch):
    """The session's save after the view, say: outside the view, where process_exception never
    looks."""

    def session_lost(self, request, response):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(SessionMiddleware, "process_response", session_lost)
    response = client.get("/admin/")  # a redirect to the login page: no query of its own
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert DANISH in response.content.decode()


def test_the_api_answers_in_json(client, monkeypatch):
    refuse_connections(monkeypatch)
    response = client.get("/api/v1/recommendations/", HTTP_AUTHORIZATION="Token 0123456789abcdef")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {"detail": DANISH}


def test_any_other_error_is_still_the_500_page(client, monkeypatch):
    refuse_connections(monkeypatch, error=ProgrammingError)
    response = client.get("/")
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "Der opstod en fejl" in response.content.decode()
