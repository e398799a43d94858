"""The notification centre under a burst: twenty "mark all as read" at once (a double-clicking person, a
script) each get their page, never an error (a module of its own: its test commits its transactions)."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from sites import notifications
from sites.enums import NotificationKind


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers: no two at once")
@pytest.mark.django_db(transaction=True)
def test_twenty_mark_all_read_at_once_each_get_a_page(world):
    person = world.seat_holder_a
    for n in range(30):
        notifications.notify(
            NotificationKind.SESSION_PLANNED,
            [person],
            title=f"Atelier {n}",
            url="/sessions/",
            site=world.site_a,
        )
    clients = [world.login(Client(), person) for _ in range(20)]
    start, answers, errors = threading.Barrier(20), [], []

    def mark_all(client, htmx):
        try:
            start.wait(20)
            headers = {"HX-Request": "true"} if htmx else {}
            answers.append(client.post(reverse("notifications:read_all"), headers=headers).status_code)
        except BaseException as error:  # noqa: BLE001 - reported to the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=mark_all, args=(c, i % 2)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(answers) == [200] * 10 + [302] * 10
    assert notifications.Inbox(person).unread == 0
    assert clients[0].get(reverse("notifications:list")).status_code == 200
