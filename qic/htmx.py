"""HTMX helpers shared by the views that refresh part of a page."""

from django.http import HttpRequest


def wants_fragment(request: HttpRequest) -> bool:
    """True when HTMX asks for the part of the page it swaps.

    With the history cache off (nothing personal is kept in localStorage), the back button makes HTMX fetch
    the URL again with `HX-History-Restore-Request` and put the answer in place of the whole body:
    that request needs the full page, not the fragment.
    """
    return bool(request.htmx) and not request.htmx.history_restore_request
