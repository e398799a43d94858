"""Request-wide middleware: the site found once per request, and no caching of private pages."""

from django.utils.cache import add_never_cache_headers

from qic import access


class SiteScopeMiddleware:
    """Resolves `site_slug` from the URL once, through the access module, and puts the site on the request.

    A site the user may not see is a 404 before the view runs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.site = None
        request.site_access = None
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.get("site_slug")
        if slug is None or not request.user.is_authenticated:
            return None
        request.site_access = access.site_access_for(request.user, slug)
        request.site = request.site_access.site
        return None


class PrivateCacheMiddleware:
    """Pages shown to a signed-in person are never stored by browsers or proxies."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private
        return response
