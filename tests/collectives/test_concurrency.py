"""No lost update: two members saving the same item at once never silently overwrite each other."""

import threading

import pytest
from django.db import close_old_connections, connection
from django.urls import reverse

from collectives.models import AgreementSection, BackboneAssignment
from collectives.services import agreement as services
from qic.locking import EditConflict, save_if_unchanged
from tests.collectives.factories import agreement_for

pytestmark = pytest.mark.every_database

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.mark.django_db
def test_two_members_save_the_same_part_the_second_sees_both_versions(world, trinome, login):
    agreement_for(world.site_a, texts={"principles": "Texte de départ."})
    url = reverse("collectives:agreement_section", args=[world.site_a.slug, "principles"])
    first, second = login(trinome.prefect), login(trinome.municipality, new=True)
    # Both open the editor on the same version.
    version_a = first.get(url, **HTMX).context["form"]["version"].value()
    version_b = second.get(url, **HTMX).context["form"]["version"].value()
    assert version_a == version_b
    saved = first.post(url, {"text": "Version de Karim.", "version": version_a}, **HTMX)
    assert saved.status_code == 200 and "Version de Karim." in saved.content.decode()
    refused = second.post(url, {"text": "Version de Sophie.", "version": version_b}, **HTMX)
    html = refused.content.decode()
    assert "Enregistrement refusé" in html
    assert "Votre version (non enregistrée)" in html and "Version de Sophie." in html
    assert (
        "Version enregistrée" in html and "Version de Karim." in html and "Karim Benali a enregistré" in html
    )
    section = AgreementSection.objects.get(agreement__site=world.site_a, part="principles")
    assert section.text == "Version de Karim."  # nothing overwritten
    # The form now carries the saved version: once merged, the second save goes through.
    new_version = refused.context["form"]["version"].value()
    assert str(new_version) == str(section.version)
    merged = second.post(url, {"text": "Version de Karim. Et de Sophie.", "version": new_version}, **HTMX)
    assert "Enregistrement refusé" not in merged.content.decode()
    section.refresh_from_db()
    assert section.text == "Version de Karim. Et de Sophie." and section.updated_by == trinome.municipality


@pytest.mark.django_db
def test_without_javascript_the_conflict_page_shows_both_versions(world, trinome, login):
    agreement_for(world.site_a)
    url = reverse("collectives:agreement_section", args=[world.site_a.slug, "power"])
    first, second = login(trinome.prefect), login(trinome.municipality, new=True)
    first.post(url, {"text": "A", "version": 1})
    page = second.post(url, {"text": "B", "version": 1})
    assert page.status_code == 200 and "<html" in page.content.decode()
    assert "Enregistrement refusé" in page.content.decode()


@pytest.mark.django_db
def test_a_space_deleted_meanwhile_is_reported_not_recreated(world, trinome, login):
    draft = agreement_for(world.site_a)
    space = draft.spaces.get()
    url = reverse("collectives:space_edit", args=[world.site_a.slug, space.pk])
    first, second = login(trinome.prefect), login(trinome.municipality, new=True)
    second.get(url)
    first.post(
        reverse("collectives:space_delete", args=[world.site_a.slug, space.pk]), {"version": space.version}
    )
    # The space is gone: its URL is now a 404, nothing is recreated behind the user's back.
    assert second.post(url, {"name": "Encore là ?", "version": space.version}).status_code == 404
    assert not draft.spaces.exists()


@pytest.mark.django_db
def test_backbone_roles_are_protected_too(client, world, trinome, login):
    url = reverse("collectives:backbone_role", args=[world.site_a.slug, "trust"])
    first, second = login(trinome.prefect), login(trinome.municipality, new=True)
    first.post(url, {"organisation": "Centre social", "version": 1}, **HTMX)
    refused = second.post(url, {"organisation": "Mairie", "version": 1}, **HTMX)
    assert "Enregistrement refusé" in refused.content.decode() and "Centre social" in refused.content.decode()
    assert BackboneAssignment.objects.get(site=world.site_a, role="trust").organisation == "Centre social"


@pytest.mark.django_db
def test_save_if_unchanged_is_a_single_conditional_update(world, trinome):
    draft = agreement_for(world.site_a)
    section = draft.sections.get(part="talents")
    stale = AgreementSection.objects.get(pk=section.pk)
    save_if_unchanged(section, section.version, {"text": "un"}, user=trinome.prefect)
    with pytest.raises(EditConflict) as caught:
        save_if_unchanged(stale, stale.version, {"text": "deux"}, user=trinome.municipality)
    assert caught.value.current.text == "un" and caught.value.attempted == {"text": "deux"}


@pytest.mark.django_db(transaction=True)
def test_truly_simultaneous_saves_never_lose_an_update(world, trinome):
    """Two threads, two database connections, released together: exactly one save wins, the other is told."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need a server database (SQLite serialises whole transactions)")
    agreement_for(world.site_a)
    barrier = threading.Barrier(2)
    outcomes = {}

    def save(user, text):
        try:
            barrier.wait(timeout=10)
            services.save_section(world.site_a, "communication", text, expected_version=1, user=user)
            outcomes[text] = "saved"
        except EditConflict:
            outcomes[text] = "conflict"
        finally:
            close_old_connections()

    threads = [
        threading.Thread(target=save, args=(trinome.prefect, "Texte A")),
        threading.Thread(target=save, args=(trinome.municipality, "Texte B")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["conflict", "saved"]
    winner = next(text for text, outcome in outcomes.items() if outcome == "saved")
    section = AgreementSection.objects.get(agreement__site=world.site_a, part="communication")
    assert section.text == winner and section.version == 2
