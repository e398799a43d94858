"""Posting extra fields (another site, a role, staff flags, an author) changes nothing beyond the edit.

Each test signs in a user of site A, posts a real edit with fields the form does not offer added to it,
then re-reads the database: the object still belongs to site A, its author is the poster, and nobody's
rights moved.
"""

import pytest
from django.urls import reverse

from collectives.enums import MemberRole
from collectives.models import (
    AgreementSection,
    CooperationSpace,
    Invitation,
    Membership,
    Session,
    User,
)
from evaluation.models import Indicator, LearningEntry, Measurement
from sites.models import Site
from tests.collectives.factories import InvitationFactory
from tests.evaluation.factories import change_for, indicator_for
from tests.sessions.factories import at
from tests.sites.factories import region
from vision import services as vision_services
from vision.models import Change, PartnerAction, Vision

pytestmark = [pytest.mark.django_db, pytest.mark.every_database]


def extra(world) -> dict:
    """What a curious user adds to a form: another site, a platform role, staff flags, someone else's name."""
    other = world.site_b
    return {
        "site": other.pk,
        "site_id": other.pk,
        "site_slug": other.slug,
        "role": "national",
        "is_staff": "on",
        "is_superuser": "on",
        "is_active": "on",
        "created_by": world.national.pk,
        "author": world.national.pk,
        "updated_by": world.national.pk,
        "recorded_by": world.national.pk,
        "invited_by": world.national.pk,
        "user": world.national.pk,
        "status": "active",
        "version": None,  # replaced by each test's own version
    }


def payload(world, data: dict) -> dict:
    merged = {key: value for key, value in extra(world).items() if value is not None}
    merged.update(data)
    return merged


def rights_snapshot(*users) -> list:
    """Platform role, staff flags and site memberships of these users, as stored."""
    rows = []
    for user in users:
        fresh = User.objects.get(pk=user.pk)
        memberships = sorted(
            Membership.objects.filter(user=fresh).values_list("site_id", "role", "ended_on"), key=str
        )
        rows.append((fresh.role, fresh.is_staff, fresh.is_superuser, memberships))
    return rows


@pytest.fixture
def unchanged_rights(world):
    """Asserts after the test that nobody's platform role, staff flags or memberships moved."""
    people = [world.seat_holder_a, world.partner_a, world.seat_holder_b, world.national, world.facilitator_a]
    before = rights_snapshot(*people)
    yield
    assert rights_snapshot(*people) == before


# Vision and strategy ----------------------------------------------------------------------------------------


def test_the_vision_statement_stays_on_its_site(client, world, unchanged_rights):
    world.login(client, world.seat_holder_a)
    url = reverse("vision:statement", kwargs={"site_slug": world.site_a.slug})
    data = {"version": 1, "statement": "Un quartier où chacun trouve sa place.", "horizon_year": 2045}
    assert client.post(url, payload(world, data)).status_code == 302
    vision = Vision.objects.get(statement="Un quartier où chacun trouve sa place.")
    assert vision.site == world.site_a
    assert not Vision.objects.filter(site=world.site_b).exclude(statement="").exists()
    revision = world.site_a.vision_revisions.latest("number")
    assert revision.author == world.seat_holder_a


def test_a_new_change_is_created_on_the_posters_site_only(client, world, unchanged_rights):
    world.login(client, world.seat_holder_a)
    url = reverse("vision:change_add", kwargs={"site_slug": world.site_a.slug})
    data = {"level": "direct", "register": "knowledge", "title": "Connaître les métiers"}
    assert client.post(url, payload(world, data)).status_code == 302
    change = Change.objects.get(title="Connaître les métiers")
    assert change.site == world.site_a
    assert not Change.objects.filter(site=world.site_b).exists()


def test_editing_a_change_keeps_it_on_its_site(client, world, unchanged_rights):
    site = world.site_a
    change = vision_services.add_change(
        site, world.seat_holder_a, level="direct", register="knowledge", title="Avant"
    )
    world.login(client, world.seat_holder_a)
    url = reverse("vision:change_edit", kwargs={"site_slug": site.slug, "change_id": change.pk})
    data = {"version": change.version, "level": "direct", "register": "knowledge", "title": "Après"}
    assert client.post(url, payload(world, data)).status_code == 302
    change.refresh_from_db()
    assert (change.title, change.site) == ("Après", world.site_a)
    assert change.updated_by == world.seat_holder_a


