"""History: every saved version with author and time, any two compared side by side, an old one restored."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from qic import access, text
from qic.pagination import paginate
from qic.params import parse_id

from .. import document, rules, services
from ..diagram import render_svg
from ..models import Revision


def version_choices(site, limit: int = 500) -> list[tuple[int, str]]:
    """The versions offered by the compare pickers, newest first, each said as a person tells them apart:
    "Version 12 · 3 novembre 2026 · Inès Martin · adoptée" (a bare "Version 12" said nothing)."""
    rows = (
        Revision.objects.filter(site=site)
        .order_by("-number")
        .values_list(
            "number", "created_at", "author__first_name", "author__last_name", "author__email", "adopted_at"
        )[:limit]
    )
    choices = []
    for number, created_at, first_name, last_name, email, adopted_at in rows:
        parts = [f"Version {number}", text.date(created_at)]
        author = f"{first_name} {last_name}".strip() or email
        if author:
            parts.append(author)
        if adopted_at:
            parts.append("adoptée")
        choices.append((number, " · ".join(parts)))
    return choices


def _revision(site, number) -> Revision:
    revision = Revision.objects.filter(site=site, number=number).select_related("author").first()
    if revision is None:
        raise Http404("Version introuvable")
    return revision


@require_safe
def history(request: HttpRequest, site_slug: str) -> HttpResponse:
    site = request.site
    revisions = (
        Revision.objects.filter(site=site).defer("snapshot").select_related("author").order_by("-number")
    )
    page = paginate(request, revisions, 50)
    head = revisions.first()
    return render(
        request,
        "vision/history.html",
        {
            "page_title": f"Historique de la vision et de la stratégie — {site.name}",
            "site": site,
            "page_obj": page,
            "head": head,
            "versions": version_choices(site),
        },
    )


@require_safe
def revision_detail(request: HttpRequest, site_slug: str, number: int) -> HttpResponse:
    site = request.site
    revision = _revision(site, number)
    snap = revision.snapshot
    head = services.head(site, snapshot=False)
    return render(
        request,
        "vision/revision.html",
        {
            "page_title": f"Version {number} — {site.name}",
            "site": site,
            "revision": revision,
            "snap": snap,
            "is_head": head is not None and head.number == revision.number,
            "head_number": head.number if head else 0,  # the state the restoration's confirmation describes
            "can_edit": request.site_access.can_edit_work,
            "approvals": list(revision.approvals.select_related("user")),
            "restore_removes": services.restore_removes(site, snap),
            "svg": render_svg(snap, title=f"Stratégie de changement — version {number}", id_prefix="qic-rev"),
            "chain": document.chain(snap),
            "factors": {
                "positive": [f for f in snap["factors"] if f["kind"] == "positive"],
                "negative": [f for f in snap["factors"] if f["kind"] == "negative"],
            },
            "actions": [
                {
                    **a,
                    "status_label": document.status_label(a["status"]),
                    "served": [c["title"] for c in snap["changes"] if c["id"] in a["changes"]],
                }
                for a in snap["actions"]
            ],
            "problems": rules.document_problems(snap),
        },
    )


_number = parse_id


@require_safe
def compare(request: HttpRequest, site_slug: str) -> HttpResponse:
    site = request.site
    old_n, new_n = _number(request.GET.get("de")), _number(request.GET.get("a"))
    head = services.head(site, snapshot=False)
    if head is None:
        raise Http404("Aucune version à comparer")
    if new_n is None:
        new_n = head.number
    if old_n is None:
        old_n = max(1, new_n - 1)
    if old_n > new_n:
        old_n, new_n = new_n, old_n
    old, new = _revision(site, old_n), _revision(site, new_n)
    sections = document.compare(old.snapshot, new.snapshot)
    return render(
        request,
        "vision/compare.html",
        {
            "page_title": f"Comparer les versions {old_n} et {new_n} — {site.name}",
            "site": site,
            "old": old,
            "new": new,
            "sections": sections,
            "identical": not document.has_differences(sections),
            "versions": version_choices(site),
        },
    )


@require_POST
def restore(request: HttpRequest, site_slug: str, number: int) -> HttpResponse:
    access.require(request.site_access.can_edit_work)
    site = request.site
    _revision(site, number)
    seen = parse_id(request.POST.get("actuelle"))
    try:
        revision = services.restore(site, request.user, number, seen_head=seen or -1)
    except services.RestoreRefused as refusal:
        messages.error(request, str(refusal))
        return redirect(reverse("vision:revision", kwargs={"site_slug": site.slug, "number": number}))
    messages.success(
        request,
        f"La version {number} est restaurée : elle devient la version {revision.number}. "
        "Rien n’est perdu, la version remplacée reste dans l’historique.",
    )
    return redirect(reverse("vision:workspace", kwargs={"site_slug": site.slug}))
