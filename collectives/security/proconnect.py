"""ProConnect (OpenID Connect) client: discovery, authorization request, token exchange, strict verification.

Authlib does the protocol (discovery, the state kept in the session, PKCE, the token request, the JWKS, the
end-session URL). This module adds what ProConnect asks of a service: state and nonce of 32 characters or
more, a userinfo answer that is itself a signed JWT, and checks of signature, issuer, audience, expiry and
nonce on both tokens; the issuer named on the callback (RFC 9207); provider errors told apart.
Every refusal is a `ProConnectError` whose message is shown to the person, in French; no login happens.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass
from functools import lru_cache

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.django_client import DjangoOAuth2App
from authlib.integrations.django_client.integration import DjangoIntegration
from django.conf import settings
from django.http import HttpRequest, HttpResponseRedirect
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidClaimError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from qic.sanitize import clean_text

logger = logging.getLogger(__name__)

NAME = "proconnect"
# ProConnect refuses state and nonce shorter than 32 characters; 32 random bytes give 43.
RANDOM_BYTES = 32
# Clocks drift: a token stamped up to a minute ahead of ours (or expired a minute ago) is accepted.
LEEWAY_SECONDS = 60
# The discovery document is read again before every sign-in starts (never send people to a provider that is
# down) and kept this long for the callback, the keys and sign-out.
METADATA_TTL_SECONDS = 300
LOGGED_TEXT = 300  # characters of a provider's error description kept in the log
REQUIRED_ENDPOINTS = (
    "authorization_endpoint",
    "token_endpoint",
    "userinfo_endpoint",
    "jwks_uri",
    "end_session_endpoint",
)

# What the person reads. Technical details go to the log, never to the page.
UNREACHABLE = (
    "ProConnect ne répond pas pour le moment. Réessayez dans quelques minutes, ou connectez-vous avec votre "
    "adresse électronique et votre mot de passe."
)
MISCONFIGURED = (
    "La connexion avec ProConnect est mal configurée sur la plateforme. Connectez-vous avec votre adresse "
    "électronique et votre mot de passe, et signalez-le à l’équipe nationale de l’ANCT."
)
FAILING = (
    "ProConnect rencontre une difficulté passagère et n’a pas pu terminer la connexion. Réessayez dans "
    "quelques minutes, ou connectez-vous avec votre adresse électronique et votre mot de passe."
)
INTERRUPTED = "La connexion avec ProConnect a expiré ou a été interrompue. Recommencez la connexion."
CODE_REFUSED = (
    "ProConnect n’a plus reconnu cette tentative de connexion (lien déjà utilisé ou trop ancien). "
    "Recommencez la connexion."
)
NOT_YET_VALID = (
    "La réponse reçue de ProConnect porte une date à venir : l’horloge de la plateforme ou celle de "
    "ProConnect est décalée. Réessayez dans une minute ; si cela se reproduit, signalez-le à l’équipe "
    "nationale de l’ANCT."
)
DENIED = "ProConnect n’a pas confirmé votre identité : la connexion a été annulée."
TOKEN_REFUSED = "ProConnect n’a pas confirmé votre identité. Recommencez la connexion."
BAD_SIGNATURE = (
    "La réponse reçue de ProConnect n’a pas une signature valide : la connexion est refusée par sécurité."
)
EXPIRED = "La réponse reçue de ProConnect a expiré : recommencez la connexion."
WRONG_NONCE = (
    "La réponse reçue de ProConnect ne correspond pas à cette tentative de connexion : la connexion est "
    "refusée par sécurité. Recommencez la connexion."
)
WRONG_PARTY = (
    "La réponse reçue de ProConnect n’était pas destinée à cette plateforme (émetteur ou destinataire "
    "inattendu) : la connexion est refusée par sécurité."
)
INCOMPLETE = (
    "ProConnect n’a pas transmis votre adresse électronique professionnelle : la plateforme ne peut pas "
    "retrouver votre compte."
)


# What an error code from the provider (RFC 6749 §4.1.2.1 and §5.2, OpenID Connect §3.1.2.6) means for the
# person: they said no, the provider is failing, our registration is wrong, or the attempt went stale.
PROVIDER_ERRORS = {
    "access_denied": DENIED,
    "temporarily_unavailable": FAILING,
    "server_error": FAILING,
    "invalid_grant": CODE_REFUSED,
    "login_required": INTERRUPTED,
    "interaction_required": INTERRUPTED,
    "consent_required": DENIED,
    "account_selection_required": INTERRUPTED,
    **dict.fromkeys(
        (
            "invalid_request",
            "invalid_client",
            "unauthorized_client",
            "unsupported_response_type",
            "unsupported_grant_type",
            "invalid_scope",
            "invalid_request_uri",
            "invalid_request_object",
            "request_not_supported",
            "request_uri_not_supported",
            "registration_not_supported",
        ),
        MISCONFIGURED,
    ),
}


class ProConnectError(Exception):
    """A sign-in refused; `message` is for the person, `detail` for the log."""

    def __init__(self, message: str, detail: str = ""):
        super().__init__(detail or message)
        self.message = message
        self.detail = detail


def _provider_error(where: str, error: str, description: str | None) -> ProConnectError:
    """A refusal for an error code the provider sent, logged with its description (cut, and quoted)."""
    text = (description or "")[:LOGGED_TEXT]
    return ProConnectError(
        PROVIDER_ERRORS.get(error, TOKEN_REFUSED), f"{where}: provider error {error[:64]!r}: {text!r}"
    )


@dataclass(frozen=True)
class Config:
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    algorithm: str
    timeout: int


@dataclass(frozen=True)
class Agent:
    """The State agent ProConnect vouched for, from the verified ID token and userinfo."""

    subject: str
    email: str
    given_name: str
    usual_name: str
    siret: str
    id_token: str


def is_enabled() -> bool:
    return bool(
        settings.PROCONNECT_ISSUER and settings.PROCONNECT_CLIENT_ID and settings.PROCONNECT_CLIENT_SECRET
    )


def current_config() -> Config:
    return Config(
        issuer=settings.PROCONNECT_ISSUER,
        client_id=settings.PROCONNECT_CLIENT_ID,
        client_secret=settings.PROCONNECT_CLIENT_SECRET,
        scopes=settings.PROCONNECT_SCOPES,
        algorithm=settings.PROCONNECT_SIGNING_ALGORITHM,
        timeout=settings.PROCONNECT_TIMEOUT_SECONDS,
    )


@lru_cache(maxsize=4)
def _client(config: Config) -> DjangoOAuth2App:
    return DjangoOAuth2App(
        DjangoIntegration(NAME),
        name=NAME,
        client_id=config.client_id,
        client_secret=config.client_secret,
        server_metadata_url=f"{config.issuer}/.well-known/openid-configuration",
        client_kwargs={
            "scope": config.scopes,
            # ProConnect expects client_id and client_secret in the body of the token request.
            "token_endpoint_auth_method": "client_secret_post",
            "default_timeout": config.timeout,
            "code_challenge_method": "S256",  # PKCE
        },
    )


def _ready_client(config: Config, *, fresh: bool = False) -> DjangoOAuth2App:
    """The client with its provider metadata loaded (read again when `fresh`, or once it is a few minutes
    old) and checked against the configuration."""
    client = _client(config)
    if fresh or time.time() - client.server_metadata.get("_loaded_at", 0) > METADATA_TTL_SECONDS:
        client.server_metadata.pop("_loaded_at", None)  # authlib reads the document again
    try:
        metadata = client.load_server_metadata()
    except requests.HTTPError as error:
        raise ProConnectError(FAILING, f"discovery failed: {error}") from error
    except (requests.RequestException, ValueError) as error:
        raise ProConnectError(UNREACHABLE, f"discovery failed: {error}") from error
    if metadata.get("issuer") != config.issuer:
        client.server_metadata.clear()
        raise ProConnectError(MISCONFIGURED, f"discovery announces issuer {metadata.get('issuer')!r}")
    missing = [key for key in REQUIRED_ENDPOINTS if not metadata.get(key)]
    if missing:
        client.server_metadata.clear()
        raise ProConnectError(MISCONFIGURED, f"discovery lacks {', '.join(missing)}")
    return client


def authorization_redirect(request: HttpRequest, redirect_uri: str) -> HttpResponseRedirect:
    """Send the browser to ProConnect, once it has just answered; state, nonce and the PKCE verifier are kept
    in this browser's session."""
    client = _ready_client(current_config(), fresh=True)
    return client.authorize_redirect(
        request,
        redirect_uri,
        state=secrets.token_urlsafe(RANDOM_BYTES),
        nonce=secrets.token_urlsafe(RANDOM_BYTES),
    )


