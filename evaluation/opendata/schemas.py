"""The Table Schemas (frictionless specification) of the open-data files, and the package that lists them.

Each resource is published as CSV and as JSON (an array of objects, one per row, keyed by field name); both
follow the same schema. Field names are French, in snake case, stable: reusers build on them.
"""

from __future__ import annotations

from collectives.enums import ContinuumLevel
from sites.enums import SiteKind, SiteStatus

LICENCE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte / Open Licence version 2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}
PUBLISHER = "Agence nationale de la cohésion des territoires (ANCT)"
INSEE_CODE = r"(\d{5}|2[AB]\d{3})"


def _field(name, type_, title, description, **constraints) -> dict:
    field = {"name": name, "type": type_, "title": title, "description": description}
    if constraints:
        field["constraints"] = constraints
    return field


def _count(name, title, description) -> dict:
    return _field(name, "integer", title, description, required=True, minimum=0)


def _hours(name, title, description) -> dict:
    return _field(name, "number", title, f"{description} En heures, point décimal.", required=True, minimum=0)


STATUS_COLUMNS = {
    SiteStatus.INTERESTED: "sites_interesses",
    SiteStatus.REGISTERING: "sites_en_inscription",
    SiteStatus.IN_TRAINING: "sites_en_formation",
    SiteStatus.ACTIVE: "sites_actifs",
    SiteStatus.PAUSED: "sites_en_pause",
    SiteStatus.WITHDRAWN: "sites_retires",
}
CONTINUUM_COLUMNS = {level.value: f"continuum_{level.value}" for level in ContinuumLevel}


def _codes(choices) -> str:
    return " ; ".join(f"« {value} » : {label}" for value, label in choices)


SITES = {
    "fields": [
        _field(
            "identifiant",
            "string",
            "Identifiant du site",
            "Identifiant stable du site dans le registre du programme.",
            required=True,
            unique=True,
            pattern=r"[a-z0-9-]+",
        ),
        _field("nom", "string", "Nom du site", "Nom du quartier ou du dispositif.", required=True),
        _field(
            "type",
            "string",
            "Type de site",
            f"Code du type de site. {_codes(SiteKind.choices)}.",
            required=True,
            enum=list(SiteKind.values),
        ),
        _field("type_libelle", "string", "Type de site (libellé)", "Libellé du type de site.", required=True),
        _field(
            "code_qpv",
            "string",
            "Code QPV",
            "Code du quartier prioritaire de la politique de la ville ; vide s’il n’est pas connu ou pour "
            "une cité éducative ou de l’emploi sans QPV unique.",
            pattern=r"Q[NP]\d{3}[0-9A-Z]{3,4}",
        ),
        _field(
            "communes",
            "string",
            "Communes",
            "Nom de la ou des communes du site, séparés par « ; ».",
            required=True,
        ),
        _field(
            "codes_insee_communes",
            "string",
            "Codes INSEE des communes",
            "Codes officiels géographiques (INSEE) des communes, séparés par « ; », dans l’ordre de la "
            "colonne « communes » ; vide tant qu’ils ne sont pas renseignés au registre.",
            pattern=rf"{INSEE_CODE}(;{INSEE_CODE})*",
        ),
        _field(
            "departement_code",
            "string",
            "Code du département",
            "Code INSEE du département.",
            required=True,
            pattern=r"(\d{2}|2[AB]|97\d)",
        ),
        _field("departement_nom", "string", "Département", "Nom du département.", required=True),
        _field(
            "region_code",
            "string",
            "Code de la région",
            "Code INSEE de la région.",
            required=True,
            pattern=r"\d{2}",
        ),
        _field("region_nom", "string", "Région", "Nom de la région.", required=True),
        _field(
            "vague_numero",
            "integer",
            "Numéro de la vague",
            "Vague (cohorte de sites formés ensemble) à laquelle le site appartient.",
            required=True,
            minimum=1,
        ),
        _field("vague_nom", "string", "Vague", "Nom de la vague.", required=True),
        _field(
            "statut",
            "string",
            "Statut",
            f"Code du statut du site dans le programme. {_codes(SiteStatus.choices)}.",
            required=True,
            enum=list(SiteStatus.values),
        ),
        _field("statut_libelle", "string", "Statut (libellé)", "Libellé du statut.", required=True),
        _field(
            "statut_depuis",
            "date",
            "Statut depuis le",
            "Date (AAAA-MM-JJ, heure de Paris) à laquelle le site a pris son statut actuel.",
            required=True,
        ),
    ],
    "primaryKey": ["identifiant"],
}

STATUS_HISTORY = {
    "fields": [
        _field(
            "site",
            "string",
            "Identifiant du site",
            "Identifiant du site (colonne « identifiant » du fichier des sites).",
            required=True,
        ),
        _field(
            "date",
            "date",
            "Date du changement",
            "Date (AAAA-MM-JJ, heure de Paris) du changement de statut.",
            required=True,
        ),
        _field(
            "ancien_statut",
            "string",
            "Ancien statut",
            "Code du statut quitté ; vide pour l’entrée du site au registre.",
            enum=list(SiteStatus.values),
        ),
        _field(
            "nouveau_statut",
            "string",
            "Nouveau statut",
            f"Code du statut pris. {_codes(SiteStatus.choices)}.",
            required=True,
            enum=list(SiteStatus.values),
        ),
    ],
}

