"""Who may see or change what: the one place that decides. Views and querysets go through it.

National staff see and manage everything; the steering committee reads everything; a CRPV facilitator reads,
comments and runs sessions on the sites of their centre's regions; a site member sees their own sites, where a
trinôme seat holder edits and a partner or resident reads and comments.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from qic.roles import TRINOME_SEATS, MemberRole, PlatformRole


def _model(label: str):
    """A domain model by its label ("sites.Site"). Core sits below the apps that own the models it guards
    (one-way layers, `[tool.importlinter]` in pyproject.toml): it reaches them through Django's app registry,
    never by importing them."""
    return apps.get_model(label)


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


def can_generate_open_data(user) -> bool:
    """Ask for the open-data files now, rather than at night (the page itself is public)."""
    return is_national(user)


def visible_sites(user, queryset: QuerySet | None = None) -> QuerySet:
    """The sites this user may see at all."""
    qs = _model("sites.Site").objects.all() if queryset is None else queryset
    if not (user and user.is_authenticated and user.is_active):
        return qs.none()
    if sees_all_sites(user):
        return qs
    if is_facilitator(user):
        return sites_of_centre(qs, user.resource_centre_id)
    if user.role == PlatformRole.MEMBER:
        return qs.filter(memberships__user=user, memberships__ended_on__isnull=True)
    return qs.none()


def _covered_regions(centre_id) -> QuerySet:
    """The ids of the regions a resource centre covers, as a subquery of the centre's table of regions (no
    query to read the centre first). Through the regions and the centres
    (`department__region__resource_centres`), each facilitator's query carried two joins more for Django to
    compile and PostgreSQL to plan: their header's unread count planned in 0.5 ms instead of 0.26 ms, for
    0.03 ms of execution."""
    covered = _model("sites.ResourceCentre").regions.through
    return covered.objects.filter(resourcecentre_id=centre_id).values("region_id")


def sites_of_centre(queryset: QuerySet, centre_id) -> QuerySet:
    """The sites of `queryset` in the regions a resource centre covers: a facilitator's, a CRPV key's, and
    what the national filters by CRPV keep."""
    return queryset.filter(department__region_id__in=_covered_regions(centre_id))


def visible_site_ids(user) -> QuerySet:
    """The ids of the sites this user may see, as a subquery (`site__in=`): the same rule as `visible_sites`,
    read for a member from their memberships alone (no join through the sites: the header's unread count
    runs it on every page, and its query cost 1 ms less to build)."""
    if _is(user, PlatformRole.MEMBER):
        memberships = _model("collectives.Membership").objects
        return memberships.filter(user=user, ended_on__isnull=True).values("site_id")
    return visible_sites(user).values("pk")


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
    def can_publish_page(self) -> bool:
        """Propose or agree to publish the site's public page: the three seat holders' decision."""
        return self.is_seat_holder

    @property
    def can_unpublish_page(self) -> bool:
        """Withdraw the page at once: any seat holder, and national staff (who answer for what is
        published)."""
        return is_national(self.user) or self.is_seat_holder

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
    # With its progress facts (`sites.SiteProgress`, the read model the site's pages show): one join.
    site = (
        visible_sites(user).select_related("department__region", "wave", "progress").filter(slug=slug).first()
    )
    if site is None:
        raise Http404("Site introuvable")
    return site


def site_access_for(user, slug: str) -> SiteAccess:
    """The site with this slug and this user's rights on it (404 as `get_site_for_user`), in one query.

    A member's site comes with the membership that lets them see it (the rights of every site page hang on
    it), a facilitator's site is one of the regions their centre covers, or it would not have been found."""
    if user.is_authenticated and user.is_active and user.role == PlatformRole.MEMBER:
        membership = (
            _model("collectives.Membership")
            .objects.current()
            .filter(user=user, site__slug=slug)
            .select_related("site__department__region", "site__wave", "site__progress")
            .order_by("role", "-started_on")
            .first()
        )
        if membership is None:
            raise Http404("Site introuvable")
        rights = SiteAccess(user, membership.site)
        rights.__dict__["membership"] = membership  # the cached_property, already known
        return rights
    rights = SiteAccess(user, get_site_for_user(user, slug))
    if is_facilitator(user):
        rights.__dict__["covers_as_facilitator"] = True  # visible_sites found it in the centre's regions
    return rights


def require(allowed: bool) -> None:
    """Refuse with 403 a user who may see the object but not do this to it."""
    if not allowed:
        raise PermissionDenied


def can_request_national_reports(user) -> bool:
    """National roll-ups and batches of bilans: asked for, read and downloaded by national roles only."""
    return sees_all_sites(user)