def test_a_strategy_item_cannot_be_linked_to_another_sites_change(client, world, unchanged_rights):
    foreign = vision_services.add_change(
        world.site_b, world.seat_holder_b, level="intermediate", register="practices", title="Roubaix"
    )
    world.login(client, world.seat_holder_a)
    url = reverse("vision:change_add", kwargs={"site_slug": world.site_a.slug})
    data = {
        "level": "direct",
        "register": "knowledge",
        "title": "Lien piraté",
        "contributes_to": [foreign.pk],
    }
    client.post(url, payload(world, data))
    assert not foreign.contributors.exists()
    assert not Change.objects.filter(title="Lien piraté", site=world.site_b).exists()


def test_a_partner_action_stays_on_its_site(client, world, unchanged_rights):
    world.login(client, world.seat_holder_a)
    url = reverse("vision:action_add", kwargs={"site_slug": world.site_a.slug})
    data = {"name": "Forum des métiers", "lead_organisation": "Mission locale", "status": "running"}
    client.post(url, payload(world, data))
    action = PartnerAction.objects.get(name="Forum des métiers")
    assert action.site == world.site_a


# Members and invitations ------------------------------------------------------------------------------------


def test_an_invitation_keeps_the_site_and_a_role_the_inviter_may_give(client, world, unchanged_rights):
    world.login(client, world.seat_holder_a)
    url = reverse("collectives:invite", kwargs={"site_slug": world.site_a.slug})
    data = {
        "role": MemberRole.PARTNER,
        "email": "nouvelle@exemple.fr",
        "first_name": "Léa",
        "last_name": "Roux",
    }
    assert client.post(url, payload(world, {**data, "role": MemberRole.PARTNER})).status_code == 302
    invitation = Invitation.objects.get(email="nouvelle@exemple.fr")
    assert invitation.site == world.site_a and invitation.role == MemberRole.PARTNER
    assert invitation.invited_by == world.seat_holder_a
    # A seat is not the trinôme's to give: the role is refused, nothing is created.
    seat = {**data, "email": "siege@exemple.fr", "role": MemberRole.PREFECT_DELEGATE}
    response = client.post(url, payload(world, seat))
    assert response.status_code == 200
    assert not Invitation.objects.filter(email="siege@exemple.fr").exists()


def test_accepting_an_invitation_gives_only_the_invited_role(client, world):
    invitation = InvitationFactory(site=world.site_a, role=MemberRole.RESIDENT, email="habitant@exemple.fr")
    url = reverse("collectives:accept_invitation", kwargs={"token": invitation.token})
    strong = "Un-mot-de-passe-solide-2025"
    data = {"first_name": "Sam", "last_name": "Lenoir", "password1": strong, "password2": strong}
    response = client.post(
        url, {**payload(world, data), "email": "autre@exemple.fr", "seat": "civil_society"}
    )
    assert response.status_code == 302
    user = User.objects.get(email="habitant@exemple.fr")
    assert (user.role, user.is_staff, user.is_superuser) == ("member", False, False)
    assert list(user.memberships.values_list("site_id", "role")) == [(world.site_a.pk, MemberRole.RESIDENT)]
    assert not User.objects.filter(email="autre@exemple.fr").exists()


def test_ending_a_membership_ends_that_one_only(client, world):
    others = [world.seat_holder_a, world.seat_holder_b, world.national]
    before = rights_snapshot(*others)
    partner = world.partner_a.memberships.get()
    foreign = world.seat_holder_b.memberships.get()
    world.login(client, world.seat_holder_a)
    url = reverse("collectives:membership_end", args=[world.site_a.slug, partner.pk])
    data = {"ended_on": partner.started_on.isoformat(), "pk": foreign.pk, "membership": foreign.pk}
    assert client.post(url, payload(world, data)).status_code == 302
    partner.refresh_from_db()
    assert (partner.site, partner.role, partner.ended_on) == (
        world.site_a,
        MemberRole.PARTNER,
        partner.started_on,
    )
    assert rights_snapshot(*others) == before


# Agreement --------------------------------------------------------------------------------------------------


def test_an_agreement_section_is_written_on_the_posters_site(client, world, unchanged_rights):
    world.login(client, world.seat_holder_a)
    url = reverse("collectives:agreement_section", args=[world.site_a.slug, "principles"])
    data = {"text": "Nous avançons ensemble.", "version": 1, "agreement": 999, "part": "power"}
    assert client.post(url, payload(world, data)).status_code == 302
    section = AgreementSection.objects.get(text="Nous avançons ensemble.")
    assert section.agreement.site == world.site_a and section.part == "principles"
    assert not world.site_b.agreements.exists()


def test_a_cooperation_space_is_added_to_the_posters_agreement(client, world, unchanged_rights):
    world.login(client, world.seat_holder_a)
    url = reverse("collectives:space_add", args=[world.site_a.slug])
    data = {"name": "Comité de pilotage", "purpose": "Tenir le cap", "version": 1, "agreement": 999}
    client.post(url, payload(world, data))
    space = CooperationSpace.objects.get(name="Comité de pilotage")
    assert space.agreement.site == world.site_a


