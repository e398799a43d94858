"""Business logic of the evaluation loop: learnings, indicators and measurements, cycles, what is due."""

from django.db import transaction

from .models import LearningEntry


@transaction.atomic
def save_learning(form, *, site, user) -> LearningEntry:
    entry = form.save(commit=False)
    entry.site = site
    if entry.author_id is None:
        entry.author = user
    entry.save()
    return entry
