"""The platform's one text formatter: matching French text (accents, case, apostrophes), numbers written the
French way, and plain text typed by users shown as paragraphs and lists (the `qic_text` template filters)."""

import itertools
import re
import unicodedata

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

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


def number(value, *, decimals: int = 2, unit: str = "") -> str:
    """A number the French way: "1 234,5" (a narrow no-break space between thousands, a decimal comma, at most
    `decimals` decimals and no trailing zeros), its unit after a no-break space; "" for None."""
    if value is None:
        return ""
    if isinstance(value, int):
        text = f"{value:,}"
    else:
        text = f"{value:,.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{value:,.0f}"
    text = text.replace(",", "\u202f").replace(".", ",")
    return f"{text}\u00a0{unit}" if unit else text


BULLET = re.compile(r"^\s*[-•*]\s+")


def _block_html(lines: list[str]) -> str:
    """One block of lines: runs of bulleted lines become lists, other runs become paragraphs."""
    escape = conditional_escape
    html = []
    for is_item, run in itertools.groupby(lines, key=lambda line: bool(BULLET.match(line))):
        run = list(run)
        if is_item:
            html.append(
                "<ul>" + "".join(f"<li>{escape(BULLET.sub('', line).strip())}</li>" for line in run) + "</ul>"
            )
        else:
            html.append("<p>" + "<br>".join(escape(line.strip()) for line in run) + "</p>")
    return "".join(html)


def paragraphs(value) -> SafeString:
    """Blank lines separate paragraphs; lines starting with "- " or "• " make a bulleted list.

    The text is always escaped: what users typed never becomes markup.
    """
    text = str(value or "").replace("\r\n", "\n").strip()
    if not text:
        return mark_safe("")
    blocks = re.split(r"\n\s*\n", text)
    return mark_safe("".join(_block_html([ln for ln in b.split("\n") if ln.strip()]) for b in blocks))
