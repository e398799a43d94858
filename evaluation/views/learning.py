"""The learning log of a site, and the search of the learnings of every site one may see."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from qic import access, text
from qic.htmx import wants_fragment
from qic.idempotency import ALREADY_SAVED, AlreadySubmitted, once
from qic.locking import EditConflict, conflict_context
from qic.pagination import paginate
from qic.params import parse_text

from .. import services
from ..forms import LearningForm
from ..search import search_learnings


@require_safe
def learning_list(request: HttpRequest, site_slug: str) -> HttpResponse:
    site = request.site
    access.require(request.site_access.can_read)
    entries = site.learnings.select_related("author")
    tag = text.tag(parse_text(request.GET.get("etiquette")))
    if tag:
        entries = entries.filter(tags__contains=f",{tag},")
    page = paginate(request, entries, 20)
    context = {
        "page_title": f"Journal des apprentissages — {site.name}",
        "site": site,
        "page_obj": page,
        "tag": tag,
        "editable": request.site_access.can_edit_work,
    }
    return render(request, "evaluation/learning_list.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def learning_edit(request: HttpRequest, site_slug: str, pk: int | None = None) -> HttpResponse:
    site = request.site
    access.require(request.site_access.can_edit_work)
    entry = get_object_or_404(site.learnings, pk=pk) if pk else None
    form = LearningForm(request.POST or None, instance=entry)
    conflict = {}
    if request.method == "POST" and form.is_valid():
        try:
            with once(form):
                saved = services.save_learning(form, site=site, user=request.user)
        except AlreadySubmitted:
            messages.info(request, ALREADY_SAVED)
            return redirect("evaluation:learnings", site_slug=site.slug)
        except EditConflict as error:
            form.take_conflict(error)
            conflict = conflict_context(error, services.LEARNING_FIELDS)
        else:
            messages.success(request, f"Apprentissage « {saved.title} » enregistré.")
            return redirect("evaluation:learnings", site_slug=site.slug)
    context = {
        **conflict,
        "page_title": ("Modifier un apprentissage" if entry else "Nouvel apprentissage") + f" — {site.name}",
        "site": site,
        "form": form,
        "entry": entry,
    }
    return render(request, "evaluation/learning_form.html", context)


@require_safe
def learning_search(request: HttpRequest) -> HttpResponse:
    """Search the learnings of every site the user may see (national staff, CRPV; members: their own)."""
    query = parse_text(request.GET.get("q"))
    results = search_learnings(request.user, query) if query else None
    page = paginate(request, results, 20) if results is not None else None
    context = {"page_title": "Rechercher dans les apprentissages", "query": query, "page_obj": page}
    template = (
        "evaluation/includes/learning_results.html"
        if wants_fragment(request)
        else "evaluation/learning_search.html"
    )
    return render(request, template, context)
