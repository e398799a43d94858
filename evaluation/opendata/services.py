"""Generating the open-data files: read the registry and the progress read model in a fixed number of queries,
write a complete new set of files to storage, then publish it (one row), keeping the previous set.

Nothing personal leaves here: the registry's public facts (names, places, wave, status and its dates, never a
status change's reason nor who made it) and counts by wave and region read from the sites' progress facts
(`sites.SiteProgress`, kept true by the apps that own them). The coaching hours held so far are summed from
the sessions (their split between held and planned depends on the hour, so the read model stores only the
total booked); the planned ones are the booked total less the held ones.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import secrets
from collections import Counter
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Case, Count, DecimalField, F, IntegerField, Sum, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from collectives.enums import TRINOME_SEATS
from collectives.services.coaching import held_minutes_grouped
from sites.enums import SiteKind, SiteStatus
from sites.models import Region, Site, SiteStatusChange, Wave

from . import schemas
from .models import OpenDataRelease

logger = logging.getLogger(__name__)

FOLDER = "opendata"
KEEP = 2  # the current set and the one before (a download that started on it can finish)
SCHEMA_MEDIA_TYPE = "application/schema+json"
NATIONAL_CODE = "FR"


# --- Reading ---------------------------------------------------------------------------------------------


def _local_date(moment) -> str:
    return timezone.localtime(moment).date().isoformat()


def _list(value: str) -> str:
    """ "A, B" (as the registry stores communes and their codes) → "A;B"."""
    return ";".join(part.strip() for part in value.split(",") if part.strip())


def site_rows() -> list[dict]:
    """The registry's public facts of every site (one query)."""
    kinds, statuses = dict(SiteKind.choices), dict(SiteStatus.choices)
    rows = (
        Site.objects.order_by("slug")
        .values_list(
            "slug",
            "name",
            "kind",
            "qpv_code",
            "communes",
            "commune_codes",
            "department__code",
            "department__name",
            "department__region__code",
            "department__region__name",
            "wave__number",
            "wave__name",
            "status",
            "status_changed_at",
        )
        .iterator(chunk_size=2000)
    )
    return [
        {
            "identifiant": slug,
            "nom": name,
            "type": kind,
            "type_libelle": kinds.get(kind, kind),
            "code_qpv": qpv or None,
            "communes": _list(communes),
            "codes_insee_communes": _list(codes) or None,
            "departement_code": dep_code,
            "departement_nom": dep_name,
            "region_code": region_code,
            "region_nom": region_name,
            "vague_numero": wave_number,
            "vague_nom": wave_name,
            "statut": status,
            "statut_libelle": statuses.get(status, status),
            "statut_depuis": _local_date(since),
        }
        for (
            slug,
            name,
            kind,
            qpv,
            communes,
            codes,
            dep_code,
            dep_name,
            region_code,
            region_name,
            wave_number,
            wave_name,
            status,
            since,
        ) in rows
    ]


def status_history_rows() -> list[dict]:
    """Every dated status change of the registry, without its reason nor its author (one query)."""
    rows = (
        SiteStatusChange.objects.order_by("site__slug", "changed_at", "id")
        .values_list("site__slug", "changed_at", "from_status", "to_status")
        .iterator(chunk_size=2000)
    )
    return [
        {"site": slug, "date": _local_date(at), "ancien_statut": old or None, "nouveau_statut": new}
        for slug, at, old, new in rows
    ]


def _hours(minutes: int) -> float:
    return float((Decimal(minutes) / 60).quantize(Decimal("0.1")))


def _empty(group: str, code: str, label: str) -> dict:
    row = {"regroupement": group, "code": code, "libelle": label, "sites": 0}
    row.update(dict.fromkeys(schemas.STATUS_COLUMNS.values(), 0))
    row.update(
        trinomes_complets=0,
        visions_adoptees=0,
        strategies_adoptees=0,
        ententes_en_vigueur=0,
        budget=Decimal(0),
    )
    row.update(dict.fromkeys(schemas.CONTINUUM_COLUMNS.values(), 0))
    row.update(continuum_non_renseigne=0, booked=0, held=0)
    return row


