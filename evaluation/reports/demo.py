"""Demo data of the reports: the monthly schedule (the demo's reports are asked for from the interface)."""

from .schedule import ensure_schedule


def seed(stdout=None) -> None:
    _, created = ensure_schedule()
    if stdout is not None and created:
        stdout.write("Planification mensuelle des bilans créée.")
