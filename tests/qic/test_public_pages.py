"""The pages anyone reads without an account: whom to write to, who hosts the service, a way in on a phone,
and a way on from a page that does not exist."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_legal_pages_say_whom_to_write_to_and_who_hosts_the_service(client, settings):
    settings.QIC_CONTACT_EMAIL = "ecrire@qic.example"
    settings.QIC_HOSTING = "Hébergeur Exemple SAS, 1 rue de l’Exemple, 75000 Paris, 01 23 45 67 89"
    for name in ("accessibility", "personal_data", "legal_notice"):
        page = client.get(reverse(name)).content.decode()
        assert 'href="mailto:ecrire@qic.example"' in page, name
    assert "Hébergeur Exemple SAS, 1 rue" in client.get(reverse("legal_notice")).content.decode()
    accessibility = client.get(reverse("accessibility")).content.decode()
    assert "Cette déclaration a été établie le" in accessibility and "Défenseur des droits" in accessibility
    assert "CNIL" in client.get(reverse("personal_data")).content.decode()


def test_a_visitor_without_an_account_has_the_menu_on_a_phone_and_a_way_on_from_a_missing_page(client):
    """On a phone the DSFR shows « Se connecter » only inside the header's menu: its button is always there.
    A public page that does not exist leads to the public list and to the sign-in page (the home page
    would only send a visitor to sign in)."""
    page = client.get(reverse("public:index")).content.decode()
    assert 'id="button-menu"' in page
    missing = client.get(reverse("public:site", kwargs={"slug": "aucun-quartier"}))
    assert missing.status_code == 404
    body = missing.content.decode()
    assert f'href="{reverse("public:index")}"' in body and f'href="{reverse("account_login")}"' in body
