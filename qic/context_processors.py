"""Template context shared by every page: the service's identity and the navigation of the user's role."""

from functools import cached_property
from types import SimpleNamespace

from qic import access, unsaved
from qic.links import url_for

SITE_CONFIG = SimpleNamespace(
    site_title="Quartiers à impact collectif",
    site_tagline="Agence nationale de la cohésion des territoires",
    header_brand_html="République<br>française",
    footer_brand_html="République<br>française",
    footer_description=(
        "Plateforme de suivi du programme « Quartiers à impact collectif » de l’ANCT : "
        "vision partagée, stratégie de changement, entente de coopération et évaluation, site par site."
    ),
    accessibility_status="NOT",
    mourning=False,
    beta_tag=True,
    notice_title="",
    notice_description="",
)


def _navigation(request):
    user = request.user
    if not user.is_authenticated:
        return []
    items = []
    if access.can_view_dashboard(user):
        items.append(("Tableau de bord", url_for("sites:dashboard")))
    if access.sees_all_sites(user):
        items.append(("Tous les sites", url_for("sites:list")))
    elif access.is_facilitator(user):
        items.append(("Sites de ma région", url_for("sites:list")))
    else:
        items.append(("Mes sites", url_for("sites:list")))
    if access.can_view_dashboard(user):
        items.append(("À faire", url_for("evaluation:due")))  # Evaluation loop: what is due per site
        items.append(("Apprentissages", url_for("evaluation:learning_search")))
    items.append(("Sessions", url_for("sessions:list")))  # Sessions (issue 7): everyone's own sessions
    if access.sees_reports(user, getattr(request, "site_access", None), access.scope_of(request)):
        items.append(("Bilans", url_for("reports:archive")))
    if access.can_manage_personal_data(user):
        items.append(("Personnes", url_for("people")))
    if access.can_manage_api_keys(user):
        items.append(("Clés d’API", url_for("api_keys")))  # the partner API (issue 19)
    if access.can_read_audit_log(user):
        items.append(("Journal d’audit", url_for("audit_log")))
    if access.can_manage_registry(user):
        items.append(("Administration", url_for("admin:index")))
    current = request.path
    # Pages that belong to an entry but live under another one's address: the registrations import is
    # reached from the dashboard, not from the list of sites ("/sites/").
    also = {url_for("sites:dashboard"): (url_for("sites:import"),)}
    # The most specific entry is the current one ("/sites/tableau-de-bord/" is not "/sites/").
    matched = {
        url: max(
            (len(prefix) for prefix in (url, *also.get(url, ())) if current.startswith(prefix)), default=0
        )
        for _, url in items
    }
    best = max(matched.values(), default=0)
    active = next((url for url, length in matched.items() if length and length == best), None)
    return [{"label": label, "url": url, "active": url == active} for label, url in items]


def _site_navigation(request):
    """The side menu of a site's pages: one entry per area of the site the user may read."""
    site, site_access = getattr(request, "site", None), getattr(request, "site_access", None)
    if site is None or site_access is None or not site_access.can_read:
        return []
    items = [
        ("Vue d’ensemble", url_for("sites:detail", site_slug=site.slug), True),
        ("Collectif et trinôme", url_for("collectives:members", site_slug=site.slug), False),
        ("Entente de coopération", url_for("collectives:agreement", site_slug=site.slug), False),
        ("Structure de soutien", url_for("collectives:backbone", site_slug=site.slug), False),
        ("Indicateurs", url_for("evaluation:indicators", site_slug=site.slug), False),
        ("Cycles d’évaluation", url_for("evaluation:cycles", site_slug=site.slug), False),
        ("Apprentissages", url_for("evaluation:learnings", site_slug=site.slug), False),
        ("Auto-évaluations", url_for("evaluation:assessments", site_slug=site.slug), False),
        ("Sessions et accompagnement", url_for("sessions:site_sessions", site_slug=site.slug), False),
    ]
    if site_access.can_download_report:
        items.append(("Bilans", url_for("reports:site_reports", site_slug=site.slug), False))
    current = request.path
    return [
        {"label": label, "url": url, "active": current == url if exact else current.startswith(url)}
        for label, url, exact in items
    ]


class _Unsaved:
    """What the person typed and could not save, kept for this page (`qic.unsaved`): read, and so removed
    from the session, only by a page that shows it (base.html)."""

    def __init__(self, request):
        self.request = request

    @cached_property
    def kept(self) -> dict | None:
        return unsaved.take(self.request)


def platform(request):
    return {
        "SITE_CONFIG": SITE_CONFIG,
        "nav_items": _navigation(request),
        "site_nav": _site_navigation(request),
        "unsaved": _Unsaved(request),
    }
