"""Plain text typed by users, shown as paragraphs and lists: escaped first, so no markup ever gets through."""

import itertools
import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

BULLET = re.compile(r"^\s*[-•*]\s+")


def _block_html(lines: list[str], escape) -> str:
    """One block of lines: runs of bulleted lines become lists, other runs become paragraphs."""
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


@register.filter(needs_autoescape=True)
def paragraphs(value, autoescape=True):
    """Blank lines separate paragraphs; lines starting with "- " or "• " make a bulleted list.

    The text is escaped even where autoescaping is off: what users typed never becomes markup.
    """
    escape = conditional_escape
    text = str(value or "").replace("\r\n", "\n").strip()
    if not text:
        return ""
    blocks = re.split(r"\n\s*\n", text)
    return mark_safe("".join(_block_html([ln for ln in b.split("\n") if ln.strip()], escape) for b in blocks))
