"""Issue 15, "nothing is destroyed as a side effect": work people entered survives every edit, delete,
restore, handover and closing; a destructive action says beforehand what it removes.

GIVEN a site whose trinôme entered work on its strategy, WHEN an item is deleted or an old version restored
(and then the newer one again), THEN the work is kept, detached and labelled, and linked again when the item
comes back: the round trip returns exactly the earlier state.
"""

import datetime as dt
import re

import pytest
from django.urls import reverse

from collectives.models import AgreementChange, AgreementSignature
from evaluation.models import Adjustment, Indicator, Measurement
from qic import text
from tests.evaluation.factories import cycle_for, indicator_for
from tests.sessions.factories import make_output
from tests.vision.factories import chain_strategy
from vision import services
from vision.enums import ActionStatus
from vision.models import Change, Comment, PartnerAction

pytestmark = pytest.mark.every_database


@pytest.fixture
def strategy(world):
    """Site A's strategy (2 directs -> 1 intermediate -> 1 ultimate), with work attached to a direct change
    and to a partner action: an indicator with two measurements, a comment, a served action, adjustments."""
    site, user = world.site_a, world.seat_holder_a
    changes = chain_strategy(site, user)
    direct = changes["directs"][0]
    action = services.add_action(
        site,
        user,
        name="Café des parents",
        lead_organisation="Centre social",
        status="running",
        changes=[direct],
    )
    before = services.head(site).number  # the version without the extra change
    extra = services.add_change(
        site,
        user,
        level="direct",
        register="knowledge",
        title="Les parents connaissent le collège",
        targets=changes["intermediates"],
    )
    services.edit_action(
        action,
        user,
        expected_version=PartnerAction.objects.get(pk=action.pk).version,
        name=action.name,
        lead_organisation=action.lead_organisation,
        status=action.status,
        description="",
        changes=[direct, extra],
    )
    indicator = indicator_for(site, change=extra, name="Parents venus aux portes ouvertes")
    for day, value in ((dt.date(2026, 2, 1), 15), (dt.date(2026, 5, 1), 22)):
        Measurement.objects.create(indicator=indicator, site=site, measured_on=day, value=value)
    comment = services.add_comment(site, user, body="Qui compte les parents ?", change=extra)
    cycle = cycle_for(site)
    on_change = Adjustment.objects.create(cycle=cycle, site=site, kind="link", change=extra)
    on_action = Adjustment.objects.create(
        cycle=cycle, site=site, kind="action_status", action=action, status=ActionStatus.DONE
    )
    return {
        "site": site,
        "user": user,
        "extra": extra,
        "action": action,
        "indicator": indicator,
        "comment": comment,
        "adjustments": (on_change, on_action),
        "before": before,
    }


def _state(site) -> dict:
    """Everything people attached to the strategy, by the titles of what it is attached to."""
    title = {c.pk: c.title for c in Change.objects.filter(site=site)}
    return {
        "indicators": sorted(
            (i.name, title.get(i.change_id), sorted(str(m.value) for m in i.measurements.all()))
            for i in Indicator.objects.filter(site=site)
        ),
        "comments": sorted((c.body, title.get(c.change_id)) for c in Comment.objects.filter(site=site)),
        "served": sorted(
            (a.name, sorted(c.title for c in a.changes.all()))
            for a in PartnerAction.objects.filter(site=site)
        ),
        "adjustments": sorted(
            (a.kind, title.get(a.change_id), a.action.name if a.action else None)
            for a in Adjustment.objects.filter(site=site)
        ),
    }


def _restore(client, world, number):
    """As a person does: the version's page (its confirmation), then its button."""
    world.login(client, world.seat_holder_a)
    kwargs = {"site_slug": world.site_a.slug, "number": number}
    page = client.get(reverse("vision:revision", kwargs=kwargs)).content.decode()
    seen = re.search(r'name="actuelle" value="(\d+)"', page)[1]
    response = client.post(reverse("vision:restore", kwargs=kwargs), {"actuelle": seen})
    assert response.status_code == 302 and response.url.endswith("/vision/")


def test_deleting_a_change_keeps_its_indicator_and_measurements(client, world, strategy):
    extra, indicator = strategy["extra"], strategy["indicator"]
    world.login(client, world.seat_holder_a)
    url = reverse("vision:change_delete", kwargs={"site_slug": world.site_a.slug, "change_id": extra.pk})
    assert client.post(url, {"version": extra.version}).status_code in (200, 302)
    assert not Change.objects.filter(pk=extra.pk).exists()
    kept = Indicator.objects.get(pk=indicator.pk)
    assert kept.change is None and kept.measurements.count() == 2
    page = client.get(reverse("evaluation:indicators", args=[world.site_a.slug])).content.decode()
    assert "Parents venus aux portes ouvertes" in page
    assert "« Les parents connaissent le collège » (retiré de la stratégie)" in page
    edit = client.get(reverse("evaluation:indicator_edit", args=[world.site_a.slug, indicator.pk]))
    assert "n’est plus dans la stratégie" in edit.content.decode()


