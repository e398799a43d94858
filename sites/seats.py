"""The stored count of a site's filled trinôme seats (`Site.seats_filled`), kept in step with memberships.

Each membership saved or deleted through the ORM recounts its site (signals connected in `SitesConfig.ready`);
writes that bypass signals (`bulk_create`, `QuerySet.update()`) call `recount()` for the sites they touched.
"""

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_save


def filled_subquery():
    """The number of current seat holders of the outer site (one holder per seat: a database constraint)."""
    from collectives.models import Membership

    seats = (
        Membership.objects.current()
        .seats()
        .filter(site=OuterRef("pk"))
        .order_by()
        .values("site")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(seats, output_field=IntegerField()), 0)


def recount(site_ids=None) -> int:
    """Recount the seats of these sites (all sites when None), in one statement; returns the rows updated."""
    from .models import Site

    sites = Site.objects.all() if site_ids is None else Site.objects.filter(pk__in=list(site_ids))
    return sites.update(seats_filled=filled_subquery())


def _on_membership_write(sender, instance, **kwargs) -> None:
    if instance.site_id:
        recount([instance.site_id])


def connect() -> None:
    from collectives.models import Membership
    from qic import locking

    locking.saved.connect(_on_membership_write, sender=Membership, dispatch_uid="seats-filled-locked-save")
    post_save.connect(_on_membership_write, sender=Membership, dispatch_uid="seats-filled-save")
    post_delete.connect(_on_membership_write, sender=Membership, dispatch_uid="seats-filled-delete")
