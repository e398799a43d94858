"""Security rules that hold for every URL: CSRF on every POST, rights re-read on every request."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.test_tenancy import RULES

pytestmark = pytest.mark.every_database


@pytest.mark.parametrize(("name", "rule"), [pytest.param(n, r, id=n) for n, r in RULES.items()])
def test_every_url_refuses_a_post_without_csrf_token(world, name, rule):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.national)
    response = client.post(reverse(name, kwargs=rule.kwargs(world)), {"name": "x"})
    assert response.status_code == 403


def test_a_demoted_national_agent_is_refused_on_the_next_request(client, world):
    client.force_login(world.national)
    assert client.get(reverse("audit_log")).status_code == 200
    world.national.role = "member"
    world.national.save()
    assert client.get(reverse("audit_log")).status_code == 403
    assert client.get(world.site_b.get_absolute_url()).status_code == 404


def test_a_member_whose_membership_ended_loses_the_site_on_the_next_request(client, world):
    client.force_login(world.partner_a)
    assert client.get(world.site_a.get_absolute_url()).status_code == 200
    membership = world.partner_a.memberships.get()
    membership.ended_on = membership.started_on
    membership.save()
    assert client.get(world.site_a.get_absolute_url()).status_code == 404


def test_a_facilitator_moved_to_another_centre_loses_the_old_region(client, world):
    from tests.sites.factories import ResourceCentreFactory, region

    client.force_login(world.facilitator_a)
    assert client.get(world.site_a.get_absolute_url()).status_code == 200
    world.facilitator_a.resource_centre = ResourceCentreFactory(regions=[region("32")])
    world.facilitator_a.save()
    assert client.get(world.site_a.get_absolute_url()).status_code == 404
    assert client.get(world.site_b.get_absolute_url()).status_code == 200


def _admin_form_data(page, **changes) -> dict:
    """What the admin's change form sends back, as a browser would (its inlines left unchanged)."""
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data.update({management[name].html_name: management[name].value() for name in management.fields})
        for inline in formset.formset.forms:
            data.update({inline[name].html_name: inline[name].value() or "" for name in inline.fields})
    return {key: value for key, value in {**data, **changes}.items() if value is not None}


# Django's own read-only password widget reads `password_url` with a default: not a page fault.
@pytest.mark.ignore_template_errors
def test_national_staff_run_the_registry_not_the_administrators(client, world):
    """Found by an adversarial sweep: a national account made another one superuser through the admin (and
    could have set a superuser's password), and rewrote a site's journal entry. National staff manage the
    accounts and the registry; administrators, their accounts, the journal, groups and scheduled tasks are
    not theirs."""
    from collectives.models import User
    from sites import journal
    from sites.enums import EventKind

    root = User.objects.create_superuser("racine@qic.example", "un-mot-de-passe-solide-2025")
    client.force_login(world.national)
    url = reverse("admin:collectives_user_change", args=[world.seat_holder_a.pk])
    page = client.get(url)
    assert "is_superuser" not in page.context["adminform"].form.fields  # shown, read only
    assert client.post(url, _admin_form_data(page, is_superuser="on")).status_code == 302
    world.seat_holder_a.refresh_from_db()
    assert not world.seat_holder_a.is_superuser
    # A superuser's account is out of their reach: not listed, not opened, its password not set.
    listing = client.get(reverse("admin:collectives_user_changelist")).content.decode()
    assert "racine@qic.example" not in listing
    for name in ("collectives_user_change", "auth_user_password_change", "collectives_user_delete"):
        assert client.get(reverse(f"admin:{name}", args=[root.pk])).status_code in (302, 404), name
    event = journal.record(world.site_a, EventKind.NOTE, "Note d’origine", actor=world.seat_holder_a)
    change = reverse("admin:sites_siteevent_change", args=[event.pk])
    assert client.post(change, {"summary": "Réécrite"}).status_code == 403
    assert (
        client.post(reverse("admin:sites_siteevent_delete", args=[event.pk]), {"post": "yes"}).status_code
        == 403
    )
    event.refresh_from_db()
    assert event.summary == "Note d’origine"
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403
    assert client.get(reverse("admin:django_celery_beat_periodictask_changelist")).status_code == 403
    assert client.get(reverse("admin:sites_site_changelist")).status_code == 200  # the registry stays theirs