def report_sites(user) -> QuerySet:
    """The sites whose bilans this user may download (queryset twin of `SiteAccess.can_download_report`)."""
    Site = _model("sites.Site")
    if sees_all_sites(user):
        return Site.objects.all()
    if is_facilitator(user):
        return visible_sites(user)
    if user and user.is_authenticated and user.is_active and user.role == PlatformRole.MEMBER:
        return Site.objects.filter(
            memberships__user=user, memberships__ended_on__isnull=True, memberships__role__in=TRINOME_SEATS
        )
    return Site.objects.none()


def sees_reports(user, site_access: SiteAccess | None = None, scope: Scope | None = None) -> bool:
    """Whether the "Bilans" entry is in this user's navigation (without a query on the pages of a site whose
    bilans this user may download: `site_access`, the request's rights). A member's answer comes from the
    request's `scope`, which reads their current memberships once for the navigation and the header's unread
    count alike (0.85 ms of processor time, against 1.36 ms for `report_sites(user).exists()` and 0.85 ms
    more for a count that filters by a subquery of their sites instead of by their ids)."""
    if site_access is not None and site_access.user == user and site_access.can_download_report:
        return True
    if scope is not None and scope.user == user and scope.holds_seats is not None:
        return scope.holds_seats
    return sees_all_sites(user) or is_facilitator(user) or report_sites(user).exists()


class Scope:
    """What one person may see, for a page that filters many kinds of rows by it (the search: seven kinds),
    read once per request (`scope_of`): the page, its navigation and its header's unread count share it.

    A member's sites are read once, as ids, with the roles held there (one query of their current
    memberships): each kind's query then filters by a short list of ids instead of carrying, for Django to
    compile and PostgreSQL to plan, the membership join of `visible_sites` / `report_sites` again. Other
    roles: those functions' querysets, unchanged."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def _member_roles(self) -> dict[int, set[str]] | None:
        if not _is(self.user, PlatformRole.MEMBER):
            return None
        roles: dict[int, set[str]] = {}
        memberships = _model("collectives.Membership").objects.current().filter(user=self.user).order_by()
        for site_id, role in memberships.values_list("site_id", "role"):
            roles.setdefault(site_id, set()).add(role)
        return roles

    @property
    def has_read(self) -> bool:
        """Whether this scope has read its sites yet (the header's unread count uses them if so; a member's
        navigation reads them, `sees_reports`)."""
        return "_member_roles" in self.__dict__

    @property
    def site_ids(self) -> list[int] | None:
        """A member's sites' ids (None for other roles: their sites are a rule, not a short list)."""
        return None if self._member_roles is None else sorted(self._member_roles)

    def _seat_site_ids(self) -> list[int]:
        """A member's sites where they hold one of the trinôme's seats."""
        seats = {str(seat) for seat in TRINOME_SEATS}
        return sorted(site for site, roles in self._member_roles.items() if roles & seats)

    @property
    def holds_seats(self) -> bool | None:
        """Whether a member holds one of the trinôme's seats somewhere (None for other roles)."""
        return None if self._member_roles is None else bool(self._seat_site_ids())

    def sites(self) -> QuerySet:
        """`visible_sites(user)`."""
        if self._member_roles is None:
            return visible_sites(self.user)
        return _model("sites.Site").objects.filter(pk__in=self.site_ids)

    def rows(self, queryset: QuerySet, field: str = "site") -> QuerySet:
        """The rows of `queryset` whose `field` (a foreign key to a site) is one of `sites()`: the queryset
        unchanged for whoever sees every site (its rows' sites are all visible; no subquery over every site
        for Django to compile and PostgreSQL to plan)."""
        if sees_all_sites(self.user):
            return queryset
        ids = self.site_ids  # a member's: the ids themselves, no subquery over the sites
        return queryset.filter(**{f"{field}__in": self.sites() if ids is None else ids})

    def sessions(self) -> QuerySet:
        """`visible_sessions(user)`: a member's are those of their sites (by id) or where they are invited."""
        if self._member_roles is None:
            return visible_sessions(self.user)
        Participant, SessionSite = _model("collectives.Participant"), _model("collectives.SessionSite")
        of_my_sites = SessionSite.objects.filter(site__in=self.site_ids).values("session")
        invited = Participant.objects.filter(user=self.user).values("session")
        return _model("collectives.Session").objects.filter(Q(pk__in=of_my_sites) | Q(pk__in=invited))

    def report_sites(self) -> QuerySet:
        """`report_sites(user)`: a member's sites where they hold one of the trinôme's seats."""
        if self._member_roles is None:
            return report_sites(self.user)
        return _model("sites.Site").objects.filter(pk__in=self._seat_site_ids())


