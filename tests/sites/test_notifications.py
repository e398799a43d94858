"""Notifications (issue 18): each event tells exactly the people concerned; what a person sees goes through
the access module; e-mails are grouped; the centre, its marks, the preferences; the digest and "À faire"."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from collectives.enums import MemberRole, SessionKind
from collectives.services import agreement, invitations, members
from collectives.sessions import services as sessions
from evaluation import digest
from evaluation.reports.enums import ReportKind, ReportState
from evaluation.reports.tasks import tell_ready
from sites import notifications
from sites.enums import Delivery, NotificationKind
from sites.models import Notification
from tests.collectives.factories import InvitationFactory, UserFactory, agreement_for
from tests.evaluation.factories import ReportFactory
from tests.sessions.factories import at
from tests.vision.factories import chain_strategy, full_trinome
from vision import services as vision

LATER = dt.timedelta(minutes=10)  # past the grouping delay


@pytest.fixture
def people(world):
    """Site A with its three seats, a partner and its CRPV facilitator; names for the expected recipients."""
    seats = full_trinome(world.site_a, civil_society=world.seat_holder_a)
    return {
        "prefect": seats[MemberRole.PREFECT_DELEGATE],
        "municipality": seats[MemberRole.MUNICIPALITY],
        "civil": world.seat_holder_a,
        "partner": world.partner_a,
        "facilitator": world.facilitator_a,
        "national": world.national,
    }


def _edit(world, p):
    vision.save_statement(world.site_a, p["civil"], expected_version=1, statement="Vision", horizon_year=2045)


def _approve(world, p, by=("prefect",)):
    chain_strategy(world.site_a, p["civil"])
    number = vision.head(world.site_a).number
    for name in by:
        vision.approve(world.site_a, p[name], number=number)


def _comment(world, p):
    vision.add_comment(world.site_a, p["partner"], body="Une remarque")
    vision.add_comment(world.site_a, p["facilitator"], body="Une réponse")


def _sign(world, p, by=("civil",)):
    agreement_for(world.site_a)
    for name in by:
        agreement.sign(world.site_a, p[name])


def _module(world, days=7, **extra):
    return sessions.Plan(
        kind=SessionKind.REGIONAL_MODULE,
        title="Module 1",
        starts_at=at(days=days),
        ends_at=at(days=days, hour=12),
        region=world.site_a.department.region,
        sites=[world.site_a],
        place="Salle des fêtes",
        **extra,
    )


def _plan(world, p):
    session = sessions.plan_session(p["facilitator"], _module(world, facilitators=[p["facilitator"]]))
    Notification.objects.all().delete()
    sessions.cancel_session(session, user=p["national"], reason="Grève")


def _seat(world, p):
    members.end_membership(world.site_a.memberships.get(user=p["prefect"]), actor=p["national"])


def _accept(world, p):
    invitation = InvitationFactory(site=world.site_a, role=MemberRole.RESIDENT, invited_by=p["civil"])
    invitations.accept(invitation, UserFactory(email=invitation.email))


def _bilan(world, p):
    tell_ready(ReportFactory(site=world.site_a, state=ReportState.DONE, requested_by=p["facilitator"]))


@pytest.mark.parametrize(
    ("event", "kind", "expected", "action"),
    [
        (_edit, NotificationKind.VERSION_TO_APPROVE, {"prefect", "municipality"}, True),
        (_approve, NotificationKind.VERSION_APPROVED, {"municipality", "civil"}, False),
        (
            lambda w, p: _approve(w, p, by=("prefect", "municipality", "civil")),
            NotificationKind.VISION_ADOPTED,
            {"prefect", "municipality", "civil"},  # the last approver too: the adoption is everyone's news
            False,
        ),
        (_comment, NotificationKind.COMMENT, {"prefect", "municipality", "civil", "partner"}, None),
        (_sign, NotificationKind.AGREEMENT_TO_SIGN, {"prefect", "municipality"}, True),
        (
            lambda w, p: _sign(w, p, by=("civil", "prefect", "municipality")),
            NotificationKind.AGREEMENT_SIGNED,
            {"prefect", "municipality", "civil"},
            False,
        ),
        (
            _plan,
            NotificationKind.SESSION_CANCELLED,
            {"civil", "prefect", "municipality", "partner", "facilitator"},
            False,
        ),
        (_seat, NotificationKind.SEAT_CHANGED, {"municipality", "civil"}, False),
        (_accept, NotificationKind.INVITATION_ACCEPTED, {"civil"}, False),
        (_bilan, NotificationKind.REPORT_READY, {"prefect", "municipality", "civil", "facilitator"}, False),
    ],
    ids=[
        "version",
        "approval",
        "adoption",
        "comment",
        "to-sign",
        "signed",
        "session",
        "seat",
        "invitation",
        "bilan",
    ],
)
def test_each_event_tells_exactly_the_people_concerned(world, people, event, kind, expected, action):
    event(world, people)
    rows = Notification.objects.filter(kind=kind)
    names = {name for name, user in people.items() if rows.filter(user=user).exists()}
    assert names == expected
    assert rows.count() >= len(expected) and all(row.url.startswith("/") for row in rows)
    if action is not None:
        assert {row.is_action for row in rows} == {action}


def test_national_staff_are_told_of_the_bilan_they_asked_for_not_of_each_bilan_of_their_batch(world):
    asked = ReportFactory(site=world.site_a, state=ReportState.DONE, requested_by=world.national)
    in_batch = ReportFactory(
        site=world.site_b, state=ReportState.DONE, requested_by=world.national, data_date=asked.data_date
    )
    ReportFactory(
        kind=ReportKind.BATCH,
        site=None,
        requested_by=world.national,
        data_date=asked.data_date,
        snapshot={"kind": "batch", "reports": [in_batch.pk]},
    )
    tell_ready(asked)
    tell_ready(in_batch)
    told = Notification.objects.filter(kind=NotificationKind.REPORT_READY, user=world.national)
    assert [n.url for n in told] == [asked.get_absolute_url()]


def test_the_comment_thread_asks_the_trinome_to_answer_and_resolving_closes_it(world, people):
    _comment(world, people)
    assert set(notifications.open_items(people["prefect"]).values_list("kind", flat=True)) == {"comment"}
    assert not notifications.open_items(people["partner"]).exists()  # told, nothing to do
    for comment in world.site_a.vision_comments.all():
        vision.resolve_comment(comment, people["civil"])
    assert not notifications.open_items(people["prefect"]).exists()


def test_a_session_planned_and_moved_tells_its_people_not_its_planner(world, people):
    _plan_only = _module(world, days=9)
    session = sessions.plan_session(people["facilitator"], _plan_only)
    planned = Notification.objects.filter(kind=NotificationKind.SESSION_PLANNED)
    assert set(planned.values_list("user", flat=True)) == {
        people[n].pk for n in ("prefect", "municipality", "civil", "partner")
    }
    _plan_only.starts_at, _plan_only.ends_at = at(days=10), at(days=10, hour=12)
    sessions.update_session(session, _plan_only, user=people["facilitator"], expected_version=session.version)
    moved = Notification.objects.filter(kind=NotificationKind.SESSION_MOVED)
    assert moved.count() == 4 and all(n.site_id == world.site_a.pk for n in moved)


def test_the_notifications_of_an_event_cost_two_queries_whatever_the_number_of_people(
    world, django_assert_num_queries
):
    people = UserFactory.create_batch(50)
    # The people's choices, one insert (with a broker, the outbox adds the e-mail task's row: bench/run.py).
    with django_assert_num_queries(2):
        rows = notifications.notify(
            NotificationKind.SESSION_PLANNED, people, title="Séminaire", url="/", site=world.site_a
        )
    assert len(rows) == 50


# --- Reading through the access module ---------------------------------------------------------------------


def test_a_person_who_lost_access_to_a_site_no_longer_sees_its_notifications(client, world, people):
    _edit(world, people)
    prefect = people["prefect"]
    mine = Notification.objects.get(user=prefect)
    world.login(client, prefect)
    assert "Version 1 de la vision à approuver" in client.get(reverse("notifications:list")).content.decode()

    members.end_membership(world.site_a.memberships.get(user=prefect), actor=world.national)

    assert notifications.Inbox(prefect).unread == 0
    page = client.get(reverse("notifications:list")).content.decode()
    assert "Version 1 de la vision" not in page and world.site_a.name not in page
    assert client.get(reverse("notifications:open", args=[mine.pk])).status_code == 404
    assert client.post(reverse("notifications:read", args=[mine.pk])).status_code == 404
    assert notifications.send_mail_for(prefect.pk, now=timezone.now() + LATER) == 0
    assert not mail.outbox


def test_what_a_person_lost_access_to_is_left_alone_everywhere_and_back_with_the_access(
    client, world, people
):
    prefect = people["prefect"]
    notifications.set_preferences(prefect, {NotificationKind.VERSION_TO_APPROVE: Delivery.DIGEST})
    _edit(world, people)  # the prefect: a version to approve (an action), in the digest by their choice
    assert notifications.open_items(prefect) and notifications.digest_items(prefect)
    membership = world.site_a.memberships.get(user=prefect)
    members.end_membership(membership, actor=world.national)
    world.login(client, prefect)

    # Marking everything read leaves it alone; no list, fragment, count, to-do list or digest shows it.
    assert client.post(reverse("notifications:read_all")).status_code == 302
    assert not Notification.objects.filter(user=prefect, read_at__isnull=False).exists()
    fragment = client.get(reverse("notifications:list"), headers={"HX-Request": "true"}).content.decode()
    assert "vision" not in fragment and "non lue" not in fragment
    assert "de la vision à approuver" not in client.get(reverse("evaluation:due")).content.decode()
    assert not notifications.open_items(prefect) and not notifications.digest_items(prefect)
    assert notifications.Inbox(prefect).unread == 0

    # Given the seat again, the person finds it where it was, unread.
    membership.ended_on = None
    membership.save()
    assert notifications.Inbox(prefect).unread == Notification.objects.filter(user=prefect).count() > 0


def _told_about_site_b(world, person) -> Notification:
    return Notification.objects.create(
        user=person,
        site=world.site_b,
        kind=NotificationKind.VERSION_TO_APPROVE,
        title="Quartier B",
        url="/",
        created_at=timezone.now(),
        delivery=Delivery.NONE,
    )


def test_the_header_count_built_once_for_a_person_follows_what_they_may_see(world, people, monkeypatch):
    """The header's count is built once per person (its SQL) and run on every page: run again, unbuilt, it
    leaves out the site the person has just lost and counts it again once they are back; a new role gets the
    rule of that role (a facilitator: the sites of their centre's regions; national staff: every site)."""
    from qic.roles import PlatformRole

    _edit(world, people)
    prefect = people["prefect"]
    _told_about_site_b(world, prefect)  # a site the prefect is not a member of, in another region
    on_a = Notification.objects.filter(user=prefect, site=world.site_a, read_at__isnull=True).count()
    assert on_a > 0
    assert notifications.Inbox(prefect).unread == on_a

    def not_built_again(*args, **kwargs):
        raise AssertionError("the count's query is built again")

    with monkeypatch.context() as patched:
        patched.setattr(notifications, "readable", not_built_again)
        membership = world.site_a.memberships.get(user=prefect)
        members.end_membership(membership, actor=world.national)
        assert notifications.Inbox(prefect).unread == 0
        membership.ended_on = None
        membership.save()
        assert notifications.Inbox(prefect).unread == on_a

    prefect.role = PlatformRole.FACILITATOR
    prefect.resource_centre = world.facilitator_a.resource_centre  # its region holds site A, not site B
    prefect.save()
    assert notifications.Inbox(prefect).unread == on_a
    prefect.role, prefect.resource_centre = PlatformRole.NATIONAL, None
    prefect.save()
    assert notifications.Inbox(prefect).unread == on_a + 1


def test_a_members_navigation_and_header_count_share_one_read_of_their_sites(client, world, people):
    """Outside their sites' pages, a member's "Bilans" entry and unread count come from one read of their
    current memberships (the request's scope), and the count still leaves out a site they do not belong to."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _edit(world, people)
    prefect = people["prefect"]
    _told_about_site_b(world, prefect)
    expected = Notification.objects.filter(user=prefect, site=world.site_a, read_at__isnull=True).count()
    assert expected > 0
    world.login(client, prefect)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("legal_notice"))
    assert "Bilans" in [item["label"] for item in response.context["nav_items"]]
    assert f'{expected}<span class="fr-sr-only"> non lue' in response.content.decode()
    membership_reads = [q["sql"] for q in queries.captured_queries if '"collectives_membership"' in q["sql"]]
    assert len(membership_reads) == 1, membership_reads


# --- E-mails: grouped, once, after the delay, as each person chose ----------------------------------------


def test_a_burst_of_ten_edits_is_one_email_per_person(world, people, django_capture_on_commit_callbacks):
    for number in range(10):
        with django_capture_on_commit_callbacks(execute=True):
            vision.save_statement(
                world.site_a,
                people["civil"],
                expected_version=number + 1,
                statement=f"V{number}",
                horizon_year=2045,
            )
    assert not mail.outbox  # the tasks ran at commit (eager), before the grouping delay: nothing yet
    later = timezone.now() + LATER
    due = notifications.due_mail_user_ids(now=later)
    assert sorted(due) == sorted([people["prefect"].pk, people["municipality"].pk])
    assert sum(notifications.send_mail_for(pk, now=later) for pk in due) == 2  # the latest version only
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [people["prefect"].email, people["municipality"].email]
    )
    message = mail.outbox[0]
    assert "Version 10 de la vision à approuver" in message.subject
    assert "Version 9 " not in message.body  # replaced by version 10: no longer news
    assert sum(notifications.send_mail_for(pk, now=later) for pk in due) == 0  # sent once
    assert len(mail.outbox) == 2


def test_preferences_choose_the_digest_or_no_email(client, world, people, settings):
    settings.QIC_NOTIFICATION_MAIL_DELAY = 0
    world.login(client, people["prefect"])
    form = dict.fromkeys(NotificationKind.values, Delivery.IMMEDIATE)
    form[NotificationKind.VERSION_TO_APPROVE] = Delivery.DIGEST
    assert client.post(reverse("notifications:preferences"), form).status_code == 302
    notifications.set_preferences(
        people["municipality"], {NotificationKind.VERSION_TO_APPROVE: Delivery.NONE}
    )

    _edit(world, people)

    assert not mail.outbox  # neither wanted it at once
    assert [n.title for n in notifications.digest_items(people["prefect"])] == [
        "Version 1 de la vision à approuver : Vision modifiée (horizon 2045)"
    ]
    assert not notifications.digest_items(people["municipality"])
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert 'value="digest" checked' in page


def test_preferences_sent_incomplete_keep_the_rest_and_a_wrong_value_is_said(client, world, people):
    """A page shown before a kind of notification existed sends fewer choices: the missing ones keep their
    current value instead of the whole form failing silently; a value no choice has is said by its kind."""
    world.login(client, people["prefect"])
    notifications.set_preferences(people["prefect"], {NotificationKind.SESSION_PLANNED: Delivery.NONE})
    url = reverse("notifications:preferences")
    only_one = {NotificationKind.VERSION_TO_APPROVE: Delivery.DIGEST}
    assert client.post(url, only_one).status_code == 302
    kept = notifications.preferences(people["prefect"])
    assert kept[NotificationKind.VERSION_TO_APPROVE] == Delivery.DIGEST
    assert kept[NotificationKind.SESSION_PLANNED] == Delivery.NONE
    page = client.post(url, {NotificationKind.SESSION_PLANNED: "n-importe-quoi"}).content.decode()
    assert "1 point à corriger" in page and "Choisissez l’une des trois possibilités." in page
    assert notifications.preferences(people["prefect"])[NotificationKind.SESSION_PLANNED] == Delivery.NONE


def test_an_immediate_notification_is_mailed_after_commit_in_french(
    world, people, settings, django_capture_on_commit_callbacks
):
    settings.QIC_NOTIFICATION_MAIL_DELAY = 0
    with django_capture_on_commit_callbacks(execute=True):
        _approve(world, people, by=("prefect", "municipality", "civil"))
    adopted = [m for m in mail.outbox if "adoptée" in m.subject]
    assert sorted(m.to[0] for m in adopted) == sorted(
        people[n].email for n in ("prefect", "municipality", "civil")
    )
    assert "Bonjour" in adopted[0].body and "/notifications/" in adopted[0].body


def test_the_digest_and_the_to_do_list_read_the_same_source(client, world, people):
    _edit(world, people)  # the prefect has a version to approve (immediate) ...
    _approve(world, people, by=("municipality",))  # ... and is told of an approval in the digest
    prefect = people["prefect"]
    world.login(client, prefect)
    page = client.get(reverse("evaluation:due")).content.decode()
    assert "Ce qui attend votre action" in page and "de la vision à approuver" in page

    assert prefect.pk in digest.recipient_ids()
    assert digest.send_digest(prefect.pk, digest.week_of(timezone.localdate())) is True
    body = mail.outbox[-1].body
    assert "Ce qui attend votre action" in body
    assert "de la vision approuvée (siège" in body
    assert not notifications.digest_items(prefect)  # sent with the digest: not twice


# --- The notification centre --------------------------------------------------------------------------------


def test_the_centre_groups_by_site_opens_and_marks_read(client, world, people, django_assert_num_queries):
    _edit(world, people)
    prefect = people["prefect"]
    notifications.notify(
        NotificationKind.SESSION_PLANNED, [prefect], title="Séminaire national", url="/sessions/", site=None
    )
    world.login(client, prefect)
    page = client.get(reverse("notifications:list")).content.decode()
    assert page.index(world.site_a.name) < page.index("Hors site")
    assert '2<span class="fr-sr-only"> non lues</span>' in page
    # On a phone the bell and its count stay beside the menu button (the desk header's tools go in the menu).
    navbar = page[page.index('id="qic-navbar-notify"') :]
    assert navbar.index("Notifications&nbsp;: 2 non lues</span></a>") < navbar.index(
        '<span class="qic-navbar-notify__count" aria-hidden="true">2<'
    )

    first = Notification.objects.filter(user=prefect, site=world.site_a).first()
    response = client.get(reverse("notifications:open", args=[first.pk]))
    assert response.status_code == 302 and response.url == first.url
    assert notifications.Inbox(prefect).unread == 1

    # With HTMX, the list and the header's count come back; without, a redirect and a message.
    other = Notification.objects.get(user=prefect, site=None)
    response = client.post(reverse("notifications:read", args=[other.pk]), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert (
        body.count('hx-swap-oob="true"') == 2
        and "non lue" not in body
        and "qic-navbar-notify__count" not in body
    )
    assert notifications.Inbox(prefect).unread == 0
    # Its button gone, its link takes the keyboard's focus in the centre swapped in (static/js/focus.js).
    opened = reverse("notifications:open", args=[other.pk])
    assert f'<a href="{opened}" data-qic-autofocus>' in body and body.count("data-qic-autofocus") == 1

    Notification.objects.update(read_at=None)
    assert client.post(reverse("notifications:read_all")).status_code == 302
    assert notifications.Inbox(prefect).unread == 0
    # Another person's notification is a 404, to open or to mark.
    theirs = Notification.objects.exclude(user=prefect).first()
    assert client.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None