PROGRESS = {
    "fields": [
        _field(
            "regroupement",
            "string",
            "Regroupement",
            "« national » : tous les sites ; « vague » : les sites d’une vague ; « region » : les sites "
            "d’une région.",
            required=True,
            enum=["national", "vague", "region"],
        ),
        _field(
            "code",
            "string",
            "Code",
            "« FR » pour l’ensemble, le numéro de la vague, ou le code INSEE de la région.",
            required=True,
        ),
        _field("libelle", "string", "Libellé", "Nom de la vague ou de la région.", required=True),
        _count("sites", "Sites", "Nombre de sites du regroupement."),
        *(
            _count(
                column, f"Sites « {status.label.lower()} »", f"Nombre de sites au statut « {status.label} »."
            )
            for status, column in STATUS_COLUMNS.items()
        ),
        _count(
            "trinomes_complets", "Trinômes complets", "Sites dont les trois sièges du trinôme sont pourvus."
        ),
        _count("visions_adoptees", "Visions adoptées", "Sites dont le trinôme a adopté une vision."),
        _count(
            "strategies_adoptees",
            "Stratégies de changement adoptées",
            "Sites dont le trinôme a adopté une stratégie de changement.",
        ),
        _count(
            "ententes_en_vigueur",
            "Ententes signées en vigueur",
            "Sites dont une entente de coopération signée est en vigueur.",
        ),
        *(
            _count(
                CONTINUUM_COLUMNS[level.value],
                f"Continuum : {level.label.lower()}",
                f"Sites dont la dernière position sur le continuum de la coopération est « {level.label} » "
                f"(niveau {level.value} sur 7).",
            )
            for level in ContinuumLevel
        ),
        _count(
            "continuum_non_renseigne",
            "Continuum non renseigné",
            "Sites sans position sur le continuum de la coopération.",
        ),
        _hours(
            "heures_accompagnement_budget",
            "Heures d’accompagnement prévues au budget",
            "Budget d’accompagnement des sites (celui du site, ou celui de sa vague).",
        ),
        _hours(
            "heures_accompagnement_realisees",
            "Heures d’accompagnement réalisées",
            "Durée des séances d’accompagnement de site déjà tenues (non annulées).",
        ),
        _hours(
            "heures_accompagnement_planifiees",
            "Heures d’accompagnement planifiées",
            "Durée des séances d’accompagnement de site à venir (non annulées).",
        ),
    ],
    "primaryKey": ["regroupement", "code"],
}

# (resource name, file stem, title, description, schema)
RESOURCES = (
    (
        "sites",
        "sites",
        "Registre des sites",
        "Les sites du programme : type, code QPV, communes et leurs codes INSEE, département, région, vague, "
        "statut et date du statut.",
        SITES,
    ),
    (
        "historique-statuts",
        "historique-statuts",
        "Historique des statuts",
        "Chaque changement de statut d’un site du registre, daté (sans motif ni auteur).",
        STATUS_HISTORY,
    ),
    (
        "avancement",
        "avancement",
        "Avancement agrégé par vague et par région",
        "Comptes agrégés, non personnels : sites par statut, trinômes complets, visions et stratégies "
        "adoptées, ententes en vigueur, répartition sur le continuum de la coopération, heures "
        "d’accompagnement.",
        PROGRESS,
    ),
)


def package(created: str, files: dict[str, int]) -> dict:
    """The `datapackage.json` of a release: `files` gives each data file's size in bytes, by file name."""
    resources = []
    for name, stem, title, description, _schema in RESOURCES:
        for fmt, media_type in (("csv", "text/csv"), ("json", "application/json")):
            path = f"{stem}.{fmt}"
            resource = {
                "name": name if fmt == "csv" else f"{name}-json",
                "path": path,
                "title": f"{title} ({fmt.upper()})",
                "description": description,
                "format": fmt,
                "mediatype": media_type,
                "encoding": "utf-8",
                "bytes": files[path],
                "schema": f"schema-{stem}.json",
                "licenses": [LICENCE],
            }
            if fmt == "csv":
                resource["dialect"] = {"delimiter": ",", "quoteChar": '"', "header": True}
            resources.append(resource)
    return {
        "name": "quartiers-impact-collectif",
        "title": "Programme « Quartiers à impact collectif » : registre des sites et avancement",
        "description": (
            "Données ouvertes du programme « Quartiers à impact collectif » de l’ANCT : le registre public "
            "des sites et l’avancement agrégé par vague et par région. Aucune donnée personnelle. Fichiers "
            "régénérés chaque nuit ; la date des données est celle du champ « created »."
        ),
        "created": created,
        "version": created[:10],
        "licenses": [LICENCE],
        "contributors": [{"title": PUBLISHER, "role": "publisher"}],
        "keywords": ["politique de la ville", "quartiers prioritaires", "impact collectif", "ANCT"],
        "resources": resources,
    }


def schema(resource: dict, title: str, description: str) -> dict:
    """A resource's Table Schema, with its French title and description."""
    return {
        "title": title,
        "description": description,
        "missingValues": [""],
        **resource,
    }
