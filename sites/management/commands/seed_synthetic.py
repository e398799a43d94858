"""Fill the database with synthetic sites for load tests and the benchmark (replaces the previous ones)."""

import time

from django.core.management.base import BaseCommand, CommandError

from sites import synthetic


class Command(BaseCommand):
    help = "Crée N sites synthétiques (trinômes, historiques, journaux) ; remplace ceux du passage précédent."

    def add_arguments(self, parser):
        parser.add_argument("--sites", type=int, default=2000, help="nombre de sites (2000 par défaut)")
        parser.add_argument(
            "--seed", type=int, default=2025, help="graine du hasard (résultat reproductible)"
        )

    def handle(self, *args, sites, seed, **options):
        if not 1 <= sites <= 50_000:
            raise CommandError("--sites doit être compris entre 1 et 50 000.")
        started = time.perf_counter()
        counts = synthetic.generate(sites, seed=seed)
        elapsed = time.perf_counter() - started
        summary = ", ".join(f"{value} {name}" for name, value in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Données synthétiques créées en {elapsed:.1f} s : {summary}."))
