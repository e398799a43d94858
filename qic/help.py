"""The platform's help, written once in `help_topics.toml`: each step of the method (what it is for, how to do
it, a wave 1 example, the common mistakes) and the how-tos of each role. Pages show a topic in an accordion
(`{% help_panel "key" %}`), the help centre lists them per role, the PDF guide prints them.

The file is read once per process; its text goes through the French layer (`qic.text.typo`) here, so the
content is written with plain spaces.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.http import Http404

from qic import access, text

SOURCE = Path(__file__).with_name("help_topics.toml")

AUDIENCES = {
    "trinome": "Membre du trinôme",
    "partenaire": "Partenaire ou habitant·e",
    "crpv": "Animateur·rice de CRPV",
    "national": "Équipe nationale (ANCT)",
    "comite": "Comité de pilotage national",
}
METHOD, TASK = "methode", "tache"
NOT_TEXT = ("key", "kind", "roles", "see_also")


@dataclass(frozen=True)
class Topic:
    key: str
    kind: str
    title: str
    question: str
    where: str
    purpose: str
    steps: tuple[str, ...]
    roles: tuple[str, ...]
    example: str = ""
    example_source: str = ""
    mistakes: tuple[str, ...] = ()
    see_also: tuple[str, ...] = ()

    @property
    def is_method(self) -> bool:
        return self.kind == METHOD

    @property
    def related(self) -> list[Topic]:
        return [topic(key) for key in self.see_also]


def _typo(value):
    if isinstance(value, list):
        return tuple(text.typo(item.strip()) for item in value)
    return text.typo(value.strip()) if isinstance(value, str) else value


def _topic(raw: dict) -> Topic:
    fields = {name: _typo(value) for name, value in raw.items() if name not in NOT_TEXT}
    kind = raw["kind"]
    # A step of the method is for everyone; a how-to names its roles.
    roles = tuple(AUDIENCES) if kind == METHOD else tuple(raw["roles"])
    return Topic(key=raw["key"], kind=kind, roles=roles, see_also=tuple(raw.get("see_also", ())), **fields)


@functools.cache
def _registry() -> dict[str, Topic]:
    with SOURCE.open("rb") as source:
        raw = tomllib.load(source)["topic"]
    return {item["key"]: _topic(item) for item in raw}


def topics() -> list[Topic]:
    """Every topic, in the file's order (the method's steps first)."""
    return list(_registry().values())


def topic(key: str) -> Topic:
    """The topic with this key; KeyError for a key no topic has (a page naming a missing one fails loudly)."""
    return _registry()[key]


def topic_or_404(key: str) -> Topic:
    try:
        return topic(key)
    except KeyError:
        raise Http404("Rubrique d’aide introuvable") from None


def method_topics() -> list[Topic]:
    return [t for t in topics() if t.is_method]


def for_audience(audience: str) -> list[Topic]:
    """The how-tos of one role, then the steps of the method."""
    tasks = [t for t in topics() if not t.is_method and audience in t.roles]
    return tasks + method_topics()


_WORD = re.compile(r"[^\W_]+")


def _folded_words(*values) -> frozenset[str]:
    return frozenset(_WORD.findall(text.normalise(" ".join(values))))


@functools.cache
def _index() -> list[tuple[Topic, frozenset[str], frozenset[str]]]:
    """Each topic with the words of its heading (title, question) and of its whole text, folded."""
    return [
        (
            t,
            _folded_words(t.title, t.question),
            _folded_words(t.title, t.question, t.where, t.purpose, *t.steps, *t.mistakes),
        )
        for t in topics()
    ]


def _holds(words: frozenset[str], wanted: str) -> bool:
    stem = text.stem(wanted)  # "visions" finds "vision"
    return any(word.startswith(stem) for word in words)


def search(found: list[str], audience: str) -> list[Topic]:
    """The topics of this help centre whose text holds every word (as a word's beginning, so that a half
    typed word and a plural find it), those whose title or question holds most of them first."""
    visible = {t.key for t in for_audience(audience)}
    ranked = []
    for order, (candidate, heading, body) in enumerate(_index()):
        if candidate.key in visible and all(_holds(body, word) for word in found):
            ranked.append((-sum(_holds(heading, word) for word in found), order, candidate))
    return [candidate for *_, candidate in sorted(ranked)]


def audience_of(user, *, holds_seat: bool | None = None) -> str:
    """The help centre a person lands on: their platform role, or for a member of a site's collective,
    the trinôme's when they hold a seat somewhere (one query, unless the page knows: `holds_seat`), the
    partners' otherwise."""
    if access.is_national(user):
        return "national"
    if access.is_steering(user):
        return "comite"
    if access.is_facilitator(user):
        return "crpv"
    seat = access.holds_a_seat(user) if holds_seat is None else holds_seat
    return "trinome" if seat else "partenaire"
