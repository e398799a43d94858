"""A local mock of ProConnect, the State's OpenID Connect federation, served by the tests on 127.0.0.1.

It answers like ProConnect: discovery, JWKS, authorize (refusing state or nonce under 32 characters and
unknown parameters; PKCE S256; the issuer named on the way back, RFC 9207), token (client_secret_post, the
PKCE verifier checked), userinfo as a signed JWT (application/jwt) and end-session.
Its `tamper` attribute makes it misbehave the ways an attacker or a broken provider would; `down` makes every
endpoint answer 503; `announces_iss` makes discovery promise the `iss` parameter on callbacks.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

CLIENT_ID = "qic-client-id"
CLIENT_SECRET = "qic-client-secret-0123456789"
AUTHORIZE_PARAMS = {
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "claims",
    "prompt",
    "code_challenge",
    "code_challenge_method",
}
TAMPERINGS = (
    "bad_signature",
    "unknown_key",
    "wrong_nonce",
    "expired",
    "wrong_audience",
    "wrong_issuer",
    "none_algorithm",
    "userinfo_bad_signature",
    "userinfo_wrong_audience",
    "userinfo_as_json",
    "userinfo_other_subject",
    "issued_ahead",  # stamped 45 s ahead of our clock (within a minute's drift)
    "issued_far_ahead",  # stamped 10 minutes ahead
    "wrong_iss",  # the callback names another issuer (RFC 9207)
    "no_iss",  # the callback names no issuer
    "token_invalid_client",
    "token_server_error",
    "token_unreachable",  # discovery names a token endpoint nobody answers on
)


@dataclass
class Agent:
    sub: str = "agent-0001"
    email: str = "agent@interieur.gouv.fr"
    given_name: str = "Camille"
    usual_name: str = "Martin"
    siret: str = "11000201100044"


@dataclass
class MockProConnect:
    port: int = 0
    agent: Agent = field(default_factory=Agent)
    tamper: str | None = None
    down: bool = False
    announces_iss: bool = False
    authorize_requests: list = field(default_factory=list)
    token_requests: list = field(default_factory=list)
    end_session_requests: list = field(default_factory=list)
    issued_id_tokens: list = field(default_factory=list)
    _codes: dict = field(default_factory=dict)
    _access_tokens: dict = field(default_factory=dict)

    def __post_init__(self):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "proconnect-1", "use": "sig", "alg": "RS256"})
        # An attacker's key: same kid, other secret.
        self.forged_key = RSAKey.generate_key(2048, parameters={"kid": "proconnect-1", "alg": "RS256"})
        self.stranger_key = RSAKey.generate_key(2048, parameters={"kid": "stranger", "alg": "RS256"})

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v2"

    def reset(self):
        self.agent = Agent()
        self.tamper = None
        self.down = False
        self.announces_iss = False
        for records in (self.authorize_requests, self.token_requests, self.end_session_requests):
            records.clear()
        self.issued_id_tokens.clear()

    # --- tokens --------------------------------------------------------------------------------------------

    def _sign(self, claims: dict, *, for_userinfo: bool = False) -> str:
        prefix = "userinfo_" if for_userinfo else ""
        key, header = self.key, {"alg": "RS256", "kid": "proconnect-1"}
        if self.tamper == f"{prefix}bad_signature" or (self.tamper == "bad_signature" and not for_userinfo):
            key = self.forged_key
        if self.tamper == "unknown_key" and not for_userinfo:
            key, header = self.stranger_key, {"alg": "RS256", "kid": "stranger"}
        if self.tamper == "none_algorithm" and not for_userinfo:
            return _unsigned(claims)
        return jwt.encode(header, claims, key)

    def _id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": self.agent.sub,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 60,
            "auth_time": now,
            "nonce": nonce,
            "acr": "eidas1",
            "amr": ["pwd"],
        }
        if self.tamper == "wrong_nonce":
            claims["nonce"] = secrets.token_urlsafe(32)
        if self.tamper == "expired":
            claims["iat"], claims["exp"] = now - 600, now - 300
        if self.tamper == "wrong_audience":
            claims["aud"] = "another-service"
        if self.tamper == "wrong_issuer":
            claims["iss"] = "https://evil.example/api/v2"
        if self.tamper == "issued_ahead":
            claims["iat"] = claims["auth_time"] = now + 45
            claims["exp"] = now + 105
        if self.tamper == "issued_far_ahead":
            claims["iat"] = claims["auth_time"] = now + 600
            claims["exp"] = now + 660
        token = self._sign(claims)
        self.issued_id_tokens.append(token)
        return token

    def _userinfo(self) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "sub": self.agent.sub,
            "email": self.agent.email,
            "given_name": self.agent.given_name,
            "usual_name": self.agent.usual_name,
            "siret": self.agent.siret,
            "uid": "1",
            "iat": now,
            "exp": now + 60,
        }
        if self.tamper == "userinfo_wrong_audience":
            claims["aud"] = "another-service"
        if self.tamper == "userinfo_other_subject":
            claims["sub"] = "someone-else"
        return self._sign(claims, for_userinfo=True)

    # --- WSGI ----------------------------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        path = environ["PATH_INFO"].removeprefix("/api/v2")
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        handler = {
            "/.well-known/openid-configuration": self._discovery,
            "/jwks": self._jwks,
            "/authorize": self._authorize,
            "/token": self._token,
            "/userinfo": self._userinfo_endpoint,
            "/session/end": self._end_session,
        }.get(path)
        if handler is None:
            return _respond(start_response, "404 Not Found", "text/plain", "not found")
        if self.down:
            return _respond(start_response, "503 Service Unavailable", "text/html", "<h1>Maintenance</h1>")
        return handler(environ, query, start_response)

    def _discovery(self, environ, query, start_response):
        base = self.issuer
        document = {
            "issuer": base,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "userinfo_endpoint": f"{base}/userinfo",
            "jwks_uri": f"{base}/jwks",
            "end_session_endpoint": f"{base}/session/end",
            "response_types_supported": ["code"],
            "id_token_signing_alg_values_supported": ["RS256", "ES256", "HS256"],
            "userinfo_signing_alg_values_supported": ["RS256", "ES256", "HS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"],
            "scopes_supported": ["openid", "email", "given_name", "usual_name", "siret", "uid"],
            "code_challenge_methods_supported": ["S256"],
        }
        if self.announces_iss:
            document["authorization_response_iss_parameter_supported"] = True
        if self.tamper == "token_unreachable":
            document["token_endpoint"] = "http://127.0.0.1:9/api/v2/token"
        return _respond(start_response, "200 OK", "application/json", json.dumps(document))

    def _jwks(self, environ, query, start_response):
        keys = KeySet([self.key]).as_dict(private=False)
        return _respond(start_response, "200 OK", "application/json", json.dumps(keys))

    def _authorize(self, environ, query, start_response):
        self.authorize_requests.append(query)
        unknown = set(query) - AUTHORIZE_PARAMS
        problems = [
            unknown and f"Y000400 unknown parameters {sorted(unknown)}",
            query.get("client_id") != CLIENT_ID and "unknown client_id",
            query.get("response_type") != "code" and "response_type must be code",
            "openid" not in query.get("scope", "").split() and "scope must include openid",
            len(query.get("state", "")) < 32 and "state must have at least 32 characters",
            len(query.get("nonce", "")) < 32 and "nonce must have at least 32 characters",
        ]
        problems = [p for p in problems if p]
        if problems:
            return _respond(start_response, "400 Bad Request", "text/plain", "; ".join(problems))
        if "code_challenge" in query and query.get("code_challenge_method") != "S256":
            return _respond(start_response, "400 Bad Request", "text/plain", "code_challenge_method: S256")
        code = secrets.token_urlsafe(24)
        self._codes[code] = {
            "redirect_uri": query["redirect_uri"],
            "nonce": query["nonce"],
            "code_challenge": query.get("code_challenge"),
        }
        answer = {"code": code, "state": query["state"], "iss": self.issuer}
        if self.tamper == "wrong_iss":
            answer["iss"] = "https://evil.example/api/v2"
        if self.tamper == "no_iss":
            del answer["iss"]
        location = f"{query['redirect_uri']}?{urlencode(answer)}"
        start_response("302 Found", [("Location", location), ("Content-Length", "0")])
        return [b""]

    def _token(self, environ, query, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        form = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(length).decode()).items()}
        self.token_requests.append(form)
        grant = self._codes.pop(form.get("code", ""), None)
        if (
            form.get("client_id") != CLIENT_ID
            or form.get("client_secret") != CLIENT_SECRET
            or form.get("grant_type") != "authorization_code"
        ):
            return _json_error(start_response, "invalid_client")
        if self.tamper == "token_invalid_client":
            return _json_error(start_response, "invalid_client", description="Client authentication failed")
        if self.tamper == "token_server_error":
            return _respond(start_response, "500 Internal Server Error", "text/html", "<h1>Erreur</h1>")
        if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
            return _json_error(start_response, "invalid_grant")
        challenge = grant["code_challenge"]
        if challenge is not None and challenge != _s256(form.get("code_verifier", "")):
            return _json_error(start_response, "invalid_grant", description="PKCE verification failed")
        access_token = secrets.token_urlsafe(24)
        self._access_tokens[access_token] = True
        body = {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 60,
            "id_token": self._id_token(grant["nonce"]),
        }
        return _respond(start_response, "200 OK", "application/json", json.dumps(body))

    def _userinfo_endpoint(self, environ, query, start_response):
        token = environ.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ")
        if not self._access_tokens.pop(token, None):
            return _json_error(start_response, "invalid_token", status="401 Unauthorized")
        if self.tamper == "userinfo_as_json":
            body = json.dumps({"sub": self.agent.sub, "email": self.agent.email})
            return _respond(start_response, "200 OK", "application/json", body)
        return _respond(start_response, "200 OK", "application/jwt; charset=utf-8", self._userinfo())

    def _end_session(self, environ, query, start_response):
        self.end_session_requests.append(query)
        if (
            not query.get("id_token_hint")
            or not query.get("post_logout_redirect_uri")
            or not query.get("state")
        ):
            return _respond(start_response, "400 Bad Request", "text/plain", "missing parameters")
        location = f"{query['post_logout_redirect_uri']}?{urlencode({'state': query['state']})}"
        start_response("303 See Other", [("Location", location), ("Content-Length", "0")])
        return [b""]


def _unsigned(claims: dict) -> str:
    import base64

    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def _respond(start_response, status, content_type, body: str):
    data = body.encode()
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(data)))])
    return [data]


def _json_error(start_response, error, status="400 Bad Request", description=None):
    body = {"error": error, **({"error_description": description} if description else {})}
    return _respond(start_response, status, "application/json", json.dumps(body))


def _s256(verifier: str) -> str:
    import base64
    import hashlib

    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass


class _ThreadingServer(WSGIServer):
    daemon_threads = True


def start_provider() -> tuple[MockProConnect, WSGIServer, threading.Thread]:
    provider = MockProConnect()
    server = make_server("127.0.0.1", 0, provider, server_class=_ThreadingServer, handler_class=_QuietHandler)
    provider.port = server.server_port
    thread = threading.Thread(target=server.serve_forever, name="mock-proconnect", daemon=True)
    thread.start()
    return provider, server, thread


@pytest.fixture(scope="session")
def _proconnect_server():
    provider, server, thread = start_provider()
    yield provider
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def proconnect(_proconnect_server, settings):
    """ProConnect configured against the mock provider, reset for each test."""
    from collectives.security import proconnect as client

    provider = _proconnect_server
    provider.reset()
    settings.PROCONNECT_ISSUER = provider.issuer
    settings.PROCONNECT_CLIENT_ID = CLIENT_ID
    settings.PROCONNECT_CLIENT_SECRET = CLIENT_SECRET
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {
            **directives,
            "form-action": [*directives["form-action"], f"http://127.0.0.1:{provider.port}"],
        }
    }
    client._client.cache_clear()
    yield provider
    client._client.cache_clear()
