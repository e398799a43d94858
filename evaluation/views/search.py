"""The platform's search (header box and results page): sites, people, sessions, learnings, indicators and
documents, among what the person may see (`evaluation.search`, through `qic.access`)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from qic import access
from qic.htmx import wants_fragment
from qic.pagination import paginate

from .. import search as engine

PANEL_PER_KIND = 3  # the header's instant results
PAGE_PER_KIND = 5  # the results page, every kind at once
PER_PAGE = 20  # the results page, one kind


def _refusal(raw, query: str) -> str:
    """Why nothing was searched, in French ("" when the query is usable)."""
    if not query:
        return "Saisissez un ou plusieurs mots à rechercher." if raw is not None else ""
    if not engine.words(query):
        return "Saisissez des lettres ou des chiffres : la recherche ignore la ponctuation et les symboles."
    return ""


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("q")
    query = engine.clean_query(raw)
    refusal = _refusal(raw, query)
    too_long = isinstance(raw, str) and len(" ".join(raw.split())) > engine.MAX_QUERY
    kind = engine.KIND_KEYS.get(request.GET.get("type", ""))
    scope = access.scope_of(request)  # shared with the navigation and the header's unread count
    context = {
        "page_title": f"Recherche : {query}" if query else "Rechercher",
        "query": query,
        "refusal": refusal,
        "too_long": too_long,
        "kinds": engine.KINDS,
        "kind": kind,
        "groups": [],
        "page_obj": None,
        "hits": [],
    }
    if wants_fragment(request):
        # A single character would match half the platform: the panel waits for a second one.
        context["searched"] = not refusal and len(query) >= 2
        if context["searched"]:
            context["groups"] = engine.overview(
                request.user, query, per_kind=PANEL_PER_KIND, scope=scope, snippets=False
            )
        return render(request, "search/includes/panel.html", context)
    if not refusal and kind is not None:
        page = paginate(request, engine.of_kind(request.user, query, kind, scope=scope), PER_PAGE)
        context.update(page_obj=page, hits=engine.hits(page.object_list, query, kind))
    elif not refusal and query:
        context["groups"] = engine.overview(request.user, query, per_kind=PAGE_PER_KIND, scope=scope)
    return render(request, "search/results.html", context)
