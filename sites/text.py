"""Text helpers of the registry: accent- and case-insensitive matching of French place names."""

import re
import unicodedata

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "–": "-", "—": "-"})
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Lower-case, without accents, apostrophes and spaces made uniform: "Saint-Étienne" → "saint-etienne"."""
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(_APOSTROPHES))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def search_words(query: str, limit: int = 8) -> list[str]:
    """The words of a free-text search, normalised (a few only: a search is not a document)."""
    return [word for word in normalise(query).split(" ") if word][:limit]
