"""The audit log records every write on site data with its author and its values before and after."""

import datetime as dt

import pytest
from django.urls import reverse

from collectives.enums import MemberRole
from qic.audit import acting_as
from qic.models import AuditEntry
from sites.models import Site
from tests.collectives.factories import MembershipFactory

pytestmark = pytest.mark.every_database


def test_creation_update_and_deletion_are_recorded_with_their_author(world):
    with acting_as(world.national):
        membership = MembershipFactory(site=world.site_a, role=MemberRole.RESIDENT, organisation="Amicale")
        pk = str(membership.pk)
        membership.organisation = "Amicale des locataires"
        membership.save()
        membership.delete()
    entries = AuditEntry.objects.filter(model="collectives.membership", object_id=pk).order_by("id")
    created, updated, deleted = entries
    assert (created.action, created.actor, created.site) == ("create", world.national, world.site_a)
    assert created.after["organisation"] == "Amicale"
    assert updated.before == {"organisation": "Amicale"}
    assert updated.after == {"organisation": "Amicale des locataires"}
    assert deleted.before["role"] == "resident"
    assert deleted.after is None
    assert deleted.site_label == "Quartier A"


def test_a_save_that_changes_nothing_is_not_recorded(world):
    count = AuditEntry.objects.count()
    world.site_a.save()
    assert AuditEntry.objects.count() == count


def test_writes_without_a_request_are_attributed_to_the_system(world):
    membership = world.partner_a.memberships.get()
    membership.ended_on = dt.date(2026, 1, 31)
    membership.save()
    entry = AuditEntry.objects.filter(model="collectives.membership").latest("id")
    assert entry.actor is None
    assert entry.actor_label == "système"
    assert entry.after == {"ended_on": "2026-01-31"}


