"""Open data (issue 19): the files and their Table Schemas, nothing personal nor unpublished, the public page,
the nightly task and its schedule, a constant number of queries."""

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from collectives.enums import AgreementStatus, SessionKind
from evaluation.models import OpenDataRelease, SelfAssessment
from evaluation.opendata import services, tasks
from sites.enums import SiteStatus
from sites.models import SiteProgress
from sites.services import change_status
from tests.collectives.factories import agreement_for
from tests.sessions.factories import at, make_session
from tests.sites.factories import SiteFactory, department

GIVEN_NAME, EMAIL = "Philomène-Marqueur", "philomene.marqueur@exemple.fr"
MARKERS = (
    GIVEN_NAME,
    EMAIL,
    "VISION-MARQUEUR",
    "SESSION-PRIVEE-MARQUEUR",
    "MOTIF-MARQUEUR",
    "personne@exemple.fr",
)


@pytest.fixture
def programme(world):
    """The world's two sites with facts of each family, and personal or unpublished data as markers."""
    from vision import services as vision

    site_a, site_b = world.site_a, world.site_b
    site_a.commune_codes = "42218"
    site_a.save()
    world.seat_holder_a.first_name, world.seat_holder_a.email = GIVEN_NAME, EMAIL
    world.seat_holder_a.save()
    # The vision of an unpublished site, a session's title, a status change's reason: never published.
    vision.save_statement(
        site_a, world.seat_holder_a, expected_version=1, statement="VISION-MARQUEUR", horizon_year=2045
    )
    change_status(site_b, SiteStatus.REGISTERING, by=world.national, reason="MOTIF-MARQUEUR")
    make_session(
        [site_a], kind=SessionKind.SITE_COACHING, title="SESSION-PRIVEE-MARQUEUR", starts_at=at(-3), hours=2
    )
    make_session([site_a], kind=SessionKind.SITE_COACHING, starts_at=at(5), hours=1)
    SelfAssessment.objects.create(site=site_a, continuum_level=4)
    agreement = agreement_for(site_b, status=AgreementStatus.IN_FORCE)
    agreement.in_force_since = timezone.localdate()
    agreement.save()
    # The vision's adoption by the three seats is another module's work: its stored fact is what is read.
    SiteProgress.objects.filter(site=site_a).update(vision_adopted_at=timezone.now())
    return world


def _files(release) -> dict[str, bytes]:
    return {item["name"]: default_storage.open(item["path"]).read() for item in release.files}


def _rows(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def test_files_validate_against_their_table_schemas(programme):
    from frictionless import Package

    release = services.generate()
    folder = Path(default_storage.path(release.folder))
    report = Package(str(folder / "datapackage.json")).validate()
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])
    assert len(report.tasks) == 6  # three resources, each as CSV and as JSON
    # The schemas hold: a status outside the list, a malformed INSEE code or date would be caught.
    sites = (folder / "sites.csv").read_text()
    (folder / "sites.csv").write_text(sites.replace(",42218,", ",4221,").replace(",active,", ",en-veille,"))
    errors = Package(str(folder / "datapackage.json")).validate().flatten(["fieldName", "type"])
    assert ["codes_insee_communes", "constraint-error"] in errors and ["statut", "constraint-error"] in errors
    package = json.loads((folder / "datapackage.json").read_text())
    assert package["licenses"][0]["name"] == "etalab-2.0"
    assert package["created"][:10] == timezone.localdate().isoformat()


def test_the_registry_and_the_aggregates_hold_the_facts(programme):
    files = _files(services.generate())
    sites = {row["identifiant"]: row for row in _rows(files["sites.csv"])}
    a = sites["quartier-a"]
    assert (a["codes_insee_communes"], a["departement_code"], a["region_code"]) == ("42218", "42", "84")
    assert sites["quartier-b"]["statut"] == SiteStatus.REGISTERING
    history = [row for row in _rows(files["historique-statuts.csv"]) if row["site"] == "quartier-b"]
    assert history[-1]["nouveau_statut"] == SiteStatus.REGISTERING
    assert set(history[-1]) == {"site", "date", "ancien_statut", "nouveau_statut"}  # no reason, no author
    progress = {(row["regroupement"], row["code"]): row for row in json.loads(files["avancement.json"])}
    national = progress[("national", "FR")]
    assert (national["sites"], national["visions_adoptees"], national["ententes_en_vigueur"]) == (2, 1, 1)
    assert (national["continuum_4"], national["continuum_non_renseigne"]) == (1, 1)
    assert (national["heures_accompagnement_realisees"], national["heures_accompagnement_planifiees"]) == (
        2,
        1,
    )
    assert progress[("region", "84")]["visions_adoptees"] == 1
    assert progress[("region", "32")]["ententes_en_vigueur"] == 1
    # Machine data: a decimal point, commas between columns.
    assert b"heures_accompagnement_budget,heures_accompagnement_realisees" in files["avancement.csv"]
    assert b",2.0," in files["avancement.csv"]


