"""Searching the learning logs in French.

PostgreSQL: full-text search with the French configuration (stemming: "habitant" finds "habitants",
"mobilisation" finds "mobiliser"), on the stored `search_vector` column (GIN index), ranked.
SQLite (development and the first test pass): every word of the query, accents and capitals removed and a
trailing plural "s" or "x" dropped, must appear in the normalised text of the entry. Cruder (no stemming of
verbs), but "habitant" and "habitants" find each other.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, QuerySet

from qic import access
from qic.text import search_words

from .models import LearningEntry


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word[-1] in "sx" else word


def search_learnings(user, query: str, *, base: QuerySet | None = None) -> QuerySet:
    """The learnings of the sites this user may see that match the query, best first."""
    entries = (base if base is not None else LearningEntry.objects.all()).filter(
        site__in=access.visible_sites(user)
    )
    entries = entries.select_related("site", "author")
    words = search_words(query)
    if not words:
        return entries.none()
    if connection.vendor == "postgresql":
        # The raw words, accents kept: the French configuration stems them but does not remove accents.
        search = SearchQuery(" ".join(query.split()[:8]), config="french", search_type="plain")
        return (
            entries.filter(search_vector=search)
            .annotate(rank=SearchRank(F("search_vector"), search))
            .order_by("-rank", "-occurred_on", "-id")
        )
    for word in words:
        entries = entries.filter(search_text__contains=_stem(word))
    return entries.order_by("-occurred_on", "-id")