def complete_authorization(request: HttpRequest) -> Agent:
    """Check the callback, exchange the code, verify both tokens; the agent, or `ProConnectError`."""
    config = current_config()
    client = _ready_client(config)
    state = request.GET.get("state", "")
    data = client.framework.get_state_data(request.session, state) if state else None
    if state:
        client.framework.clear_state_data(request.session, state)  # a state answers once
    if not data or not data.get("code_verifier"):
        raise ProConnectError(INTERRUPTED, "unknown or reused state")
    _check_callback_issuer(request, client, config)
    if request.GET.get("error"):
        raise _provider_error("callback", request.GET["error"], request.GET.get("error_description"))
    code = request.GET.get("code")
    if not code:
        raise ProConnectError(INTERRUPTED, "callback without code")
    try:
        token = client.fetch_access_token(
            redirect_uri=data["redirect_uri"], code=code, code_verifier=data["code_verifier"]
        )
    except requests.HTTPError as error:
        raise ProConnectError(FAILING, f"token request failed: {error}") from error
    except requests.RequestException as error:
        raise ProConnectError(UNREACHABLE, f"token request failed: {error}") from error
    except AuthlibBaseError as error:
        raise _provider_error("token", str(error.error or ""), error.description) from error
    except ValueError as error:
        raise ProConnectError(FAILING, f"token response unreadable: {error}") from error
    id_token, access_token = token.get("id_token"), token.get("access_token")
    if not id_token or not access_token:
        raise ProConnectError(TOKEN_REFUSED, "token response without id_token or access_token")

    identity = verify_jwt(client, config, id_token, nonce=data["nonce"], essential=("exp", "iat"))
    userinfo = verify_jwt(client, config, _fetch_userinfo(client, config, access_token))
    if userinfo["sub"] != identity["sub"]:
        raise ProConnectError(WRONG_PARTY, "userinfo sub differs from the ID token's")
    email = str(userinfo.get("email") or "").strip().lower()
    if not email:
        raise ProConnectError(INCOMPLETE, "userinfo without email")
    return Agent(
        subject=str(identity["sub"]),
        email=email,
        given_name=_name(userinfo.get("given_name")),
        usual_name=_name(userinfo.get("usual_name") or userinfo.get("family_name")),
        siret=str(userinfo.get("siret") or "")[:14],
        id_token=id_token,
    )


