"""Who may see or change what: the one place that decides. Views and querysets go through it.

National staff see and manage everything; the steering committee reads everything; a CRPV facilitator reads,
comments and runs sessions on the sites of their centre's regions; a site member sees their own sites, where a
trinôme seat holder edits and a partner or resident reads and comments.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from collectives.enums import TRINOME_SEATS, MemberRole, PlatformRole


def _is(user, role: str) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role == role)


def is_national(user) -> bool:
    return _is(user, PlatformRole.NATIONAL)


def is_steering(user) -> bool:
    return _is(user, PlatformRole.STEERING)


def is_facilitator(user) -> bool:
    return _is(user, PlatformRole.FACILITATOR) and user.resource_centre_id is not None


def sees_all_sites(user) -> bool:
    return is_national(user) or is_steering(user)


def can_view_national_dashboard(user) -> bool:
    return sees_all_sites(user)


def can_view_dashboard(user) -> bool:
    """The tracking dashboard: national roles see every site, CRPV facilitators the sites of their regions."""
    return sees_all_sites(user) or is_facilitator(user)


def can_manage_registry(user) -> bool:
    """Create, import and change sites, waves and accounts."""
    return is_national(user)


def visible_sites(user, queryset: QuerySet | None = None) -> QuerySet:
    """The sites this user may see at all."""
    from sites.models import Site

    qs = Site.objects.all() if queryset is None else queryset
    if not (user and user.is_authenticated and user.is_active):
        return qs.none()
    if sees_all_sites(user):
        return qs
    if is_facilitator(user):
        return qs.filter(department__region__resource_centres=user.resource_centre_id)
    if user.role == PlatformRole.MEMBER:
        return qs.filter(memberships__user=user, memberships__ended_on__isnull=True)
    return qs.none()


@dataclass(frozen=True)
class SiteAccess:
    """What one user may do on one site, computed once per request."""

    user: object
    site: object

    @cached_property
    def membership(self):
        if not (self.user.is_authenticated and self.user.role == PlatformRole.MEMBER):
            return None
        return self.site.memberships.current().filter(user=self.user).first()

    @cached_property
    def covers_as_facilitator(self) -> bool:
        if not is_facilitator(self.user):
            return False
        return self.user.resource_centre.regions.filter(pk=self.site.department.region_id).exists()

    @property
    def can_read(self) -> bool:
        return sees_all_sites(self.user) or self.covers_as_facilitator or self.membership is not None

    @property
    def is_seat_holder(self) -> bool:
        return self.membership is not None and self.membership.role in TRINOME_SEATS

    @property
    def can_edit_work(self) -> bool:
        """Edit the site's own work: vision, strategy, agreement, indicators, learnings."""
        return is_national(self.user) or self.is_seat_holder

    @property
    def can_comment(self) -> bool:
        return is_national(self.user) or self.covers_as_facilitator or self.membership is not None

    @property
    def can_resolve_comments(self) -> bool:
        """The trinôme answers the remarks made on its work (vision, strategy)."""
        return self.is_seat_holder

    @property
    def can_approve_work(self) -> bool:
        """Approving a version for adoption is the three seat holders' act, nobody else's."""
        return self.is_seat_holder

    @property
    def can_invite_trinome(self) -> bool:
        return is_national(self.user) or self.covers_as_facilitator

    @property
    def can_invite_members(self) -> bool:
        """Partners and residents are invited by the trinôme (and the staff roles above it)."""
        return self.can_invite_trinome or self.is_seat_holder

    @property
    def invitable_roles(self) -> list[str]:
        """The roles of the collective this user may invite people into (or end memberships of)."""
        roles = []
        if self.can_invite_trinome:
            roles += [seat.value for seat in TRINOME_SEATS]
        if self.can_invite_members:
            roles += [MemberRole.PARTNER.value, MemberRole.RESIDENT.value]
        return roles

    def can_manage_role(self, role: str) -> bool:
        """Invite into, resend or revoke an invitation for, or end a membership in this role."""
        return role in self.invitable_roles

    @property
    def can_see_contacts(self) -> bool:
        """Email addresses of the collective's members and invitees."""
        return self.can_invite_members

    @property
    def can_sign_agreement(self) -> bool:
        """Only the current holders of the trinôme's seats sign the cooperation agreement."""
        return self.is_seat_holder

    @property
    def can_run_sessions(self) -> bool:
        return is_national(self.user) or self.covers_as_facilitator

    @property
    def can_download_report(self) -> bool:
        return sees_all_sites(self.user) or self.covers_as_facilitator or self.is_seat_holder

    @property
    def can_check_prerequisites(self) -> bool:
        """Tick the wave prerequisites of a registering site: national staff and its CRPV."""
        return is_national(self.user) or self.covers_as_facilitator

    @property
    def can_manage(self) -> bool:
        """Change the site's registry entry (status, wave, identity)."""
        return is_national(self.user)


def get_site_for_user(user, slug: str):
    """The site with this slug, or 404 to anyone who may not see it (outsiders learn nothing)."""
    site = visible_sites(user).select_related("department__region", "wave").filter(slug=slug).first()
    if site is None:
        raise Http404("Site introuvable")
    return site


def require(allowed: bool) -> None:
    """Refuse with 403 a user who may see the object but not do this to it."""
    if not allowed:
        raise PermissionDenied


def can_read_audit_log(user) -> bool:
    return is_national(user)


def can_manage_personal_data(user) -> bool:
    """Export or anonymise a person's data (RGPD requests go through the national team)."""
    return is_national(user)
