"""What an API request may do: read with an active key or a signed-in session; write with a write key."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from qic import access

from .authentication import key_of

READ_ONLY_KEY = (
    "Cette clé d’API ne permet que la lecture : demandez à l’équipe nationale une clé "
    "« lecture et saisie » pour enregistrer des mesures ou des présences."
)
KEYS_ONLY = "Les écritures passent par une clé d’API « lecture et saisie », pas par une session ouverte."


class ApiAccess(BasePermission):
    def has_permission(self, request, view) -> bool:
        key = key_of(request)
        if not access.api_can_read(request.user, key):
            return False
        writes = request.method not in SAFE_METHODS and hasattr(view, request.method.lower())
        if not writes:
            return True
        if key is None:
            self.message = KEYS_ONLY
            return False
        if not access.key_can_write(key):
            self.message = READ_ONLY_KEY
            return False
        return True
