"""Every link a person is shown opens for them: no "page introuvable" or "accès refusé" behind a link.

Each role walks the platform from its start page, following the links of the pages it is shown (breadth
first, GET only), over a world where two sites of two regions share a national session and site A has a
finished bilan, an open agreement draft and a journal. A link to a page its reader may not open (another
site of a shared session was one) fails here, whichever app draws it. The same links on every database: CI
walks them on its SQLite pass only (`database_neutral`)."""

import re
from collections import deque

import pytest
from django.urls import Resolver404, resolve

from collectives.enums import SessionKind
from evaluation.reports.enums import ReportState
from sites import journal
from sites.enums import EventKind
from tests.collectives.factories import agreement_for
from tests.evaluation.factories import ReportFactory
from tests.sessions.factories import make_session

PAGES_PER_PERSON = 60
LINK = re.compile(r'href="(/[^"]*)"')
# Not pages: files, exports and PDFs, signing out, the static and media files, the API and the admin.
NOT_A_PAGE = re.compile(
    r"(deconnexion|logout|export|telecharger|download|\.(pdf|xlsx|csv|zip|ics)\b|/static/|/media/|/admin/|/api/"
    r"|/pdf/|/donnees-ouvertes/fichiers/)"
)
PEOPLE = ("seat_holder_a", "partner_a", "seat_holder_b", "facilitator_a", "steering", "national", "outsider")


@pytest.fixture
def shared_world(world):
    make_session(
        [world.site_a, world.site_b],
        kind=SessionKind.NATIONAL_MEETING,
        title="Rencontre nationale des sites",
        facilitators=[world.facilitator_a],
    )
    ReportFactory(site=world.site_a, state=ReportState.DONE)
    agreement_for(world.site_a)
    journal.record(world.site_a, EventKind.MEMBER_JOINED, "Arrivée au collectif", actor=world.seat_holder_a)
    return world


def _page_of(path: str) -> str:
    """One page per view and site: a list's filters and pages, a form's parts, the help's topics and the rows
    of one kind are the same page; the same page of another site is another one."""
    path = path.split("?", 1)[0].split("#", 1)[0]
    try:
        match = resolve(path)
    except Resolver404:
        return path
    return f"{match.view_name} {match.kwargs.get('site_slug', '')}".strip()


def _walk(client, start: str = "/") -> dict[str, tuple[int, str]]:
    """The pages reached from `start`: {page: (status, the link, the page that showed it)}."""
    reached: dict[str, tuple[int, str]] = {}
    queue = deque([(start, "")])
    while queue and len(reached) < PAGES_PER_PERSON:
        path, origin = queue.popleft()
        key = _page_of(path)
        if key in reached:
            continue
        response = client.get(path)
        reached[key] = (response.status_code, path, origin)
        if response.status_code in (301, 302) and response["Location"].startswith("/"):
            queue.appendleft((response["Location"], path))
        elif response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            for href in LINK.findall(response.content.decode()):
                href = href.replace("&amp;", "&")
                if not NOT_A_PAGE.search(href):
                    queue.append((href, path))
    return reached


@pytest.mark.database_neutral
@pytest.mark.parametrize("person", PEOPLE)
def test_every_link_a_person_is_shown_opens(client, shared_world, person):
    world = shared_world
    world.login(client, getattr(world, person))
    reached = _walk(client)
    broken = {path: found for path, found in reached.items() if found[0] not in (200, 301, 302)}
    assert broken == {}, f"{person}: links that do not open (status, link, shown on): {broken}"
    assert len(reached) > 5, reached  # the walk went somewhere
