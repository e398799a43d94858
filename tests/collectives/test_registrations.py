"""Import of a wave's registrations: per-line errors in French, all or nothing, idempotent."""

import io

import pytest
from openpyxl import Workbook

from collectives.enums import MemberRole
from collectives.models import Membership, User
from collectives.services import registrations as imports
from sites.models import Site, SiteEvent, SiteStatusChange
from tests.collectives.factories import MembershipFactory, NationalFactory
from tests.sites.factories import SiteFactory, WaveFactory, department

pytestmark = [pytest.mark.django_db, pytest.mark.every_database]

HEADER = "Nom du site;Type;Commune;Département;Code QPV;Prénom;Nom;Courriel;Siège;Organisation"
GOOD = [
    "Marseille — Les Aygalades;QPV;Marseille;13;;Camille;Martin;camille.martin@exemple.gouv.fr;Délégué·e du préfet;Préfecture",  # noqa: E501
    "Marseille — Les Aygalades;QPV;Marseille;13;;Karim;Benali;k.benali@exemple.fr;Collectivité;Ville",
    "Marseille — Les Aygalades;QPV;Marseille;13;;Nadia;Haddad;nadia@exemple.fr;Société civile;Centre social",
    "Cité éducative de Vénissieux;Cité éducative;Vénissieux;Rhône;;;;;;",
]  # fmt: skip


def _csv(*lines) -> bytes:
    return "\n".join([HEADER, *lines]).encode("utf-8")


@pytest.fixture
def wave():
    return WaveFactory(number=4, is_current=True)


@pytest.fixture
def national():
    return NationalFactory()


def _stash(content, wave, national, name="inscriptions.csv"):
    return imports.stash(content, name, wave, "registering", national)


def test_a_clean_file_creates_sites_accounts_and_seats_with_their_history(wave, national):
    registration = _stash(_csv(*GOOD), wave, national)
    plan = imports.plan(registration.rows, wave)
    assert plan.ok and plan.counts()["new_sites"] == 2 and plan.counts()["new_seats"] == 3
    assert not Site.objects.filter(wave=wave).exists()  # nothing written by the preview
    summary = imports.commit(registration, national)
    assert summary == {
        "new_sites": 2,
        "known_sites": 0,
        "new_people": 3,
        "new_seats": 3,
        "unchanged_seats": 0,
    }
    site = Site.objects.get(name="Marseille — Les Aygalades")
    assert (site.wave, site.status, site.department.code, site.kind) == (wave, "registering", "13", "qpv")
    assert Site.objects.get(name="Cité éducative de Vénissieux").department.code == "69"
    seats = {m.role: m.user for m in Membership.objects.current().filter(site=site)}
    assert seats[MemberRole.PREFECT_DELEGATE].email == "camille.martin@exemple.gouv.fr"
    camille = seats[MemberRole.PREFECT_DELEGATE]
    assert camille.role == "member" and not camille.has_usable_password() and camille.first_name == "Camille"
    assert SiteStatusChange.objects.get(site=site).to_status == "registering"
    assert SiteEvent.objects.filter(site=site, kind="member_joined").count() == 3


def test_two_bad_lines_are_both_reported_and_nothing_is_written(wave, national):
    content = _csv(
        GOOD[0],
        "Quartier du Lac;QPV;Bordeaux;99;;Luc;Petit;luc.petit@exemple.fr;Collectivité;",
        "Quartier des Fleurs;QPV;Nantes;44;;Léa;Roux;lea.roux-at-exemple.fr;Société civile;",
    )
    registration = _stash(content, wave, national)
    plan = imports.plan(registration.rows, wave)
    assert plan.errors == [
        (3, "Département", "Département « 99 » inconnu."),
        (4, "Courriel", "Courriel « lea.roux-at-exemple.fr » mal formé."),
    ]
    with pytest.raises(imports.ImportRefused):
        imports.commit(registration, national)
    assert not Site.objects.filter(wave=wave).exists()
    assert not User.objects.filter(email__endswith="exemple.gouv.fr").exists()
    registration.refresh_from_db()
    assert registration.committed_at is None


def test_missing_seat_unknown_kind_and_duplicate_site_are_explained(wave, national):
    SiteFactory(name="Quartier Nord", department=department("59"), wave=WaveFactory(number=2))
    content = _csv(
        "Quartier Sud;QPV;Lille;59;;Anne;Morel;anne@exemple.fr;;",
        "Quartier Est;Zone franche;Lille;59;;;;;;",
        "Quartier Nord;QPV;Lille;Nord;;;;;;",
        "Quartier Sud;Cité éducative;Lille;59;;Paul;Morel;paul@exemple.fr;Collectivité;",
    )
    plan = imports.plan(_stash(content, wave, national).rows, wave)
    messages = {line: message for line, _, message in plan.errors}
    assert messages[2] == "Siège manquant : délégué·e du préfet, collectivité ou société civile."
    assert messages[3].startswith("Type « Zone franche » inconnu")
    assert messages[4] == "Site en double : « Quartier Nord » est déjà inscrit dans la vague 2."
    assert messages[5] == "Site en double : la ligne 2 décrit « Quartier Sud » autrement."


