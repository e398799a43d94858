"""Who calls the API : a partner's key (`Authorization : Bearer <clé>` or `Api-Key <clé>`), or a signed-in
person's session (reading with their own rights)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, SessionAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from qic import access
from sites import apikeys
from sites.models import ApiKey

KEYWORDS = ("bearer", "api-key")
UNKNOWN_KEY = "Clé d’API inconnue ou révoquée : demandez une nouvelle clé à l’équipe nationale."
MALFORMED = "En-tête Authorization mal formé : « Authorization : Bearer <clé> » est attendu."


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].decode("latin-1").lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(MALFORMED)
        key = apikeys.find(parts[1].decode("latin-1"))
        if not access.key_is_active(key):
            raise AuthenticationFailed(UNKNOWN_KEY)
        apikeys.touch(key)
        return AnonymousUser(), key

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class SignedInSession(SessionAuthentication):
    """A signed-in person reads the API in their browser with their own rights (writes are for keys)."""


def key_of(request) -> ApiKey | None:
    """The API key of this request, or None (a signed-in person, or nobody)."""
    return request.auth if isinstance(request.auth, ApiKey) else None


def key_label(key: ApiKey) -> str:
    """How the audit log names a key's requests and writes: its organisation and prefix, never the key."""
    return f"clé d’API {key}"


def caller(request) -> tuple:
    """Who made this request, for the audit log: (person or None, label, reference). A key is named by its
    organisation and prefix; a key nobody knows, by the prefix it showed (never more of it)."""
    key = key_of(request)
    if key is not None:
        return None, key_label(key), key.prefix
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user, user.email, "session"
    parts = get_authorization_header(request).split()
    if len(parts) == 2 and parts[0].decode("latin-1").lower() in KEYWORDS:
        prefix, _ = apikeys.split(parts[1].decode("latin-1"))
        shown = "".join(char for char in prefix[:8] if char in "0123456789abcdef")
        return None, f"clé d’API inconnue ou révoquée ({shown}…)", shown
    return None, "anonyme", ""


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the key."""

    target_class = ApiKeyAuthentication
    name = "cleApi"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Clé d’API remise par l’équipe nationale : « Authorization : Bearer qic_… ».",
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = SignedInSession
    name = "session"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "Session ouverte sur la plateforme (lecture seule, avec vos propres droits).",
        }
