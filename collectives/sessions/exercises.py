"""Live exercises of a session: the cooperation continuum (each site places itself and says what moved it,
the facilitator's screen follows live, closing records every answer as that site's self-assessment) and the
free outputs each site keeps with the session (e.g. its cooperation agreement prototype)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.dispatch import Signal
from django.utils import timezone

from qic.locking import EditConflict, delete_if_unchanged, save_if_unchanged

from ..enums import CONTINUUM_DESCRIPTIONS, ContinuumLevel
from .models import ContinuumAnswer, ContinuumExercise, Session, SessionOutput

# Sent by `close_continuum`, inside its transaction, with the session, every answer of the closed exercise and
# who closed it. Evaluation (above collectives) records each answer as that site's self-assessment and returns
# what it recorded (connected in `EvaluationConfig.ready`).
continuum_closed = Signal()

ANSWER_FIELDS = {"level": "Position", "moved_by": "Ce qui nous a fait bouger"}
OUTPUT_FIELDS = {"title": "Titre", "text": "Contenu"}


class ExerciseError(Exception):
    """An answer or action the exercise refuses; the message is shown to the user, in French."""


def levels() -> list[dict]:
    """The seven levels with their description, from least to most structure."""
    return [
        {"value": level.value, "label": level.label, "description": CONTINUUM_DESCRIPTIONS[level]}
        for level in ContinuumLevel
    ]


def exercise_of(session: Session) -> ContinuumExercise | None:
    return ContinuumExercise.objects.filter(session=session).first()


def involves(session: Session, site) -> bool:
    return session.session_sites.filter(site=site).exists()


@transaction.atomic
def open_continuum(session: Session, *, user) -> ContinuumExercise:
    """Open the exercise (or reopen a closed one: closing again updates the same self-assessments)."""
    if session.is_cancelled:
        raise ExerciseError("Cette session est annulée.")
    exercise, created = ContinuumExercise.objects.get_or_create(session=session, defaults={"opened_by": user})
    if not created and exercise.closed_at is not None:
        exercise.closed_at = None
        exercise.closed_by = None
        exercise.save(update_fields=["closed_at", "closed_by"])
    return exercise


def answer_of(exercise: ContinuumExercise | None, site) -> ContinuumAnswer | None:
    if exercise is None:
        return None
    return exercise.answers.select_related("updated_by").filter(site=site).first()


@transaction.atomic
def answer_continuum(
    session: Session, site, *, level: int, moved_by: str, user, expected_version: int
) -> ContinuumAnswer:
    """Save a site's position; `EditConflict` if another member of the site saved since `expected_version`
    (0: the form was shown before the site had answered)."""
    exercise = exercise_of(session)
    if exercise is None or not exercise.is_open:
        raise ExerciseError("L’exercice du continuum n’est pas ouvert : attendez que l’animation l’ouvre.")
    if not involves(session, site):
        raise ExerciseError("Ce site ne participe pas à cette session.")
    if level not in ContinuumLevel.values:
        raise ExerciseError("Choisissez l’un des sept niveaux du continuum.")
    changes = {"level": level, "moved_by": moved_by.strip()}
    answer = answer_of(exercise, site)
    if answer is None:
        if expected_version:
            raise EditConflict(current=None, attempted=changes)
        try:
            with transaction.atomic():
                return ContinuumAnswer.objects.create(
                    exercise=exercise, site=site, updated_by=user, **changes
                )
        except IntegrityError:
            raise EditConflict(current=answer_of(exercise, site), attempted=changes) from None
    if not expected_version:
        raise EditConflict(current=answer, attempted=changes)
    return save_if_unchanged(answer, expected_version, changes, user=user)


@dataclass
class Position:
    site: object
    answer: ContinuumAnswer | None
    invited: int
    present: int

    @property
    def level(self) -> int | None:
        return self.answer.level if self.answer else None


def positions(session: Session, exercise: ContinuumExercise | None = None) -> list[Position]:
    """Every site of the session with its answer (or none yet) and how many of its people are here."""
    exercise = exercise if exercise is not None else exercise_of(session)
    answers = {}
    if exercise is not None:
        answers = {a.site_id: a for a in exercise.answers.select_related("updated_by")}
    sites = session.sites.order_by("name").annotate(
        invited=Count("session_participations", filter=Q(session_participations__session=session)),
        here=Count(
            "session_participations",
            filter=Q(session_participations__session=session, session_participations__present=True),
        ),
    )
    return [Position(site, answers.get(site.pk), site.invited, site.here) for site in sites]


def board(rows: list[Position]) -> list[dict]:
    """The seven levels, each with the sites placed on it: the facilitator's projected screen."""
    return [{**level, "sites": [row for row in rows if row.level == level["value"]]} for level in levels()]


@transaction.atomic
def close_continuum(session: Session, *, user, now=None) -> list:
    """Close the exercise; each site's answer becomes its self-assessment, with the session as source
    (recorded by evaluation through `continuum_closed`). Returns the self-assessments recorded."""
    now = now or timezone.now()
    if session.is_cancelled:
        raise ExerciseError("Cette session est annulée.")
    exercise = ContinuumExercise.objects.select_for_update().filter(session=session).first()
    if exercise is None:
        raise ExerciseError("L’exercice du continuum n’a pas été ouvert.")
    if exercise.closed_at is None:
        exercise.closed_at = now
        exercise.closed_by = user
        exercise.save(update_fields=["closed_at", "closed_by"])
    answers = list(exercise.answers.select_related("site", "updated_by"))
    responses = continuum_closed.send(
        sender=Session, session=session, answers=answers, user=user, at=exercise.closed_at
    )
    return [recorded for _receiver, records in responses for recorded in records]


# --- Free outputs per site ----------------------------------------------------------------------------------


def outputs_of(session: Session, site=None):
    outputs = session.outputs.select_related("site", "created_by", "updated_by")
    return outputs.filter(site=site) if site is not None else outputs.order_by("site__name", "created_at")


def add_output(session: Session, site, *, title: str, text: str, user) -> SessionOutput:
    if not involves(session, site):
        raise ExerciseError("Ce site ne participe pas à cette session.")
    output = SessionOutput(
        session=session, site=site, title=title.strip(), text=text.strip(), created_by=user, updated_by=user
    )
    output.save()
    return output


def edit_output(
    output: SessionOutput, *, title: str, text: str, user, expected_version: int
) -> SessionOutput:
    return save_if_unchanged(
        output, expected_version, {"title": title.strip(), "text": text.strip()}, user=user
    )


def delete_output(output: SessionOutput, *, expected_version: int) -> None:
    delete_if_unchanged(output, expected_version)