def progress_rows(now=None) -> list[dict]:
    """Counts by wave and by region, and for the whole programme, from the sites' progress facts: one grouped
    query on the read model, one on the coaching sessions held, and the waves and regions (four queries)."""
    complete = Case(When(progress__seats_filled__gte=len(TRINOME_SEATS), then=1), default=0)
    budget = Coalesce(
        "coaching_hours_budget", F("wave__coaching_hours_per_site"), output_field=DecimalField()
    )
    grouped = (
        Site.objects.order_by()
        .values_list("wave_id", "department__region_id", "status", "progress__continuum_level")
        .annotate(
            n=Count("pk"),
            complete=Sum(complete, output_field=IntegerField()),
            visions=Count("progress__vision_adopted_at"),
            strategies=Count("progress__strategy_adopted_at"),
            agreements=Count("progress__agreement_in_force_since"),
            booked=Sum("progress__coaching_booked_minutes"),
            budget=Sum(budget),
        )
    )
    held = held_minutes_grouped("wave_id", "department__region_id", now=now)
    waves = list(Wave.objects.order_by("number").values_list("pk", "number", "name"))
    regions = list(Region.objects.order_by("code").values_list("pk", "code", "name"))

    national = _empty("national", NATIONAL_CODE, "Ensemble du programme")
    by_wave = {pk: _empty("vague", str(number), name) for pk, number, name in waves}
    by_region = {pk: _empty("region", code, name) for pk, code, name in regions}
    for (
        wave_id,
        region_id,
        status,
        level,
        n,
        n_complete,
        visions,
        strategies,
        agreements,
        booked,
        hours,
    ) in grouped:
        for row in (national, by_wave[wave_id], by_region[region_id]):
            row["sites"] += n
            row[schemas.STATUS_COLUMNS[status]] += n
            row["trinomes_complets"] += n_complete or 0
            row["visions_adoptees"] += visions
            row["strategies_adoptees"] += strategies
            row["ententes_en_vigueur"] += agreements
            row["booked"] += booked or 0
            row["budget"] += hours or 0
            if level in schemas.CONTINUUM_COLUMNS:
                row[schemas.CONTINUUM_COLUMNS[level]] += n
            else:
                row["continuum_non_renseigne"] += n
    for wave_id, region_id, minutes in held:
        for row in (national, by_wave[wave_id], by_region[region_id]):
            row["held"] += minutes or 0
    result = []
    for row in (national, *by_wave.values(), *by_region.values()):
        booked, held_minutes, budget_hours = row.pop("booked"), row.pop("held"), row.pop("budget")
        row["heures_accompagnement_budget"] = float(Decimal(budget_hours).quantize(Decimal("0.1")))
        row["heures_accompagnement_realisees"] = _hours(held_minutes)
        row["heures_accompagnement_planifiees"] = _hours(max(0, booked - held_minutes))
        result.append(row)
    return result


# --- Writing -----------------------------------------------------------------------------------------------


def _csv(rows: list[dict], schema: dict) -> bytes:
    names = [field["name"] for field in schema["fields"]]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(names)
    for row in rows:
        writer.writerow(["" if row[name] is None else row[name] for name in names])
    return buffer.getvalue().encode("utf-8")


def _json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")


def map_rows(sites: list[dict]) -> list[list]:
    """The published sites by department, status and wave, as `sites.geography.site_map` reads them: the
    page's map is drawn from the release (the same sites as its files, on the same date), not from today's
    registry."""
    counts = Counter((row["departement_code"], row["statut"], row["vague_numero"]) for row in sites)
    return [[code, status, wave, n] for (code, status, wave), n in sorted(counts.items())]


