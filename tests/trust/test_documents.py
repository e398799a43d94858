"""Documents show each role what its pages show it, and no more.

Every document (PDF, SVG, CSV/XLSX export, iCalendar feed, JSON export) is paired with the page whose rule it
follows: a role gets the document exactly when it gets the page; and what the page hides from a role (the
collective's e-mail addresses from partners, residents and the steering committee; sessions one may no longer
see) the document hides too.
"""

import pytest
from django.urls import reverse

from collectives.enums import MemberRole
from collectives.sessions.calendar import create_feed
from tests.collectives.factories import FacilitatorFactory, InvitationFactory, MembershipFactory
from tests.sessions.factories import make_session
from tests.sites.factories import ResourceCentreFactory, region
from tests.test_tenancy import RULES

pytestmark = pytest.mark.every_database

# (document, the page whose rule it follows). Their kwargs come from the tenancy walk (site B's objects).
DOCUMENTS = [
    ("collectives:handover_pack", "collectives:members"),
    ("collectives:agreement_pdf", "collectives:agreement_version"),
    ("vision:diagram_svg", "vision:diagram"),
    ("sessions:sign_in_sheet", "sessions:attendance"),
    ("reports:site_download", "reports:site_detail"),
    ("reports:download", "reports:detail"),
    ("sites:dashboard_export", "sites:dashboard"),
    ("person_export", "person"),
]
ROLES = [
    "national",
    "steering",
    "facilitator_a",
    "facilitator_b",
    "seat_holder_a",
    "partner_a",
    "seat_holder_b",
    "partner_b",
    "outsider",
]


@pytest.fixture
def people(world):
    """The world's roles, with site B's own partner and CRPV facilitator."""
    people = {name: getattr(world, name) for name in ROLES if hasattr(world, name)}
    people["partner_b"] = MembershipFactory(site=world.site_b, role=MemberRole.PARTNER).user
    people["facilitator_b"] = FacilitatorFactory(
        resource_centre=ResourceCentreFactory(regions=[region("32")])
    )
    return people


@pytest.fixture
def printed(monkeypatch):
    """The HTML each PDF is printed from (WeasyPrint is slow, and the text is what the test reads)."""
    pages = []

    def capture(html, **kwargs):
        pages.append(html)
        return b"%PDF-1.7 test"

    monkeypatch.setattr("qic.pdf.html_to_pdf", capture)
    monkeypatch.setattr("collectives.sessions.views.attendance.html_to_pdf", capture)
    return pages


@pytest.mark.usefixtures("printed")
@pytest.mark.parametrize(("document", "page_name"), DOCUMENTS, ids=[d for d, _ in DOCUMENTS])
@pytest.mark.parametrize("role", ROLES)
def test_a_role_gets_a_document_exactly_when_it_gets_its_page(
    client, world, people, document, page_name, role
):
    client.force_login(people[role])
    page_status = client.get(reverse(page_name, kwargs=RULES[page_name].kwargs(world))).status_code
    document_status = client.get(reverse(document, kwargs=RULES[document].kwargs(world))).status_code
    assert (document_status == 200) == (page_status == 200), (page_status, document_status)


@pytest.fixture
def contacts(world):
    """Site B's seat holder and a pending invitation to a vacant seat, sent without a name."""
    invitation = InvitationFactory(
        site=world.site_b,
        role=MemberRole.PREFECT_DELEGATE,
        email="sans.nom@exemple.fr",
        first_name="",
        last_name="",
    )
    return [world.seat_holder_b.email, invitation.email]


@pytest.mark.parametrize("role", ["national", "steering", "facilitator_b", "seat_holder_b", "partner_b"])
def test_the_handover_pack_shows_e_mail_addresses_only_to_those_the_collective_page_shows_them(
    client, world, people, contacts, printed, role
):
    client.force_login(people[role])
    members = client.get(reverse("collectives:members", kwargs={"site_slug": world.site_b.slug}))
    assert members.status_code == 200
    response = client.get(reverse("collectives:handover_pack", kwargs={"site_slug": world.site_b.slug}))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    page, pack = members.content.decode(), printed[-1]
    sees_contacts = role in ("national", "facilitator_b", "seat_holder_b")
    for email in contacts:
        assert (email in page) is sees_contacts, email
        assert (email in pack) is sees_contacts, email


def test_a_partner_reads_the_pack_without_the_trinome_s_addresses(client, world, people, printed):
    """The issue's example, as a partner would: the pack names the seat holder, without the address."""
    holder = world.seat_holder_b
    holder.first_name, holder.last_name = "Camille", "Martin"
    holder.save()
    client.force_login(people["partner_b"])
    client.get(reverse("collectives:handover_pack", kwargs={"site_slug": world.site_b.slug}))
    assert "Camille Martin" in printed[-1]
    assert holder.email not in printed[-1]


def test_the_site_page_panel_names_a_pending_invitee_only_to_those_who_see_contacts(client, world, people):
    InvitationFactory(
        site=world.site_b,
        role=MemberRole.PREFECT_DELEGATE,
        email="sans.nom@exemple.fr",
        first_name="",
        last_name="",
    )
    url = reverse("sites:detail", kwargs={"site_slug": world.site_b.slug})
    client.force_login(people["partner_b"])
    assert "sans.nom@exemple.fr" not in client.get(url).content.decode()
    client.force_login(people["seat_holder_b"])
    assert "sans.nom@exemple.fr" in client.get(url).content.decode()


def test_the_calendar_feed_lists_only_sessions_its_owner_may_still_see(client, world):
    """A facilitator who planned a session for site A, then moved to a centre that does not cover site A's
    region: the session's page is now a 404 to them, and their calendar feed no longer carries it."""
    facilitator = world.facilitator_a
    session = make_session([world.site_a], title="Session de A", created_by=facilitator)
    _, token = create_feed(facilitator)
    feed_url = reverse("sessions:calendar_feed", kwargs={"token": token})
    assert "Session de A" in client.get(feed_url).content.decode()
    facilitator.resource_centre = ResourceCentreFactory(regions=[region("32")])
    facilitator.save()
    client.force_login(facilitator)
    assert client.get(reverse("sessions:detail", kwargs={"pk": session.pk})).status_code == 404
    client.logout()
    assert "Session de A" not in client.get(feed_url).content.decode()
