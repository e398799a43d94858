"""The help centre (one page per role, one page per topic) and the printable guide of the method: every
signed-in person reads them; their text is `qic/help_topics.toml`, written once (`qic.help`)."""

import functools

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from qic import access
from qic import help as help_topics
from qic.pdf import pdf_response, render_pdf

GUIDE_TITLE = "Guide de la méthode"


@require_safe
def index(request: HttpRequest, audience: str = "") -> HttpResponse:
    access.require(access.can_read_help(request.user))
    mine = help_topics.audience_of(request.user)
    audience = audience or mine
    if audience not in help_topics.AUDIENCES:
        raise Http404("Centre d’aide introuvable")
    topics = help_topics.for_audience(audience)
    context = {
        "page_title": "Centre d’aide",
        "audience": audience,
        "mine": mine,
        "audiences": help_topics.AUDIENCES,
        "tasks": [t for t in topics if not t.is_method],
        "method": [t for t in topics if t.is_method],
    }
    return render(request, "help/index.html", context)


@require_safe
def topic(request: HttpRequest, key: str) -> HttpResponse:
    access.require(access.can_read_help(request.user))
    item = help_topics.topic_or_404(key)
    return render(request, "help/topic.html", {"page_title": item.title, "topic": item})


@require_safe
def guide(request: HttpRequest) -> HttpResponse:
    """The method's steps and the trinôme's how-tos as a printable PDF."""
    access.require(access.can_read_help(request.user))
    return pdf_response(_guide_pdf(), "guide-quartiers-a-impact-collectif.pdf")


@functools.cache
def _guide_pdf() -> bytes:
    """The guide is the same for everyone and changes only with `help_topics.toml` (a deployment): it is
    rendered once per process (12 pages, about a second on an idle core) and then served from memory."""
    context = {
        "document_title": GUIDE_TITLE,
        "method": help_topics.method_topics(),
        "tasks": [t for t in help_topics.for_audience("trinome") if not t.is_method],
    }
    return render_pdf("help/guide_pdf.html", context)
