"""The evaluation loop's panels on the site page (`sites.panels`): what is due, and the latest bilan."""

from sites import panels, progress

from .due import WORKING, due_for_site


def due_panel(request, site) -> dict:
    """What is due on this site (the same list the weekly digest sends), for everyone who reads the site:
    from the progress facts read with the page's site (`qic.access.site_access_for`)."""
    facts = progress.facts(site)
    return {"items": due_for_site(site, facts=facts), "working": site.status in WORKING}


def bilan_panel(request, site) -> dict | None:
    """The site's most recent finished bilan, for those who may produce and download bilans."""
    from .reports.enums import ReportKind, ReportState

    site_access = getattr(request, "site_access", None)
    if not (site_access and site_access.can_download_report):
        return None
    latest = (
        # Through the site's own manager: the report comes with its site, which its download link names
        # (read from `Report.objects`, the link read the site again while the page rendered).
        site.reports.filter(kind=ReportKind.SITE, state=ReportState.DONE)
        .defer("snapshot")
        .order_by("-data_date", "-pk")
        .first()
    )
    return {"bilan": latest}


def connect() -> None:
    panels.register(panels.Panel("due", panels.LEAD, 10, "evaluation/includes/due_panel.html", due_panel))
    panels.register(
        panels.Panel(
            "bilan", panels.SIDE_BOTTOM, 20, "evaluation/includes/site_bilan_panel.html", bilan_panel
        )
    )
