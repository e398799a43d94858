"""PDF documents from HTML templates (WeasyPrint), shared by every app that prints something.

One `FontConfiguration` per document is given to both the stylesheet and `write_pdf` (otherwise the Marianne
`@font-face` rules are silently ignored). Resources are read by `StaticFileFetcher`: static files from disk
and `data:` URIs only: nothing a user typed can make the renderer reach the network or read a local file.

WeasyPrint itself (`engine.py`) is imported when the first document is laid out, not with this module: the
views and tasks that print import this module, so every process would otherwise load it at start (0.7-1.6 s
of processor time: a web or worker process, and every `manage.py` command). A web process still loads it
before its first request (`qic.warmup.settle`).
"""

from __future__ import annotations

import html as html_lib
import logging
import re
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

# The document's base URL: relative and root-relative URLs resolve against it, and only static files under
# this (never contacted) origin are served, from disk.
BASE_URL = "https://pdf.qic.invalid/"
PDF_VARIANT = "pdf/ua-1"
FONT_FILES = {
    ("normal", 400): "dsfr/dist/fonts/Marianne-Regular.woff2",
    ("italic", 400): "dsfr/dist/fonts/Marianne-Regular_Italic.woff2",
    ("normal", 500): "dsfr/dist/fonts/Marianne-Medium.woff2",
    ("normal", 700): "dsfr/dist/fonts/Marianne-Bold.woff2",
    ("italic", 700): "dsfr/dist/fonts/Marianne-Bold_Italic.woff2",
}
STYLESHEET = "css/pdf.css"


class FetchRefused(ValueError):
    """A resource the PDF renderer is not allowed to read."""


def static_file_path(name: str) -> Path | None:
    """The file on disk behind a static file name, found like `collectstatic` would, or None."""
    name = urllib.parse.unquote(name).lstrip("/")
    if not name or "\x00" in name:
        return None
    try:
        found = finders.find(name)
    except SuspiciousFileOperation:
        return None
    if found:
        return Path(found)
    # Collected files (with their hashed names) in production.
    root = getattr(settings, "STATIC_ROOT", None)
    if root:
        try:
            candidate = Path(staticfiles_storage.path(name)).resolve()
        except (NotImplementedError, SuspiciousFileOperation):
            return None
        if candidate.is_file() and candidate.is_relative_to(Path(root).resolve()):
            return candidate
    return None


# On paper a link's text is all there is: "ici" or a raw address says nothing. An external link keeps its
# text when it says where it leads, else reads as the site's name; its address follows, tidied (no scheme, no
# "www.", decoded), in small type that wraps anywhere rather than running off the page.
_EXTERNAL_LINK = re.compile(r'<a\s[^>]*?href="((?:https?|mailto):[^"]*)"[^>]*>(.*?)</a>', re.S | re.I)
_TAG = re.compile(r"<[^>]+>")
VAGUE_LINK_TEXTS = {
    "ici", "là", "lien", "le lien", "ce lien", "cliquez ici", "en cliquant ici", "voir", "voir ici",
    "en savoir plus", "plus", "cliquer ici", "lire", "lire la suite", "ce site", "page", "cette page",
}  # fmt: skip


def readable_address(url: str) -> str:
    """ "https://www.anct.gouv.fr/d%C3%A9marche/" → "anct.gouv.fr/démarche"; "mailto:a@b.fr" → "a@b.fr"."""
    address = urllib.parse.unquote(html_lib.unescape(url)).strip().replace(" ", "%20")
    address = re.sub(r"^(?:https?://|mailto:)", "", address, flags=re.I)
    return address.removeprefix("www.").rstrip("/")


def _printable_link(match: re.Match) -> str:
    href, inner = match.group(1), match.group(2)
    text = " ".join(html_lib.unescape(_TAG.sub("", inner)).split())
    address = readable_address(href)
    host = address.split("/")[0].split("?")[0]
    bare = not text or readable_address(text) == address or re.match(r"(?:https?://|www\.)", text, re.I)
    if bare or re.sub(r"[\s.:!»)]+$", "", text.lower()) in VAGUE_LINK_TEXTS:
        inner = html_lib.escape(host)
    shown = (
        ""
        if address in (host if bare else text)
        else f'<span class="link-address"> ({html_lib.escape(address)})</span>'
    )
    return f'<a href="{href}">{inner}</a>{shown}'


def printable_links(html: str) -> str:
    """External links as a printed page needs them (see above); links inside the document are left alone."""
    return _EXTERNAL_LINK.sub(_printable_link, html)


def html_to_pdf(html: str, *, stylesheets: tuple[str, ...] = (STYLESHEET,)) -> bytes:
    """Render an HTML document (already escaped by the template engine) to PDF bytes."""
    from .engine import Renderer, write

    return write(Renderer(stylesheets).lay_out(html))


def pdf_with_contents(
    render_html: Callable[..., str], *, stylesheets: tuple[str, ...] = (STYLESHEET,)
) -> bytes:
    """A document whose first page (the cover) lists the page of each section, laid out once.

    A table of contents drawn with CSS `target-counter()` made WeasyPrint lay the cover out three times, and
    the whole document paginate three times over (about 15 % of a bilan's time). Instead the body is laid out
    first, its first page left blank for the cover; the cover is then laid out alone, with the page of each
    section read from the body's anchors, and takes the blank page's place. `render_html(part, pages)` gives
    the HTML of `part`: "body", "cover" (with `pages`, anchor name → page number) or "whole" (one document,
    `target-counter()`), used when the cover does not fit on its page.
    """
    from .engine import Renderer, write

    renderer = Renderer(stylesheets)
    body = renderer.lay_out(render_html("body"))
    pages = {}
    for number, page in enumerate(body.pages, start=1):
        for anchor in page.anchors:  # a section over several pages: its first one
            pages.setdefault(anchor, number)
    footer = f'@page {{ @bottom-right {{ content: "Page 1 sur {len(body.pages)}"; }} }}'
    cover = renderer.lay_out(render_html("cover", pages), footer)
    if len(cover.pages) != 1:
        return write(renderer.lay_out(render_html("whole")))
    return write(body.copy([cover.pages[0], *body.pages[1:]]))


def render_pdf(template_name: str, context: dict, request=None) -> bytes:
    """Render a template extending `pdf/base.html` to PDF bytes."""
    return html_to_pdf(render_to_string(template_name, context, request=request))


def pdf_response(content: bytes, filename: str, *, inline: bool = False):
    from django.http import HttpResponse

    response = HttpResponse(content, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    ascii_name = filename.encode("ascii", "ignore").decode() or "document.pdf"
    quoted = urllib.parse.quote(filename)
    response["Content-Disposition"] = f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quoted}"
    return response


__all__ = [
    "BASE_URL",
    "html_to_pdf",
    "pdf_response",
    "pdf_with_contents",
    "printable_links",
    "readable_address",
    "render_pdf",
    "static_file_path",
]