def render(now) -> tuple[list[dict], dict[str, bytes], list[dict], int, list[list]]:
    """Every file of a release, in memory: their descriptions (in the page's order) and contents by name, the
    progress rows, the number of sites and their counts by department (`map_rows`)."""
    tables = {
        "sites": site_rows(),
        "historique-statuts": status_history_rows(),
        "avancement": progress_rows(now),
    }
    files: list[dict] = []
    contents: dict[str, bytes] = {}

    def add(name: str, content: bytes, kind: str, fmt: str, media_type: str, title: str, resource: str = ""):
        contents[name] = content
        files.append(
            {
                "name": name,
                "kind": kind,
                "resource": resource,
                "format": fmt,
                "media_type": media_type,
                "bytes": len(content),
                "title": title,
            }
        )

    for name, stem, title, description, resource in schemas.RESOURCES:
        fields = [field["name"] for field in resource["fields"]]
        rows = tables[name]
        add(f"{stem}.csv", _csv(rows, resource), "data", "CSV", "text/csv; charset=utf-8", title, stem)
        data = _json([{key: row[key] for key in fields} for row in rows])
        add(f"{stem}.json", data, "data", "JSON", "application/json", title, stem)
        schema = _json(schemas.schema(resource, title, description))
        add(f"schema-{stem}.json", schema, "schema", "JSON", SCHEMA_MEDIA_TYPE, f"Schéma : {title}", stem)
    created = timezone.localtime(now).isoformat(timespec="seconds")
    package = _json(schemas.package(created, {name: len(content) for name, content in contents.items()}))
    add("datapackage.json", package, "package", "JSON", "application/json", "Description du jeu de données")
    return files, contents, tables["avancement"], len(tables["sites"]), map_rows(tables["sites"])


def generate(now=None) -> OpenDataRelease:
    """Write a new complete set of files and publish it. Idempotent: another run writes the same data as of
    its own moment. A failure leaves the published set as it was (and removes what it had written)."""
    now = now or timezone.now()
    files, contents, progress, site_count, departments = render(now)
    folder = f"{FOLDER}/{timezone.localtime(now):%Y%m%d-%H%M%S}-{secrets.token_hex(4)}"
    try:
        for item in files:
            item["path"] = default_storage.save(
                f"{folder}/{item['name']}", ContentFile(contents[item["name"]])
            )
        release = OpenDataRelease.objects.create(
            generated_at=now,
            folder=folder,
            files=files,
            summary=progress,
            site_count=site_count,
            departments=departments,
        )
    except Exception:
        remove_folder(folder)
        raise
    transaction.on_commit(prune)
    return release


def remove_folder(folder: str) -> None:
    """Delete a release's folder and whatever is in it (a generation that failed midway included)."""
    try:
        _dirs, names = default_storage.listdir(folder)
        for name in names:
            default_storage.delete(f"{folder}/{name}")
        os.rmdir(default_storage.path(folder))
    except FileNotFoundError:
        pass
    except (NotImplementedError, OSError) as error:  # a storage without folders, a file another process holds
        logger.warning("Open data: %s not entirely removed (%s)", folder, error)


def prune(keep: int = KEEP) -> int:
    """Remove the releases older than the last `keep` ones, with their files."""
    old = list(OpenDataRelease.objects.order_by("-generated_at", "-id").only("folder")[keep:])
    OpenDataRelease.objects.filter(pk__in=[release.pk for release in old]).delete()
    for release in old:
        remove_folder(release.folder)
    return len(old)


def latest() -> OpenDataRelease | None:
    """The published set of files, or None before the first generation (one query)."""
    return OpenDataRelease.objects.order_by("-generated_at", "-id").first()


def page_rows(release: OpenDataRelease) -> list[dict]:
    """The summary table of the page: the whole programme, each wave, each region that has sites (by name)."""
    rows = [
        {**row, "continuum_places": row["sites"] - row["continuum_non_renseigne"]}
        for row in release.summary
        if row["regroupement"] != "region" or row["sites"]
    ]
    regions = sorted((row for row in rows if row["regroupement"] == "region"), key=lambda row: row["libelle"])
    return [row for row in rows if row["regroupement"] != "region"] + regions  # regions by name for people
