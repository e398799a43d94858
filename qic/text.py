"""The platform's one text formatter: matching French text (accents, case, apostrophes); dates, times,
numbers, hours, plurals and typographic spaces written the French way; plain text typed by users shown as
paragraphs and lists. Pages, PDFs, e-mails, the calendar feed and exports all write through it (in templates:
the `qic_text` filters, loaded everywhere)."""

import datetime as dt
import functools
import itertools
import re
import unicodedata
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.utils import dates, translation
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString, mark_safe

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "–": "-", "—": "-"})
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Lower-case, without accents, apostrophes and spaces made uniform: "Saint-Étienne" → "saint-etienne"."""
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(_APOSTROPHES))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def tag(raw: str) -> str:
    """A tag as people wrote it, in lower case, with its accents: " Coopération  d'acteurs " →
    "coopération d’acteurs" (`normalise` compares two tags; commas separate them, so none is kept)."""
    visible = "".join(c for c in (raw or "") if unicodedata.category(c) != "Cf")  # no zero-width tag
    return " ".join(visible.replace("'", "’").replace(",", " ").split()).lower()


def stem(word: str) -> str:
    """A normalised word without its plural's "s" or "x", as the searches compare words: "visions" →
    "vision" (SQLite's platform search, the help's search)."""
    return word[:-1] if len(word) > 3 and word[-1] in "sx" else word


def search_words(query: str, limit: int = 8) -> list[str]:
    """The words of a free-text search, normalised (a few only: a search is not a document)."""
    return [word for word in normalise(query).split(" ") if word][:limit]


NBSP, NNBSP = "\u00a0", "\u202f"  # no-break space; narrow no-break space (thousands, before ; ? !)


def number(value, *, decimals: int = 2, unit: str = "") -> str:
    """A number the French way: "1 234,5" (a narrow no-break space between thousands, a decimal comma, at most
    `decimals` decimals and no trailing zeros), its unit after a no-break space; "" for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, float | Decimal) and value == int(value):
        value = int(value)
    if isinstance(value, int):
        text = f"{value:,}"
    else:
        text = f"{value:,.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{value:,.0f}"
    text = text.replace(",", NNBSP).replace(".", ",")
    if text in ("-0", "-0,0"):
        text = "0"
    return f"{text}{NBSP}{unit}" if unit else text


def hours(value, *, unit: bool = True) -> str:
    """Hours as French text, to the tenth: 1234.5 → "1 234,5 h", 10.0 → "10 h" (`unit=False`: "1 234,5")."""
    return number(value, decimals=1, unit="h" if unit else "")


def average(value, scale: int) -> str:
    """A mean level on a scale: 2.25 → "2,3/4"; None → "—"."""
    if value is None:
        return "—"
    return f"{value:.1f}".replace(".", ",") + f"/{scale}"


def plural(count, singular: str, plural_form: str, *, with_count: bool = True) -> str:
    """ "0 site créé", "1 site créé", "2 sites créés". French keeps the singular for 0 and 1; gettext's
    `ngettext` would write "0 sites" here: with no catalogue (the interface is written in French), it falls
    back to the English rule. `with_count=False` gives the words alone."""
    words = plural_form if abs(count or 0) >= 2 else singular
    return f"{number(count)} {words}" if with_count else words


# --- Dates and times (always in the platform's time zone, Europe/Paris) -------------------------------------


