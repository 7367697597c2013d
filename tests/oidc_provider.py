"""A real OpenID Connect provider for the sign-in tests: oidc-provider-mock (authlib) served on
127.0.0.1 from a thread started by the test, and the product configured for it exactly as
``OIDC_PROVIDERS`` would configure it (config.env)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import jwt
import oidc_provider_mock
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from werkzeug.serving import make_server

from config.env import oidc_provider_config

KEY = "test-idp"
# The role map the tests configure: group names at the provider → roles here.
ROLES = {
    "opf-administrators": "administrator",
    "opf-hr": "hr_officer",
    "opf-analysts": "analyst",
    "opf-council": "council_member",
}


class MockProvider:
    def __init__(self, url: str):
        self.url = url
        # When set, the keys published at /jwks: ID tokens are still signed with the provider's own.
        self.published_keys: dict[str, Any] | None = None

    def set_user(self, sub: str, **claims: Any) -> None:
        """The person ``sub`` at the provider, with ``claims`` in their ID token and userinfo."""
        response = requests.put(f"{self.url}/users/{sub}", json=claims, timeout=5)
        response.raise_for_status()

    def config(self, key: str = KEY, **overrides: Any) -> dict[str, dict]:
        """``settings.OIDC_PROVIDERS`` for this provider under ``key``, parsed as from the
        environment."""
        raw = {
            "name": "Testkommunens login",
            "issuer": self.url,
            "client_id": "opfoelgning",
            "client_secret": "client-secret",
            "roles_claim": "groups",
            "roles": ROLES,
            **overrides,
        }
        return {key: oidc_provider_config("OIDC_PROVIDERS", key, raw)}

    def publish_another_key(self) -> None:
        """Publish, under the provider's own key id, a key it does not sign with."""
        published = requests.get(f"{self.url}/jwks", timeout=5).json()
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
        other_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(other))
        keys = [{**key, "n": other_jwk["n"], "e": other_jwk["e"]} for key in published["keys"]]
        self.published_keys = {"keys": keys}

    def _wsgi(self, app):
        def serve(environ, start_response):
            if self.published_keys is not None and environ.get("PATH_INFO") == "/jwks":
                body = json.dumps(self.published_keys).encode()
                start_response("200 OK", [("Content-Type", "application/json")])
                return [body]
            return app(environ, start_response)

        return serve


@contextmanager
def running_provider() -> Iterator[MockProvider]:
    """The provider on a free port of 127.0.0.1 while the context lasts; it refuses an
    authorisation request without a nonce."""
    app = oidc_provider_mock.app(require_nonce=True)
    holder: dict[str, MockProvider] = {}
    server = make_server(
        "127.0.0.1", 0, lambda env, start: holder["p"]._wsgi(app)(env, start), threaded=True
    )
    provider = holder["p"] = MockProvider(f"http://127.0.0.1:{server.server_port}")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def authorize(authorization_url: str, sub: str) -> str:
    """The person ``sub`` logs in on the provider's page; the address it sends the browser back
    to (the product's callback, with the code and state)."""
    answer = requests.post(authorization_url, data={"sub": sub}, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text[:500]
    return answer.headers["Location"]


def local_path(url: str) -> str:
    """The path and query of an address of the product, for the Django test client."""
    parts = urlsplit(url)
    return urlunsplit(("", "", parts.path, parts.query, ""))
