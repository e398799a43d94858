"""RGPD: export everything held about one person; anonymise a departed member without breaking history."""

import json

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qic.audit import acting_as
from qic.models import AuditEntry
from tests.collectives.factories import MembershipFactory


def test_export_lists_the_account_and_every_row_naming_the_person(client, world):
    with acting_as(world.seat_holder_a):
        MembershipFactory(site=world.site_a, organisation="Maison des habitants")
    client.force_login(world.national)
    response = client.get(reverse("person_export", args=[world.seat_holder_a.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="donnees-personnelles-')
    data = json.loads(response.content)
    assert data["compte"]["email"] == world.seat_holder_a.email
    assert "password" not in data["compte"]
    linked = data["données liées"]
    assert any(row["site_id"] == world.site_a.pk for row in linked["Membres des collectifs"])
    assert any(
        "Maison des habitants" in json.dumps(row, ensure_ascii=False) for row in linked["Journal d’audit"]
    )


def test_anonymising_replaces_identity_and_keeps_history(client, world, password):
    person = world.partner_a
    other = Client()
    other.force_login(person)
    with acting_as(person):
        MembershipFactory(site=world.site_a, organisation="Régie")
    client.force_login(world.national)
    response = client.post(reverse("person", args=[person.pk]), {"confirm": "oui"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.get_full_name() == f"Ancien membre n° {person.pk}"
    assert person.email.endswith("@anonyme.invalid")
    assert not person.is_active and not person.has_usable_password()
    membership = person.memberships.get()
    assert membership.ended_on == timezone.localdate()  # history kept, membership ended
    assert AuditEntry.objects.filter(actor=person).exists()
    assert set(AuditEntry.objects.filter(actor=person).values_list("actor_label", flat=True)) == {
        f"Ancien membre n° {person.pk}"
    }
    # Their open session is gone and they can no longer sign in.
    assert other.get(world.site_a.get_absolute_url()).status_code == 302
    assert not Client().login(email=person.email, password=password)


def test_anonymising_needs_an_explicit_confirmation(client, world):
    client.force_login(world.national)
    response = client.post(reverse("person", args=[world.partner_a.pk]), {})
    assert response.status_code == 400
    assert "Cochez la case pour confirmer" in response.content.decode()
    world.partner_a.refresh_from_db()
    assert world.partner_a.is_active


def test_national_accounts_and_oneself_cannot_be_anonymised(client, world):
    client.force_login(world.national)
    response = client.post(reverse("person", args=[world.national.pk]), {"confirm": "oui"})
    assert response.status_code == 400
    world.national.refresh_from_db()
    assert world.national.is_active


def test_people_search_finds_by_name_or_email(client, world):
    world.seat_holder_b.last_name = "Marqueurnom"
    world.seat_holder_b.save(update_fields=["last_name"])
    client.force_login(world.national)
    page = client.get(reverse("people"), {"q": "Marqueurnom"}).content.decode()
    assert world.seat_holder_b.email in page
    assert world.outsider.email not in page
