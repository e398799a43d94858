"""Two members save the same change at the same moment, in two threads on PostgreSQL: exactly one save wins,
the other is told of the conflict, and the document's revisions stay consistent (one per applied save)."""

import threading

import pytest
from django.db import connection, connections

from qic.locking import EditConflict
from vision import services
from vision.models import Change, Revision

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks between two connections need PostgreSQL"
)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_of_the_same_change(world):
    site = world.site_a
    change = services.add_change(
        site, world.seat_holder_a, level="direct", register="knowledge", title="Avant"
    )
    barrier = threading.Barrier(2)
    outcomes = {}

    def save(name, user, title):
        try:
            barrier.wait(timeout=10)
            services.edit_change(
                Change.objects.get(pk=change.pk), user, expected_version=1, level="direct",
                register="knowledge", title=title, description="", targets=[], to_vision=False,
            )  # fmt: skip
            outcomes[name] = "saved"
        except EditConflict as conflict:
            outcomes[name] = ("conflict", conflict.current.title)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=save, args=("nadia", world.seat_holder_a, "Titre de Nadia")),
        threading.Thread(target=save, args=("national", world.national, "Titre de l’équipe nationale")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(str(v) for v in outcomes.values()).count("saved") == 1
    winner = next(name for name, outcome in outcomes.items() if outcome == "saved")
    loser = next(outcome for name, outcome in outcomes.items() if name != winner)
    final = Change.objects.get(pk=change.pk)
    assert loser == ("conflict", final.title)  # the refused person was shown the saved title
    assert final.version == 2
    numbers = list(Revision.objects.filter(site=site).order_by("number").values_list("number", flat=True))
    assert numbers == [1, 2]  # one revision for the creation, one for the winning save
