"""Searching the platform in French: sites, people, sessions, learnings, indicators and documents (cooperation
agreements, bilans), only among what the person may see (`qic.access`).

PostgreSQL: full-text search with `qic_french`, the French configuration with accents removed (`unaccent`,
created by migration 0011): "equipement" finds "équipements", "habitants" finds "habitant", "mobiliser" finds
"mobilisé". Each kind's text is one expression over its columns (`Document`) with a GIN index on that very
expression (the same migration), so nothing is stored twice and no write path has to keep a copy up to date
(bulk imports and `update()` included). The word being typed matches as a prefix ("mont" finds "Montreuil").
SQLite (development and the first test pass): each word of the query, accents and capitals removed and a
trailing plural "s" or "x" dropped, must appear in the same text normalised by `qic.text.normalise`
(registered as the SQL function `qic_normalise` on each connection). Cruder (no stemming of verbs), but
"habitant" and "habitants", "équipement" and "equipements" find each other.
Sites are matched by one function, `site_matching`, for this search and the dashboard's filter alike: a word
may also name the site's department. Documents are found by the words of their title: their kind ("bilan
annuel", "entente", "convention"), their period ("2025", "mars 2025") and their site. The help pages of the
person's role are found too (`qic.help.search`: a few dozen topics, written once in a file, read in memory).
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connection
from django.db.models import BooleanField, F, Func, Q, QuerySet, Subquery, TextField
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from qic import access, text
from qic import help as help_centre
from qic.text import normalise
from sites import geography

CONFIG = "qic_french"
MAX_QUERY = 200  # characters kept of a query (a search is not a document)
SNIPPET = 180  # characters of a long text shown around its first match


# --- The text of each kind, and its match -------------------------------------------------------------------

# The columns searched, per table: the migration indexes exactly these expressions (keep both in step; a test
# on PostgreSQL checks that every kind's query uses its index).
FIELDS = {
    "sites.Site": ("name", "communes", "qpv_code"),
    "collectives.User": ("first_name", "last_name"),
    "collectives.Session": ("title", "place", "agenda"),
    "evaluation.LearningEntry": ("title", "what_happened", "what_we_learned", "what_we_change", "tags"),
    "evaluation.Indicator": ("name", "data_source"),
    "collectives.AgreementSection": ("text",),
}


class _Joined(Func):
    """The columns joined by spaces, a missing value as ""."""

    arg_joiner = " || ' ' || "
    template = "%(expressions)s"
    output_field = TextField()

    def __init__(self, *names):
        super().__init__(*(Func(F(name), template="COALESCE(%(expressions)s, '')") for name in names))


class Document(Func):
    """A kind's searchable text: on PostgreSQL the French tsvector the GIN index holds, elsewhere the text
    normalised like a query."""

    template = "qic_normalise(%(expressions)s)"

    def __init__(self, label: str):
        postgres = connection.vendor == "postgresql"
        super().__init__(
            _Joined(*FIELDS[label]), output_field=SearchVectorField() if postgres else TextField()
        )

    def as_postgresql(self, compiler, connection, **extra):
        template = f"to_tsvector('{CONFIG}'::regconfig, (%(expressions)s))"
        return self.as_sql(compiler, connection, template=template, **extra)


def register_sqlite_function(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: SQLite learns `qic_normalise`, the platform's own normalisation."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("qic_normalise", 1, normalise, deterministic=True)


def clean_query(raw) -> str:
    """A query as typed, made safe to echo and to match: control characters become spaces, bounded."""
    if not isinstance(raw, str):
        return ""
    cleaned = "".join(" " if ch.isspace() or not ch.isprintable() else ch for ch in raw[: MAX_QUERY * 4])
    return " ".join(cleaned.split())[:MAX_QUERY]


def words(query: str) -> list[str]:
    """The words to look for: letters and digits only (no operator of any engine survives), a few only."""
    found = []
    for word in text.search_words(query):
        found += re.findall(r"[^\W_]+", word)
    return found[:8]


def _tsword(word: str, *, last: bool) -> str:
    return f"{word}:*" if last else word


def _tsquery(found: list[str]) -> str:
    """Every word (stemmed by the configuration), the last one also as a prefix: it may be half typed."""
    return " & ".join(_tsword(word, last=p == len(found) - 1) for p, word in enumerate(found))


def matching(queryset: QuerySet, found: list[str], *, rank: bool = False) -> QuerySet:
    """The rows of `queryset` whose text holds every word (best first when `rank`, PostgreSQL)."""
    label = queryset.model._meta.label
    if connection.vendor == "postgresql":
        query = SearchQuery(_tsquery(found), config=CONFIG, search_type="raw")
        queryset = queryset.alias(document=Document(label)).filter(document=query)
        if rank:
            queryset = queryset.annotate(rank=SearchRank(Document(label), query)).order_by(
                "-rank", *queryset.query.order_by or queryset.model._meta.ordering
            )
        return queryset
    queryset = queryset.alias(document=Document(label))
    for word in found:
        queryset = queryset.filter(document__contains=text.stem(word))
    return queryset


# --- Sites: their name, communes and QPV code, or their department -----------------------------------------

# The small words of a title ("bilan de", "entente de coopération du"), dropped beside a document's words;
# with "et" and "sur", too small to name a department ("Val-d’Oise", "Saône-et-Loire").
FILLER = {"a", "au", "aux", "d", "de", "des", "du", "en", "l", "la", "le", "les"}
_NOT_A_NAME = FILLER | {"et", "sur"}


@functools.cache
def _department_words() -> dict[str, frozenset[str]]:
    """{a word of a department's name or its code, normalised: the codes of the departments it names}, from
    the registry's list (`sites.geography.places`: no query)."""
    found: dict[str, set[str]] = {}
    for code, (name, _region) in geography.places().items():
        found.setdefault(normalise(code), set()).add(code)
        for word in re.findall(r"[^\W_]+", normalise(name)):
            if word not in _NOT_A_NAME:
                found.setdefault(word, set()).add(code)
    return {word: frozenset(codes) for word, codes in found.items()}


@functools.cache
def _department_stems() -> dict[str, frozenset[str]]:
    """`_department_words` by the words' stems (a trailing plural "s" or "x" dropped)."""
    found: dict[str, set[str]] = {}
    for word, codes in _department_words().items():
        found.setdefault(text.stem(word), set()).update(codes)
    return {stem: frozenset(codes) for stem, codes in found.items()}


def _departments_named(word: str, *, prefix: bool) -> set[str]:
    """The departments a searched word names: "loire" (Loire, Haute-Loire, Loire-Atlantique…), "42", "finis"
    when it is the word being typed."""
    names = _department_words()
    codes = set(names.get(word, ()))
    if len(word) > 2:
        codes |= _department_stems().get(text.stem(word), frozenset())
        if prefix:
            for name, named in names.items():
                if name.startswith(word):
                    codes |= named
    return codes


class _AnyOf(Func):
    """PostgreSQL's `column = ANY(...)`, of a subquery's rows or of a list of values.

    A subquery (`ARRAY(subquery)`) is read first, then the column's index, so that an OR with the text's
    condition stays two index scans (`IN (subquery)` made PostgreSQL compute the text of every site: 100 ms
    instead of 1 on 2,000 sites). A list is one array parameter: hashed by PostgreSQL however long it is, and
    one parameter for Django to compile instead of one per value."""

    output_field = BooleanField()

    def __init__(self, column, values):
        if isinstance(values, list | tuple):
            super().__init__(column)
            self.values = list(values)
        else:
            super().__init__(column, values)
            self.values = None

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        if self.values is not None:
            return f"{column} = ANY(%s)", (*params, self.values)
        subquery, subquery_params = compiler.compile(self.source_expressions[1])
        return f"{column} = ANY(ARRAY{subquery})", (*params, *subquery_params)


def among(queryset: QuerySet, ids: list[int]) -> QuerySet:
    """The rows of `queryset` whose primary key is one of `ids` (found beforehand, e.g. by a search)."""
    if connection.vendor == "postgresql":
        return queryset.filter(_AnyOf(F("pk"), ids))
    return queryset.filter(pk__in=ids)


def _in_departments(codes: set[str]):
    departments = _model("sites.Department").objects.filter(code__in=sorted(codes)).values("pk")
    if connection.vendor == "postgresql":
        return _AnyOf(F("department"), Subquery(departments))
    return Q(department__in=departments)


def site_matching(sites: QuerySet, found: list[str], *, rank: bool = False) -> QuerySet:
    """The sites of `sites` where each word is in the name, communes or QPV code, or names the department
    (best first when `rank`, PostgreSQL): the header's search and the dashboard's filter alike."""
    last = len(found) - 1
    named = [_departments_named(word, prefix=position == last) for position, word in enumerate(found)]
    sites = sites.alias(document=Document("sites.Site"))
    if connection.vendor != "postgresql":
        for word, codes in zip(found, named, strict=True):
            condition = Q(document__contains=text.stem(word))
            sites = sites.filter(condition | _in_departments(codes) if codes else condition)
        return sites
    # The words that name no department (most of them) are one query of the sites' GIN index; each other
    # word is in that index or names the site's department.
    plain = [_tsword(word, last=p == last) for p, word in enumerate(found) if not named[p]]
    if plain:
        sites = sites.filter(document=SearchQuery(" & ".join(plain), config=CONFIG, search_type="raw"))
    for position, (word, codes) in enumerate(zip(found, named, strict=True)):
        if codes:
            query = SearchQuery(_tsword(word, last=position == last), config=CONFIG, search_type="raw")
            sites = sites.filter(Q(document=query) | _in_departments(codes))
    if rank:
        query = SearchQuery(_tsquery(found), config=CONFIG, search_type="raw")
        order = sites.query.order_by or sites.model._meta.ordering
        sites = sites.annotate(rank=SearchRank(Document("sites.Site"), query)).order_by("-rank", *order)
    return sites


# --- What each person may find ------------------------------------------------------------------------------


def _model(label: str):
    return apps.get_model(label)


def search_learnings(user, query: str) -> QuerySet:
    """The learnings of the sites this user may see that match the query, the most recent first (ranking them
    recomputed the French text of every match: 10 ms for 180 matches on 2,000 sites)."""
    entries = _model("evaluation.LearningEntry").objects.filter(site__in=access.visible_sites(user))
    found = words(query)
    if not found:
        return entries.none()
    return matching(entries.select_related("site", "author"), found)


def _sites(scope, found):
    return site_matching(scope.sites().select_related("department"), found, rank=True)


def _people(scope, found):
    """Members of the collectives of the sites this user may see (their names; never their addresses)."""
    users = matching(_model("collectives.User").objects.filter(is_active=True), found)
    return (
        scope.rows(_model("collectives.Membership").objects.current())
        .filter(user__in=users.values("pk"))
        .select_related("user", "site")
        .order_by("user__last_name", "user__first_name", "site__name", "pk")
    )


def _sessions(scope, found):
    # Ranked: ordered by date only, PostgreSQL walked the date index and computed each session's text until
    # it had a page (80 ms for no match on 2,000 sites) instead of reading the few matches from the GIN index.
    # A hit's passage comes from the agenda: the notes and the reason for going over budget are not read.
    sessions = scope.sessions().defer("notes", "overbooking_reason")
    return matching(sessions.order_by("-starts_at", "-pk"), found, rank=True)


def _learnings(scope, found):
    """As `search_learnings`, among the scope's sites (their hits name no author: not read)."""
    return matching(scope.rows(_model("evaluation.LearningEntry").objects.select_related("site")), found)


def _indicators(scope, found):
    indicators = scope.rows(_model("evaluation.Indicator").objects.all())
    return matching(indicators.select_related("site").order_by("site__name", "name", "pk"), found)


# --- Documents: found by their kind, their period and their site (the words of their title), or by their text

# Words that name a kind of document ("bilan annuel 2025", "entente de Saint-Étienne", "convention"): they
# choose the kind instead of being looked for in a text. "document" names both kinds.
DOCUMENT_WORDS = {"document", "documents"}
AGREEMENT_WORDS = {"entente", "ententes", "cooperation", "cooperations", "convention", "conventions"}
BILAN_WORDS = {"bilan", "bilans", "annuel", "annuels", "annuelle", "annuelles"}


@dataclass(frozen=True)
class Period:
    year: int | None = None
    month: int | None = None  # only with a year ("mars 2025"): alone, "mars" is a word like any other

    def q(self, *fields: str) -> Q:
        """Any of these date fields in the period (every row when no period was asked)."""
        if self.year is None:
            return Q()
        condition = Q()
        for name in fields:
            one = Q(**{f"{name}__year": self.year})
            if self.month is not None:
                one &= Q(**{f"{name}__month": self.month})
            condition |= one
        return condition


def _document_words(found: list[str], kind_words: set[str]) -> tuple[bool, Period, list[str]]:
    """Whether the query names this kind of document, the period it asks for, and the words left to find
    (in the title's site, or in the text)."""
    years = [int(word) for word in found if re.fullmatch(r"(19|20)\d\d", word)]
    names = text.month_numbers()
    months = [names[word] for word in found if word in names] if years else []
    period = Period(years[0] if years else None, months[0] if months else None)
    named_kind = any(word in kind_words or word in DOCUMENT_WORDS for word in found)
    used = kind_words | DOCUMENT_WORDS | FILLER | ({str(period.year)} if years else set())
    used |= {word for word in found if word in names} if months else set()
    left = [word for word in found if word not in used]
    return named_kind, period, left


def _agreements(scope, found):
    """The current agreement (in force or draft) of the sites this user may see: by the words of its title
    ("entente de coopération — Saint-Étienne", "convention"), the year it came into force or was opened, or
    its parts' text."""
    named_kind, period, left = _document_words(found, AGREEMENT_WORDS)
    agreements = scope.rows(_model("collectives.CooperationAgreement").objects.all()).filter(
        status__in=["draft", "in_force"]
    )
    if left:
        sections = matching(_model("collectives.AgreementSection").objects.all(), left)
        sites = site_matching(scope.sites(), left)
        agreements = agreements.filter(
            Q(site__in=sites.values("pk")) | Q(pk__in=sections.values("agreement"))
        )
    elif not (named_kind or period.year):
        return agreements.none()  # small words only ("de la")
    return (
        agreements.filter(period.q("in_force_since", "created_at"))
        .select_related("site")
        .prefetch_related("sections")
        .order_by("site__name", "-number")
    )


def _bilans(scope, found):
    """The finished bilans of the sites whose bilans this user may download: by their site, their period
    ("bilan 2025", "mars 2025") and the words of their kind ("bilan annuel": every one, the latest first)."""
    named_kind, period, left = _document_words(found, BILAN_WORDS)
    if not (left or named_kind or period.year):
        return _model("evaluation.Report").objects.none()
    sites = site_matching(scope.report_sites(), left) if left else scope.report_sites()
    return (
        _model("evaluation.Report")
        .objects.filter(kind="site", state="done", site__in=sites.values("pk"))
        .filter(period.q("data_date"))
        .defer("snapshot")  # a hit shows the site and the date: not the frozen data (tens of kB each)
        .select_related("site")
        .order_by(*(("site__name",) if left else ()), "-data_date", "-pk")
    )


# --- Results as the pages show them -------------------------------------------------------------------------


@dataclass
class Hit:
    title: SafeString
    url: str
    context: str = ""
    passage: Callable[[], SafeString] | None = None  # the snippet, made when a page shows it

    @functools.cached_property
    def snippet(self) -> SafeString | str:
        """A passage of the result's text around the words found: the results page shows it, the header's
        instant results do not (nor read the texts it comes from: `overview(snippets=False)`)."""
        return self.passage() if self.passage else ""


_WORD = re.compile(r"([^\W_]+)")


def _fold(word: str) -> str:
    """A word of a text as `normalise` makes it (one word: no space or apostrophe to handle)."""
    return word.lower() if word.isascii() else normalise(word)


def highlight(value: str, found: list[str]) -> SafeString:
    """The text escaped, each word that starts like a searched word (accents and capitals aside) in <mark>."""
    stems = tuple(text.stem(word) for word in found)
    parts = []
    # Split on a captured word: the words are the pieces at odd positions.
    for position, piece in enumerate(_WORD.split(value or "")):
        if position % 2 and _fold(piece).startswith(stems):
            parts.append(f"<mark>{html.escape(piece)}</mark>")
        else:
            parts.append(html.escape(piece))
    return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped


def snippet(value: str, found: list[str]) -> SafeString:
    """A short passage of a long text around its first match (its start when none), highlighted."""
    value = " ".join((value or "").split())
    if len(value) <= SNIPPET:
        return highlight(value, found)
    stems = tuple(text.stem(word) for word in found)
    start = 0
    for match in _WORD.finditer(value):
        if _fold(match.group()).startswith(stems):
            start = max(0, match.start() - SNIPPET // 3)
            break
    end = start + SNIPPET
    # Whole words only: from the space before the passage to the last space in it.
    start = value.rfind(" ", 0, start) + 1 if start else 0
    if end < len(value):
        end = value.rfind(" ", start, end) if " " in value[start:end] else end
    passage = value[start:end]
    prefix, suffix = ("… " if start else ""), (" …" if end < len(value) else "")
    return mark_safe(prefix + highlight(passage, found) + suffix)


def _site_hit(site, found):
    return Hit(highlight(site.name, found), site.get_absolute_url(), f"{site.communes} ({site.department})")


def _person_hit(membership, found):
    url = reverse("collectives:members", kwargs={"site_slug": membership.site.slug})
    context = f"{membership.get_role_display()} — {membership.site.name}"
    return Hit(highlight(str(membership.user), found), url, context)


def _session_hit(session, found):
    context = f"{session.get_kind_display()} — {text.date(session.starts_at, 'weekday')}"
    return Hit(
        highlight(session.title, found),
        session.get_absolute_url(),
        context,
        lambda: snippet(session.agenda, found),
    )


def _learning_hit(entry, found):
    url = (
        reverse("evaluation:learnings", kwargs={"site_slug": entry.site.slug}) + f"#apprentissage-{entry.pk}"
    )
    context = f"{entry.site.name} — {text.date(entry.occurred_on)}"

    def passage():
        return snippet(" ".join([entry.what_happened, entry.what_we_learned, entry.what_we_change]), found)

    return Hit(highlight(entry.title, found), url, context, passage)


def _indicator_hit(indicator, found):
    url = (
        reverse("evaluation:indicators", kwargs={"site_slug": indicator.site.slug})
        + f"#indicateur-{indicator.pk}"
    )
    return Hit(
        highlight(indicator.name, found),
        url,
        indicator.site.name,
        lambda: snippet(indicator.data_source, found),
    )


def _agreement_hit(agreement, found):
    url = reverse("collectives:agreement", kwargs={"site_slug": agreement.site.slug})

    def passage():  # from its parts, read with it (prefetched) when a page shows passages
        return snippet(" ".join(section.text for section in agreement.sections.all()), found)

    return Hit(
        highlight(f"Entente de coopération — {agreement.site.name}", found),
        url,
        f"Version {agreement.number}, {agreement.get_status_display().lower()}",
        passage,
    )


def _bilan_hit(report, found):
    title = highlight(f"Bilan de {report.site.name}", found)
    return Hit(title, report.get_absolute_url(), f"Données du {text.date(report.data_date)}")


def _help(scope, found):
    """The help centre's topics (not rows: written once in qic/help_topics.toml), of this person's role."""
    return help_centre.search(found, help_centre.audience_of(scope.user, holds_seat=scope.holds_seats))


def _help_hit(topic, found):
    url = reverse("help:topic", kwargs={"key": topic.key})
    return Hit(highlight(topic.title, found), url, topic.question, lambda: snippet(topic.purpose, found))


@dataclass(frozen=True)
class Kind:
    key: str  # in the address: ?type=...
    label: str
    find: object  # (access.Scope, words) -> QuerySet
    hit: object  # (row, words) -> Hit
    passage_fields: tuple[str, ...] = ()  # what a hit's passage reads (left unread without passages)


KINDS = [
    Kind("sites", "Sites", _sites, _site_hit),
    Kind("personnes", "Personnes", _people, _person_hit),
    Kind("sessions", "Sessions", _sessions, _session_hit, ("agenda",)),
    Kind(
        "apprentissages",
        "Apprentissages",
        _learnings,
        _learning_hit,
        ("what_happened", "what_we_learned", "what_we_change"),
    ),
    Kind("indicateurs", "Indicateurs", _indicators, _indicator_hit),
    Kind("ententes", "Documents : ententes de coopération", _agreements, _agreement_hit),
    Kind("bilans", "Documents : bilans", _bilans, _bilan_hit),
    Kind("aide", "Aide", _help, _help_hit),
]
KIND_KEYS = {kind.key: kind for kind in KINDS}


@dataclass
class Group:
    kind: Kind
    hits: list[Hit] = field(default_factory=list)
    more: bool = False  # more than the hits shown


def overview(
    user, query: str, *, per_kind: int, scope: access.Scope | None = None, snippets: bool = True
) -> list[Group]:
    """The first results of each kind that has some (one query per kind: `per_kind` + 1 rows tell whether
    there are more), among what `scope` (the request's, or the user's) sees. Without `snippets` (the header's
    instant results show titles only), the texts that passages come from are not read."""
    found = words(query)
    if not found:
        return []
    scope, groups = scope or access.Scope(user), []
    for kind in KINDS:
        rows = kind.find(scope, found)
        if not snippets and isinstance(rows, QuerySet):  # the help's topics are not rows
            rows = rows.prefetch_related(None).defer(*kind.passage_fields)
        rows = list(rows[: per_kind + 1])
        if rows:
            hits = [kind.hit(row, found) for row in rows[:per_kind]]
            groups.append(Group(kind, hits, more=len(rows) > per_kind))
    return groups


def of_kind(user, query: str, kind: Kind, *, scope: access.Scope | None = None) -> QuerySet:
    """Every result of one kind (to paginate)."""
    found = words(query)
    return kind.find(scope or access.Scope(user), found) if found else _model("sites.Site").objects.none()


def hits(rows, query: str, kind: Kind) -> list[Hit]:
    found = words(query)
    return [kind.hit(row, found) for row in rows]