def test_an_admin_edit_is_recorded_with_the_signed_in_person(client, world):
    client.force_login(world.national)
    url = reverse("admin:sites_site_change", args=[world.site_b.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update({"communes": "Roubaix, Tourcoing", "qpv_code": ""})
    for prefix in ("prerequisite_checks", "status_changes"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = AuditEntry.objects.filter(model="sites.site", object_id=str(world.site_b.pk)).latest("id")
    assert entry.actor == world.national
    assert entry.before == {"communes": "Roubaix"}
    assert entry.after == {"communes": "Roubaix, Tourcoing"}


def test_deleting_a_site_with_its_collective_keeps_the_log_consistent(world):
    pk = world.site_b.pk
    world.site_b.delete()
    assert not Site.objects.filter(pk=pk).exists()
    gone = AuditEntry.objects.filter(action="delete", site_label="Quartier B")
    assert {e.model for e in gone} == {"sites.site", "collectives.membership"}


def test_national_staff_read_and_filter_the_log(client, world):
    with acting_as(world.seat_holder_a):
        MembershipFactory(site=world.site_a, role=MemberRole.PARTNER, organisation="Régie de quartier")
    client.force_login(world.national)
    page = client.get(reverse("audit_log"), {"auteur": world.seat_holder_a.email}).content.decode()
    assert "Régie de quartier" in page
    assert "Quartier A" in page
    other = client.get(reverse("audit_log"), {"auteur": "personne-d-autre@"}).content.decode()
    assert "Aucune entrée" in other


def test_the_log_filters_in_place_with_htmx(client, world):
    client.force_login(world.national)
    response = client.get(reverse("audit_log"), {"site": "Quartier A"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.content.decode()


def test_optimistic_locking_saves_are_audited(world):
    from collectives.enums import BackboneRole
    from collectives.models import BackboneAssignment
    from qic.locking import save_if_unchanged

    assignment = BackboneAssignment.objects.create(site=world.site_a, role=list(BackboneRole)[0])
    with acting_as(world.seat_holder_a):
        save_if_unchanged(
            assignment, assignment.version, {"organisation": "Centre social"}, user=world.seat_holder_a
        )
    entry = AuditEntry.objects.filter(model="collectives.backboneassignment").latest("id")
    assert entry.action == "update"
    assert entry.actor == world.seat_holder_a
    assert entry.after == {"organisation": "Centre social"}


def test_status_changes_are_audited_on_the_site(world):
    from sites.services import change_status

    with acting_as(world.national):
        change_status(world.site_a, "paused", by=world.national, reason="Changement d’équipe municipale")
    entry = AuditEntry.objects.filter(model="sites.site", object_id=str(world.site_a.pk)).latest("id")
    assert entry.before == {"status": "active"}
    assert entry.after == {"status": "paused"}


def test_writes_on_the_parts_of_a_site_document_are_recorded_on_the_site(world):
    """An agreement's sections and spaces carry no `site` key of their own: the log finds it through the
    agreement, so national staff see who changed which part of which site's agreement."""
    from collectives.enums import AgreementPart
    from collectives.services import agreement as agreements

    with acting_as(world.seat_holder_a):
        draft, _ = agreements.open_draft(world.site_a, world.seat_holder_a)
        section = draft.sections.get(part=AgreementPart.values[0])
        agreements.save_section(
            world.site_a,
            section.part,
            "Nos valeurs partagées",
            expected_version=section.version,
            user=world.seat_holder_a,
        )
        space, _ = agreements.add_space(world.site_a, {"name": "Comité local"}, user=world.seat_holder_a)
        agreements.delete_space(world.site_a, space, expected_version=space.version, user=world.seat_holder_a)

    edited = AuditEntry.objects.filter(
        model="collectives.agreementsection", object_id=str(section.pk)
    ).latest("id")
    assert (edited.action, edited.actor, edited.site) == ("update", world.seat_holder_a, world.site_a)
    assert edited.after == {"text": "Nos valeurs partagées"} and edited.site_label == "Quartier A"
    space_entries = AuditEntry.objects.filter(model="collectives.cooperationspace", object_id=str(space.pk))
    assert list(space_entries.order_by("id").values_list("action", flat=True)) == ["create", "delete"]
    assert space_entries.get(action="create").site == world.site_a
    assert space_entries.get(action="delete").site_label == "Quartier A"


def test_the_object_filter_and_the_entries_name_kinds_of_object_in_french(client, world):
    with acting_as(world.seat_holder_a):
        MembershipFactory(site=world.site_a, role=MemberRole.PARTNER, organisation="Régie de quartier")
    AuditEntry.objects.create(
        action=AuditEntry.Action.REQUEST, model="api", object_id="1a2b", object_repr="GET /"
    )
    AuditEntry.objects.create(
        action=AuditEntry.Action.DELETE, model="ancien.modele", object_id="3", object_repr="x"
    )
    client.force_login(world.national)
    page = client.get(reverse("audit_log")).content.decode()
    assert '<option value="collectives.membership">Membre d’un collectif</option>' in page
    assert '<option value="api">Requête de l’API partenaire</option>' in page
    assert '<option value="ancien.modele">ancien.modele</option>' in page  # a model removed since
    assert ">collectives.membership<" not in page
    assert "Membre d’un collectif n°\u00a0" in page
    filtered = client.get(reverse("audit_log"), {"objet": "collectives.membership"}).content.decode()
    assert '<option value="collectives.membership" selected>Membre d’un collectif</option>' in filtered
    assert "Régie de quartier" in filtered and "GET /" not in filtered


def test_the_changes_read_in_words_not_in_database_columns(client, world):
    """National staff read the log: the field's name, a choice's label, a date in French, a related object by
    its number; not "role : partner", "site_id" or an ISO time in UTC."""
    with acting_as(world.seat_holder_a):
        member = MembershipFactory(
            site=world.site_a,
            role=MemberRole.PARTNER,
            organisation="Régie de quartier",
            started_on=dt.date(2026, 3, 2),
        )
    entry = AuditEntry.objects.filter(model="collectives.membership", object_id=str(member.pk)).latest("id")
    changes = {label: after for label, _before, after in entry.changes}
    assert changes["Rôle"] == MemberRole.PARTNER.label
    assert changes["Depuis le"] == "2 mars 2026"
    assert changes["Site"] == f"n°\u00a0{world.site_a.pk}"
    assert "Jusqu’au" not in changes  # left empty: nothing to say
    client.force_login(world.national)
    page = client.get(reverse("audit_log"), {"objet": "collectives.membership"}).content.decode()
    assert "<strong>Rôle</strong>" in page and MemberRole.PARTNER.label in page
    assert "site_id" not in page and "started_on" not in page and "<strong>Depuis le</strong>" in page
