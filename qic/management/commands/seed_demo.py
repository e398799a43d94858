"""Load the demonstration data: waves 1-4, the CRPVs, the sites of ../shared/domain.md and the demo accounts.

Idempotent: running it again updates what exists and creates what is missing.
"""

import datetime as dt
import json
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.text import slugify

from collectives import demo as collectives_demo
from collectives import demo_sessions
from collectives.enums import MemberRole, PlatformRole
from collectives.models import Membership, User
from collectives.services import identity
from evaluation import demo as evaluation_demo
from evaluation.reports import demo as reports_demo
from sites import journal
from sites.enums import EventKind, SiteStatus
from sites.geography import ensure_geography
from sites.models import Department, Region, ResourceCentre, Site, SiteStatusChange, Wave
from vision import demo as vision_demo

DEMO_PASSWORD = "qic-demo-2025"
DEMO_FILE = settings.BASE_DIR / "fixtures" / "demo.json"

FIRST_NAMES = [
    "Camille",
    "Karim",
    "Sophie",
    "Nadia",
    "Julien",
    "Fatou",
    "Thomas",
    "Inès",
    "Mehdi",
    "Claire",
    "Yanis",
    "Aurélie",
    "Moussa",
    "Élodie",
    "Samir",
    "Léa",
    "Bruno",
    "Amina",
    "Hugo",
    "Chantal",
    "Rachid",
    "Manon",
]
LAST_NAMES = [
    "Martin",
    "Benali",
    "Durand",
    "Haddad",
    "Morel",
    "Diallo",
    "Lefèvre",
    "Bernard",
    "Petit",
    "Rousseau",
    "Garnier",
    "Traoré",
    "Fontaine",
    "Chevalier",
    "Mercier",
    "Boyer",
    "Lambert",
    "Ndiaye",
    "Girard",
    "Roux",
]
SEAT_ORGS = {
    MemberRole.PREFECT_DELEGATE: "Préfecture — délégué·e du préfet",
    MemberRole.MUNICIPALITY: "Ville — service politique de la ville",
    MemberRole.CIVIL_SOCIETY: "Centre social du quartier",
}
# Seats deliberately left vacant, so that the demo shows what a vacancy looks like.
VACANT = {("koungou", MemberRole.PREFECT_DELEGATE), ("hazebrouck", MemberRole.CIVIL_SOCIETY)}

DEMO_ACCOUNTS = [
    ("national@demo.qic.fr", "Claire", "Lemoine", PlatformRole.NATIONAL, "ANCT — équipe nationale QIC"),
    ("comite@demo.qic.fr", "Bernard", "Roche", PlatformRole.STEERING, "Comité de pilotage national"),
    ("crpv@demo.qic.fr", "Amandine", "Roux", PlatformRole.FACILITATOR, "Labo Cités"),
    ("crpv-hdf@demo.qic.fr", "Olivier", "Dumont", PlatformRole.FACILITATOR, "IREV"),
    ("trinome@demo.qic.fr", "Nadia", "Haddad", PlatformRole.MEMBER, "Centre social de Montreynaud"),
    ("prefet.saint-etienne@demo.qic.fr", "Karim", "Benali", PlatformRole.MEMBER, "Préfecture de la Loire"),
    ("ville.saint-etienne@demo.qic.fr", "Sophie", "Durand", PlatformRole.MEMBER, "Ville de Saint-Étienne"),
    ("partenaire@demo.qic.fr", "Julien", "Morel", PlatformRole.MEMBER, "Mission locale Saint-Étienne"),
    ("ancien.delegue@demo.qic.fr", "Pascal", "Vidal", PlatformRole.MEMBER, "Préfecture de la Loire"),
]


