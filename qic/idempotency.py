"""A creating form creates its row once, however often or however fast it is sent.

Forms that create something without a natural key (a comment, a learning, a context factor…) carry a hidden
one-time token (`OnceForm`). The view runs the creating service inside `once(form)`, one transaction that
first inserts the token, with a digest of what the form sent, into a table with a unique constraint. Of twenty
identical submissions (a double click, a resent request, twenty parallel ones) exactly one creates its row, on
PostgreSQL (the others wait on the unique index, then fail) as on SQLite (writes are serialised); the others
raise `AlreadySubmitted`, which the view answers with `ALREADY_SAVED`: never a 500 nor a duplicate. A refused
creation (a validation error) rolls the token back with it, so the corrected form can be sent again; the same
empty form sent with other content (two tabs of a cached page) is another submission.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from contextlib import contextmanager

from django import forms
from django.db import IntegrityError, transaction

from .forms import SaysHiddenErrors
from .models import SubmissionToken

ALREADY_SAVED = (
    "Ce formulaire a déjà été envoyé : votre saisie est déjà enregistrée, elle n’a pas été ajoutée deux fois."
)
FIELD = "submission"


class AlreadySubmitted(Exception):
    """This form was already sent, with the same content: what it creates exists already."""

    def __str__(self):
        return ALREADY_SAVED


class OnceForm(SaysHiddenErrors):
    """A mixin for creating forms: a hidden one-time token, new each time the empty form is shown.

    Optional, so a client that sends none (an older page, a script) still creates, without the guarantee.
    """

    submission = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial[FIELD] = uuid.uuid4()


def submission_key(form) -> str | None:
    """The token and what the form sent, as one digest (None when the form carries no token)."""
    token = form.cleaned_data.get(FIELD) if hasattr(form, "cleaned_data") else None
    if token is None:
        return None
    return _digest(token, form.data)


def was_sent(form) -> bool:
    """Whether this form, with its token, was already sent with the same content: checked before validating
    it where a resent creation would fail on the row it created (an API client retrying a request whose answer
    it lost learns it was saved, not that its date is already measured)."""
    try:
        token = uuid.UUID(str(form.data.get(FIELD)))
    except ValueError:
        return False
    return SubmissionToken.objects.filter(key=_digest(token, form.data)).exists()


def _digest(token, data) -> str:
    sent = {
        name: data.getlist(name) if hasattr(data, "getlist") else data[name]
        for name in sorted(data)
        if name not in ("csrfmiddlewaretoken", FIELD)
    }
    payload = json.dumps([str(token), sent], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


@contextmanager
def once(form):
    """Run the block in one transaction that first claims the form's submission; raise `AlreadySubmitted`
    if the same form was already sent with the same content. A form without a token simply runs it."""
    key = submission_key(form)
    with transaction.atomic():
        if key is not None:
            try:
                with transaction.atomic():
                    SubmissionToken.objects.create(key=key)
            except IntegrityError:
                raise AlreadySubmitted from None
        yield
