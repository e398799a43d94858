"""What the vision's services tell people (issue 18, `sites.notifications`): a version to approve, an
approval, the adoption, a remark on the vision or a change. Called inside the services' transactions."""

from __future__ import annotations

from django.urls import reverse

from sites import notifications
from sites.enums import NotificationKind


def _adoption_url(site) -> str:
    return reverse("vision:workspace", kwargs={"site_slug": site.slug}) + "#adoption-panel"


def version_to_approve(site, revision, seat_user_ids: list[int], *, author) -> None:
    """A new version awaits the other seats' approval: the previous version's request is closed (a burst of
    edits leaves one item to do, and one grouped e-mail)."""
    notifications.close_site_items(site, NotificationKind.VERSION_TO_APPROVE)
    notifications.notify(
        NotificationKind.VERSION_TO_APPROVE,
        seat_user_ids,
        title=f"Version {revision.number} de la vision à approuver : {revision.summary}",
        url=_adoption_url(site),
        site=site,
        actor=author,
        subject=revision,
        action=True,
    )


def approval_given(revision, user) -> None:
    notifications.close(revision, [NotificationKind.VERSION_TO_APPROVE], users=[user])


def version_approved(site, revision, seat_user_ids: list[int], membership, *, actor) -> None:
    notifications.notify(
        NotificationKind.VERSION_APPROVED,
        seat_user_ids,
        title=f"Version {revision.number} de la vision approuvée (siège « {membership.get_role_display()} »)",
        url=_adoption_url(site),
        site=site,
        actor=actor,
        subject=revision,
    )


def vision_adopted(site, revision, seat_user_ids: list[int], *, actor) -> None:
    """The adoption is the three seats' news: the last approver is told too (it is everyone's act)."""
    notifications.close_site_items(site, NotificationKind.VERSION_TO_APPROVE)
    what = "Vision et stratégie adoptées" if revision.adopted_with_strategy else "Vision adoptée"
    notifications.notify(
        NotificationKind.VISION_ADOPTED,
        seat_user_ids,
        title=f"{what} par le trinôme (version {revision.number})",
        url=reverse("vision:history", kwargs={"site_slug": site.slug}),
        site=site,
        actor=actor,
        subject=revision,
        include_actor=True,
    )


def comment_added(site, comment, seat_user_ids: list[int], earlier_authors: set, quote: str) -> None:
    """The trinôme answers remarks (an item to do until resolved); the thread's earlier writers are told."""
    change = comment.change
    where = f"le changement « {change.title} »" if change is not None else "la vision"
    anchor = f"change-{change.pk}" if change is not None else "vision"
    url = reverse("vision:workspace", kwargs={"site_slug": site.slug}) + f"#{anchor}"
    common = {
        "title": f"Nouveau commentaire sur {where} : {quote}",
        "url": url,
        "site": site,
        "actor": comment.author,
        "subject": comment,
    }
    notifications.notify(NotificationKind.COMMENT, seat_user_ids, action=True, **common)
    notifications.notify(NotificationKind.COMMENT, set(earlier_authors) - set(seat_user_ids), **common)


def comment_resolved(comment) -> None:
    notifications.close(comment, [NotificationKind.COMMENT])