def _name(value) -> str:
    """A name from the provider, as a form would take it: one line, no control character, fits the model."""
    return clean_text(str(value or ""), single_line=True).strip()[:150]


def _check_callback_issuer(request: HttpRequest, client: DjangoOAuth2App, config: Config) -> None:
    """RFC 9207: the callback names the issuer that answered; required when the provider says it sends it.
    This stops a response from another provider being passed off as ProConnect's (mix-up attacks)."""
    issuer = request.GET.get("iss")
    if issuer is None:
        if client.server_metadata.get("authorization_response_iss_parameter_supported") is True:
            raise ProConnectError(WRONG_PARTY, "callback without the iss parameter the provider announces")
        return
    if issuer != config.issuer:
        raise ProConnectError(WRONG_PARTY, f"callback from issuer {issuer[:200]!r}")


def _fetch_userinfo(client: DjangoOAuth2App, config: Config, access_token: str) -> str:
    """ProConnect answers userinfo with a signed JWT (application/jwt), not with JSON."""
    try:
        response = requests.get(
            client.server_metadata["userinfo_endpoint"],
            headers={"Authorization": f"Bearer {access_token}", "Accept": "application/jwt"},
            timeout=config.timeout,
        )
    except requests.RequestException as error:
        raise ProConnectError(UNREACHABLE, f"userinfo request failed: {error}") from error
    if response.status_code != 200:
        raise ProConnectError(TOKEN_REFUSED, f"userinfo answered {response.status_code}")
    if not response.headers.get("Content-Type", "").startswith("application/jwt"):
        raise ProConnectError(BAD_SIGNATURE, "userinfo is not a signed JWT")
    return response.text.strip()