def scope_of(request) -> Scope:
    """The request's `Scope`, made at its first use (after any write of the request: views that change
    memberships redirect before a page reads it)."""
    scope = getattr(request, "_qic_scope", None)
    if scope is None or scope.user is not request.user:
        scope = request._qic_scope = Scope(request.user)
    return scope


def can_read_help(user) -> bool:
    """The help centre and the printable guide: every signed-in person, whatever their role (the help shows
    the method and how-tos, no site's data)."""
    return bool(user and user.is_authenticated and user.is_active)


def holds_a_seat(user) -> bool:
    """Whether this person currently holds one of the trinôme's seats on some site (one query)."""
    return (
        can_read_help(user)
        and _model("collectives.Membership")
        .objects.filter(user=user, ended_on__isnull=True, role__in=TRINOME_SEATS)
        .exists()
    )


def can_read_audit_log(user) -> bool:
    return is_national(user)


def can_manage_personal_data(user) -> bool:
    """Export or anonymise a person's data (RGPD requests go through the national team)."""
    return is_national(user)


# --- Sessions (issue 7): planning, running, attending -------------------------------------------------------


def can_plan_sessions(user) -> bool:
    """Plan sessions: national staff (every kind) and CRPV facilitators (for the sites of their regions)."""
    return is_national(user) or is_facilitator(user)


def covered_region_ids(user) -> set[int]:
    """The regions a facilitator's centre covers (empty for everyone else)."""
    if not is_facilitator(user):
        return set()
    return set(_covered_regions(user.resource_centre_id).values_list("region_id", flat=True))


def runnable_sites(user, queryset: QuerySet | None = None) -> QuerySet:
    """The sites this user may plan and run sessions for."""
    qs = _model("sites.Site").objects.all() if queryset is None else queryset
    if is_national(user):
        return qs
    if is_facilitator(user):
        return sites_of_centre(qs, user.resource_centre_id)
    return qs.none()


def visible_sessions(user, queryset: QuerySet | None = None) -> QuerySet:
    """The sessions this user may see: all for national roles; those of their regions (or that they
    facilitate) for a facilitator; those of their sites (or where they are invited) for a member."""
    Membership, Participant = _model("collectives.Membership"), _model("collectives.Participant")
    Session, SessionSite = _model("collectives.Session"), _model("collectives.SessionSite")
    qs = Session.objects.all() if queryset is None else queryset
    if not (user and user.is_authenticated and user.is_active):
        return qs.none()
    if sees_all_sites(user):
        return qs
    # Uncorrelated `IN (subquery)` tests: the database reads each set once (correlated EXISTS tests ran a
    # join per session, thousands of them for a region's list).
    invited = Q(pk__in=Participant.objects.filter(user=user).values("session"))
    if is_facilitator(user):
        regions = _covered_regions(user.resource_centre_id)
        in_region = Q(
            pk__in=SessionSite.objects.filter(site__department__region_id__in=regions).values("session")
        )
        facilitates = Q(pk__in=Session.facilitators.through.objects.filter(user=user).values("session"))
        return qs.filter(Q(region_id__in=regions) | in_region | facilitates | invited)
    if user.role == PlatformRole.MEMBER:
        my_sites = Membership.objects.filter(user=user, ended_on__isnull=True).values("site")
        of_my_sites = Q(pk__in=SessionSite.objects.filter(site__in=my_sites).values("session"))
        return qs.filter(of_my_sites | invited)
    return qs.none()


@dataclass(frozen=True)
class SessionAccess:
    """What one user may do with one session, computed once per request."""

    user: object
    session: object

    @cached_property
    def site_region_ids(self) -> set[int]:
        return set(self.session.sites.values_list("department__region_id", flat=True))

    @cached_property
    def can_run(self) -> bool:
        """Edit, cancel, invite, tick attendance, print the sign-in sheet, run the exercises."""
        if is_national(self.user):
            return True
        if not is_facilitator(self.user) or self.session.region_id is None:
            return False
        covered = covered_region_ids(self.user)
        return self.session.region_id in covered and self.site_region_ids <= covered

    @property
    def can_edit(self) -> bool:
        """A cancelled session stays as it was."""
        return self.can_run and not self.session.is_cancelled

    @property
    def can_cancel(self) -> bool:
        """Only a session still to come (or under way) is cancelled; a past one stays as it happened."""
        return self.can_edit and not self.session.has_ended()

    @property
    def sees_participants(self) -> bool:
        """The list of invited people (names and organisations) of every site of the session."""
        return self.can_run or sees_all_sites(self.user)


