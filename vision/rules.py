"""The method's rules, as plain functions: what makes a good vision, a valid link, an adoptable strategy.

Used by the forms (errors next to the field), the services (refusing invalid saves whatever the client sent),
the live hints shown while typing, and the adoption panel. Messages are in French: people read them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

from .enums import LEVEL_RANK, LEVEL_SHORT, ChangeLevel

VISION_MIN_YEARS = 10
VISION_WORDS_SOFT_LIMIT = 40
WORD = re.compile(r"[\wÀ-ÿ’'-]+", re.UNICODE)
SENTENCE_END = re.compile(r"[.!?…]+(?=\s+\S)")
# Words that frame a vision around a problem rather than the future the collective wants.
PROBLEM_WORDS = re.compile(
    r"\b(lutter|combattre|contre|réduire|diminuer|problèmes?|difficultés?|insécurité|délinquance|"
    r"pauvreté|précarité|éviter|empêcher)\b",
    re.IGNORECASE,
)


def minimum_horizon(today=None) -> int:
    today = today or timezone.localdate()
    return today.year + VISION_MIN_YEARS


def word_count(text: str) -> int:
    return len(WORD.findall(text or ""))


@dataclass(frozen=True)
class Hint:
    level: str  # "success", "info" or "warning" (DSFR message colours)
    message: str


def statement_hints(statement: str, horizon_year: int | None, today=None) -> list[Hint]:
    """Guidance shown while the vision is typed: gentle, never blocking (the form validates apart)."""
    hints: list[Hint] = []
    text = (statement or "").strip()
    words = word_count(text)
    if not text:
        hints.append(
            Hint(
                "info",
                "Une phrase concise, claire, optimiste et inspirante : ce que vous voulez voir arriver "
                "dans dix ans ou plus.",
            )
        )
    elif words > VISION_WORDS_SOFT_LIMIT:
        hints.append(
            Hint(
                "warning",
                f"{words} mots : une vision se retient mieux en une phrase courte "
                f"(moins de {VISION_WORDS_SOFT_LIMIT} mots). Gardez l’essentiel, le détail ira dans la "
                "stratégie.",
            )
        )
    else:
        hints.append(Hint("success", f"{words} mot{'s' if words > 1 else ''} : une longueur qui se retient."))
    if text and SENTENCE_END.search(text):
        hints.append(Hint("warning", "Plusieurs phrases : la vision s’énonce en une seule phrase."))
    if text and PROBLEM_WORDS.search(text):
        hints.append(
            Hint(
                "info",
                "La vision décrit un scénario positif plutôt qu’un problème à combattre : dites ce que "
                "vous voulez voir arriver.",
            )
        )
    minimum = minimum_horizon(today)
    if horizon_year is not None and horizon_year < minimum:
        hints.append(
            Hint("warning", f"L’horizon d’une vision est d’au moins dix ans : {minimum} ou plus tard.")
        )
    return hints


def horizon_error(horizon_year: int | None, today=None) -> str | None:
    minimum = minimum_horizon(today)
    if horizon_year is None:
        return f"Indiquez l’année de l’horizon de la vision ({minimum} ou plus tard)."
    if horizon_year < minimum:
        return (
            f"L’horizon d’une vision est d’au moins dix ans : choisissez {minimum} ou une année plus "
            "lointaine."
        )
    if horizon_year > minimum + 40:
        return f"Choisissez un horizon avant {minimum + 41}."
    return None


# Links ---------------------------------------------------------------------------------------------------


def _level_phrase(level: str) -> str:
    return f"changement {LEVEL_SHORT.get(level, level)}"


def _reaches(graph: dict[int, list[int]], start: int, goal: int) -> bool:
    """Whether `goal` can be reached from `start` following "contributes to" links."""
    stack, seen = [start], set()
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        if node in seen:
            continue
        seen.add(node)
        stack.extend(graph.get(node, []))
    return False


def link_error(source, target, graph: dict[int, list[int]]) -> str | None:
    """Why `source` may not contribute to `target` (both changes, as rows or dicts), or None if it may.

    `graph` holds the site's current links (change id -> ids it contributes to), without the new one.
    """
    get = (lambda obj, name: obj[name]) if isinstance(source, dict) else getattr
    source_id, target_id = get(source, "id"), get(target, "id")
    source_site = source.get("site_id") if isinstance(source, dict) else source.site_id
    target_site = target.get("site_id") if isinstance(target, dict) else target.site_id
    if source_site is not None and target_site is not None and source_site != target_site:
        return "Ce changement appartient à un autre site : un lien reste dans la stratégie du site."
    if source_id == target_id:
        return "Un changement ne peut pas contribuer à lui-même."
    source_title, target_title = get(source, "title"), get(target, "title")
    if _reaches(graph, target_id, source_id):
        return (
            f"Ce lien créerait une boucle : « {target_title} » contribue déjà, directement ou non, à "
            f"« {source_title} »."
        )
    source_level, target_level = get(source, "level"), get(target, "level")
    if LEVEL_RANK[target_level] == LEVEL_RANK[source_level]:
        return (
            f"« {source_title} » et « {target_title} » sont au même niveau ({_level_phrase(source_level)}) : "
            "un changement contribue à un changement d’un niveau supérieur."
        )
    if LEVEL_RANK[target_level] < LEVEL_RANK[source_level]:
        return (
            f"« {target_title} » est un {_level_phrase(target_level)}, en amont de « {source_title} » "
            f"({_level_phrase(source_level)}) : un lien « contribue à » va toujours vers un niveau supérieur "
            "(direct → intermédiaire → ultime → vision)."
        )
    return None


def vision_link_error(level: str) -> str | None:
    if level != ChangeLevel.ULTIMATE:
        return (
            f"Seul un changement ultime contribue directement à la vision ; un {_level_phrase(level)} "
            "contribue à un changement d’un niveau supérieur."
        )
    return None


def check_links(source, targets, to_vision: bool, graph: dict[int, list[int]]) -> None:
    """Raise a ValidationError listing every reason why these links of `source` are refused."""
    errors = [e for e in (link_error(source, t, graph) for t in targets) if e]
    level = source["level"] if isinstance(source, dict) else source.level
    if to_vision and (error := vision_link_error(level)):
        errors.append(error)
    if errors:
        raise ValidationError(errors)


# Adoption ------------------------------------------------------------------------------------------------


def strategy_problems(snap: dict) -> list[str]:
    """Why the strategy of this snapshot cannot be adopted yet (empty when it can, or when there is none)."""
    changes = snap["changes"]
    if not changes:
        return []
    problems = []
    if not any(c["level"] == ChangeLevel.ULTIMATE for c in changes):
        problems.append(
            "La stratégie n’a pas encore de changement ultime : c’est lui qui mène vers la vision."
        )
    nowhere = [c for c in changes if not c["contributes_to"] and not c["to_vision"]]
    if nowhere:
        titles = ", ".join(f"« {c['title']} »" for c in nowhere[:8])
        more = f" et {len(nowhere) - 8} autres" if len(nowhere) > 8 else ""
        problems.append(
            f"{len(nowhere)} changement{'s' if len(nowhere) > 1 else ''} "
            f"ne mène{'nt' if len(nowhere) > 1 else ''} "
            f"encore nulle part : {titles}{more}. Reliez chacun à un changement de niveau supérieur "
            "(ou, pour un changement ultime, à la vision)."
        )
    return problems


def document_problems(snap: dict) -> list[str]:
    """Why this version of the document cannot be adopted."""
    problems = []
    if not snap["vision"]["statement"].strip():
        problems.append("La vision n’est pas encore écrite.")
    if not snap["vision"]["horizon_year"]:
        problems.append("La vision n’a pas d’horizon.")
    return problems + strategy_problems(snap)


__all__ = [
    "Hint",
    "check_links",
    "document_problems",
    "horizon_error",
    "link_error",
    "minimum_horizon",
    "statement_hints",
    "strategy_problems",
    "vision_link_error",
    "word_count",
]
