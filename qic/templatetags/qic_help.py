"""`{% help_panel "key" %}`: a step of the method explained beside the page that does it (`qic.help`)."""

import functools

from django import template
from django.template.loader import render_to_string

from qic import help as help_topics

register = template.Library()


@register.simple_tag
def help_panel(key: str, level: int = 2):
    """A collapsed DSFR accordion (the button carries aria-expanded) whose title is a heading of `level`;
    an unknown key raises, so a page never points at a topic that does not exist."""
    return panel_html(key, level)


@functools.cache
def panel_html(key: str, level: int) -> str:
    """The panel's HTML. The help's text is part of the code (`qic.help`), the same for every person and every
    request: it is written once per process (the vision workspace shows four panels: written at each request,
    they cost it 9 ms of processor time, measured)."""
    topic = help_topics.topic(key)
    return render_to_string("help/includes/panel.html", {"topic": topic, "level": level, "sub": level + 1})
