"""The site page of the Foundation: identity, trinôme with vacant seats, history."""

import datetime as dt

from django.urls import reverse

from collectives.enums import MemberRole
from tests.collectives.factories import MembershipFactory, UserFactory
from tests.sites.factories import SiteFactory


def test_site_page_shows_the_trinome_and_marks_vacant_seats(client, world):
    client.force_login(world.partner_a)
    page = client.get(world.site_a.get_absolute_url()).content.decode()
    assert "Quartier A" in page
    assert world.seat_holder_a.get_full_name() in page
    assert page.count("Siège vacant") == 2  # only the civil-society seat is held


def test_site_page_keeps_former_seat_holders_in_the_history(client, world):
    former = UserFactory(first_name="Pascal", last_name="Vidal")
    MembershipFactory(
        site=world.site_a,
        user=former,
        role=MemberRole.PREFECT_DELEGATE,
        started_on=dt.date(2022, 4, 1),
        ended_on=dt.date(2024, 8, 31),
    )
    client.force_login(world.national)
    page = client.get(world.site_a.get_absolute_url()).content.decode()
    assert "Pascal Vidal" in page
    assert "31 août 2024" in page


def test_site_list_query_count_does_not_grow_with_sites(client, world, django_assert_max_num_queries):
    client.force_login(world.national)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("sites:list"))
    SiteFactory.create_batch(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("sites:list"))
    assert response.status_code == 200
