"""Synthetic data at scale, and the dashboard's constant number of queries on it."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from collectives.models import Membership, User
from sites import synthetic
from sites.dashboard import cache as dashboard_cache
from sites.models import Site, SiteEvent, SiteStatusChange

pytestmark = pytest.mark.django_db


def test_seed_synthetic_spreads_realistic_sites_across_waves(capsys):
    call_command("seed_synthetic", "--sites", "120")
    sites = Site.objects.filter(slug__startswith=synthetic.SLUG_PREFIX)
    assert sites.count() == 120
    assert sites.values("wave").distinct().count() == 4
    assert sites.values("status").distinct().count() >= 5
    assert Membership.objects.filter(site__in=sites, ended_on__isnull=True).count() > 120
    assert Membership.objects.filter(site__in=sites, ended_on__isnull=False).exists()  # seat handovers
    assert SiteEvent.objects.filter(site__in=sites).count() > 120
    assert SiteStatusChange.objects.filter(site__in=sites).exists()
    assert not sites.filter(search_text="").exists()
    active = sites.filter(status="active").first()
    assert active.last_activity_at is not None
    assert User.objects.filter(email__endswith="@synthetique.qic.fr", role="member").exists()
    member = Membership.objects.filter(site=active).first().user
    assert not User.objects.get(pk=member.pk).has_usable_password()
    assert "120 sites" in capsys.readouterr().out


def test_seed_synthetic_replaces_the_previous_run():
    synthetic.generate(30)
    synthetic.generate(12)
    assert Site.objects.filter(slug__startswith=synthetic.SLUG_PREFIX).count() == 12
    synthetic_people = User.objects.filter(email__endswith="@synthetique.qic.fr")
    assert synthetic_people.count() == Membership.objects.filter(user__in=synthetic_people).count()


def test_dashboard_queries_do_not_grow_from_30_to_300_sites(client, world):
    world.login(client, world.national)
    url = reverse("sites:dashboard")

    def count(params):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, params).status_code == 200
        return len(captured)

    def queries(params):
        """Computed (after a write: nothing cached), then from the dashboard's cache."""
        dashboard_cache.bump()
        return count(params), count(params)

    filters = [
        {},
        {"vague": "3", "region": "84"},
        {"statut": "active", "tri": "-trinome"},
        {"alerte": "inactif"},
    ]
    synthetic.generate(30)
    few = [queries(params) for params in filters]
    synthetic.generate(300)
    many = [queries(params) for params in filters]
    assert many == few
    assert max(cold for cold, _ in many) <= 20
    assert all(warm < cold for cold, warm in many)
