"""`manage.py rebuild_progress`: recompute every site's progress facts (`sites.SiteProgress`) from the data.

`--check` writes nothing and lists the sites whose stored facts are not what the data says (exit status 1):
the services that write keep them true, this proves it on a real database.
"""

from django.core.management.base import BaseCommand, CommandError

from qic import text
from sites import progress


class Command(BaseCommand):
    help = "Recalcule l’avancement de chaque site (ou le vérifie avec --check)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Vérifier sans rien écrire.")

    def handle(self, *args, check=False, **options):
        if not check:
            count = progress.rebuild()
            self.stdout.write(f"Avancement recalculé pour {count} sites.")
            return
        stale = progress.stale()
        if stale:
            for pk, (stored, fresh) in list(stale.items())[:20]:
                self.stdout.write(f"site {pk} : enregistré {stored}, attendu {fresh}")
            raise CommandError(
                f"{text.plural(len(stale), 'site', 'sites')} dont l’avancement enregistré n’est pas à jour."
            )
        self.stdout.write("L’avancement enregistré de chaque site est à jour.")
