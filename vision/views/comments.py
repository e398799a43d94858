"""Comments of facilitators and partners on the vision and on single changes; the trinôme resolves them."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from qic import access
from qic.idempotency import ALREADY_SAVED, AlreadySubmitted, once

from .. import services
from ..forms import CommentForm
from ..models import Comment
from .common import get_change, get_comment, workspace_url


def _thread(request: HttpRequest, change=None, form=None) -> HttpResponse:
    site = request.site
    comments = Comment.objects.filter(site=site).select_related("author", "resolved_by")
    if change is None:
        comments = comments.filter(change__isnull=True, change_title="")
        target = "comments-vision"
    else:
        comments = comments.filter(change=change)
        target = f"comments-change-{change.pk}"
    context = {
        "site": site,
        "site_access": request.site_access,
        "change": change,
        "comments": list(comments),
        "form": form or CommentForm(),
        "thread_id": target,
        "can_comment": request.site_access.can_comment,
        "can_resolve": request.site_access.can_resolve_comments,
        "page_title": f"Commentaires — {change.title if change else 'vision'}",
    }
    template = "vision/includes/comments.html" if request.htmx else "vision/comments_page.html"
    return render(request, template, context)


def _comments(request: HttpRequest, change=None) -> HttpResponse:
    if request.method == "POST":
        access.require(request.site_access.can_comment)
        form = CommentForm(request.POST)
        if form.is_valid():
            try:
                with once(form):
                    services.add_comment(
                        request.site, request.user, body=form.cleaned_data["body"], change=change
                    )
            except AlreadySubmitted:
                message = ALREADY_SAVED
            else:
                message = "Votre commentaire est publié."
            if not request.htmx:
                messages.success(request, message)
                return redirect(request.path)
            return _thread(request, change)
        return _thread(request, change, form)
    return _thread(request, change)


@require_http_methods(["GET", "HEAD", "POST"])
def vision_comments(request: HttpRequest, site_slug: str) -> HttpResponse:
    return _comments(request)


@require_http_methods(["GET", "HEAD", "POST"])
def change_comments(request: HttpRequest, site_slug: str, change_id: int) -> HttpResponse:
    return _comments(request, get_change(request.site, change_id))


def comment_resolve(request: HttpRequest, site_slug: str, comment_id: int) -> HttpResponse:
    access.require(request.site_access.can_resolve_comments)
    comment = get_comment(request.site, comment_id)
    if request.method != "POST":  # looked up first: another site's id is a 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    services.resolve_comment(comment, request.user, resolved=request.POST.get("rouvrir") != "1")
    if request.htmx:
        return _thread(request, comment.change)
    messages.success(
        request,
        "Le commentaire est marqué comme résolu."
        if request.POST.get("rouvrir") != "1"
        else "Le commentaire est rouvert.",
    )
    return redirect(
        workspace_url(request.site, f"change-{comment.change_id}" if comment.change_id else "vision")
    )