class Command(BaseCommand):
    help = "Charge les données de démonstration (idempotent) et affiche les comptes de démonstration."

    def handle(self, *args, **options):
        with transaction.atomic():
            ensure_geography()
            self.password_hash = make_password(DEMO_PASSWORD)
            data = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
            waves = self._waves(data["waves"])
            centres = self._centres(data["resource_centres"])
            sites = self._sites(data["sites"], waves)
            self._accounts(centres, sites)
            self._trinomes(sites)
            collectives_demo.seed(self.stdout)
            vision_demo.seed()
            demo_sessions.seed(self.stdout)
            reports_demo.seed(self.stdout)
            evaluation_demo.seed(self.stdout)
        self._print_logins()

    def _waves(self, rows):
        Wave.objects.filter(is_current=True).update(is_current=False)
        waves = {}
        for row in rows:
            waves[row["number"]], _ = Wave.objects.update_or_create(
                number=row["number"],
                defaults={
                    "name": row["name"],
                    "starts_on": dt.date.fromisoformat(row["starts_on"]),
                    "ends_on": dt.date.fromisoformat(row["ends_on"]) if row["ends_on"] else None,
                    "training_starts_on": dt.date.fromisoformat(row["training_starts_on"]),
                    "coaching_hours_per_site": Decimal(row["coaching_hours_per_site"]),
                    "training_days": row["training_days"],
                    "is_current": row["is_current"],
                },
            )
        return waves

    def _centres(self, rows):
        regions = {r.code: r for r in Region.objects.all()}
        centres = {}
        for row in rows:
            centre, _ = ResourceCentre.objects.update_or_create(
                name=row["name"], defaults={"short_name": row["short_name"]}
            )
            centre.regions.set([regions[code] for code in row["regions"]])
            centres[row["short_name"]] = centre
        return centres

    def _sites(self, rows, waves):
        departments = {d.code: d for d in Department.objects.all()}
        sites = {}
        for row in rows:
            slug = slugify(row["name"])
            site, created = Site.objects.update_or_create(
                slug=slug,
                defaults={
                    "name": row["name"],
                    "kind": row["kind"],
                    "communes": row["communes"],
                    "department": departments[row["department"]],
                    "wave": waves[row["wave"]],
                },
            )
            if created:
                self._history(site, waves[row["wave"]], row["status"])
            sites[slug] = site
        return sites

    def _history(self, site, wave, target):
        """Dated status transitions and journal entries, as if the site had lived through its wave."""
        training = wave.training_starts_on or wave.starts_on
        dates = {
            SiteStatus.REGISTERING: wave.starts_on + dt.timedelta(days=30),
            SiteStatus.IN_TRAINING: training,
            SiteStatus.ACTIVE: training + dt.timedelta(days=180),
            SiteStatus.PAUSED: training + dt.timedelta(days=300),
            SiteStatus.WITHDRAWN: training + dt.timedelta(days=240),
        }
        path = [SiteStatus.INTERESTED, SiteStatus.REGISTERING, SiteStatus.IN_TRAINING, SiteStatus.ACTIVE]
        steps = path[: path.index(target) + 1] if target in path else [*path[:3], target]
        at = _aware(wave.starts_on)
        for previous, step in zip(steps, steps[1:], strict=False):
            at = _aware(dates[step])
            change = SiteStatusChange.objects.create(site=site, from_status=previous, to_status=step)
            SiteStatusChange.objects.filter(pk=change.pk).update(changed_at=at)
            label = f"Statut : {SiteStatus(previous).label} → {SiteStatus(step).label}"
            journal.record(site, EventKind.STATUS_CHANGED, label, at=at)
        Site.objects.filter(pk=site.pk).update(status=target, status_changed_at=at)

    def _user(self, email, first, last, role, organisation, centre=None):
        user, _ = User.objects.update_or_create(
            email=email,
            defaults={
                "first_name": first,
                "last_name": last,
                "role": role,
                "organisation": organisation,
                "resource_centre": centre,
                "is_active": True,
                "password": self.password_hash,
            },
        )
        identity.record_verified(user)  # demo accounts stand for invited people (ProConnect finds them)
        return user

    def _accounts(self, centres, sites):
        for email, first, last, role, organisation in DEMO_ACCOUNTS:
            centre = centres.get(organisation) if role == PlatformRole.FACILITATOR else None
            self._user(email, first, last, role, organisation, centre)
        st_etienne = sites["saint-etienne"]
        people = {u.email: u for u in User.objects.filter(email__endswith="@demo.qic.fr")}
        self._member(
            st_etienne,
            people["ancien.delegue@demo.qic.fr"],
            MemberRole.PREFECT_DELEGATE,
            dt.date(2022, 4, 1),
            ended_on=dt.date(2024, 8, 31),
        )
        self._member(
            st_etienne,
            people["prefet.saint-etienne@demo.qic.fr"],
            MemberRole.PREFECT_DELEGATE,
            dt.date(2024, 9, 1),
        )
        self._member(
            st_etienne,
            people["ville.saint-etienne@demo.qic.fr"],
            MemberRole.MUNICIPALITY,
            dt.date(2022, 4, 1),
        )
        self._member(st_etienne, people["trinome@demo.qic.fr"], MemberRole.CIVIL_SOCIETY, dt.date(2022, 4, 1))
        self._member(st_etienne, people["partenaire@demo.qic.fr"], MemberRole.PARTNER, dt.date(2023, 1, 15))

    def _member(self, site, user, role, started_on, ended_on=None):
        Membership.objects.get_or_create(
            site=site,
            user=user,
            role=role,
            started_on=started_on,
            defaults={"ended_on": ended_on, "organisation": user.organisation},
        )

    def _trinomes(self, sites):
        """Seat holders for every site of waves 1-3 but Saint-Étienne, except the deliberate vacancies."""
        seats = [MemberRole.PREFECT_DELEGATE, MemberRole.MUNICIPALITY, MemberRole.CIVIL_SOCIETY]
        taken = set(Membership.objects.current().seats().values_list("site__slug", "role"))
        index = 0
        for slug, site in sites.items():
            if site.wave.number > 3 or slug == "saint-etienne":
                continue
            for seat in seats:
                index += 1
                if (slug, seat) in VACANT or (slug, seat.value) in taken:
                    continue
                first = FIRST_NAMES[index % len(FIRST_NAMES)]
                last = LAST_NAMES[(index * 7) % len(LAST_NAMES)]
                email = f"{slugify(first)}.{slugify(last)}.{index}@demo.qic.fr"
                user = self._user(
                    email, first, last, PlatformRole.MEMBER, f"{SEAT_ORGS[seat]} — {site.communes}"
                )
                started = site.wave.training_starts_on or site.wave.starts_on
                Membership.objects.create(
                    site=site, user=user, role=seat, started_on=started, organisation=user.organisation
                )

    def _print_logins(self):
        self.stdout.write(self.style.SUCCESS("\nDonnées de démonstration chargées."))
        self.stdout.write(f"Comptes de démonstration (mot de passe : {DEMO_PASSWORD}) :")
        for email, label in [
            ("national@demo.qic.fr", "équipe nationale ANCT (voit et gère tous les sites)"),
            ("comite@demo.qic.fr", "comité de pilotage national (lecture, bilans)"),
            ("crpv@demo.qic.fr", "animatrice du CRPV Auvergne-Rhône-Alpes (Labo Cités)"),
            ("trinome@demo.qic.fr", "siège société civile du trinôme de Saint-Étienne (vague 1)"),
            ("prefet.saint-etienne@demo.qic.fr", "délégué du préfet, trinôme de Saint-Étienne"),
            ("ville.saint-etienne@demo.qic.fr", "collectivité, trinôme de Saint-Étienne"),
            ("partenaire@demo.qic.fr", "partenaire du collectif de Saint-Étienne"),
        ]:
            self.stdout.write(f"  {email:<36} {label}")


def _aware(day):
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))