@pytest.mark.parametrize("what", ["change", "action"])
def test_a_deleted_item_brought_back_by_a_restore_finds_its_work_again(client, world, strategy, what):
    site, user = strategy["site"], strategy["user"]
    earlier = _state(site)
    head = services.head(site).number
    item = strategy["extra"] if what == "change" else strategy["action"]
    item.refresh_from_db()
    delete = services.delete_change if what == "change" else services.delete_action
    delete(item, user, expected_version=item.version)
    assert _state(site) != earlier
    _restore(client, world, head)
    assert _state(site) == earlier


def test_a_restoration_confirmed_before_someone_added_work_removes_nothing_unseen(client, world, strategy):
    """Found by an adversarial sweep: a member read what restoring an old version would remove; another added
    a change meanwhile; the restoration removed it too, unseen. The confirmation carries the state it
    described: changed since, nothing is restored and the list is shown again."""
    world.login(client, world.seat_holder_a)
    kwargs = {"site_slug": world.site_a.slug, "number": strategy["before"]}
    page = client.get(reverse("vision:revision", kwargs=kwargs)).content.decode()
    seen = re.search(r'name="actuelle" value="(\d+)"', page)[1]
    added = services.add_change(
        world.site_a,
        world.partner_a,
        level="direct",
        register="knowledge",
        title="Ajouté pendant la relecture",
    )
    response = client.post(reverse("vision:restore", kwargs=kwargs), {"actuelle": seen}, follow=True)
    assert "Rien n’a été restauré" in response.content.decode()
    assert "Ajouté pendant la relecture" in response.content.decode()  # now in the list of what it removes
    assert Change.objects.filter(pk=added.pk).exists()


def test_restoring_an_older_version_then_the_newer_returns_exactly_the_earlier_state(client, world, strategy):
    site = strategy["site"]
    earlier = _state(site)
    newer = services.head(site).number
    _restore(client, world, strategy["before"])
    assert not Change.objects.filter(pk=strategy["extra"].pk).exists()
    # Nothing attached to the change that version did not have is gone: detached, kept.
    assert Indicator.objects.filter(pk=strategy["indicator"].pk, change=None).exists()
    assert Measurement.objects.filter(indicator=strategy["indicator"]).count() == 2
    assert Comment.objects.filter(pk=strategy["comment"].pk).exists()
    _restore(client, world, newer)
    assert _state(site) == earlier
    # Detaching and linking again are written like any edit: the audit log shows both, with their author.
    from qic.models import AuditEntry

    entries = AuditEntry.objects.filter(object_id=str(strategy["indicator"].pk), model__iendswith="indicator")
    changes = [e.after.get("change_id", "-") for e in entries.filter(action="update").order_by("at", "id")]
    assert changes[-2:] == [None, strategy["extra"].pk]


def test_restoring_a_version_without_a_partner_action_keeps_its_adjustments(client, world, strategy):
    site, user = strategy["site"], strategy["user"]
    earliest = services.head(site).number
    action = strategy["action"]
    action.refresh_from_db()
    services.delete_action(action, user, expected_version=action.version)
    # A new action-less version, restored back and forth.
    assert Adjustment.objects.get(pk=strategy["adjustments"][1].pk).action is None
    _restore(client, world, earliest)
    assert Adjustment.objects.get(pk=strategy["adjustments"][1].pk).action_id == action.pk


def test_the_revision_page_says_what_a_restore_takes_out_and_what_stays(client, world, strategy):
    world.login(client, world.seat_holder_a)
    url = reverse("vision:revision", kwargs={"site_slug": world.site_a.slug, "number": strategy["before"]})
    page = client.get(url).content.decode()
    assert "Changement «\u00a0Les parents connaissent le collège\u00a0»" in page
    assert "1 indicateur" in page and "1 commentaire" in page and "1 ajustement" in page


def test_the_delete_confirmation_of_a_change_says_what_stays_attached(client, world, strategy):
    world.login(client, world.seat_holder_a)
    page = client.get(reverse("vision:workspace", kwargs={"site_slug": world.site_a.slug})).content.decode()
    pk = strategy["extra"].pk
    card = page.split(f'id="change-{pk}"', 1)[1].split(f'id="comments-change-{pk}"', 1)[0]
    assert "1 indicateur" in card and "1 commentaire" in card
    action = page.split(f'id="action-{strategy["action"].pk}"', 1)[1].split("Supprimer</button>", 1)[0]
    assert "conservés et détachés" in action and "1 ajustement" in action