def _key_set(client: DjangoOAuth2App, *, force: bool = False) -> KeySet:
    try:
        return KeySet.import_key_set(client.fetch_jwk_set(force=force))
    except requests.RequestException as error:
        raise ProConnectError(UNREACHABLE, f"JWKS request failed: {error}") from error
    except (JoseError, ValueError, KeyError) as error:
        raise ProConnectError(MISCONFIGURED, f"unusable JWKS: {error}") from error


def verify_jwt(
    client: DjangoOAuth2App,
    config: Config,
    value: str,
    *,
    nonce: str | None = None,
    essential: tuple[str, ...] = (),
) -> dict:
    """Verify a JWT from the provider: signature by its JWKS with the configured algorithm, then claims."""
    registry = JWSRegistry(algorithms=[config.algorithm])
    try:
        try:
            token = jwt.decode(value, _key_set(client), algorithms=[config.algorithm], registry=registry)
        except (InvalidKeyIdError, BadSignatureError):
            # The provider may have rotated its keys since we last fetched them: fetch them once more.
            token = jwt.decode(
                value, _key_set(client, force=True), algorithms=[config.algorithm], registry=registry
            )
    except (BadSignatureError, InvalidKeyIdError) as error:
        raise ProConnectError(BAD_SIGNATURE, f"signature: {error}") from error
    except JoseError as error:
        raise ProConnectError(BAD_SIGNATURE, f"undecodable token: {error}") from error

    options = {
        "iss": {"essential": True, "value": config.issuer},
        "aud": {"essential": True, "value": config.client_id},
        "sub": {"essential": True},
        **{claim: {"essential": True} for claim in essential},
    }
    if nonce is not None:
        options["nonce"] = {"essential": True, "value": nonce}
    claims = token.claims
    try:
        jwt.JWTClaimsRegistry(leeway=LEEWAY_SECONDS, **options).validate(claims)
    except ExpiredTokenError as error:
        raise ProConnectError(EXPIRED, "token expired") from error
    except (InvalidClaimError, MissingClaimError) as error:
        message = WRONG_NONCE if error.claim == "nonce" else WRONG_PARTY
        stamp = claims.get(error.claim)
        if error.claim in ("iat", "nbf") and isinstance(stamp, int | float) and stamp > time.time():
            # Stamped ahead of our clock beyond the leeway: not yet valid, which is not "expired".
            message = NOT_YET_VALID
        elif error.claim in ("exp", "iat", "nbf"):
            message = EXPIRED
        raise ProConnectError(message, f"claim {error.claim!r}: {error}") from error
    except ClaimError as error:
        raise ProConnectError(WRONG_PARTY, f"claims: {error}") from error
    if claims.get("azp") not in (None, config.client_id):
        raise ProConnectError(WRONG_PARTY, f"azp {claims.get('azp')!r}")
    return claims


def end_session_url(id_token: str, post_logout_redirect_uri: str) -> tuple[str, str] | None:
    """The provider's end-session URL with id_token_hint, state and return address; None if unreachable."""
    try:
        client = _ready_client(current_config())
    except ProConnectError as error:
        logger.warning("ProConnect logout skipped: %s", error.detail)
        return None
    result = client.create_logout_url(
        post_logout_redirect_uri=post_logout_redirect_uri,
        id_token_hint=id_token,
        state=secrets.token_urlsafe(RANDOM_BYTES),
    )
    return result["url"], result["state"]
