"""`{% help_panel "key" %}`: a step of the method explained beside the page that does it (`qic.help`)."""

from django import template

from qic import help as help_topics

register = template.Library()


@register.inclusion_tag("help/includes/panel.html")
def help_panel(key: str, level: int = 2):
    """A collapsed DSFR accordion (the button carries aria-expanded) whose title is a heading of `level`;
    an unknown key raises, so a page never points at a topic that does not exist."""
    return {"topic": help_topics.topic(key), "level": level, "sub": level + 1}