@functools.cache
def zone():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _moment(value):
    """A date or an aware date-time in Paris time, from a date, a date-time or an ISO string (snapshots)."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value) if len(value) > 10 else dt.date.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(zone())
    return value if isinstance(value, dt.date) else None


def local_day(value) -> dt.date | None:
    """The day a moment was in Paris (a date stays itself); None when missing."""
    value = _moment(value) if value else None
    return value.date() if isinstance(value, dt.datetime) else value


@functools.cache
def _names() -> dict[str, dict[int, str]]:
    """Month and day names from Django's French catalogue, read once (they never change; looking them up
    for every cell of a table cost five times the rest of the date)."""
    with translation.override("fr"):
        return {
            "months": {k: str(v) for k, v in dates.MONTHS.items()},
            "months_abbr": {k: str(v).lower() for k, v in dates.MONTHS_AP.items()},
            "weekdays": {k: str(v) for k, v in dates.WEEKDAYS.items()},
        }


@functools.cache
def month_numbers() -> dict[str, int]:
    """{a month's French name, normalised ("fevrier", "aout"): its number}, to read a month someone typed."""
    return {normalise(name): number for number, name in _names()["months"].items()}


DATE_STYLES = ("long", "weekday", "short", "day_month", "month_year", "month_abbr")


def date(value, style: str = "long") -> str:
    """A day the French way, "" when missing:
    long "1er décembre 2026" · weekday "mardi 1er décembre 2026" · short "01/12/2026" (dense tables) ·
    day_month "1er décembre" · month_year "décembre 2026" · month_abbr "déc." (a calendar badge)."""
    value = _moment(value)
    if value is None:
        return ""
    if style == "short":
        return f"{value:%d/%m/%Y}"
    day = "1er" if value.day == 1 else str(value.day)
    month = _names()["months"][value.month]
    if style == "month_abbr":
        return _names()["months_abbr"][value.month]
    if style == "month_year":
        return f"{month} {value.year}"
    if style == "day_month":
        return f"{day} {month}"
    text = f"{day} {month} {value.year}"
    if style == "weekday":
        return f"{_names()['weekdays'][value.weekday()]} {text}"
    return text


def time(value) -> str:
    """A time of day the French way: "9 h 30", "14 h" (no-break spaces: a time is never cut at a line's end);
    "" when missing."""
    value = _moment(value) if not isinstance(value, dt.time) else value
    if value is None or type(value) is dt.date:
        return ""
    return f"{value.hour}{NBSP}h{NBSP}{value.minute:02d}" if value.minute else f"{value.hour}{NBSP}h"


def date_time(value, style: str = "long") -> str:
    """ "1er décembre 2026 à 19 h 52" (`style` as for `date`)."""
    value = _moment(value)
    if value is None:
        return ""
    if type(value) is dt.date:
        return date(value, style)
    return f"{date(value, style)} à {time(value)}"


def duration(minutes: int) -> str:
    """ "45 min", "2 h", "1 h 30" (no-break spaces)."""
    hours_part, rest = divmod(minutes or 0, 60)
    if not hours_part:
        return f"{rest}{NBSP}min"
    return f"{hours_part}{NBSP}h{NBSP}{rest:02d}" if rest else f"{hours_part}{NBSP}h"


def session_span(start, end) -> str:
    """ "mardi 1er décembre 2026, 9 h 30 – 12 h 30", or "du …, 9 h, au …, 17 h" over several days."""
    start, end = _moment(start), _moment(end)
    if start.date() == end.date():
        return f"{date(start, 'weekday')}, {time(start)} – {time(end)}"
    return f"du {date(start, 'weekday')}, {time(start)}, au {date(end, 'weekday')}, {time(end)}"


# --- Typographic spaces -------------------------------------------------------------------------------------

# A plain space (or none, after a letter) before ; ? ! becomes a narrow no-break space, before : a no-break
# space; the spaces inside « » become no-break spaces. Digits before ":" (19:52), "://" and "&amp;" are left
# alone.
_HIGH = re.compile(r"(?:[ \t\u00a0]+|(?<=[^\W\d_]))([;?!]+)(?=\s|$|[»)\]<])")
_COLON = re.compile(r"(?:[ \t]+|(?<=[^\W\d_]))(:)(?=\s|$|<)")
_UNIT = re.compile(r"(?<=\d)[ \t]+(h|min|%)(?![\w])")
_ENTITY = re.compile(r"&#?\w+$")
_OPEN_QUOTE = re.compile(r"«[ \t\u00a0\u202f]*")
_CLOSE_QUOTE = re.compile(r"[ \t\u00a0\u202f]*»")


def _spaced(space: str):
    def replace(match: re.Match) -> str:
        if match.group(1).startswith(";") and _ENTITY.search(match.string, 0, match.start(1)):
            return match.group(0)
        return space + match.group(1)

    return replace


def typo(value):
    """French typographic spaces in a text: "Statut : actif ? « oui », 12 %" with no-break spaces, so a line
    never starts with a colon, a closing guillemet or a unit. Markup-safe text stays safe (only spaces
    change)."""
    if not value:
        return value
    text = _HIGH.sub(_spaced(NNBSP), str(value))
    text = _COLON.sub(_spaced(NBSP), text)
    text = _UNIT.sub(NBSP + r"\1", text)
    text = _OPEN_QUOTE.sub("«" + NBSP, text)
    text = _CLOSE_QUOTE.sub(NBSP + "»", text)
    return mark_safe(text) if isinstance(value, SafeData) else text


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
