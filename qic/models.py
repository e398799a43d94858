"""Platform-wide records: the audit log of writes on site data, form submission tokens, tasks waiting for the
broker."""

import functools

from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.dateparse import parse_date, parse_datetime

from qic import text

# How the audit log names the answers of API requests (`AuditEntry.answer`).
ANSWERS = {
    200: "servie",
    201: "enregistrée",
    304: "inchangée depuis la dernière lecture",
    400: "refusée, données invalides",
    401: "refusée, clé absente, inconnue ou révoquée",
    403: "refusée, hors des droits de la clé",
    404: "introuvable dans le périmètre",
    409: "déjà reçue",
    412: "refusée, version modifiée",
    429: "refusée, trop de requêtes",
}


API_REQUEST = "api"  # `AuditEntry.model` of a partner API request


def _capitalised(label: str) -> str:
    return label[:1].upper() + label[1:]


def object_kind(model: str) -> str:
    """What the audit log calls a kind of object, in French: "vision.change" → "Changement" (the model's
    verbose name); a model removed since keeps its label."""
    if model == API_REQUEST:
        return "Requête de l’API partenaire"
    try:
        name = str(apps.get_model(model)._meta.verbose_name)
    except (LookupError, ValueError):
        return model
    return _capitalised(name)


class AuditEntry(models.Model):
    """One write on site data: who, when, what, and the values before and after; or one request of the
    partner API (model "api", its method and address, the status of the answer)."""

    class Action(models.TextChoices):
        CREATE = "create", "Création"
        UPDATE = "update", "Modification"
        DELETE = "delete", "Suppression"
        # A request of the partner API (issue 19), read or write: who, what, the answer (`qic.audit`).
        REQUEST = "request", "Requête d’API"

    at = models.DateTimeField("date", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField("auteur", max_length=254, blank=True)
    action = models.CharField("action", max_length=10, choices=Action.choices)
    # The log outlives what it records: a deleted site's entries keep its id and name (and the updates a
    # site's deletion cascades into are written while the site row is going away), so no database constraint.
    site = models.ForeignKey(
        "sites.Site",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    site_label = models.CharField("site", max_length=200, blank=True)
    model = models.CharField("objet", max_length=100, db_index=True)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField("libellé", max_length=200)
    before = models.JSONField("avant", null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField("après", null=True, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = "entrée du journal d’audit"
        verbose_name_plural = "journal d’audit"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["site", "-at"]), models.Index(fields=["model", "object_id"])]

    def __str__(self):
        action = self.get_action_display()
        return f"{text.date_time(self.at, 'short')} {self.actor_label} {action} {self.object_repr}"

    @property
    def kind(self) -> str:
        return object_kind(self.model)

    @property
    def answer(self) -> str:
        """What an API request was answered, in words ("200 : servie", "403 : refusée, hors des droits")."""
        status = (self.after or {}).get("status")
        return f"{status}\u00a0: {ANSWERS.get(status, 'erreur' if (status or 0) >= 400 else 'servie')}"

    @property
    def changes(self):
        """(field, before, after) triples in words, for national staff: "Rôle : Société civile", not
        "role : civil_society"; a date in French and local time; a related object by its number. Fields empty
        on both sides (left empty at creation) are left out."""
        fields = _fields_by_attname(self.model)
        before, after = self.before or {}, self.after or {}
        rows = []
        for key in set(before) | set(after):
            field = fields.get(key)
            label = _capitalised(str(field.verbose_name)) if field is not None else key
            was, now = _in_words(field, before.get(key)), _in_words(field, after.get(key))
            if was or now:  # a field left empty on creation (or empty when deleted) says nothing
                rows.append((label, was, now))
        return sorted(rows, key=lambda row: text.normalise(row[0]))


@functools.cache
def _fields_by_attname(model: str) -> dict:
    """A model's fields by the keys the log stores (read once per model, not once per entry shown)."""
    try:
        return {field.attname: field for field in apps.get_model(model)._meta.concrete_fields}
    except (LookupError, ValueError):
        return {}  # a model removed since: its keys as they were


def _in_words(field, value) -> str | None:
    """A value of the audit log as its field shows it (None stays None: "empty")."""
    if value is None or field is None:
        return value if value is None or isinstance(value, str) else str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "oui" if value else "non"
    if field.is_relation:
        return f"n°\u00a0{value}"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "—"
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        moment = parse_datetime(value)
        return text.date_time(moment, "short") if moment else value
    if isinstance(field, models.DateField) and isinstance(value, str):
        day = parse_date(value)
        return text.date(day) if day else value
    return str(value)


class SubmissionToken(models.Model):
    """A creating form's one-time token and what it sent, once it created its row (`qic.idempotency`)."""

    key = models.CharField("empreinte", max_length=64, unique=True)
    used_at = models.DateTimeField("utilisé le", auto_now_add=True)

    class Meta:
        verbose_name = "jeton d’envoi de formulaire"
        verbose_name_plural = "jetons d’envoi de formulaire"

    def __str__(self):
        return self.key


class PendingTask(models.Model):
    """A background task written in the transaction that asked for it, deleted once the broker took it
    (`qic.queue`): a task the broker could not take waits here until it returns."""

    task = models.CharField("tâche", max_length=200)
    args = models.JSONField("arguments", default=list, encoder=DjangoJSONEncoder)
    kwargs = models.JSONField("arguments nommés", default=dict, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField("demandée le", auto_now_add=True)
    attempts = models.PositiveIntegerField("envois manqués", default=0)
    last_error = models.CharField("dernière erreur", max_length=500, blank=True)
    # Not to run before this moment (a debounced task, e.g. grouped notification e-mails); None: at once.
    eta = models.DateTimeField("à lancer après", null=True, blank=True)

    class Meta:
        verbose_name = "tâche en attente du service de traitement"
        verbose_name_plural = "tâches en attente du service de traitement"
        ordering = ["pk"]

    def __str__(self):
        return f"{self.task} {self.args}"
