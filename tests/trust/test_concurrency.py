"""Concurrency proven (issue 15): the same submission sent twenty times, one after the other or at the same
instant, creates one row and tells the others, in French, that it is already saved: never a 500 nor a
duplicate. Two editors of one item never overwrite each other; seats approving or signing at the same moment
end in exactly the right state.

The parallel tests run twenty real threads, each with its own database connection, released together by a
barrier, on PostgreSQL. SQLite's test database lives in memory with a shared cache, where a second connection
is refused at once ("table is locked") whatever the code does; there the same submissions are sent one after
the other (a double click), and on a file SQLite serialises writers (`transaction_mode` IMMEDIATE).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.urls import reverse

from collectives.enums import MemberRole
from collectives.models import (
    AgreementSignature,
    CalendarFeed,
    CooperationAgreement,
    CooperationSpace,
    Invitation,
    Membership,
    Participant,
    Session,
    SessionOutput,
    User,
)
from evaluation.models import (
    Adjustment,
    EvaluationCycle,
    Indicator,
    LearningEntry,
    Measurement,
    SelfAssessment,
)
from sites import notifications
from sites.enums import NotificationKind
from sites.models import Notification, RegistrationImport, Site
from tests.collectives.factories import agreement_for
from tests.conftest import StrictClient
from tests.evaluation.factories import change_for, cycle_for, indicator_for
from tests.sessions.factories import at, make_session
from tests.sites.factories import WaveFactory
from tests.vision.factories import chain_strategy, full_trinome
from vision.models import Approval, Change, Comment, ContextFactor, PartnerAction, Revision, Vision

pytestmark = pytest.mark.every_database

N = 20
REPEATS = 3  # one after the other: a double click, and once more
ALREADY = "déjà été envoyé"

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's in-memory test database refuses a second connection at once (shared-cache table lock), "
    "whatever the code; the same submissions are sent one after the other instead",
)


def at_once(actions: list[Callable]) -> list:
    """Run each action in its own thread (its own database connection), all released together; return what
    each returned, or the exception it raised."""
    barrier = threading.Barrier(len(actions))
    results: list = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait(timeout=30)
            results[index] = action()
        except BaseException as error:  # noqa: BLE001 - reported to the test, which fails on it
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, action)) for i, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def browsers(user, count: int) -> list[StrictClient]:
    """`count` browsers of the same signed-in person (one session, like tabs)."""
    first = StrictClient()
    first.force_login(user)
    clients = [first]
    for _ in range(count - 1):
        other = StrictClient()
        other.cookies = first.cookies
        clients.append(other)
    return clients


def said(response) -> str:
    """What the person reads: the page, or the messages shown after the redirect."""
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    if response.status_code == 200:
        texts.append(response.content.decode())
    return "\n".join(texts)


def token_of(client, url, action: str | None = None) -> str:
    """The one-time token the creating form carries (shown on the page `url`; with `action`, the token of
    the form that posts there, among the page's forms)."""
    page = client.get(url).content.decode()
    if action is not None:
        forms = re.findall(rf'<form [^>]*action="{re.escape(action)}".*?</form>', page, re.S)
        assert forms, f"no form posting to {action} on {url}"
        page = forms[0]
    match = re.search(r'name="submission" value="([0-9a-f-]{36})"', page)
    assert match, f"no one-time token in the form of {url}"
    return match[1]


# --- Every creating action of every app ---------------------------------------------------------------------


@dataclass
class Case:
    user: object
    url: str
    data: dict
    count: Callable[[], int]
    refusal: str = ALREADY  # a pattern of what the refused submissions read
    form_url: str | None = None  # where the form (and its token) is shown, if not at `url`


def _factor(world):
    url = reverse("vision:factor_add", args=[world.site_a.slug])
    data = {"kind": "positive", "text": "Un centre social très actif"}
    # Sent from where factors are added: the workspace's inline form, written by hand.
    workspace = reverse("vision:workspace", args=[world.site_a.slug])
    return Case(world.seat_holder_a, url, data, lambda: ContextFactor.objects.count(), form_url=workspace)


def _change(world):
    url = reverse("vision:change_add", args=[world.site_a.slug])
    data = {"level": "direct", "register": "knowledge", "title": "Les parents connaissent l’école"}
    return Case(world.seat_holder_a, url, data, lambda: Change.objects.count())


def _action(world):
    url = reverse("vision:action_add", args=[world.site_a.slug])
    data = {"name": "Café des parents", "lead_organisation": "Centre social", "status": "planned"}
    return Case(world.seat_holder_a, url, data, lambda: PartnerAction.objects.count())


def _vision_comment(world):
    url = reverse("vision:vision_comments", args=[world.site_a.slug])
    return Case(world.facilitator_a, url, {"body": "Bravo !"}, lambda: Comment.objects.count())


def _change_comment(world):
    change = change_for(world.site_a)
    url = reverse("vision:change_comments", args=[world.site_a.slug, change.pk])
    return Case(world.facilitator_a, url, {"body": "À préciser"}, lambda: Comment.objects.count())


def _learning(world):
    url = reverse("evaluation:learning_add", args=[world.site_a.slug])
    data = {
        "title": "Les réunions du soir",
        "occurred_on": "2026-03-12",
        "what_happened": "Trois réunions à 18 h.",
        "what_we_learned": "Les habitants viennent le soir.",
    }
    return Case(world.seat_holder_a, url, data, lambda: LearningEntry.objects.count())


def _indicator(world):
    change = change_for(world.site_a)
    url = reverse("evaluation:indicator_add", args=[world.site_a.slug])
    data = {
        "change": change.pk,
        "name": "Habitants présents",
        "kind": "quantitative",
        "unit": "personnes",
        "direction": "increase",
        "baseline_on": "2026-01-15",
        "baseline_value": "12",
        "target_value": "40",
        "data_source": "Feuilles d’émargement",
        "frequency": "3",
    }
    return Case(world.seat_holder_a, url, data, lambda: Indicator.objects.count())


def _measurement(world):
    indicator = indicator_for(world.site_a)
    url = reverse("evaluation:measurement_add", args=[world.site_a.slug, indicator.pk])
    data = {"measured_on": "2026-06-01", "value": "18"}
    # Sent again once saved, the date itself is refused by the form, before the token.
    refusal = f"{ALREADY}|existe déjà à cette date"
    return Case(world.seat_holder_a, url, data, lambda: Measurement.objects.count(), refusal)


def _cycle(world):
    url = reverse("evaluation:cycle_add", args=[world.site_a.slug])
    data = {"title": "Printemps 2026", "starts_on": "2026-03-01", "ends_on": "2026-06-30"}
    return Case(world.seat_holder_a, url, data, lambda: EvaluationCycle.objects.count())


def _adjustment(world):
    cycle = cycle_for(world.site_a)
    url = reverse("evaluation:adjustment_add", args=[world.site_a.slug, cycle.pk])
    data = {
        "kind": "add_change",
        "title": "Un nouveau changement",
        "level": "direct",
        "register": "knowledge",
    }
    return Case(world.seat_holder_a, url, data, lambda: Adjustment.objects.count())


def _assessment(world):
    from tests.evaluation.test_assessments import _answers

    url = reverse("evaluation:assessment_add", args=[world.site_a.slug])
    return Case(world.seat_holder_a, url, _answers(), lambda: SelfAssessment.objects.count())


def _space(world):
    agreement_for(world.site_a, spaces=0)
    url = reverse("collectives:space_add", args=[world.site_a.slug])
    data = {"name": "Comité de pilotage", "version": "1"}
    return Case(world.seat_holder_a, url, data, lambda: CooperationSpace.objects.count())


def _session(world):
    from tests.sessions.test_views_sessions import _form

    data = _form([world.site_a.pk])
    return Case(world.facilitator_a, reverse("sessions:plan"), data, lambda: Session.objects.count())


def _guest(world):
    session = make_session([world.site_a], facilitators=[world.facilitator_a], invite=False)
    url = reverse("sessions:guest_add", args=[session.pk])
    data = {"name": "Léa Roux", "organisation": "Mairie"}  # no address: nothing else tells two guests apart
    return Case(world.facilitator_a, url, data, lambda: Participant.objects.count())


def _output(world):
    session = make_session([world.site_a], facilitators=[world.facilitator_a], starts_at=at(days=-1))
    url = reverse("sessions:site_outputs", args=[world.site_a.slug, session.pk])
    data = {"title": "Prototype d’entente", "text": "Nos principes", "version": "0"}
    return Case(world.seat_holder_a, url, data, lambda: SessionOutput.objects.count())


def _calendar(world):
    url = reverse("sessions:calendar")
    count = lambda: CalendarFeed.objects.count()  # noqa: E731 - a renewal would add a row too
    return Case(world.seat_holder_a, url, {"action": "create"}, count, refusal="déjà créé")


CREATING = {
    "vision-factor": _factor,
    "vision-change": _change,
    "vision-action": _action,
    "vision-comment": _vision_comment,
    "change-comment": _change_comment,
    "learning": _learning,
    "indicator": _indicator,
    "measurement": _measurement,
    "cycle": _cycle,
    "adjustment": _adjustment,
    "self-assessment": _assessment,
    "agreement-space": _space,
    "session": _session,
    "session-guest": _guest,
    "session-output": _output,
    "calendar-link": _calendar,
}


def _token(client, case: Case) -> str:
    """The token of the case's form, from the page it is shown on (the form posting to the case's URL)."""
    return token_of(client, case.form_url or case.url, case.form_url and case.url)


def _check(case: Case, responses: list, before: int) -> None:
    errors = [r for r in responses if isinstance(r, BaseException)]
    assert not errors, f"{len(errors)} server errors, e.g. {errors[0]!r}"
    assert all(r.status_code in (200, 302) for r in responses), [r.status_code for r in responses]
    assert case.count() == before + 1  # exactly one row
    refused = [r for r in responses if re.search(case.refusal, said(r))]
    assert len(refused) == len(responses) - 1  # every other submission is told, in French


@pytest.mark.django_db
@pytest.mark.parametrize("name", CREATING)
def test_the_same_form_sent_again_creates_one_row(world, name):
    case = CREATING[name](world)
    client = browsers(case.user, 1)[0]
    data = {**case.data, "submission": _token(client, case)}
    before = case.count()
    _check(case, [client.post(case.url, data) for _ in range(REPEATS)], before)


@on_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", CREATING)
def test_twenty_identical_submissions_at_once_create_one_row(world, name):
    case = CREATING[name](world)
    clients = browsers(case.user, N)
    data = {**case.data, "submission": _token(clients[0], case)}
    before = case.count()
    _check(case, at_once([lambda c=c: c.post(case.url, data) for c in clients]), before)


@pytest.mark.django_db
def test_the_same_content_in_two_tabs_of_one_page_is_two_submissions(world):
    """A page served twice from the cache carries the same token: two different comments both stand."""
    client = browsers(world.facilitator_a, 1)[0]
    url = reverse("vision:vision_comments", args=[world.site_a.slug])
    token = token_of(client, url)
    client.post(url, {"body": "Premier onglet", "submission": token})
    client.post(url, {"body": "Second onglet", "submission": token})
    assert sorted(Comment.objects.values_list("body", flat=True)) == ["Premier onglet", "Second onglet"]


@pytest.mark.django_db
def test_a_refused_creation_keeps_its_token_usable(world):
    """A form refused for its content is corrected and sent again with the same token: it is created."""
    client = browsers(world.seat_holder_a, 1)[0]
    url = reverse("evaluation:learning_add", args=[world.site_a.slug])
    token = token_of(client, url)
    data = {"title": "Sans date", "occurred_on": "hier", "what_happened": "x", "what_we_learned": "y"}
    assert client.post(url, {**data, "submission": token}).status_code == 200
    assert client.post(url, {**data, "occurred_on": "2026-03-01", "submission": token}).status_code == 302
    assert LearningEntry.objects.count() == 1


# --- Natural keys: the same thing asked for at once, without a token (an old page, a script) ---------------


def _measurement_same_date(world):
    indicator = indicator_for(world.site_a)
    url = reverse("evaluation:measurement_add", args=[world.site_a.slug, indicator.pk])
    data = {"measured_on": "2026-06-01", "value": "18"}
    return Case(
        world.seat_holder_a, url, data, lambda: Measurement.objects.count(), "existe déjà à cette date"
    )


def _invite_same_address(world):
    url = reverse("collectives:invite", args=[world.site_a.slug])
    data = {"email": "lea@exemple.fr", "role": "partner", "first_name": "Léa", "last_name": "Roux"}
    count = lambda: Invitation.objects.count()  # noqa: E731
    return Case(world.seat_holder_a, url, data, count, "déjà")


def _guest_same_address(world):
    session = make_session([world.site_a], facilitators=[world.facilitator_a], invite=False)
    url = reverse("sessions:guest_add", args=[session.pk])
    data = {"name": "Léa Roux", "email": "lea@exemple.fr"}
    return Case(world.facilitator_a, url, data, lambda: Participant.objects.count(), "déjà invitée")


NATURAL_KEYS = {
    "measurement-same-date": _measurement_same_date,
    "invitation-same-address": _invite_same_address,
    "guest-same-address": _guest_same_address,
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", NATURAL_KEYS)
def test_the_same_natural_key_sent_again_is_refused_in_french(world, name):
    case = NATURAL_KEYS[name](world)
    client = browsers(case.user, 1)[0]
    before = case.count()
    _check(case, [client.post(case.url, case.data) for _ in range(REPEATS)], before)


@on_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", NATURAL_KEYS)
def test_the_same_natural_key_at_once_is_refused_in_french(world, name):
    case = NATURAL_KEYS[name](world)
    clients = browsers(case.user, N)
    before = case.count()
    _check(case, at_once([lambda c=c: c.post(case.url, case.data) for c in clients]), before)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_twenty_calendar_links_asked_at_once_leave_one_working_link(world):
    clients = browsers(world.seat_holder_a, N)
    responses = at_once(
        [lambda c=c: c.post(reverse("sessions:calendar"), {"action": "create"}) for c in clients]
    )
    assert not [r for r in responses if isinstance(r, BaseException)]
    assert all(r.status_code == 200 for r in responses)
    assert CalendarFeed.objects.filter(user=world.seat_holder_a, revoked_at__isnull=True).count() == 1


# --- The same button pressed twenty times: resending an invitation, cancelling a session -------------------


def _invitation(world):
    from collectives.services import invitations

    return invitations.invite(world.site_a, email="lea@exemple.fr", role="partner", invited_by=world.national)


@pytest.mark.django_db
def test_resending_an_invitation_twice_sends_it_once(world):
    invitation = _invitation(world)
    client = browsers(world.seat_holder_a, 1)[0]
    url = reverse("collectives:invitation_resend", args=[world.site_a.slug, invitation.pk])
    responses = [client.post(url, {"envois": "1"}) for _ in range(REPEATS)]
    invitation.refresh_from_db()
    assert invitation.send_count == 2
    assert sum("vient d’être renvoyée" in said(r) for r in responses) == REPEATS - 1


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_twenty_resends_at_once_send_one_email(world):
    invitation = _invitation(world)
    clients = browsers(world.seat_holder_a, N)
    url = reverse("collectives:invitation_resend", args=[world.site_a.slug, invitation.pk])
    responses = at_once([lambda c=c: c.post(url, {"envois": "1"}) for c in clients])
    assert not [r for r in responses if isinstance(r, BaseException)]
    invitation.refresh_from_db()
    assert invitation.send_count == 2
    assert sum("vient d’être renvoyée" in said(r) for r in responses) == N - 1


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_twenty_cancellations_at_once_cancel_once(world):
    session = make_session([world.site_a], facilitators=[world.facilitator_a], invite=False)
    clients = browsers(world.facilitator_a, N)
    url = reverse("sessions:cancel", args=[session.pk])
    responses = at_once(
        [lambda c=c, i=i: c.post(url, {"reason": f"Motif {i}"}) for i, c in enumerate(clients)]
    )
    assert not [r for r in responses if isinstance(r, BaseException)]
    session.refresh_from_db()
    assert session.is_cancelled and session.version == 2  # one cancellation, one version step


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_twenty_mark_read_at_once_read_everything_once(world):
    """A person who taps "mark as read" and "mark all as read" in several tabs at once: every answer is a
    redirect or the refreshed list, and everything is read."""
    notifications.notify(
        NotificationKind.SESSION_PLANNED,
        [world.seat_holder_a],
        title="Séminaire",
        url="/sessions/",
        site=None,
    )
    first = Notification.objects.get(user=world.seat_holder_a)
    clients = browsers(world.seat_holder_a, N)
    one, every = (
        reverse("notifications:read", args=[first.pk]),
        reverse("notifications:read_all"),
    )
    responses = at_once(
        [
            lambda c=c, i=i: c.post(one if i % 2 else every, headers={"HX-Request": "true"} if i % 3 else {})
            for i, c in enumerate(clients)
        ]
    )
    assert not [r for r in responses if isinstance(r, BaseException)]
    assert {r.status_code for r in responses} <= {200, 302}
    first.refresh_from_db()
    assert first.read_at is not None and notifications.Inbox(world.seat_holder_a).unread == 0


# --- Saving the same item at once ---------------------------------------------------------------------------


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_twenty_identical_saves_of_the_vision_statement(world):
    clients = browsers(world.seat_holder_a, N)
    url = reverse("vision:statement", args=[world.site_a.slug])
    data = {"statement": "En 2040, chaque habitant trouve sa place.", "horizon_year": "2040", "version": "1"}
    responses = at_once([lambda c=c: c.post(url, data) for c in clients])
    assert not [r for r in responses if isinstance(r, BaseException)]
    assert sorted(r.status_code for r in responses) == [200] * (N - 1) + [302]
    assert all("Déjà enregistré" in said(r) for r in responses if r.status_code == 200)
    vision = Vision.objects.get(site=world.site_a)
    assert vision.version == 2 and vision.statement == data["statement"]
    assert Revision.objects.filter(site=world.site_a).count() == 1


@pytest.mark.django_db
def test_an_identical_save_on_a_stale_version_says_already_saved(world):
    client = browsers(world.seat_holder_a, 1)[0]
    url = reverse("vision:statement", args=[world.site_a.slug])
    data = {"statement": "En 2040, chaque habitant trouve sa place.", "horizon_year": "2040", "version": "1"}
    assert client.post(url, data).status_code == 302
    page = said(client.post(url, data))
    assert "Déjà enregistré" in page and "Enregistrement refusé" not in page


# --- Two editors of one item: the second is told, nothing is overwritten -----------------------------------


@dataclass
class Edit:
    url: str
    data: dict
    field: str
    stored: Callable[[], object]


def _edit_learning(world):
    entry = LearningEntry.objects.create(
        site=world.site_a,
        title="Avant",
        what_happened="x",
        what_we_learned="y",
        occurred_on=dt.date(2026, 3, 1),
    )
    data = {"title": "Avant", "occurred_on": "2026-03-01", "what_happened": "x", "what_we_learned": "y"}
    url = reverse("evaluation:learning_edit", args=[world.site_a.slug, entry.pk])
    return Edit(url, data, "what_we_learned", lambda: LearningEntry.objects.get(pk=entry.pk))


def _edit_measurement(world):
    indicator = indicator_for(world.site_a)
    measurement = Measurement.objects.create(
        indicator=indicator, site=world.site_a, measured_on=dt.date(2026, 4, 15), value=18
    )
    url = reverse("evaluation:measurement_edit", args=[world.site_a.slug, indicator.pk, measurement.pk])
    data = {"measured_on": "2026-04-15", "value": "18"}
    return Edit(url, data, "comment", lambda: Measurement.objects.get(pk=measurement.pk))


def _edit_indicator(world):
    indicator = indicator_for(world.site_a)
    url = reverse("evaluation:indicator_edit", args=[world.site_a.slug, indicator.pk])
    data = {
        "change": indicator.change_id,
        "name": indicator.name,
        "kind": "quantitative",
        "unit": "personnes",
        "direction": "increase",
        "baseline_on": "2026-01-15",
        "baseline_value": "12",
        "target_value": "40",
        "frequency": "3",
    }
    return Edit(url, data, "data_source", lambda: Indicator.objects.get(pk=indicator.pk))


def _edit_cycle(world):
    cycle = cycle_for(world.site_a)
    url = reverse("evaluation:cycle_edit", args=[world.site_a.slug, cycle.pk])
    data = {"title": cycle.title, "starts_on": "2026-03-01", "ends_on": "2026-06-30"}
    return Edit(url, data, "learned", lambda: EvaluationCycle.objects.get(pk=cycle.pk))


EDITS = {
    "learning": _edit_learning,
    "measurement": _edit_measurement,
    "indicator": _edit_indicator,
    "cycle": _edit_cycle,
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", EDITS)
def test_two_editors_of_one_item_never_overwrite_each_other(world, trinome_a, name):
    edit = EDITS[name](world)
    first, second = browsers(world.seat_holder_a, 1)[0], browsers(trinome_a[MemberRole.MUNICIPALITY], 1)[0]
    version_a = first.get(edit.url).context["form"]["version"].value()
    version_b = second.get(edit.url).context["form"]["version"].value()
    assert version_a == version_b
    saved = first.post(edit.url, {**edit.data, edit.field: "Version de Nadia", "version": version_a})
    assert saved.status_code == 302
    refused = second.post(edit.url, {**edit.data, edit.field: "Version de Sophie", "version": version_b})
    page = said(refused)
    assert "Enregistrement refusé" in page and "Version de Nadia" in page and "Version de Sophie" in page
    assert getattr(edit.stored(), edit.field) == "Version de Nadia"  # nothing overwritten
    # The form now carries the saved version: merged, the second save goes through.
    merged = second.post(
        edit.url,
        {**edit.data, edit.field: "Nadia et Sophie", "version": refused.context["form"]["version"].value()},
    )
    assert merged.status_code == 302
    stored = edit.stored()
    assert getattr(stored, edit.field) == "Nadia et Sophie" and stored.version == 3


@on_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", ["learning", "measurement"])
def test_twenty_editors_at_once_exactly_one_wins(world, name):
    edit = EDITS[name](world)
    clients = browsers(world.seat_holder_a, N)
    posts = [
        lambda c=c, i=i: c.post(edit.url, {**edit.data, edit.field: f"Version {i}", "version": "1"})
        for i, c in enumerate(clients)
    ]
    responses = at_once(posts)
    assert not [r for r in responses if isinstance(r, BaseException)]
    winners = [i for i, r in enumerate(responses) if r.status_code == 302]
    assert len(winners) == 1
    assert all("Enregistrement refusé" in said(r) for r in responses if r.status_code == 200)
    stored = edit.stored()
    assert getattr(stored, edit.field) == f"Version {winners[0]}" and stored.version == 2


@pytest.mark.django_db
def test_a_measurement_corrected_meanwhile_is_not_deleted(world):
    edit = _edit_measurement(world)
    client = browsers(world.seat_holder_a, 1)[0]
    client.post(edit.url, {**edit.data, "comment": "Recompté", "version": "1"})
    # The deletion is confirmed on the version the person saw (the confirmation step carries it).
    response = client.post(edit.url, {"supprimer": "confirmer", "version": "1"})
    assert "n’est pas supprimée" in said(response)
    assert edit.stored().comment == "Recompté"


# --- Adoption and signatures by the three seats at the same moment -----------------------------------------


@pytest.fixture
def trinome_a(world):
    return full_trinome(world.site_a, world.seat_holder_a)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_three_seats_approving_at_once_adopt_the_version(world, trinome_a):
    chain_strategy(world.site_a, world.seat_holder_a)
    number = Revision.objects.filter(site=world.site_a).latest("number").number
    url = reverse("vision:approve", args=[world.site_a.slug])
    # Each seat holder clicks several times: three seats, twenty requests.
    clients = [browsers(user, 1)[0] for user in trinome_a.values()]
    posts = [lambda c=clients[i % 3]: c.post(url, {"version": str(number)}) for i in range(N)]
    responses = at_once(posts)
    assert not [r for r in responses if isinstance(r, BaseException)]
    assert all(r.status_code == 302 for r in responses)
    revision = Revision.objects.get(site=world.site_a, number=number)
    assert revision.is_adopted
    assert Approval.objects.filter(revision=revision).count() == 3


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_three_seats_signing_at_once_put_the_agreement_in_force(world, trinome_a):
    agreement = agreement_for(world.site_a)
    url = reverse("collectives:agreement_sign", args=[world.site_a.slug])
    clients = [browsers(user, 1)[0] for user in trinome_a.values()]
    page = reverse("collectives:agreement", args=[world.site_a.slug])
    stamps = [re.search(r'name="texte" value="(\w+)"', c.get(page).content.decode())[1] for c in clients]
    responses = at_once([lambda i=i: clients[i % 3].post(url, {"texte": stamps[i % 3]}) for i in range(N)])
    assert not [r for r in responses if isinstance(r, BaseException)]
    assert all(r.status_code in (200, 302) for r in responses)
    agreement.refresh_from_db()
    assert agreement.is_in_force
    assert AgreementSignature.objects.filter(agreement=agreement).count() == 3
    assert CooperationAgreement.objects.filter(site=world.site_a).count() == 1


# --- Confirming an import twenty times at once -----------------------------------------------------------


HEADER = "Nom du site;Type;Commune;Département;Code QPV;Prénom;Nom;Courriel;Siège"
LINE = "Les Aygalades;QPV;Marseille;13;;Camille;Martin;camille@exemple.fr;Collectivité"


def _uploaded(client) -> RegistrationImport:
    WaveFactory(number=4, is_current=True)
    content = "\n".join([HEADER, LINE]).encode()
    client.post(
        reverse("sites:import"),
        {"wave": "4", "initial_status": "registering", "file": SimpleUploadedFile("i.csv", content)},
    )
    return RegistrationImport.objects.get()


@pytest.mark.django_db
def test_an_import_confirmed_twice_is_written_once(world):
    client = browsers(world.national, 1)[0]
    registration = _uploaded(client)
    url = registration.get_absolute_url()
    responses = [client.post(url) for _ in range(REPEATS)]
    assert Site.objects.filter(name="Les Aygalades").count() == 1
    assert sum("déjà confirmé" in said(r) for r in responses) == REPEATS - 1


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_twenty_confirmations_of_an_import_at_once(world):
    clients = browsers(world.national, N)
    registration = _uploaded(clients[0])
    url = registration.get_absolute_url()
    responses = at_once([lambda c=c: c.post(url) for c in clients])
    assert not [r for r in responses if isinstance(r, BaseException)]
    assert all(r.status_code == 302 for r in responses)
    assert Site.objects.filter(name="Les Aygalades").count() == 1
    assert sum("déjà confirmé" in said(r) for r in responses) == N - 1


# --- An invitation answered twice: a double click on "create my account" ------------------------------------

PASSWORD = "un-mot-de-passe-solide-2025"


def _answer(world):
    from tests.collectives.factories import InvitationFactory

    invitation = InvitationFactory(site=world.site_a, email="lea@exemple.fr", role=MemberRole.RESIDENT)
    url = reverse("collectives:accept_invitation", kwargs={"token": invitation.token})
    return url, {"first_name": "Léa", "last_name": "Roux", "password1": PASSWORD, "password2": PASSWORD}


def _joined_once(world, responses) -> None:
    errors = [r for r in responses if isinstance(r, BaseException)]
    assert not errors, f"{len(errors)} server errors, e.g. {errors[0]!r}"
    site = reverse("sites:detail", args=[world.site_a.slug])
    assert [(r.status_code, r.url) for r in responses] == [(302, site)] * len(responses)
    assert User.objects.filter(email="lea@exemple.fr").count() == 1
    assert Membership.objects.filter(user__email="lea@exemple.fr", site=world.site_a).count() == 1


@pytest.mark.django_db
def test_an_invitation_answered_twice_leads_both_answers_to_the_site(world):
    """The second answer of a double click found a used link (410) or, at the same instant, a server error;
    it now leads where the first did, signed in: the person has just joined."""
    url, data = _answer(world)
    client = StrictClient()
    responses = [client.post(url, data), client.post(url, data)]
    _joined_once(world, responses)
    assert "Votre réponse était déjà enregistrée" in said(responses[1])
    # Another browser with the used link and another password: the used-link page, and nobody is signed in.
    other = StrictClient()
    refused = other.post(url, {**data, "password1": "un-autre-mot-de-passe-2025"})
    assert refused.status_code == 410 and "_auth_user_id" not in other.session


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_an_invitation_answered_twenty_times_at_once_creates_one_account(world):
    url, data = _answer(world)
    clients = [StrictClient() for _ in range(N)]
    _joined_once(world, at_once([lambda c=c: c.post(url, data) for c in clients]))