# Evaluation -------------------------------------------------------------------------------------------------


def test_a_learning_entry_stays_on_its_site_with_its_author(client, world, unchanged_rights):
    world.login(client, world.seat_holder_a)
    url = reverse("evaluation:learning_add", args=[world.site_a.slug])
    data = {
        "title": "Porte-à-porte de printemps",
        "occurred_on": "2026-04-02",
        "what_happened": "Nous avons frappé à 300 portes.",
        "what_we_learned": "Les habitants écoutent d’abord leurs voisins.",
        "what_we_change": "Former davantage de relais.",
        "tags": "mobilisation",
    }
    assert client.post(url, payload(world, data)).status_code == 302
    entry = LearningEntry.objects.get(title="Porte-à-porte de printemps")
    assert (entry.site, entry.author) == (world.site_a, world.seat_holder_a)


def test_an_indicator_stays_on_its_site(client, world, unchanged_rights):
    change = change_for(world.site_a)
    world.login(client, world.seat_holder_a)
    url = reverse("evaluation:indicator_add", args=[world.site_a.slug])
    data = {
        "change": change.pk,
        "name": "Participants",
        "kind": "quantitative",
        "unit": "personnes",
        "baseline_on": "2026-01-15",
        "baseline_value": "12",
        "target_value": "40",
        "direction": "increase",
        "data_source": "Comptage",
        "frequency": "3",
    }
    assert client.post(url, payload(world, data)).status_code == 302
    indicator = Indicator.objects.get(name="Participants")
    assert (indicator.site, indicator.change) == (world.site_a, change)


def test_a_measurement_follows_the_indicator_of_the_url(client, world, unchanged_rights):
    indicator = indicator_for(world.site_a)
    foreign = indicator_for(world.site_b)
    world.login(client, world.seat_holder_a)
    url = reverse("evaluation:measurement_add", args=[world.site_a.slug, indicator.pk])
    data = {"measured_on": "2026-04-15", "value": "18", "comment": "", "evidence_url": ""}
    assert client.post(url, payload(world, {**data, "indicator": foreign.pk})).status_code == 302
    measurement = Measurement.objects.get()
    assert (measurement.indicator, measurement.site) == (indicator, world.site_a)
    assert measurement.recorded_by == world.seat_holder_a
    assert not foreign.measurements.exists()


# Site registry and sessions ---------------------------------------------------------------------------------


def test_a_seat_holder_cannot_change_the_site_status(client, world, unchanged_rights):
    status = world.site_a.status
    world.login(client, world.seat_holder_a)
    url = reverse("sites:status", args=[world.site_a.slug])
    data = {"to_status": "paused", "reason": "Pause", "seen_status": status}
    assert client.post(url, payload(world, data)).status_code == 403
    assert Site.objects.get(pk=world.site_a.pk).status == status


def test_a_status_change_by_national_staff_changes_that_site_only(client, world, unchanged_rights):
    before_b = world.site_b.status
    world.login(client, world.national)
    url = reverse("sites:status", args=[world.site_a.slug])
    data = {"to_status": "paused", "reason": "Élections municipales", "seen_status": world.site_a.status}
    data = payload(world, {**data, "status": "abandoned", "wave": 999, "slug": "pirate", "name": "Pirate"})
    assert client.post(url, data).status_code == 302
    site_a = Site.objects.get(pk=world.site_a.pk)
    assert (site_a.status, site_a.slug, site_a.name) == ("paused", "quartier-a", "Quartier A")
    assert Site.objects.get(pk=world.site_b.pk).status == before_b


def test_a_session_cannot_take_a_site_outside_the_planners_regions(client, world, unchanged_rights):
    world.login(client, world.facilitator_a)
    data = {
        "version": "0",
        "kind": "regional_module",
        "title": "Module piraté",
        "region": str(region("84").pk),
        "sites": [str(world.site_a.pk), str(world.site_b.pk)],
        "date": at(days=14).date().isoformat(),
        "start_time": "09:30",
        "end_time": "16:30",
        "place": "Maison de quartier",
    }
    response = client.post(reverse("sessions:plan"), payload(world, data))
    assert response.status_code == 200
    assert not Session.objects.filter(title="Module piraté").exists()
    data["sites"] = [str(world.site_a.pk)]
    data["title"] = "Module 3"
    response = client.post(reverse("sessions:plan"), payload(world, data))
    assert response.status_code == 302
    session = Session.objects.get(title="Module 3")
    assert list(session.sites.all()) == [world.site_a]
    assert session.created_by == world.facilitator_a