def get_session_for_user(user, pk: int, *, texts: bool = True):
    """The session with this id and what the user may do with it, or 404 to anyone who may not see it.
    Without `texts`, its agenda and notes are left unread (actions and fragments that polls refresh)."""
    sessions = _model("collectives.Session").objects.select_related("region", "created_by")
    session = visible_sessions(user, sessions if texts else sessions.without_texts()).filter(pk=pk).first()
    if session is None:
        raise Http404("Session introuvable")
    return session, SessionAccess(user, session)


def can_answer_session_exercises(site_access: SiteAccess) -> bool:
    """Place a site on the continuum or write its outputs during a session: its members, and whoever may run
    sessions on that site (a facilitator typing for a site without a phone at hand)."""
    return site_access.membership is not None or site_access.can_run_sessions


def can_view_coaching_overview(user) -> bool:
    """Coaching hours used and left per site and per CRPV: national roles; facilitators for their regions."""
    return can_view_dashboard(user)


# --- Public pages of the collectives (issue 19) ------------------------------------------------------------


def published_sites(queryset: QuerySet | None = None) -> QuerySet:
    """The sites whose trinôme published the public page: anyone reads that page, signed in or not."""
    qs = _model("sites.Site").objects.all() if queryset is None else queryset
    publications = _model("vision.Publication").objects
    published = publications.filter(published_at__isnull=False, ended_at__isnull=True)
    return qs.filter(pk__in=published.values("site"))


def get_public_site(user, slug: str):
    """(site, preview): a published site for anyone; before publication (or once withdrawn), a preview for the
    people who may read the site; 404 to everyone else, whether signed in or not."""
    site = published_sites().select_related("department__region").filter(slug=slug).first()
    if site is not None:
        return site, False
    return get_site_for_user(user, slug), True


# --- Partner API (issue 19): keys issued to organisations, and signed-in people reading the API -------------
# A request of the API comes with a key (`key`, an `sites.ApiKey`) or from a signed-in person's session (no
# key): with a key, what it sees is its scope; without, the person's own rights, as on the pages.

KEY_NATIONAL, KEY_CRPV, KEY_SITE = "national", "crpv", "site"  # sites.enums.ApiKeyScope
KEY_WRITE = "write"  # sites.enums.ApiKeyRole


def can_manage_api_keys(user) -> bool:
    """Issue and revoke partner API keys."""
    return is_national(user)


def key_is_active(key) -> bool:
    return key is not None and key.revoked_at is None


def key_visible_sites(key, queryset: QuerySet | None = None) -> QuerySet:
    """The sites this key reads: every site, its CRPV's regions' sites, or its one site (none if revoked)."""
    qs = _model("sites.Site").objects.all() if queryset is None else queryset
    if not key_is_active(key):
        return qs.none()
    if key.scope == KEY_NATIONAL:
        return qs
    if key.scope == KEY_CRPV:
        return sites_of_centre(qs, key.resource_centre_id)
    if key.scope == KEY_SITE:
        return qs.filter(pk=key.site_id)
    return qs.none()


def key_can_write(key) -> bool:
    """Record measurements and attendance through the API: keys issued with the write role only."""
    return key_is_active(key) and key.role == KEY_WRITE


def api_can_read(user, key) -> bool:
    """Whether this request may read the API at all: an active key, or a signed-in active person."""
    if key is not None:
        return key_is_active(key)
    return bool(user and user.is_authenticated and user.is_active)


def api_sites(user, key, queryset: QuerySet | None = None) -> QuerySet:
    """The sites an API request reads: its key's scope, or the signed-in person's `visible_sites`."""
    return key_visible_sites(key, queryset) if key is not None else visible_sites(user, queryset)


def api_sessions(user, key, queryset: QuerySet | None = None) -> QuerySet:
    """The sessions an API request reads: with a key, those of its sites; otherwise `visible_sessions`."""
    if key is None:
        return visible_sessions(user, queryset)
    Session, SessionSite = _model("collectives.Session"), _model("collectives.SessionSite")
    qs = Session.objects.all() if queryset is None else queryset
    if not key_is_active(key):
        return qs.none()
    if key.scope == KEY_NATIONAL:
        return qs
    return qs.filter(pk__in=SessionSite.objects.filter(site__in=key_visible_sites(key)).values("session"))


def api_report_sites(user, key) -> QuerySet:
    """The sites whose bilans an API request downloads: its key's sites, or the person's `report_sites`."""
    return key_visible_sites(key) if key is not None else report_sites(user)


def api_sees_participants(user, key, session) -> bool:
    """The people invited to a session (names, organisations, presence): a key sees those of its sites (the
    list is filtered by site); a person, as on the attendance pages."""
    if key is not None:
        return key_is_active(key)
    return SessionAccess(user, session).sees_participants