def test_nothing_personal_nor_unpublished_in_the_files_or_on_the_page(programme, client):
    release = services.generate()
    texts = {name: content.decode("utf-8") for name, content in _files(release).items()}
    texts["page"] = client.get(reverse("opendata:index")).content.decode()
    for name in ("sites.csv", "sites.json", "datapackage.json", "schema-sites.json"):
        texts[f"GET {name}"] = b"".join(
            client.get(reverse("opendata:file", args=[name])).streaming_content
        ).decode()
    found = [(marker, name) for name, text in texts.items() for marker in MARKERS if marker in text]
    assert not found
    assert (
        "Quartier A" in texts["sites.csv"] and "Quartier A" in texts["GET sites.csv"]
    )  # the files were read


def test_the_page_before_any_generation_says_so_and_offers_national_staff_to_generate(world, client):
    page = client.get(reverse("opendata:index")).content.decode()
    assert "n’ont pas encore été générés" in page and "Générer les fichiers maintenant" not in page
    assert client.get(reverse("opendata:file", args=["sites.csv"])).status_code == 404
    assert client.post(reverse("opendata:index")).status_code == 403
    world.login(client, world.facilitator_a)
    assert client.post(reverse("opendata:index")).status_code == 403
    assert not OpenDataRelease.objects.exists()
    world.login(client, world.national)
    assert "Générer les fichiers maintenant" in client.get(reverse("opendata:index")).content.decode()


def test_national_staff_generate_now_through_the_queue(world, client, django_capture_on_commit_callbacks):
    world.login(client, world.national)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("opendata:index"), follow=True)
    assert "La génération des fichiers est demandée" in response.content.decode()
    assert OpenDataRelease.objects.count() == 1
    page = client.get(reverse("opendata:index")).content.decode()
    assert "Données arrêtées le" in page and "Licence Ouverte" in page and "point décimal" in page


def test_the_page_lists_each_file_with_its_size_format_and_schema(
    programme, client, django_assert_max_num_queries
):
    release = services.generate()
    with django_assert_max_num_queries(2):  # the latest release, and the session of the visitor
        page = client.get(reverse("opendata:index")).content.decode()
    for item in release.files:
        assert reverse("opendata:file", args=[item["name"]]) in page
    assert "Ensemble du programme" in page and "Auvergne-Rhône-Alpes" in page
    assert "Licence Ouverte / Open Licence version 2.0" in page
    # The map of the published sites, as of the release: a site added since is not on it until the next one.
    a, b = programme.site_a.department, programme.site_b.department
    assert f'id="carte-donnees-ouvertes-{a.code}"' in page
    assert f"{a.name} ({a.code})</th>" in page and f"{b.name} ({b.code})</th>" in page
    assert "Paris (75)</th>" not in page
    SiteFactory(department=department("75"), wave=programme.site_a.wave)
    assert "Paris (75)</th>" not in client.get(reverse("opendata:index")).content.decode()
    services.generate()
    assert "Paris (75)</th>" in client.get(reverse("opendata:index")).content.decode()


@pytest.mark.parametrize(
    ("name", "content_type", "disposition"),
    [
        ("sites.csv", "text/csv; charset=utf-8", "attachment"),
        ("avancement.json", "application/json", "attachment"),
        ("schema-sites.json", "application/schema+json", "inline"),
        ("datapackage.json", "application/json", "inline"),
    ],
)
def test_files_are_served_with_their_type_and_disposition(programme, client, name, content_type, disposition):
    services.generate()
    response = client.get(reverse("opendata:file", args=[name]))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith(disposition) and name in response["Content-Disposition"]
    assert (
        client.get(reverse("opendata:file", args=["settings.py"])).status_code == 404
    )  # only published files


def test_generation_keeps_the_last_two_sets_and_a_failure_keeps_the_published_one(world, monkeypatch):
    first = services.generate()
    second = services.generate()
    third = services.generate()
    services.prune()
    assert list(OpenDataRelease.objects.values_list("pk", flat=True)) == [third.pk, second.pk]
    assert not default_storage.exists(first.file("sites.csv")["path"])

    # While a new set is being written, readers are given the published one; a failure midway publishes
    # nothing and removes what it had written.
    seen, save = [], default_storage.save

    def save_then_fail(name, content, **kwargs):
        seen.append(services.latest())
        path = save(name, content, **kwargs)
        seen_paths.append(path)
        if len(seen) == 4:
            raise OSError("disque plein")
        return path

    seen_paths = []
    monkeypatch.setattr(default_storage, "save", save_then_fail)
    with pytest.raises(OSError):
        tasks.generate_open_data()
    assert seen == [third] * 4
    assert services.latest() == third and default_storage.exists(third.file("sites.csv")["path"])
    assert not any(default_storage.exists(path) for path in seen_paths)


def test_generation_reads_a_fixed_number_of_queries_whatever_the_number_of_sites(world):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            services.generate()
        return len(queries)

    few = count()
    for _ in range(8):
        SiteFactory()
    assert count() == few


def test_the_task_is_scheduled_every_night(db):
    task = PeriodicTask.objects.get(task=tasks.TASK)  # created by the data migration
    assert task.enabled and (task.crontab.hour, task.crontab.minute) == ("3", "30")
    assert str(task.crontab.timezone) == "Europe/Paris" and not task.args.strip("[]")  # takes no arguments
