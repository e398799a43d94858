"""Formatted text typed by people, made safe to show: a small Markdown subset rendered, then cleaned by nh3.

Every app that shows formatted text goes through `render_markdown` (text → safe HTML) or `clean_html`
(HTML from elsewhere → safe HTML). The renderer escapes the text first and only then adds its own tags, and
nh3 cleans the result again with a short allow-list, so no typed markup, attribute or URL scheme survives.

Plain text has one path too: `clean_text` at the input boundary (every form field, through
`qic.forms.BoundField`, and the imports) removes the characters nobody types on purpose, and `xml_safe` at
the output boundary (every SVG, PDF and e-mail writer) removes those XML cannot hold, so older data is safe.

The subset: paragraphs (blank line), line breaks, `**gras**`, `*italique*`, lists (`- ` or `1. `),
headings (`# ` or `## `, and `### ` for a sub-heading: shown as small headings), links
`[texte](https://…)` and bare https links.

The text is shown under a heading of its page (`under`: level 2, "Le récit", on the pages; level 3 in the
bilan's PDF): its headings are the two levels below (`### ` is the first in a text with no `# ` nor `## `),
and a heading is never more than one level below the one before it, so that the outline screen readers list
(of the page, of the tagged PDF) skips no level (RGAA 9.1).
"""

from __future__ import annotations

import html
import re

import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h3", "h4", "h5", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"https", "http", "mailto"}

_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<![\*\w])\*(?=\S)([^*]+?)(?<=\S)\*(?![\*\w])")
_LINK = re.compile(r"\[([^\]\n]{1,300})\]\((https?://[^\s()<>\"']{1,500}|mailto:[^\s()<>\"']{1,200})\)")
_BARE_URL = re.compile(r"(?<![\"'=>/])\bhttps://[^\s<>\"']{1,500}[^\s<>\"'.,;:!?)]")
_BULLET = re.compile(r"^\s*[-*•]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d{1,3}[.)]\s+(.*)$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")

# C0 controls but tab, line feed and carriage return; DEL and C1; lone surrogates; U+FFFE and U+FFFF.
# None is valid (or wise) in XML 1.0: one of them makes an SVG or a PDF unreadable.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Bidirectional embeddings, overrides and isolates: they make a name read backwards ("Trojan Source").
BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile(r"[\n\t]+")


def clean_html(value: str) -> SafeString:
    """HTML cleaned down to the allow-list: scripts, event handlers, styles, `javascript:` links removed."""
    cleaned = nh3.clean(
        value or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return mark_safe(cleaned)  # noqa: S308 - nh3 output


def _inline(escaped: str) -> str:
    """Inline formatting on already-escaped text."""
    links: list[str] = []

    def keep_link(match: re.Match) -> str:
        # The URL was escaped with the text: unescape, then escape once for the attribute.
        url = html.escape(html.unescape(match.group(2)), quote=True)
        links.append(f'<a href="{url}">{match.group(1)}</a>')
        return f"\x00{len(links) - 1}\x00"

    def keep_bare(match: re.Match) -> str:
        url = html.unescape(match.group(0))
        links.append(f'<a href="{html.escape(url, quote=True)}">{html.escape(url, quote=False)}</a>')
        return f"\x00{len(links) - 1}\x00"

    text = _LINK.sub(keep_link, escaped)
    text = _BARE_URL.sub(keep_bare, text)
    text = _BOLD.sub(r"<strong>\1</strong>", text)
    text = _ITALIC.sub(r"<em>\1</em>", text)
    return re.sub(r"\x00(\d+)\x00", lambda m: links[int(m.group(1))], text)


def markdown_to_html(text: str, under: int = 2) -> str:
    """The subset above as HTML (not yet cleaned: use `render_markdown`)."""
    # Control characters go first: the renderer marks its links with NUL characters.
    lines = [line.rstrip() for line in clean_text(text).split("\n")]
    headings = [_HEADING.match(line) for line in lines]  # read once: the levels depend on the whole text
    out: list[str] = []
    paragraph: list[str] = []
    list_tag: str | None = None
    heading_level = under  # the page's heading above the text
    # Sub-headings (`### `) are a level below headings (`# `, `## `), or the first level in a text with none.
    has_top = any(heading and len(heading.group(1)) <= 2 for heading in headings)
    top, sub = under + 1, under + (2 if has_top else 1)

    def close_paragraph():
        if paragraph:
            out.append("<p>" + "<br>".join(_inline(html.escape(line.strip())) for line in paragraph) + "</p>")
            paragraph.clear()

    def close_list():
        nonlocal list_tag
        if list_tag:
            out.append(f"</{list_tag}>")
            list_tag = None

    for line, heading in zip(lines, headings, strict=True):
        bullet, numbered = _BULLET.match(line), _NUMBERED.match(line)
        if not line.strip():
            close_paragraph()
            close_list()
        elif bullet or numbered:
            close_paragraph()
            tag = "ul" if bullet else "ol"
            if list_tag != tag:
                close_list()
                out.append(f"<{tag}>")
                list_tag = tag
            item = (bullet or numbered).group(1)
            out.append(f"<li>{_inline(html.escape(item.strip()))}</li>")
        elif heading:
            close_paragraph()
            close_list()
            heading_level = min(top if len(heading.group(1)) <= 2 else sub, heading_level + 1)
            tag = f"h{heading_level}"
            out.append(f"<{tag}>{_inline(html.escape(heading.group(2).strip()))}</{tag}>")
        elif line.startswith(">"):
            close_paragraph()
            close_list()
            out.append(f"<blockquote><p>{_inline(html.escape(line.lstrip('> ').strip()))}</p></blockquote>")
        else:
            close_list()
            paragraph.append(line)
    close_paragraph()
    close_list()
    return "\n".join(out)


def render_markdown(text: str, under: int = 2) -> SafeString:
    """Formatted text as safe HTML, ready for a template (`{{ value|markdown }}` does the same), shown under
    a heading of level `under`."""
    return clean_html(markdown_to_html(text, under))


def plain_text(value: str) -> str:
    """Text with every tag removed (for places where nothing but text may go: SVG, PDF titles, exports)."""
    return xml_safe(html.unescape(nh3.clean(value or "", tags=set())))


def clean_text(value: str, *, single_line: bool = False) -> str:
    """Typed text as it may be stored: no control nor bidi override character, line breaks as `\\n`.

    Browsers count a textarea's line break as one character but send two (`\\r\\n`): normalising them makes
    the server count what the `maxlength` the page states counted. `single_line` (names, titles) turns line
    breaks and tabs into a space.
    """
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    text = BIDI_CONTROLS.sub("", CONTROL_CHARACTERS.sub("", text))
    return _LINE_BREAKS.sub(" ", text) if single_line else text


def xml_safe(value: str) -> str:
    """Text (or a whole document) without the characters XML 1.0 cannot hold: for every SVG, PDF, e-mail."""
    return CONTROL_CHARACTERS.sub("", value or "")


__all__ = [
    "ALLOWED_TAGS",
    "BIDI_CONTROLS",
    "CONTROL_CHARACTERS",
    "clean_html",
    "clean_text",
    "markdown_to_html",
    "plain_text",
    "render_markdown",
    "xml_safe",
]
