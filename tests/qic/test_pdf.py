"""The PDF module: static files only, never the network or arbitrary local files; fonts, A4, tags."""

import http.server
import re
import subprocess
import threading

import pytest
from django.templatetags.static import static

from qic.pdf import BASE_URL, FetchRefused, html_to_pdf, pdf_with_contents, printable_links
from qic.pdf.engine import StaticFileFetcher


@pytest.fixture
def spy_server():
    """A local HTTP server that counts the requests it receives (none may come from the renderer)."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()


def _run(tool, content: bytes, tmp_path, *args) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    command = [tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])]
    return subprocess.run(command, capture_output=True, check=True, text=True).stdout


def _doc(body: str) -> str:
    return f'<!DOCTYPE html><html lang="fr"><head><title>Essai</title></head><body>{body}</body></html>'


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x.png",
        "https://exemple.fr/x.css",
        "file:///etc/passwd",
        "ftp://exemple.fr/x",
        BASE_URL + "media/secret.pdf",
        BASE_URL + "static/../../etc/passwd",
        BASE_URL.replace("pdf.qic.invalid", "evil.invalid") + "static/css/pdf.css",
    ],
)
def test_fetcher_refuses_everything_but_static_files(url):
    with pytest.raises(FetchRefused):
        StaticFileFetcher().fetch(url)


def test_fetcher_serves_static_files_from_disk():
    response = StaticFileFetcher().fetch(BASE_URL.rstrip("/") + static("css/pdf.css"))
    assert b"@page" in response.read()


def test_user_typed_markup_cannot_make_the_renderer_fetch(spy_server, tmp_path):
    base, hits = spy_server
    html = _doc(
        f'<h1>Entente</h1><img src="{base}/pixel.png"><link rel="stylesheet" href="{base}/style.css">'
        f'<img src="file:///etc/passwd"><iframe src="file:///etc/passwd"></iframe>'
        f"<div style=\"background: url('{base}/bg.png')\">Texte</div>"
    )
    pdf = html_to_pdf(html)
    assert hits == []
    text = _run("pdftotext", pdf, tmp_path)
    assert "Entente" in text and "root:" not in text


def test_a4_pages_numbered_marianne_embedded_and_tagged(tmp_path):
    pdf = html_to_pdf(_doc("<h1>Titre</h1>" + "<p>Un paragraphe assez long. </p>" * 200))
    info = _run("pdfinfo", pdf, tmp_path)
    assert "595.276 x 841.89 pts (A4)" in info
    assert "Tagged:          yes" in info and "Title:           Essai" in info
    fonts = _run("pdffonts", pdf, tmp_path)
    assert "Marianne" in fonts
    text = _run("pdftotext", pdf, tmp_path)
    assert "Page 1 sur" in text and "Page 2 sur" in text


GUIDE = "https://www.anct.gouv.fr/d%C3%A9marche/guide?v=2"


@pytest.mark.parametrize(
    ("link", "printed"),
    [
        # A vague text or a raw address reads as the site's name, the tidied address after it.
        (f'<a href="{GUIDE}">ici</a>', ("anct.gouv.fr", "anct.gouv.fr/démarche/guide?v=2")),
        (f'<a href="{GUIDE}">{GUIDE}</a>', ("anct.gouv.fr", "anct.gouv.fr/démarche/guide?v=2")),
        ('<a href="https://anct.gouv.fr/">https://anct.gouv.fr/</a>', ("anct.gouv.fr", None)),
        # A text that says where it leads stays, with the address for paper readers.
        (f'<a href="{GUIDE}">Le guide de la démarche</a>', ("Le guide de la démarche", "anct.gouv.fr/")),
        ('<a href="mailto:contact@anct.gouv.fr">contact@anct.gouv.fr</a>', ("contact@anct.gouv.fr", None)),
        ('<a href="#s-vision">3. Vision adoptée</a>', ("3. Vision adoptée", None)),  # inside the document
    ],
)
def test_printed_links_say_where_they_lead(link, printed):
    label, address = printed
    html = printable_links(f"<p>Voir {link}.</p>")
    assert re.search(rf">{re.escape(label)}</a>", html), html
    assert ('class="link-address"> (' + address in html) if address else "link-address" not in html


def test_a_long_address_wraps_inside_the_page(tmp_path):
    url = "https://www.exemple.fr/dossier?document=" + "compterendudelareunion" * 8  # no break opportunity
    pdf = html_to_pdf(_doc(f'<p>Le <a href="{url}">compte rendu</a> et {url} tapée telle quelle.</p>'))
    boxes = _run("pdftotext", pdf, tmp_path, "-bbox")
    right = max(float(x) for x in re.findall(r'xMax="([\d.]+)"', boxes))
    assert right <= 595.3 - 18 * 72 / 25.4 + 1  # within the right margin of an A4 page
    words = re.findall(r"<word [^>]*>([^<]*)</word>", boxes)
    assert words[words.index("rendu") + 1].startswith("(exemple.fr/dossier")  # the address, tidied, after


@pytest.mark.parametrize("cover_paragraphs", [1, 80])  # a cover too long for its page: laid out as one
def test_contents_give_each_section_its_first_page(tmp_path, cover_paragraphs):
    sections = [("a", 1), ("b", 120), ("c", 5)]  # b runs over three pages

    def render_html(part, pages=None):
        def toc_entry(key):
            page = f' data-page="{pages[f"s-{key}"]}"' if pages else ""
            return f'<li><a href="#s-{key}"{page}>Partie {key}</a></li>'

        cover = "<p>Couverture</p>" * cover_paragraphs
        cover += f'<ol class="toc">{"".join(toc_entry(key) for key, _ in sections)}</ol>'
        body = "".join(
            f'<section id="s-{key}"><h2>Partie {key}</h2>{"<p>Texte de la partie.</p>" * size}</section>'
            for key, size in sections
        )
        style = "<style>.cover-page, .toc { break-after: page }</style>"
        if part == "body":
            return _doc(style + '<div class="cover-page"></div>' + body)
        return _doc(style + cover + ("" if part == "cover" else body))

    pdf = pdf_with_contents(render_html)

    text = _run("pdftotext", pdf, tmp_path, "-layout")
    pages = {key: int(page) for key, page in re.findall(r"Partie (\w) +(\d+)", text)}
    assert pages["a"] == pages["b"] < pages["c"] - 2  # b (three pages long) at its first page, not its last
    assert pages["a"] == 2 if cover_paragraphs == 1 else pages["a"] > 2
    total = int(re.search(r"Pages: +(\d+)", _run("pdfinfo", pdf, tmp_path)).group(1))
    assert f"Page 1 sur {total}" in text and f"Page {total} sur {total}" in text
