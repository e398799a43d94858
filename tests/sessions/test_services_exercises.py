"""The continuum exercise: sites answer while it is open, concurrent answers of one site never overwrite each
other, closing records each answer as the site's self-assessment with the session as source; free outputs."""

import datetime as dt

import pytest
from django.utils import timezone

from collectives.sessions import exercises as services
from evaluation.enums import ContinuumLevel
from evaluation.models import SelfAssessment
from qic.locking import EditConflict
from sites.enums import EventKind
from sites.models import SiteEvent


def test_a_site_cannot_answer_before_the_exercise_opens(world, module):
    with pytest.raises(services.ExerciseError):
        services.answer_continuum(
            module, world.site_a, level=5, moved_by="", user=world.seat_holder_a, expected_version=0
        )


def test_a_site_outside_the_session_cannot_answer(world, module):
    services.open_continuum(module, user=world.facilitator_a)
    with pytest.raises(services.ExerciseError):
        services.answer_continuum(
            module, world.site_b, level=5, moved_by="", user=world.seat_holder_b, expected_version=0
        )


def test_two_members_of_one_site_do_not_overwrite_each_other(world, module):
    services.open_continuum(module, user=world.facilitator_a)
    first = services.answer_continuum(
        module,
        world.site_a,
        level=4,
        moved_by="La fête de quartier",
        user=world.seat_holder_a,
        expected_version=0,
    )
    # the partner's form was opened before the seat holder saved (version 0: no answer yet)
    with pytest.raises(EditConflict) as conflict:
        services.answer_continuum(
            module, world.site_a, level=6, moved_by="", user=world.partner_a, expected_version=0
        )
    assert conflict.value.current.level == 4
    updated = services.answer_continuum(
        module,
        world.site_a,
        level=5,
        moved_by="Un comité mensuel",
        user=world.partner_a,
        expected_version=first.version,
    )
    assert (updated.level, updated.updated_by) == (5, world.partner_a)


def test_closing_records_each_answer_as_a_self_assessment_with_the_session_as_source(world, site_a2, module):
    services.open_continuum(module, user=world.facilitator_a)
    services.answer_continuum(
        module,
        world.site_a,
        level=ContinuumLevel.COORDINATION,
        moved_by="Un comité mensuel",
        user=world.seat_holder_a,
        expected_version=0,
    )
    services.answer_continuum(
        module,
        site_a2,
        level=ContinuumLevel.COMMUNICATION,
        moved_by="Une liste commune",
        user=site_a2.memberships.get().user,
        expected_version=0,
    )
    closed_at = module.ends_at + dt.timedelta(days=2)  # closed two days after the session
    recorded = services.close_continuum(module, user=world.facilitator_a, now=closed_at)
    assert len(recorded) == 2
    assessment = SelfAssessment.objects.get(site=world.site_a)
    assert assessment.source_session == module
    assert assessment.continuum_level == ContinuumLevel.COORDINATION
    assert assessment.continuum_moved_by == "Un comité mensuel"
    assert assessment.recorded_by == world.seat_holder_a
    assert assessment.assessed_on == timezone.localdate(module.starts_at)
    event = SiteEvent.objects.get(site=world.site_a, kind=EventKind.SELF_ASSESSMENT)
    assert "Coordination" in event.summary and module.title in event.summary
    assert event.subject == f"evaluation.selfassessment:{assessment.pk}"
    assert event.occurred_at == closed_at  # the journal dates it by its own moment, not the present one
    with pytest.raises(services.ExerciseError):
        services.answer_continuum(
            module, world.site_a, level=7, moved_by="", user=world.seat_holder_a, expected_version=1
        )


def test_closing_twice_records_nothing_twice_and_reopening_updates(world, module):
    services.open_continuum(module, user=world.facilitator_a)
    answer = services.answer_continuum(
        module, world.site_a, level=3, moved_by="", user=world.seat_holder_a, expected_version=0
    )
    services.close_continuum(module, user=world.facilitator_a)
    services.close_continuum(module, user=world.facilitator_a)
    assert SelfAssessment.objects.filter(site=world.site_a).count() == 1
    assert SiteEvent.objects.filter(site=world.site_a, kind=EventKind.SELF_ASSESSMENT).count() == 1
    services.open_continuum(module, user=world.facilitator_a)
    services.answer_continuum(
        module,
        world.site_a,
        level=4,
        moved_by="Revu",
        user=world.seat_holder_a,
        expected_version=answer.version,
    )
    services.close_continuum(module, user=world.facilitator_a)
    assessment = SelfAssessment.objects.get(site=world.site_a)
    assert assessment.continuum_level == 4
    assert SiteEvent.objects.filter(site=world.site_a, kind=EventKind.SELF_ASSESSMENT).count() == 2


def test_the_board_places_each_site_on_its_level(world, site_a2, module):
    services.open_continuum(module, user=world.facilitator_a)
    services.answer_continuum(
        module, world.site_a, level=5, moved_by="", user=world.seat_holder_a, expected_version=0
    )
    rows = services.positions(module)
    assert [(r.site, r.level) for r in rows] == [(world.site_a, 5), (site_a2, None)]
    assert rows[0].invited == 2
    board = services.board(rows)
    assert [len(level["sites"]) for level in board] == [0, 0, 0, 0, 1, 0, 0]
    assert board[4]["label"] == "Coordination"


def test_outputs_belong_to_a_site_of_the_session_and_keep_concurrent_edits(world, module):
    output = services.add_output(
        module, world.site_a, title="Prototype d’entente", text="- Principes", user=world.seat_holder_a
    )
    services.edit_output(output, title="Prototype", text="v2", user=world.seat_holder_a, expected_version=1)
    with pytest.raises(EditConflict):
        services.edit_output(
            output, title="Prototype", text="v2 bis", user=world.partner_a, expected_version=1
        )
    with pytest.raises(services.ExerciseError):
        services.add_output(module, world.site_b, title="Intrus", text="…", user=world.seat_holder_b)
    with pytest.raises(EditConflict):
        services.delete_output(output, expected_version=1)
    services.delete_output(output, expected_version=2)
    assert not module.outputs.exists()


def test_an_exercise_run_ahead_of_its_session_is_dated_the_day_it_closed_and_a_cancelled_one_records_nothing(
    world, module
):
    """A self-assessment dates what happened: an exercise closed today for a session planned next week is
    today's, not next week's (a date to come on a self-assessment). A cancelled session closes nothing."""
    services.open_continuum(module, user=world.facilitator_a)
    services.answer_continuum(
        module, world.site_a, level=3, moved_by="", user=world.seat_holder_a, expected_version=0
    )
    services.close_continuum(module, user=world.facilitator_a)
    assert SelfAssessment.objects.get(site=world.site_a).assessed_on == timezone.localdate()
    module.cancelled_at = timezone.now()
    module.save(update_fields=["cancelled_at"])
    with pytest.raises(services.ExerciseError, match="annulée"):
        services.close_continuum(module, user=world.facilitator_a)
