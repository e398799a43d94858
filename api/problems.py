"""Errors of the API as RFC 9457 problem details (`application/problem+json`), in French, with the field
errors listed."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from qic import text

logger = logging.getLogger(__name__)

CONTENT_TYPE = "application/problem+json"
TITLES = {
    400: "Requête invalide",
    401: "Authentification requise",
    403: "Accès refusé",
    404: "Ressource introuvable",
    405: "Méthode non autorisée",
    406: "Format de réponse non disponible",
    409: "Conflit",
    412: "Condition préalable non remplie",
    413: "Contenu trop volumineux",
    415: "Type de contenu non pris en charge",
    429: "Trop de requêtes",
    500: "Erreur interne",
}
DETAILS = {
    401: "Cette API demande une clé : en-tête « Authorization : Bearer <clé> ».",
    404: "Cette ressource n’existe pas, ou votre clé ne permet pas de la voir.",
    412: "La ressource a changé depuis la version indiquée par If-Match.",
    500: "Une erreur inattendue est survenue ; l’équipe technique en est informée. Réessayez plus tard.",
}
INVALID = "La requête contient des erreurs : voir la liste « errors »."


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Cette demande contredit l’état actuel de la ressource."
    default_code = "conflict"


def problem_body(status_code: int, detail: str = "", *, instance: str = "", errors=None) -> dict:
    body = {
        "type": "about:blank",
        "title": TITLES.get(status_code, "Erreur"),
        "status": status_code,
        "detail": detail or DETAILS.get(status_code, TITLES.get(status_code, "Erreur")),
    }
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    return body


def problem(status_code: int, detail: str = "", *, instance: str = "", errors=None, headers=None) -> Response:
    body = problem_body(status_code, detail, instance=instance, errors=errors)
    return Response(body, status=status_code, headers=headers, content_type=CONTENT_TYPE)


def field_errors(detail, prefix: str = "") -> list[dict]:
    """DRF's (or a form's) nested error detail as a flat list of {"field", "detail"}."""
    if isinstance(detail, dict):
        found = []
        for name, value in detail.items():
            field = "" if name in ("__all__", "non_field_errors") else name
            found += field_errors(value, f"{prefix}.{field}" if prefix and field else field or prefix)
        return found
    if isinstance(detail, list):
        return [error for item in detail for error in field_errors(item, prefix)]
    return [{"field": prefix or None, "detail": str(detail)}]


def exception_handler(exc, context):
    request = context.get("request")
    instance = request.path if request is not None else ""
    if isinstance(exc, RequestDataTooBig):  # Django's limit on a body read in memory (a 500 before)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 2**20
        return problem(
            413,
            f"Le corps de la requête dépasse {text.number(limit, decimals=1, unit='Mo')}.",
            instance=instance,
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.error("API error on %s", instance, exc_info=exc)
        return problem(500, instance=instance)
    headers = {
        name: value
        for name, value in response.items()
        if name in ("WWW-Authenticate", "Retry-After", "Allow")
    }
    if isinstance(exc, exceptions.ValidationError):
        return problem(400, INVALID, instance=instance, errors=field_errors(exc.detail), headers=headers)
    detail = exc.detail if isinstance(getattr(exc, "detail", None), str) else ""
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.NotFound) or response.status_code == 404:
        detail = DETAILS[response.status_code]  # not DRF's wording, nor a 404's inner text
    return problem(response.status_code, str(detail), instance=instance, headers=headers)
