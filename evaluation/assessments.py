"""Business logic of the self-assessments: recording one, a site's history and trends, figures by group.

It records the full ones (conditions, continuum, backbone roles) typed by the trinôme, and those of a
session's continuum exercise when it closes (`collectives.sessions.exercises.continuum_closed`), and reads
them all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from collectives.enums import BackboneRole
from qic import text
from sites import journal
from sites.enums import EventKind

from .enums import CONDITIONS, PRECONDITIONS, ConditionKey, ConditionLevel, ContinuumLevel, RoleCoverage
from .models import BackboneRoleAssessment, ConditionAssessment, SelfAssessment

# Months between two self-assessments (the "what is due" default).
INTERVAL_MONTHS = 6


def record_continuum(sender, *, session, answers, user, at=None, **kwargs) -> list[SelfAssessment]:
    """Receiver of `continuum_closed`: each answer of a closed continuum exercise is its site's
    self-assessment, with the session as source; the journal dates it when the exercise closed (`at`)."""
    return [record_session_answer(session, answer, user=user, at=at) for answer in answers]


def record_session_answer(session, answer, *, user, at=None) -> SelfAssessment:
    """The site's self-assessment from this session (one per site and session: closing twice updates it)."""
    assessment = SelfAssessment.objects.filter(site=answer.site, source_session=session).first()
    values = {"continuum_level": answer.level, "continuum_moved_by": answer.moved_by}
    label = ContinuumLevel(answer.level).label
    if assessment is None:
        assessment = SelfAssessment(
            site=answer.site,
            source_session=session,
            # The session's day; the exercise's own day when it was run ahead of a session still to come.
            assessed_on=min(timezone.localdate(session.starts_at), timezone.localdate(at or timezone.now())),
            recorded_by=answer.updated_by or user,
            **values,
        )
        assessment.save()
        summary = f"Continuum de la coopération : {label} (session « {session.title} »)"
    elif any(getattr(assessment, k) != v for k, v in values.items()):
        for key, value in values.items():
            setattr(assessment, key, value)
        assessment.save(update_fields=list(values))
        summary = f"Continuum de la coopération revu : {label} (session « {session.title} »)"
    else:
        return assessment
    journal.record(answer.site, EventKind.SELF_ASSESSMENT, summary, actor=user, at=at, subject=assessment)
    return assessment


@transaction.atomic
def record(site, user, data: dict, *, at=None) -> SelfAssessment:
    """Save a complete self-assessment (cleaned data of `SelfAssessmentForm`) and tell the site's journal
    (at `at`, by default now: when it was recorded)."""
    assessment = SelfAssessment(
        site=site,
        assessed_on=data["assessed_on"],
        recorded_by=user,
        continuum_level=data["continuum_level"],
        continuum_moved_by=data.get("continuum_moved_by", ""),
        comment=data.get("comment", ""),
    )
    assessment.save()
    for key in ConditionKey.values:
        ConditionAssessment(
            self_assessment=assessment,
            condition=key,
            level=data[f"condition_{key}"],
            comment=data.get(f"condition_{key}_comment", ""),
        ).save()
    for role in BackboneRole.values:
        BackboneRoleAssessment(self_assessment=assessment, role=role, coverage=data[f"role_{role}"]).save()
    level = ContinuumLevel(assessment.continuum_level).label
    journal.record(
        site,
        EventKind.SELF_ASSESSMENT,
        f"Auto-évaluation du {text.date(assessment.assessed_on)} : continuum « {level} », "
        f"conditions {text.average(condition_average(assessment), 4)} en moyenne",
        actor=user,
        at=at,
        subject=assessment,
    )
    return assessment


def condition_average(assessment) -> float | None:
    levels = [c.level for c in assessment.conditions.all()]
    return sum(levels) / len(levels) if levels else None


@dataclass
class Row:
    """One self-assessment as a line of the site's history."""

    assessment: SelfAssessment
    conditions: dict[str, int] = field(default_factory=dict)
    roles: dict[str, int] = field(default_factory=dict)

    @property
    def condition_average(self) -> float | None:
        return sum(self.conditions.values()) / len(self.conditions) if self.conditions else None

    @property
    def roles_carried(self) -> int | None:
        return sum(1 for v in self.roles.values() if v == RoleCoverage.FULL) if self.roles else None

    @property
    def condition_cells(self) -> list[int | None]:
        return [self.conditions.get(key) for key in ConditionKey.values]


def history(site) -> list[Row]:
    """The site's self-assessments, oldest first, with their ratings (3 queries). It shows the ratings, the
    continuum and what moved it, the session an assessment was made in: the comments (overall, per condition,
    per role) and the session's agenda and notes are read where they are shown, not for it."""
    assessments = (
        site.self_assessments.select_related("source_session", "recorded_by")
        .defer("comment", "source_session__agenda", "source_session__notes")
        .prefetch_related(
            Prefetch("conditions", queryset=ConditionAssessment.objects.defer("comment").order_by("id")),
            Prefetch(
                "backbone_roles", queryset=BackboneRoleAssessment.objects.defer("comment").order_by("id")
            ),
        )
    )
    rows = []
    for assessment in sorted(assessments, key=lambda a: (a.assessed_on, a.pk)):
        rows.append(
            Row(
                assessment,
                {c.condition: c.level for c in assessment.conditions.all()},
                {r.role: r.coverage for r in assessment.backbone_roles.all()},
            )
        )
    return rows


def condition_groups() -> list[tuple[str, list]]:
    """The preconditions then the conditions, with their labels (form and table headers)."""
    return [
        ("Les trois préconditions", [ConditionKey(k) for k in PRECONDITIONS]),
        ("Les cinq conditions de l’impact collectif", [ConditionKey(k) for k in CONDITIONS]),
    ]


# --- Figures over many sites: the dashboard's column, the roll-ups by wave and region, the reports' facts ---


def continuum_label(level) -> str:
    return ContinuumLevel(level).label if level else ""


def condition_level_label(level) -> str:
    return ConditionLevel(level).label if level else ""
