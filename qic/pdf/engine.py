"""WeasyPrint's side of `qic.pdf`: the resources of a document (fetcher, fonts, stylesheets) and its layout.
Imported at first use (see `qic.pdf`)."""

from __future__ import annotations

import mimetypes
import urllib.parse

from django.conf import settings
from django.templatetags.static import static
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from ..sanitize import xml_safe
from . import BASE_URL, FONT_FILES, PDF_VARIANT, FetchRefused, logger, printable_links, static_file_path


def _font_face_css() -> str:
    rules = []
    for (style, weight), name in FONT_FILES.items():
        rules.append(
            "@font-face { font-family: 'Marianne'; "
            f"src: url('{static(name)}') format('woff2'); font-style: {style}; font-weight: {weight}; }}"
        )
    return "\n".join(rules)


class StaticFileFetcher(URLFetcher):
    """Serves static files from disk and `data:` URIs; refuses the rest (network, other local files)."""

    def fetch(self, url, headers=None):
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme == "data":
            return super().fetch(url, headers)  # decoded in memory by urllib's DataHandler, no I/O
        base = urllib.parse.urlsplit(BASE_URL)
        static_prefix = urllib.parse.urlsplit(settings.STATIC_URL).path
        if (parsed.scheme, parsed.netloc) != (base.scheme, base.netloc) or not parsed.path.startswith(
            static_prefix
        ):
            logger.warning("PDF: refused to fetch %s", url[:200])
            raise FetchRefused(f"Ressource refusée : {url[:200]}")
        path = static_file_path(parsed.path[len(static_prefix) :])
        if path is None:
            raise FetchRefused(f"Fichier statique introuvable : {parsed.path[:200]}")
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime_type})


class Renderer:
    """The resources of one document (fetcher, fonts, stylesheets), shared by the HTML laid out with them."""

    def __init__(self, stylesheets: tuple[str, ...]):
        self.fetcher = StaticFileFetcher()
        self.font_config = FontConfiguration()
        self.css = [
            CSS(
                string=_font_face_css(),
                base_url=BASE_URL,
                url_fetcher=self.fetcher,
                font_config=self.font_config,
            )
        ]
        for name in stylesheets:
            url = BASE_URL.rstrip("/") + static(name)
            self.css.append(CSS(url=url, url_fetcher=self.fetcher, font_config=self.font_config))

    def lay_out(self, html: str, *extra_css: str):
        # Typed text (older data included) may hold control characters the PDF's text and tags cannot.
        document = HTML(string=printable_links(xml_safe(html)), base_url=BASE_URL, url_fetcher=self.fetcher)
        css = [*self.css, *(CSS(string=rules, font_config=self.font_config) for rules in extra_css)]
        return document.render(stylesheets=css, font_config=self.font_config, pdf_variant=PDF_VARIANT)


def write(document) -> bytes:
    return document.write_pdf(pdf_variant=PDF_VARIANT, uncompressed_pdf=False)
