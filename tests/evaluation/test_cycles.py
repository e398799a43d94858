"""Evaluation cycles: written together (optimistic locking), closed by applying their adjustments."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluation.models import Adjustment, EvaluationCycle, LearningEntry
from sites.enums import EventKind
from tests.evaluation.factories import action_for, change_for, cycle_for
from tests.queries import columns_read
from vision.models import Change, Revision

pytestmark = pytest.mark.django_db


def _url(name, cycle, **kwargs):
    return reverse(f"evaluation:{name}", kwargs={"site_slug": cycle.site.slug, "pk": cycle.pk, **kwargs})


def test_seat_holder_opens_a_cycle_and_bad_dates_are_refused_next_to_the_field(client, world):
    world.login(client, world.seat_holder_a)
    url = reverse("evaluation:cycle_add", args=[world.site_a.slug])
    data = {"title": "Automne", "starts_on": "2026-09-01", "ends_on": "2026-08-01", "version": "0"}
    content = client.post(url, data).content.decode()
    assert "La fin du cycle doit suivre son début." in content
    content = client.post(url, {**data, "ends_on": "le 3 mars"}).content.decode()
    assert "Saisissez une date valide, par exemple 21/11/2026." in content
    assert not EvaluationCycle.objects.exists()
    response = client.post(url, {**data, "ends_on": "2026-12-15", "planned": "Deux ateliers."})
    cycle = EvaluationCycle.objects.get()
    assert response.status_code == 302 and response.url == _url("cycle_detail", cycle)
    assert (cycle.site, cycle.planned, cycle.version) == (world.site_a, "Deux ateliers.", 1)


def test_closing_a_cycle_applies_its_adjustments_to_the_strategy(client, world):
    site = world.site_a
    change = change_for(site, title="Les habitants viennent aux réunions")
    target = change_for(site, title="Les habitants prennent part aux décisions")
    action = action_for(site, status="running")
    cycle = cycle_for(site, adjustments_summary="Parler de décisions, pas de réunions.")
    world.login(client, world.seat_holder_a)
    add = _url("adjustment_add", cycle)
    assert (
        client.post(
            add, {"kind": "edit_change", "change": change.pk, "title": "Les habitants animent les réunions"}
        ).status_code
        == 302
    )
    assert client.post(
        add,
        {"kind": "add_change", "change": target.pk, "title": "Les jeunes siègent au conseil citoyen",
         "level": "direct", "register": "practices", "rationale": "Les jeunes manquaient."},
    ).status_code == 302  # fmt: skip
    assert (
        client.post(add, {"kind": "action_status", "action": action.pk, "status": "done"}).status_code == 302
    )
    revisions_before = Revision.objects.filter(site=site).count()

    response = client.post(_url("cycle_close", cycle), {"version": "1"})

    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.is_closed and cycle.closed_by == world.seat_holder_a
    change.refresh_from_db()
    assert change.title == "Les habitants animent les réunions" and change.version == 2
    added = Change.objects.get(title="Les jeunes siègent au conseil citoyen")
    assert list(added.contributes_to.all()) == [target] and added.site == site
    action.refresh_from_db()
    assert action.status == "done"
    # Each edit is a new version of the strategy, which each adjustment points to.
    assert Revision.objects.filter(site=site).count() == revisions_before + 3
    adjustments = list(cycle.adjustment_items.order_by("id"))
    assert all(a.applied_at and a.revision_id for a in adjustments)
    assert adjustments[1].change == added
    assert [a.revision.number for a in adjustments] == sorted(a.revision.number for a in adjustments)
    # What was learned is in the learning log, and the journal tells the story.
    assert cycle.learning.what_we_learned == "Les réunions du soir réunissent davantage d’habitants."
    event = site.events.get(kind=EventKind.EVALUATION_CYCLE)
    assert "3 ajustements de la stratégie appliqués" in event.summary
    with CaptureQueriesContext(connection) as queries:
        page = client.get(_url("cycle_detail", cycle)).content.decode()
    assert "Clos le" in page and f"Version {adjustments[2].revision.number} de la stratégie" in page
    assert _url("cycle_close", cycle) not in page
    # The adjustments name their versions of the strategy and their elements: the whole strategy each
    # version holds and the elements' descriptions are not read for it.
    assert not columns_read(queries, '"vision_revision"."snapshot"', '"vision_change"."description"')
    # The list of cycles shows titles and dates: not the cycles' texts.
    with CaptureQueriesContext(connection) as queries:
        listing = client.get(reverse("evaluation:cycles", args=[site.slug])).content.decode()
    assert "3 ajustements" in listing
    texts = ("planned", "observed", "learned", "adjustments_summary")
    assert not columns_read(queries, *(f'"evaluation_evaluationcycle"."{name}"' for name in texts))


def test_a_cycle_closed_before_its_end_files_its_learning_on_the_day_it_closed(client, world):
    """Found by an adversarial sweep: a cycle ending next June, closed today, filed its learning dated next
    June, which the learning form then refused to save again ("dated once lived")."""
    cycle = cycle_for(world.site_a, starts_on=timezone.localdate(), ends_on=dt.date(2099, 6, 30))
    world.login(client, world.seat_holder_a)
    assert client.post(_url("cycle_close", cycle), {"version": "1"}).status_code == 302
    cycle.refresh_from_db()
    assert cycle.is_closed and cycle.learning.occurred_on == timezone.localdate()


def test_a_cycle_is_not_closed_when_its_change_was_edited_since_the_adjustment(client, world):
    site = world.site_a
    change = change_for(site, title="Avant")
    cycle = cycle_for(site)
    world.login(client, world.seat_holder_a)
    client.post(_url("adjustment_add", cycle), {"kind": "edit_change", "change": change.pk, "title": "Après"})
    action = action_for(site)
    client.post(
        _url("adjustment_add", cycle), {"kind": "action_status", "action": action.pk, "status": "done"}
    )
    Change.objects.filter(pk=change.pk).update(title="Modifié par Sophie", version=2)

    response = client.post(_url("cycle_close", cycle), {"version": "1"})

    assert response.status_code == 409
    assert "« Modifié par Sophie » a été modifié dans la stratégie" in response.content.decode()
    cycle.refresh_from_db()
    assert not cycle.is_closed and cycle.learning is None
    action.refresh_from_db()
    assert action.status == "running"  # nothing applied: one transaction
    assert not LearningEntry.objects.exists()
    assert not site.events.filter(kind=EventKind.EVALUATION_CYCLE).exists()


def test_closing_needs_what_was_observed_and_learned_and_a_fresh_page(client, world):
    cycle = cycle_for(world.site_a, observed="", learned="")
    world.login(client, world.seat_holder_a)
    content = client.post(_url("cycle_close", cycle), {"version": "1"}).content.decode()
    assert "Avant de clore le cycle, écrivez ce que vous avez observé et ce que vous avez appris." in content
    EvaluationCycle.objects.filter(pk=cycle.pk).update(observed="Vu", learned="Appris", version=2)
    content = client.post(_url("cycle_close", cycle), {"version": "1"}).content.decode()
    assert "Ce cycle a été modifié pendant que vous le lisiez" in content
    assert client.post(_url("cycle_close", cycle), {"version": "2"}).status_code == 302
    content = client.post(_url("cycle_close", cycle), {"version": "3"}).content.decode()
    assert "Ce cycle est déjà clos." in content


def test_two_people_editing_a_cycle_never_overwrite_each_other(client, world):
    cycle = cycle_for(world.site_a)
    world.login(client, world.seat_holder_a)
    data = {"title": cycle.title, "starts_on": "2026-03-01", "ends_on": "2026-06-30", "version": "1"}
    assert client.post(_url("cycle_edit", cycle), {**data, "learned": "Version de Nadia"}).status_code == 302
    response = client.post(_url("cycle_edit", cycle), {**data, "learned": "Version de Karim"})
    content = response.content.decode()
    assert (
        "Enregistrement refusé" in content and "Version de Karim" in content and "Version de Nadia" in content
    )
    cycle.refresh_from_db()
    assert (cycle.learned, cycle.version) == ("Version de Nadia", 2)


def test_adjustments_are_checked_for_their_kind(client, world):
    cycle = cycle_for(world.site_a)
    action = action_for(world.site_a, status="done")
    world.login(client, world.seat_holder_a)
    add = _url("adjustment_add", cycle)
    content = client.post(add, {"kind": "edit_change", "title": "X"}).content.decode()
    assert "Choisissez le changement à reformuler." in content
    content = client.post(add, {"kind": "add_change", "title": "Y"}).content.decode()
    assert "Choisissez un niveau." in content and "Choisissez un registre." in content
    content = client.post(
        add, {"kind": "action_status", "action": action.pk, "status": "done"}
    ).content.decode()
    assert "L’action est déjà « Réalisée »." in content
    other_site_change = change_for(world.site_b)
    content = client.post(add, {"kind": "link", "change": other_site_change.pk}).content.decode()
    assert "Sélectionnez un choix valide" in content
    assert not Adjustment.objects.exists()


def test_partners_and_facilitators_read_cycles_but_do_not_close_them(client, world):
    cycle = cycle_for(world.site_a)
    for reader in (world.partner_a, world.facilitator_a):
        world.login(client, reader)
        page = client.get(_url("cycle_detail", cycle)).content.decode()
        assert cycle.title in page and _url("cycle_close", cycle) not in page
        assert client.post(_url("cycle_close", cycle), {"version": "1"}).status_code == 403
        assert client.get(reverse("evaluation:cycles", args=[world.site_a.slug])).status_code == 200
    cycle.refresh_from_db()
    assert not cycle.is_closed


def test_cycle_list_query_count(client, world, django_assert_max_num_queries):
    for index in range(6):
        cycle = cycle_for(world.site_a, title=f"Cycle {index}", starts_on=dt.date(2026, 1, 1 + index))
        Adjustment.objects.create(
            cycle=cycle, site=world.site_a, kind="link", change=change_for(world.site_a)
        )
    world.login(client, world.seat_holder_a)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("evaluation:cycles", args=[world.site_a.slug]))
    assert response.content.decode().count("1 ajustement") == 6
