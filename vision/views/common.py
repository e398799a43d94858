"""What every view of the workspace shares: objects looked up within the site, the workspace context, and the
HTMX pattern (a save answers with the panel it changed plus out-of-band updates of the panels depending on it;
without JavaScript it redirects to the workspace)."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django_htmx.http import reswap, retarget

from qic import references
from qic.links import url_for
from qic.locking import EditConflict, conflict_context
from qic.params import parse_int

from .. import document, rules
from ..diagram import render_svg
from ..enums import LEVEL_FOCUS, LEVEL_QUESTION, ChangeLevel, ChangeRegister, FactorKind
from ..forms import CommentForm
from ..models import Change, Comment, ContextFactor, PartnerAction, Revision
from ..services import current_seats

# The panels of the workspace page, and which others a save in one of them changes.
PANELS = {
    "status": "vision/includes/status_panel.html",
    "vision": "vision/includes/vision_panel.html",
    "context": "vision/includes/context_panel.html",
    "strategy": "vision/includes/strategy_panel.html",
    "diagram": "vision/includes/diagram_panel.html",
    "actions": "vision/includes/actions_panel.html",
    "narrative": "vision/includes/narrative_panel.html",
    "adoption": "vision/includes/adoption_panel.html",
}
DEPENDENTS = {
    "vision": ("diagram", "adoption", "status"),
    "context": ("adoption", "status"),
    "strategy": ("diagram", "actions", "adoption", "status"),
    "actions": ("strategy", "adoption", "status"),
    "narrative": ("adoption", "status"),
    "adoption": ("status",),
}
CHANGE_DISPLAY = {
    "level": lambda value: ChangeLevel(value).label,
    "register": lambda value: ChangeRegister(value).label,
    "contributes_to_vision": lambda value: "oui" if value else "non",
}
CHANGE_FIELDS = {
    "level": "Niveau",
    "register": "Registre",
    "title": "Intitulé",
    "description": "Description",
    "contributes_to_vision": "Contribue à la vision",
}


def readable_conflict(conflict: EditConflict, fields: dict, display: dict) -> EditConflict:
    """The same conflict with coded values (choices, booleans) shown as words on both sides."""
    current = conflict.current
    if current is not None:
        values = {name: getattr(current, name) for name in fields}
        values.update({name: show(values[name]) for name, show in display.items() if name in values})
        current = SimpleNamespace(updated_by=current.updated_by, updated_at=current.updated_at, **values)
    attempted = dict(conflict.attempted)
    attempted.update({name: show(attempted[name]) for name, show in display.items() if name in attempted})
    return EditConflict(current=current, attempted=attempted)


def in_site(model, site, pk) -> object:
    """An object of this site, or 404 (an id of another site's object says nothing)."""
    obj = model.objects.filter(site=site, pk=pk).select_related("site").first()
    if obj is None:
        raise Http404("Élément introuvable")
    return obj


def get_change(site, pk) -> Change:
    return in_site(Change, site, pk)


def get_factor(site, pk) -> ContextFactor:
    return in_site(ContextFactor, site, pk)


def get_action(site, pk) -> PartnerAction:
    return in_site(PartnerAction, site, pk)


def get_comment(site, pk) -> Comment:
    return in_site(Comment, site, pk)


def posted_version(request: HttpRequest) -> int:
    """The lock version a delete form was shown (-1 if missing: the delete is then refused as stale)."""
    version = parse_int(request.POST.get("version"))
    return -1 if version is None else version


def workspace_url(site, anchor: str = "") -> str:
    url = reverse("vision:workspace", kwargs={"site_slug": site.slug})
    return f"{url}#{anchor}" if anchor else url


# The links of each change's card (its edit, link, move, delete and comment actions).
CARD_LINKS = ("edit", "links", "move", "delete", "comments")
# The links of each context factor (edit, move up or down, delete).
FACTOR_LINKS = ("edit", "move", "delete")


def _factors(site, doc, kind: str) -> list:
    """The factors of one kind, each with its links (`factor.urls`, through the links helper)."""
    factors = doc.factors_of(kind)
    for factor in factors:
        factor.urls = {
            name: url_for(f"vision:factor_{name}", site_slug=site.slug, factor_id=factor.pk)
            for name in FACTOR_LINKS
        }
    return factors


def _level_groups(site, doc, comments_by_change, actions_by_change) -> list[dict]:
    titles = {c.id: c for c in doc.changes}
    # What deleting each change leaves detached (kept): its delete confirmation says it.
    attached = references.attached(
        Change, site, known={Comment: {pk: len(found) for pk, found in comments_by_change.items()}}
    )
    groups = []
    for level in document.LEVELS:
        items = []
        changes = doc.changes_at(level)
        for index, change in enumerate(changes):
            items.append(
                {
                    "change": change,
                    "targets": [titles[t] for t in doc.links.get(change.id, []) if t in titles],
                    "to_vision": change.contributes_to_vision,
                    "leads_nowhere": not doc.links.get(change.id) and not change.contributes_to_vision,
                    "comments": comments_by_change.get(change.id, []),
                    "open_comments": sum(
                        1 for c in comments_by_change.get(change.id, []) if not c.is_resolved
                    ),
                    "actions": actions_by_change.get(change.id, []),
                    "kept": references.describe(attached.get(change.id, {})),
                    "first": index == 0,
                    "last": index == len(changes) - 1,
                    "urls": {
                        name: url_for(f"vision:change_{name}", site_slug=site.slug, change_id=change.pk)
                        for name in CARD_LINKS
                    },
                }
            )
        groups.append(
            {
                "level": level,
                "label": ChangeLevel(level).label,
                "plural": ChangeLevel(level).plural,
                "focus": LEVEL_FOCUS[level],
                "question": LEVEL_QUESTION[level],
                "items": items,
            }
        )
    return groups


def workspace_context(request: HttpRequest) -> dict:
    """Everything the workspace panels show, in a constant number of queries."""
    site, site_access = request.site, request.site_access
    doc = document.load(site)
    snap = document.snapshot(doc)
    comments = list(Comment.objects.filter(site=site).select_related("author", "resolved_by"))
    comments_by_change: dict[int, list[Comment]] = {}
    for comment in comments:
        if comment.change_id:
            comments_by_change.setdefault(comment.change_id, []).append(comment)
    titles = {c.id: c for c in doc.changes}
    actions = []
    actions_by_change: dict[int, list[PartnerAction]] = {}
    attached = references.attached(PartnerAction, site)  # what deleting an action leaves detached (kept)
    for action in doc.actions:
        served = [titles[pk] for pk in doc.action_changes.get(action.id, []) if pk in titles]
        kept = references.describe(attached.get(action.id, {}))
        actions.append({"action": action, "changes": served, "kept": kept})
        for change in served:
            actions_by_change.setdefault(change.id, []).append(action)
    revisions = Revision.objects.filter(site=site).defer("snapshot").select_related("author")
    head = revisions.order_by("-number").first()
    if head is None or head.adopted_at is not None:
        adopted = head  # no version yet, or the latest is the adopted one: no second query
    else:
        adopted = revisions.filter(adopted_at__isnull=False).order_by("-number").first()
    seats = current_seats(site)
    approvals = {a.user_id: a for a in head.approvals.all()} if head else {}
    seat_rows = []
    from collectives.enums import TRINOME_SEATS

    for seat in TRINOME_SEATS:
        holder = seats.get(seat)
        seat_rows.append(
            {
                "label": seat.label,
                "holder": holder,
                "approval": approvals.get(holder.user_id) if holder else None,
            }
        )
    my_seat = next((m for m in seats.values() if m.user_id == request.user.pk), None)
    vision = doc.vision
    return {
        "site": site,
        "site_access": site_access,
        "can_edit": site_access.can_edit_work,
        "can_comment": site_access.can_comment,
        "can_resolve": site_access.can_resolve_comments,
        "doc": doc,
        "snap": snap,
        "vision": vision,
        "vision_version": vision.version if vision else 1,
        "strategy": doc.strategy,
        "strategy_version": doc.strategy.version if doc.strategy else 1,
        "positive_factors": _factors(site, doc, FactorKind.POSITIVE),
        "negative_factors": _factors(site, doc, FactorKind.NEGATIVE),
        "factor_kinds": {"positive": FactorKind.POSITIVE, "negative": FactorKind.NEGATIVE},
        "groups": _level_groups(site, doc, comments_by_change, actions_by_change),
        "actions": actions,
        "vision_comments": [c for c in comments if c.about_vision],
        "other_comments": [c for c in comments if not c.about_vision and c.change_id is None],
        "open_comment_count": sum(1 for c in comments if not c.is_resolved),
        "comment_form": CommentForm(),
        "hints": rules.statement_hints(vision.statement, vision.horizon_year)
        if vision and vision.statement
        else [],
        "svg": render_svg(snap, title=f"Stratégie de changement — {site.name}", id_prefix="qic-draft"),
        "chain": document.chain(snap),
        "head": head,
        "adopted": adopted,
        "draft_differs": head is not None and (adopted is None or adopted.number != head.number),
        "problems": rules.document_problems(snap) if head else [],
        "seat_rows": seat_rows,
        "my_seat": my_seat,
        "my_approval": approvals.get(request.user.pk),
        "approval_count": sum(1 for row in seat_rows if row["approval"]),
        "oob": False,
        "editing": None,
    }


def render_panels(
    request: HttpRequest, main: str, *, extra: dict | None = None, status: int = 200
) -> HttpResponse:
    """The panel `main` and, out of band, every panel that depends on it."""
    context = workspace_context(request)
    if extra:
        context.update(extra)
    parts = [render_to_string(PANELS[main], context, request=request)]
    for name in DEPENDENTS.get(main, ()):
        parts.append(render_to_string(PANELS[name], {**context, "oob": True}, request=request))
    return HttpResponse("\n".join(parts), status=status)


def after_save(request: HttpRequest, panel: str, message: str, anchor: str = "") -> HttpResponse:
    if request.htmx:
        response = render_panels(request, panel)
        return retarget(reswap(response, "outerHTML"), f"#{panel}-panel")
    messages.success(request, message)
    return redirect(workspace_url(request.site, anchor or panel))


def render_form(
    request: HttpRequest,
    fragment: str,
    context: dict,
    *,
    target: str,
    page_title: str,
    conflict=None,
    conflict_fields: dict | None = None,
) -> HttpResponse:
    """A form (new, invalid or in conflict): in place with HTMX, else as its own page."""
    context = {
        "delete_refused": None,
        "list_item": False,
        "site": request.site,
        "site_access": request.site_access,
        "page_title": page_title,
        "target": target,
        "conflict": None,
        **context,
    }
    if conflict is not None:
        context.update(conflict_context(conflict, conflict_fields or {}))
    if request.htmx:
        response = render(request, fragment, context)
        return retarget(reswap(response, "outerHTML"), f"#{target}")
    return render(request, "vision/form_page.html", {**context, "fragment": fragment})


__all__ = [
    "after_save",
    "get_action",
    "get_change",
    "get_comment",
    "get_factor",
    "render_form",
    "render_panels",
    "workspace_context",
    "workspace_url",
]
