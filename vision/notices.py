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


# The public page (issue 19) ---------------------------------------------------------------------------------


def _panel_url(site) -> str:
    return reverse("sites:detail", kwargs={"site_slug": site.slug}) + "#publication"


def publication_proposed(site, publication, seat_user_ids: list[int], membership, *, actor) -> None:
    """The other seats are asked to agree (an item to do until they agree or the proposal ends)."""
    notifications.notify(
        NotificationKind.PUBLICATION_PROPOSED,
        seat_user_ids,
        title=f"Publication de la page publique proposée (siège « {membership.get_role_display()} ») : "
        "votre accord est attendu",
        url=_panel_url(site),
        site=site,
        actor=actor,
        subject=publication,
        action=True,
    )


def publication_agreed(publication, user) -> None:
    notifications.close(publication, [NotificationKind.PUBLICATION_PROPOSED], users=[user])


def page_published(site, publication, seat_user_ids: list[int], *, actor) -> None:
    """The publication is the three seats' news: the last to agree is told too."""
    notifications.close(publication, [NotificationKind.PUBLICATION_PROPOSED])
    notifications.notify(
        NotificationKind.PAGE_PUBLISHED,
        seat_user_ids,
        title="La page publique du site est publiée : les trois sièges du trinôme ont donné leur accord",
        url=reverse("public:site", kwargs={"slug": site.slug}),
        site=site,
        actor=actor,
        subject=publication,
        include_actor=True,
    )


def publication_ended(site, publication, seat_user_ids: list[int], *, was_published: bool, actor) -> None:
    notifications.close(publication, [NotificationKind.PUBLICATION_PROPOSED])
    title = (
        "La page publique du site est retirée : elle n’est plus visible sans connexion"
        if was_published
        else "La proposition de publier la page publique est retirée"
    )
    notifications.notify(
        NotificationKind.PAGE_UNPUBLISHED,
        seat_user_ids,
        title=title,
        url=_panel_url(site),
        site=site,
        actor=actor,
        subject=publication,
    )