def test_an_indicator_reattached_by_its_editor_follows_the_new_change(world, strategy):
    """Once someone attaches a detached indicator to another change, a restore no longer takes it back."""
    from evaluation import services as evaluation
    from evaluation.forms import IndicatorForm

    site, user, indicator = strategy["site"], strategy["user"], strategy["indicator"]
    extra = strategy["extra"]
    extra.refresh_from_db()
    head = services.head(site).number
    services.delete_change(extra, user, expected_version=extra.version)
    other = Change.objects.filter(site=site, level="direct").first()
    indicator.refresh_from_db()
    data = {
        "version": indicator.version,
        "change": other.pk,
        "name": indicator.name,
        "kind": "quantitative",
        "unit": "personnes",
        "direction": "increase",
        "baseline_on": "2026-01-15",
        "baseline_value": "12",
        "target_value": "40",
        "data_source": "Feuilles",
        "frequency": "3",
    }
    form = IndicatorForm(data, instance=indicator, site=site)
    assert form.is_valid(), form.errors
    evaluation.save_indicator(form, site=site, user=user)
    services.restore(site, user, head)
    assert Indicator.objects.get(pk=indicator.pk).change_id == other.pk


# --- The cooperation agreement: withdrawn signatures stay in the version's history --------------------------


@pytest.fixture
def signed_draft(world):
    from collectives.enums import MemberRole
    from tests.collectives.factories import agreement_for

    draft = agreement_for(world.site_a)
    AgreementSignature.objects.create(
        agreement=draft,
        seat=MemberRole.CIVIL_SOCIETY,
        signed_by=world.seat_holder_a,
        signed_on=dt.date(2026, 3, 2),
    )
    return draft


def test_editing_a_signed_draft_keeps_the_withdrawn_signature_in_its_history(world, signed_draft):
    from collectives.services import agreement

    section = signed_draft.sections.get(part="principles")
    outcome = agreement.save_section(
        world.site_a,
        "principles",
        "Nous décidons ensemble.",
        expected_version=section.version,
        user=world.seat_holder_a,
    )
    assert outcome.withdrawn_signatures == 1
    history = " ".join(
        AgreementChange.objects.filter(agreement=signed_draft).values_list("summary", flat=True)
    )
    assert "Signature retirée" in history and "2 mars 2026" in history


def test_a_seat_changing_hands_keeps_the_withdrawn_signature_in_the_history(world, signed_draft):
    from collectives.models import Membership
    from collectives.services.members import end_membership

    membership = Membership.objects.get(site=world.site_a, user=world.seat_holder_a)
    end_membership(membership)
    assert not signed_draft.signatures.exists()
    history = " ".join(
        AgreementChange.objects.filter(agreement=signed_draft).values_list("summary", flat=True)
    )
    assert "Signature retirée" in history and "2 mars 2026" in history


def test_the_agreement_editor_warns_before_a_save_withdraws_signatures(client, world, signed_draft):
    world.login(client, world.seat_holder_a)
    url = reverse(
        "collectives:agreement_section", kwargs={"site_slug": world.site_a.slug, "part": "principles"}
    )
    page = client.get(url).content.decode()
    assert "retirera" in page and "signature" in page
    page = client.get(reverse("collectives:agreement", args=[world.site_a.slug])).content.decode()
    assert "les signatures déjà recueillies sur le projet seront retirées" in page  # deleting a space


# --- Measurements: deleting one asks first, and says which ----------------------------------------------


def test_deleting_a_measurement_asks_for_confirmation_first(client, world, strategy):
    measurement = Measurement.objects.filter(indicator=strategy["indicator"]).first()
    world.login(client, world.seat_holder_a)
    url = reverse(
        "evaluation:measurement_edit",
        args=[world.site_a.slug, strategy["indicator"].pk, measurement.pk],
    )
    response = client.post(url, {"supprimer": "1"})
    assert response.status_code == 200
    assert Measurement.objects.filter(pk=measurement.pk).exists()
    page = response.content.decode()
    assert text.date(measurement.measured_on) in page and "définitivement" in page
    assert f'name="version" value="{measurement.version}"' in page
    response = client.post(url, {"supprimer": "confirmer", "version": str(measurement.version)})
    assert response.status_code == 302
    assert not Measurement.objects.filter(pk=measurement.pk).exists()


# --- Sessions: a site whose work is recorded in a session stays in it ------------------------------------


