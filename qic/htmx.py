"""HTMX helpers shared by the views that refresh part of a page."""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect


def wants_fragment(request: HttpRequest) -> bool:
    """True when HTMX asks for the part of the page it swaps.

    With the history cache off (nothing personal is kept in localStorage), the back button makes HTMX fetch
    the URL again with `HX-History-Restore-Request` and put the answer in place of the whole body:
    that request needs the full page, not the fragment.
    """
    return bool(request.htmx) and not request.htmx.history_restore_request


def redirect(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect that also works for HTMX: a fragment request reloads the whole page there (a redirect
    followed by the browser inside an HTMX request would put a whole page in the fragment's place)."""
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)