def test_the_same_seat_twice_and_a_seat_already_held_are_refused(wave, national):
    existing = SiteFactory(name="Les Tilleuls", department=department("42"), wave=wave, status="registering")
    MembershipFactory(site=existing, role=MemberRole.MUNICIPALITY, user__email="maire@exemple.fr")
    content = _csv(
        "Les Tilleuls;QPV;Saint-Étienne;42;;Max;Dupont;max@exemple.fr;Collectivité;",
        "La Source;QPV;Saint-Étienne;42;;Eva;Blanc;eva@exemple.fr;Société civile;",
        "La Source;QPV;Saint-Étienne;42;;Zoé;Noir;zoe@exemple.fr;Société civile;",
    )
    plan = imports.plan(_stash(content, wave, national).rows, wave)
    messages = {line: message for line, _, message in plan.errors}
    assert "déjà occupé par" in messages[2] and "passation" in messages[2]
    assert messages[4].startswith("Siège en double : « Société civile » de ce site est déjà attribué ligne 3")


def test_staff_emails_cannot_take_a_seat(wave, national):
    content = _csv(f"La Source;QPV;Lyon;69;;A;B;{national.email};Collectivité;")
    plan = imports.plan(_stash(content, wave, national).rows, wave)
    assert "compte « Équipe nationale (ANCT) »" in plan.errors[0][2]


def test_reimporting_the_same_file_creates_no_duplicates(wave, national):
    content = _csv(*GOOD)
    imports.commit(_stash(content, wave, national), national)
    counts = (
        Site.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        SiteEvent.objects.count(),
    )
    again = _stash(content, wave, national)
    plan = imports.plan(again.rows, wave)
    assert plan.ok
    assert plan.counts()["new_sites"] == 0 and plan.counts()["known_sites"] == 2
    assert plan.counts()["new_seats"] == 0 and plan.counts()["unchanged_seats"] == 3
    summary = imports.commit(again, national)
    assert summary["new_sites"] == 0 and summary["new_seats"] == 0
    assert (
        Site.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        SiteEvent.objects.count(),
    ) == counts


def test_confirming_twice_writes_once(wave, national):
    registration = _stash(_csv(*GOOD), wave, national)
    imports.commit(registration, national)
    imports.commit(registration, national)
    assert Site.objects.filter(wave=wave).count() == 2


def test_xlsx_files_are_read_like_csv(wave, national):
    book = Workbook()
    sheet = book.active
    sheet.append(
        ["Nom du site", "Type", "Commune", "Departement", "Code QPV", "Prenom", "Nom", "Courriel", "Siege"]
    )
    sheet.append(["Les Provinces", "QPV", "Villeurbanne", 69, "QN06901M", "Inès", "Diallo", "ines@exemple.fr", "Société civile"])  # fmt: skip  # noqa: E501
    sheet.append([None] * 9)
    buffer = io.BytesIO()
    book.save(buffer)
    registration = _stash(buffer.getvalue(), wave, national, name="inscriptions.xlsx")
    assert [row["department"] for row in registration.rows] == ["69"]
    imports.commit(registration, national)
    assert Site.objects.get(qpv_code="QN06901M").name == "Les Provinces"


def test_file_level_problems(wave, national):
    missing = imports.stash(b"Nom du site;Type\nA;QPV", "a.csv", wave, "registering", national)
    assert "Colonne manquante : « Commune »." in missing.file_errors
    broken = imports.stash(b"not a zip", "b.xlsx", wave, "registering", national)
    assert broken.file_errors == [
        "Le fichier Excel est illisible : enregistrez-le à nouveau au format .xlsx."
    ]
    latin = imports.stash(_csv(GOOD[3]).decode().encode("cp1252"), "c.csv", wave, "registering", national)
    assert latin.rows[0]["site"] == "Cité éducative de Vénissieux"


def test_the_same_upload_reuses_its_pending_preview(wave, national):
    first = _stash(_csv(*GOOD), wave, national)
    assert _stash(_csv(*GOOD), wave, national).pk == first.pk


def test_the_communes_insee_codes_are_read_when_the_file_gives_them(wave, national):
    header = "Nom du site;Type;Commune;Département;Code INSEE;Prénom;Nom;Courriel;Siège"
    content = "\n".join(
        [header, "Les Buers;QPV;Villeurbanne, Vaulx-en-Velin;69;69266, 69256;;;;", "Bis;QPV;Lyon;69;6912;;;;"]
    ).encode("utf-8")
    registration = _stash(content, wave, national)
    result = imports.plan(registration.rows, wave)
    assert [e[1:] for e in result.errors] == [
        (
            "Code INSEE",
            "Code INSEE « 6912 » mal formé. " + Site._meta.get_field("commune_codes").validators[0].message,
        )
    ]
    ok = _stash("\n".join(content.decode().splitlines()[:2]).encode(), wave, national)
    imports.commit(ok, national)
    assert Site.objects.get(name="Les Buers").commune_codes == "69266,69256"