def _session_form(session, site_ids):
    from django.utils import timezone

    local = timezone.localtime(session.starts_at)
    return {
        "version": str(session.version),
        "kind": session.kind,
        "title": session.title,
        "region": str(session.region_id),
        "sites": [str(pk) for pk in site_ids],
        "date": local.date().isoformat(),
        "start_time": local.strftime("%H:%M"),
        "end_time": timezone.localtime(session.ends_at).strftime("%H:%M"),
        "end_date": "",
        "place": session.place,
        "online_url": "",
        "agenda": "",
        "notes": "",
        "overbooking_reason": "",
    }


def _continuum(session, site):
    from collectives.models import ContinuumAnswer, ContinuumExercise

    exercise = ContinuumExercise.objects.create(session=session)
    ContinuumAnswer.objects.create(exercise=exercise, site=site, level=5)


@pytest.mark.parametrize(
    "record, said",
    [
        (_continuum, "sa position sur le continuum"),
        (make_output, "1 production"),
    ],
    ids=["continuum", "output"],
)
def test_a_site_whose_work_is_recorded_in_a_session_is_not_taken_out_of_it(client, world, record, said):
    from collectives.enums import SessionKind
    from tests.sessions.factories import at, make_session

    other = world.site_a.__class__.objects.create(
        name="Quartier A2", slug="quartier-a2", department=world.site_a.department, wave=world.site_a.wave
    )
    session = make_session(
        [world.site_a, other],
        kind=SessionKind.REGIONAL_MODULE,
        starts_at=at(days=-1),
        facilitators=[world.facilitator_a],
        created_by=world.facilitator_a,
    )
    record(session, world.site_a)
    world.login(client, world.facilitator_a)
    response = client.post(reverse("sessions:edit", args=[session.pk]), _session_form(session, [other.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "« Quartier A » ne peut pas être retiré de la session" in page and said in page
    assert session.session_sites.filter(site=world.site_a).exists()


# --- Anonymisation: the person's work stays, their seat is handed back like any departure ----------------


def test_anonymising_a_seat_holder_keeps_their_work_and_frees_their_seat(world, strategy, signed_draft):
    from collectives.enums import MemberRole
    from collectives.services import agreement
    from collectives.services.personal_data import anonymise
    from sites.models import SiteEvent
    from tests.collectives.factories import MembershipFactory

    person = world.seat_holder_a
    anonymise(person, by=world.national)
    label = f"Ancien membre n° {person.pk}"
    # The work they entered is kept, under their anonymous name.
    assert Comment.objects.filter(pk=strategy["comment"].pk, author=person).exists()
    assert Indicator.objects.filter(pk=strategy["indicator"].pk).exists()
    # Their departure is in the site's journal, naming nobody; their signature of the pending draft is
    # withdrawn into the draft's history, so the next holder of the seat can sign.
    left = SiteEvent.objects.filter(site=world.site_a, kind="member_left").values_list("summary", flat=True)
    assert any(label in summary for summary in left)
    history = " ".join(
        AgreementChange.objects.filter(agreement=signed_draft).values_list("summary", flat=True)
    )
    assert "Signature retirée" in history and label in history
    successor = MembershipFactory(site=world.site_a, role=MemberRole.CIVIL_SOCIETY).user
    for part in signed_draft.sections.all():
        part.text = part.text or "Rédigé."
        part.save()
    agreement.sign(world.site_a, successor)
    assert signed_draft.signatures.get(seat=MemberRole.CIVIL_SOCIETY).signed_by == successor


# --- Cycle closing: an adjustment whose change a restore brought back applies again ---------------------


def test_a_cycle_adjustment_finds_its_change_again_after_a_restore_and_the_cycle_closes(
    client, world, strategy
):
    site, user = strategy["site"], strategy["user"]
    extra = Change.objects.get(pk=strategy["extra"].pk)
    cycle = cycle_for(site)
    world.login(client, world.seat_holder_a)
    url = reverse("evaluation:adjustment_add", args=[site.slug, cycle.pk])
    client.post(url, {"kind": "edit_change", "change": extra.pk, "title": "Les parents connaissent le lycée"})
    head = services.head(site).number
    services.delete_change(extra, user, expected_version=extra.version)
    close = reverse("evaluation:cycle_close", args=[site.slug, cycle.pk])
    client.post(close, {"version": "1"})
    cycle.refresh_from_db()
    assert not cycle.is_closed  # refused while the change is out of the strategy, nothing written
    _restore(client, world, head)
    assert client.post(close, {"version": "1"}).status_code == 302
    cycle.refresh_from_db()
    assert cycle.is_closed
    assert Change.objects.get(pk=extra.pk).title == "Les parents connaissent le lycée"
