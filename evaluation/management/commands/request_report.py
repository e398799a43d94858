"""Ask for a report from the command line (as the interface does): idempotent for the same scope and day."""

from django.core.management.base import BaseCommand, CommandError

from evaluation.reports.enums import ReportKind, ReportTrigger
from evaluation.reports.services import request_report
from sites.models import Region, Site, Wave

SCOPES = {"national": ReportKind.NATIONAL, "site": ReportKind.SITE, "batch": ReportKind.BATCH}


class Command(BaseCommand):
    help = (
        "Demande un bilan : synthèse nationale, bilan d’un site ou lot des bilans des sites d’un périmètre."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scope", choices=sorted(SCOPES), default="national")
        parser.add_argument("--wave", type=int, help="numéro de la vague (synthèse ou lot)")
        parser.add_argument("--region", help="code INSEE de la région (synthèse ou lot)")
        parser.add_argument("--site", help="identifiant d’adresse du site (bilan d’un site)")

    def handle(self, *args, scope, wave=None, region=None, site=None, **options):
        kind = SCOPES[scope]
        kwargs = {"trigger": ReportTrigger.DEMAND}
        try:
            if kind == ReportKind.SITE:
                if not site:
                    raise CommandError("--site est obligatoire pour le bilan d’un site")
                kwargs["site"] = Site.objects.get(slug=site)
            else:
                kwargs["wave"] = Wave.objects.get(number=wave) if wave else None
                kwargs["region"] = Region.objects.get(code=region) if region else None
        except (Site.DoesNotExist, Wave.DoesNotExist, Region.DoesNotExist) as error:
            raise CommandError(f"Périmètre inconnu : {error}") from error
        report, created = request_report(kind, **kwargs)
        report.refresh_from_db()
        verb = "demandé" if created else "déjà demandé aujourd’hui"
        self.stdout.write(f"{report} : {verb} (n° {report.pk}, {report.get_state_display().lower()}).")
