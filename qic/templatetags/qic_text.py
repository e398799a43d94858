"""Plain text typed by users, shown as paragraphs and lists (`qic.text`, the one text formatter)."""

from django import template

from qic import text

register = template.Library()


@register.filter(needs_autoescape=True)
def paragraphs(value, autoescape=True):
    """Blank lines separate paragraphs; lines starting with "- " or "• " make a bulleted list. The text is
    escaped even where autoescaping is off: what users typed never becomes markup."""
    return text.paragraphs(value)
