"""Views of the registrations import: upload, preview with errors, confirmation, ownership of the preview."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sites import progress
from sites.models import RegistrationImport, Site
from tests.collectives.factories import NationalFactory
from tests.sites.factories import WaveFactory

pytestmark = pytest.mark.django_db

HEADER = "Nom du site;Type;Commune;Département;Code QPV;Prénom;Nom;Courriel;Siège"
GOOD = "Les Aygalades;QPV;Marseille;13;;Camille;Martin;camille@exemple.fr;Collectivité"
BAD_DEPARTMENT = "Le Lac;QPV;Bordeaux;99;;Luc;Petit;luc@exemple.fr;Collectivité"
BAD_EMAIL = "Les Fleurs;QPV;Nantes;44;;Léa;Roux;lea.roux@;Société civile"


def _upload(client, *lines, name="inscriptions.csv"):
    content = "\n".join([HEADER, *lines]).encode()
    return client.post(
        reverse("sites:import"),
        {"wave": "4", "initial_status": "registering", "file": SimpleUploadedFile(name, content)},
    )


@pytest.fixture
def national(client, world):
    WaveFactory(number=4, is_current=True)
    world.login(client, world.national)
    return client


def test_upload_page_offers_the_current_wave_and_the_template(national):
    page = national.get(reverse("sites:import")).content.decode()
    assert '<option value="4" selected>' in page
    assert reverse("sites:import_template") in page
    template = national.get(reverse("sites:import_template"))
    assert template["Content-Type"].startswith("text/csv")
    assert "Nom du site;Type;Commune;Département" in template.content.decode("utf-8-sig")


def test_the_template_as_downloaded_imports_its_example_site_and_its_three_contacts(national):
    """Its example lines sit under the right headers: a person who fills it in their image makes no error."""
    template = national.get(reverse("sites:import_template")).content
    upload = SimpleUploadedFile("modele.csv", template)
    response = national.post(
        reverse("sites:import"), {"wave": "4", "initial_status": "registering", "file": upload}
    )
    page = national.get(response.url).content.decode()
    assert "Aucune erreur" in page and "Confirmer l’import" in page
    assert "camille.martin@exemple.gouv.fr" in page
    assert page.count("nouveau compte, siège attribué") == 3  # each contact under its own header


def test_the_import_highlights_the_dashboard_entry_of_the_navigation(national):
    page = national.get(reverse("sites:import")).content.decode()
    assert f'href="{reverse("sites:dashboard")}" aria-current="page">Tableau de bord</a>' in page
    assert 'aria-current="page">Tous les sites</a>' not in page
    # A site's page (also under /sites/) still highlights the list of sites.
    site_page = national.get(reverse("sites:list")).content.decode()
    assert 'aria-current="page">Tous les sites</a>' in site_page


def test_a_file_with_two_bad_lines_shows_both_errors_and_writes_nothing(national):
    response = _upload(national, GOOD, BAD_DEPARTMENT, BAD_EMAIL)
    assert response.status_code == 302
    preview = national.get(response.url)
    page = preview.content.decode()
    assert "2 erreurs\u00a0: rien ne sera importé" in page
    assert "<strong>Ligne 3</strong>, Département\u00a0: Département « 99 » inconnu." in page
    assert "<strong>Ligne 4</strong>, Courriel\u00a0: Courriel « lea.roux@ » mal formé." in page
    assert "Confirmer l’import" not in page
    # Even a forged confirmation writes nothing.
    assert national.post(response.url).status_code == 302
    assert not Site.objects.filter(wave__number=4).exists()
    assert "rien n’a été importé" in national.get(response.url).content.decode()


def test_a_clean_file_is_previewed_then_committed_on_confirmation(national):
    response = _upload(national, GOOD)
    page = national.get(response.url).content.decode()
    assert "Aucune erreur\u00a0: rien n’est encore enregistré" in page
    assert "nouveau site" in page
    assert not Site.objects.filter(name="Les Aygalades").exists()
    confirmed = national.post(response.url)
    assert confirmed.status_code == 302
    site = Site.objects.get(name="Les Aygalades")
    assert site.memberships.get().user.email == "camille@exemple.fr"
    # Its progress facts, computed once at the end of the import, are true: one seat filled, the funnel's
    # registration stage reached.
    assert (site.progress.seats_filled, site.progress.seats_held) == (1, "municipality,")
    assert site.progress.funnel_stage > 0 and progress.stale() == {}
    result = national.get(response.url).content.decode()
    assert "Import terminé" in result and "1 site créé, 1 siège attribué" in result


def test_the_rows_are_kept_server_side_not_in_the_form(national):
    response = _upload(national, GOOD)
    page = national.get(response.url).content.decode()
    form = page[page.index('<form method="post" class="fr-mt-3w">') :]
    assert "camille@exemple.fr" not in form.split("</form>")[0]  # only the CSRF token is posted back


def test_wrong_file_type_is_refused_next_to_the_field(national):
    response = _upload(national, GOOD, name="inscriptions.pdf")
    assert response.status_code == 400
    assert "Le fichier doit être au format CSV (.csv) ou Excel (.xlsx)." in response.content.decode()
    assert not RegistrationImport.objects.exists()


def test_another_national_user_cannot_open_someone_elses_preview(client, national, world):
    response = _upload(national, GOOD)
    client.force_login(NationalFactory())
    assert client.get(response.url).status_code == 404
    assert client.post(response.url).status_code == 404
    assert not Site.objects.filter(name="Les Aygalades").exists()


def test_the_upload_page_names_the_recent_imports_without_reading_their_lines(national):
    """The lines read from each file (thousands, personal data) stay in the database: the list shows names."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _upload(national, GOOD, name="vague-4.csv")
    with CaptureQueriesContext(connection) as queries:
        page = national.get(reverse("sites:import")).content.decode()
    assert "vague-4.csv" in page and "non confirmé" in page
    read = [q["sql"] for q in queries if "sites_registrationimport" in q["sql"]]
    assert read and not [sql for sql in read if '"sites_registrationimport"."rows"' in sql]
