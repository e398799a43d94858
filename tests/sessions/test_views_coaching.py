"""Views of collectives/sessions/views/coaching.py: hours per CRPV and per site, the site page's card, and the
national dashboard's session and coaching columns (the hook of the National tracking issue)."""

import csv
import io

from django.urls import reverse

from collectives.enums import SessionKind
from collectives.sessions import services
from tests.sessions.factories import at, make_session
from tests.sites.factories import SiteFactory, department

COACHING = reverse("sessions:coaching")
DASHBOARD = reverse("sites:dashboard")


def _coaching(site, *, days, hours, **extra):
    return make_session([site], kind=SessionKind.SITE_COACHING, starts_at=at(days=days), hours=hours, **extra)


def test_national_staff_see_hours_per_crpv_and_per_site(client, world):
    _coaching(world.site_a, days=-3, hours=2)
    _coaching(world.site_b, days=-3, hours=11, overbooking_reason="Passation")
    world.login(client, world.national)
    page = client.get(COACHING).content.decode()
    assert world.facilitator_a.resource_centre.name in page and "Sans CRPV" in page
    assert world.site_a.name in page and world.site_b.name in page
    assert "−1" in page  # site B is one hour past its budget
    narrowed = client.get(COACHING, {"crpv": world.facilitator_a.resource_centre.pk}).content.decode()
    assert world.site_b.name not in narrowed


def test_a_facilitator_sees_the_sites_of_their_regions(client, world):
    _coaching(world.site_a, days=-3, hours=2)
    world.login(client, world.facilitator_a)
    page = client.get(COACHING).content.decode()
    assert world.site_a.name in page and world.site_b.name not in page


def test_members_do_not_see_the_overview(client, world):
    world.login(client, world.seat_holder_a)
    assert client.get(COACHING).status_code == 403


def test_the_overview_takes_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    world.login(client, world.national)
    with django_assert_max_num_queries(15) as few:
        client.get(COACHING)
    for index in range(10):
        _coaching(SiteFactory(department=department("42")), days=-2, hours=1 + index % 3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(COACHING)


def test_a_sites_sessions_page_shows_its_hours_and_overbooking(client, world):
    _coaching(world.site_a, days=-10, hours=9, title="Premier accompagnement")
    _coaching(
        world.site_a,
        days=5,
        hours=2,
        title="Deuxième accompagnement",
        overbooking_reason="Passation du siège",
    )
    make_session([world.site_a], title="Module à venir", starts_at=at(days=8))
    world.login(client, world.seat_holder_a)
    page = client.get(reverse("sessions:site_sessions", args=[world.site_a.slug])).content.decode()
    assert "9\u00a0h" in page and "2\u00a0h" in page and "Dépassement" in page
    assert "Hors budget\u00a0: Passation du siège" in page
    assert "Module à venir" in page
    assert "Planifier un accompagnement" not in page  # members do not plan


def test_the_site_page_card_shows_hours_and_the_next_session(client, world):
    _coaching(world.site_a, days=-10, hours=2)
    make_session([world.site_a], title="Module à venir", starts_at=at(days=8))
    world.login(client, world.partner_a)
    page = client.get(reverse("sites:detail", args=[world.site_a.slug])).content.decode()
    card = page[page.index('id="sessions-card-title"') :]
    assert "2\u00a0h</strong> utilisée" in card and "8\u00a0h</strong> restante" in card
    assert "Module à venir" in card
    # The card's style sheet is loaded in the page's head, once: a <link> in the body is not valid HTML.
    head, body = page.split("</head>")
    assert head.count("css/sessions.css") == 1 and "css/sessions.css" not in body


def test_the_dashboard_shows_hours_used_of_the_budget_and_the_last_session(client, world):
    session = make_session(
        [world.site_a],
        kind=SessionKind.SITE_COACHING,
        starts_at=at(days=-4),
        hours=2,
        title="Accompagnement du 4",
    )
    services.set_presence(session.participants.get(user=world.seat_holder_a), True, actor=None)
    _coaching(world.site_b, days=-4, hours=11)
    world.login(client, world.national)
    page = client.get(DASHBOARD).content.decode()
    # Hours the French way: a no-break space before the unit (qic.text.hours).
    assert "2\u00a0h / 10\u00a0h" in page and "reste 8\u00a0h" in page
    assert "11\u00a0h / 10\u00a0h" in page and "dépassement de 1\u00a0h" in page
    assert "Accompagnement du 4" in page  # the last session attended
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("sites:dashboard_export", args=["csv"])).content.decode("utf-8-sig")
            ),
            delimiter=";",
        )
    )
    header = rows[0]
    used, budget = (
        header.index("Heures d’accompagnement utilisées"),
        header.index("Budget d’accompagnement (heures)"),
    )
    row_a = next(r for r in rows if r[0] == world.site_a.name)
    assert (row_a[used], row_a[budget]) == ("2", "10")  # numbers a French spreadsheet reads


def test_the_dashboard_sorts_on_coaching_hours(client, world):
    _coaching(world.site_b, days=-4, hours=3)
    world.login(client, world.national)
    names = [
        s.name for s in client.get(DASHBOARD, {"tri": "-accompagnement"}).context["page_obj"].object_list
    ]
    assert names[0] == world.site_b.name


def test_a_sites_sessions_page_takes_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    world.login(client, world.seat_holder_a)
    url = reverse("sessions:site_sessions", args=[world.site_a.slug])
    _coaching(world.site_a, days=-2, hours=1)
    make_session([world.site_a], title="Premier module", starts_at=at(days=2))  # both lists are prefetched
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for index in range(6):
        _coaching(world.site_a, days=-10 - index, hours=1)
        make_session([world.site_a], title=f"Module {index}", starts_at=at(days=3 + index))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "Module 5" in client.get(url).content.decode()
