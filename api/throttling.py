"""Rate limits per API key (per person for a session). An optimisation of the service's load, not a
security counter (a key is 256 random bits): its counters live in the `api` cache (Redis when configured), and
when that cache fails the request goes through, as if unlimited, rather than fail."""

import logging

from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle

from .authentication import key_of

logger = logging.getLogger(__name__)


class KeyRateThrottle(SimpleRateThrottle):
    scope = "api"

    def __init__(self):
        self.cache = caches["api"]
        super().__init__()

    def get_cache_key(self, request, view):
        key = key_of(request)
        if key is not None:
            return f"api-throttle-key-{key.pk}"
        if request.user and request.user.is_authenticated:
            return f"api-throttle-user-{request.user.pk}"
        return None  # refused anyway (401)

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except Exception:  # noqa: BLE001 - the cache is down: serve the request unthrottled
            logger.warning("API rate limit cache unavailable: request served without a limit", exc_info=True)
            return True
