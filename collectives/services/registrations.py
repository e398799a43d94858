"""Import of a wave's registrations (CSV or XLSX): read, check against the registry, commit atomically.

It lives with the collectives because it creates their memberships and invitations (and the registry's sites).

One line per trinôme contact (a site with three contacts takes three lines; a site without contact yet, one
line with the contact columns empty). `read_file` turns the upload into plain rows, `plan` checks them against
the database and says, line by line, what would be created and what is wrong (in French), `commit` writes it
all or nothing. Importing the same file again creates nothing: sites are found by QPV code, or by name within
their department; contacts by email; a seat already held by the same person is left as it is.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from qic import spreadsheets, tables
from qic.sanitize import clean_text
from qic.text import normalise
from sites import journal, progress
from sites.enums import EventKind, SiteKind, SiteStatus
from sites.models import (
    Department,
    RegistrationImport,
    Site,
    SiteStatusChange,
    Wave,
    commune_codes_validator,
    qpv_code_validator,
)
from sites.services import unique_site_slug

from ..enums import MemberRole, PlatformRole
from ..models import Membership, User
from . import identity, invitations

MAX_ROWS = 5000

# Column headers as people write them (compared without accents nor capitals) → field.
HEADERS = {
    "nom du site": "site", "site": "site", "quartier": "site",
    "type": "kind", "type de site": "kind",
    "commune": "communes", "communes": "communes", "commune(s)": "communes",
    "code insee": "commune_codes", "codes insee": "commune_codes", "code commune": "commune_codes",
    "code insee de la commune": "commune_codes", "codes insee des communes": "commune_codes",
    "departement": "department", "code departement": "department",
    "code qpv": "qpv_code", "qpv": "qpv_code",
    "prenom": "first_name", "prenom du contact": "first_name",
    "nom": "last_name", "nom du contact": "last_name",
    "courriel": "email", "email": "email", "e-mail": "email", "mail": "email",
    "adresse electronique": "email",
    "siege": "seat", "siege au trinome": "seat", "role": "seat",
    "organisation": "organisation", "structure": "organisation",
}  # fmt: skip
REQUIRED = {
    "site": "Nom du site",
    "kind": "Type",
    "communes": "Commune",
    "department": "Département",
    "first_name": "Prénom",
    "last_name": "Nom",
    "email": "Courriel",
    "seat": "Siège",
}
LABELS = {**REQUIRED, "qpv_code": "Code QPV", "commune_codes": "Code INSEE", "organisation": "Organisation"}
TEMPLATE_HEADERS = [
    "Nom du site", "Type", "Commune", "Département", "Code QPV", "Code INSEE",
    "Prénom", "Nom", "Courriel", "Siège", "Organisation",
]  # fmt: skip

KINDS = {
    "qpv": SiteKind.QPV, "quartier prioritaire": SiteKind.QPV, "quartier prioritaire (qpv)": SiteKind.QPV,
    "cite educative": SiteKind.CITE_EDUCATIVE, "cite de l'emploi": SiteKind.CITE_EMPLOI,
    "cite emploi": SiteKind.CITE_EMPLOI,
}  # fmt: skip
SEATS = {
    "delegue du prefet": MemberRole.PREFECT_DELEGATE, "deleguee du prefet": MemberRole.PREFECT_DELEGATE,
    "delegue·e du prefet": MemberRole.PREFECT_DELEGATE, "prefet": MemberRole.PREFECT_DELEGATE,
    "etat": MemberRole.PREFECT_DELEGATE,
    "collectivite": MemberRole.MUNICIPALITY, "ville": MemberRole.MUNICIPALITY,
    "commune": MemberRole.MUNICIPALITY,
    "societe civile": MemberRole.CIVIL_SOCIETY, "association": MemberRole.CIVIL_SOCIETY,
}  # fmt: skip
SEAT_HINT = "délégué·e du préfet, collectivité ou société civile"
KIND_HINT = "QPV, cité éducative ou cité de l’emploi"
# Text columns and the model field that stores them: a longer value is an error of its line, not a 500.
STORED_IN = {
    "site": Site._meta.get_field("name"),
    "communes": Site._meta.get_field("communes"),
    "commune_codes": Site._meta.get_field("commune_codes"),
    "first_name": User._meta.get_field("first_name"),
    "last_name": User._meta.get_field("last_name"),
    "email": User._meta.get_field("email"),
    "organisation": Membership._meta.get_field("organisation"),
}


INVITED = "invitation envoyée (adresse non vérifiée)"


class ImportRefused(Exception):
    """The file cannot be committed: it has errors (shown in the preview)."""


# --- Reading the file ---------------------------------------------------------------------------------------


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def read_file(content: bytes, filename: str) -> tuple[list[dict], list[str]]:
    """The rows of the file as dicts of plain strings (with their line number), and file-level errors."""
    try:
        table = tables.read_table(content, filename, tables.Limits(rows=MAX_ROWS))
    except tables.UnreadableTable as error:
        return [], [str(error)]
    if not table:
        return [], ["Le fichier est vide."]
    (_, header), body = table[0], table[1:]
    columns = [HEADERS.get(normalise(title)) for title in header]
    missing = [label for key, label in REQUIRED.items() if key not in columns]
    if missing:
        return [], [f"Colonne manquante : « {label} »." for label in missing]
    rows = []
    for line, values in body:
        row = {"line": line}
        for key, value in zip(columns, values, strict=False):
            if key and not row.get(key):
                row[key] = value
        rows.append({key: row.get(key, "") for key in ["line", *LABELS]})
    if not rows:
        return [], ["Le fichier ne contient aucune ligne après celle des titres."]
    return rows, []


# --- Checking the rows against the registry ---------------------------------------------------------------


@dataclass
class PlannedSite:
    key: tuple
    name: str
    kind: str
    communes: str
    department: Department
    qpv_code: str
    line: int
    commune_codes: str = ""
    existing: Site | None = None


@dataclass
class RowResult:
    row: dict
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, message)
    site: PlannedSite | None = None
    seat: str = ""
    email: str = ""
    actions: list[str] = field(default_factory=list)


@dataclass
class Plan:
    rows: list[RowResult]
    file_errors: list[str]
    sites: dict = field(default_factory=dict)

    @property
    def errors(self) -> list[tuple[int, str, str]]:
        return [(r.row["line"], column, message) for r in self.rows for column, message in r.errors]

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.errors and bool(self.rows)

    def counts(self) -> dict:
        contacts = [r for r in self.rows if r.seat and not r.errors]
        return {
            "lines": len(self.rows),
            "new_sites": sum(1 for s in self.sites.values() if s.existing is None),
            "known_sites": sum(1 for s in self.sites.values() if s.existing is not None),
            "new_seats": sum(1 for r in contacts if "siège attribué" in r.actions),
            "unchanged_seats": sum(1 for r in contacts if "déjà en place" in r.actions),
            "invited_seats": sum(1 for r in contacts if INVITED in r.actions),
            "errors": len(self.errors),
        }


def _department(value: str, by_code: dict, by_name: dict) -> Department | None:
    code = value.split("—")[0].split("-")[0].strip().upper() if value else ""
    if code.isdigit() and len(code) == 1:
        code = f"0{code}"
    return by_code.get(code) or by_name.get(normalise(value))


def plan(rows: list[dict], wave: Wave, file_errors: list[str] | None = None) -> Plan:
    result = Plan([RowResult(row) for row in rows], list(file_errors or []))
    departments = list(Department.objects.all())
    by_code = {d.code: d for d in departments}
    by_name = {normalise(d.name): d for d in departments}

    # Pass 1: each line on its own.
    for item in result.rows:
        row, errors = item.row, item.errors
        for key, model_field in STORED_IN.items():
            if len(row.get(key, "")) > model_field.max_length:
                errors.append(
                    (
                        LABELS[key],
                        f"Texte trop long : {model_field.max_length} caractères au maximum "
                        f"(celui-ci en compte {len(row.get(key, ''))}).",
                    )
                )
        if errors:
            continue
        name, communes = row["site"], row["communes"]
        if not name:
            errors.append(("Nom du site", "Nom du site manquant."))
        kind = KINDS.get(normalise(row["kind"]).replace("’", "'")) if row["kind"] else None
        if not row["kind"]:
            errors.append(("Type", f"Type manquant : {KIND_HINT}."))
        elif kind is None:
            errors.append(("Type", f"Type « {row['kind']} » inconnu : {KIND_HINT}."))
        if not communes:
            errors.append(("Commune", "Commune manquante."))
        department = _department(row["department"], by_code, by_name)
        if not row["department"]:
            errors.append(("Département", "Département manquant."))
        elif department is None:
            errors.append(("Département", f"Département « {row['department']} » inconnu."))
        qpv = row["qpv_code"].upper().replace(" ", "")
        if qpv:
            try:
                qpv_code_validator(qpv)
            except ValidationError as error:
                errors.append(("Code QPV", f"Code QPV « {row['qpv_code']} » mal formé. {error.messages[0]}"))
        codes = ",".join(
            code
            for code in row.get("commune_codes", "").upper().replace(";", ",").replace(" ", "").split(",")
            if code
        )
        if codes:
            try:
                commune_codes_validator(codes)
            except ValidationError as error:
                errors.append(
                    ("Code INSEE", f"Code INSEE « {row['commune_codes']} » mal formé. {error.messages[0]}")
                )
        has_contact = any(row[k] for k in ("first_name", "last_name", "email", "seat"))
        if has_contact:
            email = row["email"].lower()
            if not email:
                errors.append(("Courriel", "Courriel manquant."))
            else:
                try:
                    validate_email(email)
                    item.email = email
                except ValidationError:
                    errors.append(("Courriel", f"Courriel « {row['email']} » mal formé."))
            if not row["last_name"]:
                errors.append(("Nom", "Nom du contact manquant."))
            seat = SEATS.get(normalise(row["seat"]).replace("·", "")) or SEATS.get(normalise(row["seat"]))
            if not row["seat"]:
                errors.append(("Siège", f"Siège manquant : {SEAT_HINT}."))
            elif seat is None:
                errors.append(("Siège", f"Siège « {row['seat']} » inconnu : {SEAT_HINT}."))
            else:
                item.seat = seat.value
        if (
            name
            and kind
            and communes
            and department
            and not any(c in ("Code QPV", "Code INSEE") for c, _ in errors)
        ):
            key = ("qpv", qpv) if qpv else ("name", normalise(name), department.code)
            item.site = PlannedSite(key, name, kind.value, communes, department, qpv, row["line"], codes)

    # Pass 2: lines that describe the same site must agree; two sites may not share a name in a department.
    by_key, by_name_dept = {}, {}
    for item in result.rows:
        site = item.site
        if site is None:
            continue
        first = by_key.setdefault(site.key, site)
        if first is not site:
            if (first.name, first.kind, normalise(first.communes)) != (
                site.name,
                site.kind,
                normalise(site.communes),
            ):
                item.errors.append(
                    (
                        "Nom du site",
                        f"Site en double : la ligne {first.line} décrit « {first.name} » autrement.",
                    )
                )
            item.site = first
            continue
        name_key = (normalise(site.name), site.department.code)
        other = by_name_dept.setdefault(name_key, site)
        if other is not site:
            item.errors.append(
                (
                    "Code QPV",
                    f"Site en double : « {site.name} » figure déjà ligne {other.line} "
                    "avec un autre code QPV.",
                )
            )
    result.sites = dict(by_key)

    # Pass 3: against the registry (a few queries for the whole file).
    codes = [s.qpv_code for s in result.sites.values() if s.qpv_code]
    names = {(normalise(s.name), s.department.code) for s in result.sites.values()}
    existing_by_code = {s.qpv_code: s for s in Site.objects.filter(qpv_code__in=codes).select_related("wave")}
    existing_by_name = {
        (normalise(s.name), s.department.code): s
        for s in Site.objects.filter(department__code__in={code for _, code in names}).select_related(
            "wave", "department"
        )
    }
    for site in result.sites.values():
        site.existing = existing_by_code.get(site.qpv_code) if site.qpv_code else None
        site.existing = site.existing or existing_by_name.get((normalise(site.name), site.department.code))
    known = [s.existing.pk for s in result.sites.values() if s.existing]
    holders = {
        (m.site_id, m.role): m
        for m in Membership.objects.current().seats().filter(site__in=known).select_related("user")
    }
    members = {
        (m.site_id, m.user_id): m
        for m in Membership.objects.current().filter(site__in=known).select_related("user")
    }
    # An address designates an account only once that account verified it; an address some account merely
    # typed in gets an invitation (its owner proves it by the link), never the seat.
    emails = {item.email for item in result.rows if item.email}
    users = identity.verified_owners(emails)
    claimed = set(User.objects.filter(email__in=emails - set(users)).values_list("email", flat=True))

    seats_in_file, emails_in_file = {}, {}
    for item in result.rows:
        site = item.site
        if site is None:
            continue
        if site.existing is not None and site.existing.wave_id != wave.pk:
            item.errors.append(
                (
                    "Nom du site",
                    f"Site en double : « {site.existing.name} » est déjà inscrit "
                    f"dans la {site.existing.wave.name.lower()}.",
                )
            )
            continue
        if not item.seat or not item.email:
            continue
        seat_label = MemberRole(item.seat).label
        first_line = seats_in_file.setdefault((site.key, item.seat), (item.row["line"], item.email))
        if first_line[0] != item.row["line"] and first_line[1] != item.email:
            item.errors.append(
                (
                    "Siège",
                    f"Siège en double : « {seat_label} » de ce site est déjà attribué ligne {first_line[0]}.",
                )
            )
            continue
        other_line = emails_in_file.setdefault((site.key, item.email), item.row["line"])
        if other_line != item.row["line"]:
            item.errors.append(("Courriel", f"Contact en double : déjà ligne {other_line} pour ce site."))
            continue
        user = users.get(item.email)
        if user is not None and user.role != PlatformRole.MEMBER:
            item.errors.append(
                (
                    "Courriel",
                    f"Ce courriel est celui d’un compte « {user.get_role_display()} » : "
                    "il ne siège pas dans un trinôme.",
                )
            )
            continue
        if site.existing is not None:
            holder = holders.get((site.existing.pk, item.seat))
            if holder is not None and (user is None or holder.user_id != user.pk):
                item.errors.append(
                    (
                        "Siège",
                        f"Le siège « {seat_label} » est déjà occupé par {holder.user} : "
                        "la passation se fait depuis la page du site.",
                    )
                )
                continue
            if holder is not None:
                item.actions.append("déjà en place")
                continue
            membership = members.get((site.existing.pk, user.pk)) if user else None
            if membership is not None:
                item.errors.append(
                    (
                        "Courriel",
                        f"Déjà membre du collectif de ce site ({membership.get_role_display().lower()}).",
                    )
                )
                continue
        if user is None and item.email in claimed:
            item.actions.append(INVITED)
            continue
        item.actions.append("compte existant" if user else "nouveau compte")
        item.actions.append("siège attribué")
    return result


# --- Keeping the file between the preview and the confirmation --------------------------------------------


def stash(content: bytes, filename: str, wave: Wave, initial_status: str, by) -> RegistrationImport:
    """Read the file and keep its rows server-side; the same file uploaded again reuses its pending import."""
    file_digest = digest(content)
    pending = RegistrationImport.objects.filter(
        created_by=by, digest=file_digest, wave=wave, initial_status=initial_status, committed_at__isnull=True
    ).first()
    if pending is not None:
        return pending
    rows, file_errors = read_file(content, filename)
    return RegistrationImport.objects.create(
        digest=file_digest,
        filename=clean_text(filename, single_line=True)[:255],
        wave=wave,
        initial_status=initial_status,
        rows=rows,
        file_errors=file_errors,
        created_by=by,
    )


# --- Committing ---------------------------------------------------------------------------------------------


def commit(registration: RegistrationImport, by) -> dict:
    """Write the whole file or nothing; checked again at this moment, inside the transaction.

    The same import confirmed twice at once is written once (its row is locked; the second confirmation
    finds it committed). Imports of one wave wait for each other (the wave's row is locked); a collision with
    any other write at the same instant (a site name, an address taken meanwhile) refuses the whole file in
    French, nothing written.
    """
    try:
        # Each new site's progress facts are computed once, at the end (not after each seat, person, status).
        with transaction.atomic(), progress.deferred():
            return _commit(registration, by)
    except IntegrityError:
        raise ImportRefused(
            "Un autre enregistrement a créé les mêmes sites ou les mêmes personnes au même moment : "
            "rien n’a été importé. Rouvrez l’aperçu : il tient compte de ce qui existe désormais."
        ) from None


def _commit(registration: RegistrationImport, by) -> dict:
    locked = RegistrationImport.objects.select_for_update().get(pk=registration.pk)
    if locked.committed_at is not None:
        return locked.summary
    Wave.objects.select_for_update().filter(pk=locked.wave_id).first()
    result = plan(locked.rows, locked.wave, locked.file_errors)
    if not result.ok:
        raise ImportRefused("Le fichier comporte des erreurs : rien n’a été importé.")
    now = timezone.now()
    today = timezone.localdate()
    initial = SiteStatus(locked.initial_status)
    created_sites = {}
    for key, planned in result.sites.items():
        if planned.existing is not None:
            created_sites[key] = planned.existing
            continue
        site = Site.objects.create(
            name=planned.name,
            slug=unique_site_slug(planned.name),
            kind=planned.kind,
            communes=planned.communes,
            commune_codes=planned.commune_codes,
            department=planned.department,
            wave=locked.wave,
            qpv_code=planned.qpv_code,
            status=initial,
        )
        SiteStatusChange.objects.create(
            site=site,
            from_status="",
            to_status=initial,
            reason=f"Import « {locked.filename} »",
            changed_by=by,
        )
        journal.record(
            site,
            EventKind.STATUS_CHANGED,
            f"Inscription importée ({locked.filename}) : {initial.label}",
            actor=by,
            at=now,
        )
        created_sites[key] = site
    users = identity.verified_owners(r.email for r in result.rows if r.email)
    new_people = seats = invited = 0
    for item in result.rows:
        if INVITED in item.actions:
            _invite(created_sites[item.site.key], item, by)
            invited += 1
            continue
        if "siège attribué" not in item.actions:
            continue
        site = created_sites[item.site.key]
        user = users.get(item.email)
        if user is None:
            user = User(
                email=item.email,
                first_name=item.row["first_name"][:150],
                last_name=item.row["last_name"][:150],
                role=PlatformRole.MEMBER,
                organisation=item.row["organisation"][:200],
            )
            user.set_unusable_password()
            user.save()
            identity.record_verified(user)  # assigned by national staff; nobody has signed in to it
            users[item.email] = user
            new_people += 1
        Membership.objects.create(
            site=site,
            user=user,
            role=item.seat,
            started_on=today,
            organisation=item.row["organisation"][:200],
        )
        journal.record(
            site,
            EventKind.MEMBER_JOINED,
            f"{user} rejoint le trinôme : {MemberRole(item.seat).label}",
            actor=by,
            at=now,
        )
        seats += 1
    counts = result.counts()
    summary = {
        "new_sites": counts["new_sites"],
        "known_sites": counts["known_sites"],
        "new_people": new_people,
        "new_seats": seats,
        "unchanged_seats": counts["unchanged_seats"],
        **({"invited_seats": invited} if invited else {}),
    }
    locked.committed_at, locked.summary = now, summary
    locked.save(update_fields=["committed_at", "summary"])
    registration.committed_at, registration.summary = now, summary
    return summary


def _invite(site: Site, item: RowResult, by) -> None:
    """The seat of an address no account has verified: an invitation to that address, whose link proves it."""
    try:
        invitations.invite(
            site,
            email=item.email,
            role=item.seat,
            invited_by=by,
            first_name=item.row["first_name"][:150],
            last_name=item.row["last_name"][:150],
            organisation=item.row["organisation"][:200],
        )
    except invitations.InvitationError as error:
        raise ImportRefused(f"Ligne {item.row['line']} : {error.message} Rien n’a été importé.") from None


def template_csv() -> str:
    site = ["Marseille — Les Aygalades", "QPV", "Marseille", "13", "", "13215"]  # one value per header
    return spreadsheets.csv_text([TEMPLATE_HEADERS, *([*site, *contact] for contact in EXAMPLE_CONTACTS)])


EXAMPLE_CONTACTS = [
    ["Camille", "Martin", "camille.martin@exemple.gouv.fr", "Délégué·e du préfet", "Préfecture"],
    ["Karim", "Benali", "k.benali@exemple-ville.fr", "Collectivité", "Ville de Marseille"],
    ["Nadia", "Haddad", "contact@exemple-centre-social.fr", "Société civile", "Centre social des Aygalades"],
]
