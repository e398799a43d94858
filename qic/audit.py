"""The audit log: every write on site data is recorded with its author and its values before and after.

Any model of our apps with a `site` foreign key (and Site itself), or whose parent has one (the sections of
an agreement, the approvals of a vision revision, the answers of a self-assessment), is audited automatically
through model signals; the author comes from the request (`AuditUserMiddleware`) or from `acting_as` in tasks.
Writes through `QuerySet.update()` or `bulk_create()` bypass signals: services whose writes matter
use `save()`.
"""

import contextvars
from contextlib import contextmanager
from functools import cache

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models.signals import post_delete, post_save, pre_save

AUDITED_APPS = ("sites", "collectives", "vision", "evaluation")
# Reports are generated documents, not site data written by someone; their archive says who asked for them.
NOT_AUDITED = {"sites.siteevent", "qic.auditentry", "evaluation.report"}
IGNORED_FIELDS = {"updated_at", "last_activity_at", "status_changed_at"}

_current_user = contextvars.ContextVar("qic_audit_user", default=None)


@contextmanager
def acting_as(user):
    token = _current_user.set(user)
    try:
        yield
    finally:
        _current_user.reset(token)


class AuditUserMiddleware:
    """Makes the signed-in person the author of the writes their request causes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user if getattr(request, "user", None) and request.user.is_authenticated else None
        token = _current_user.set(user)
        try:
            return self.get_response(request)
        finally:
            _current_user.reset(token)


def _snapshot(instance) -> dict:
    data = {}
    for field in instance._meta.concrete_fields:
        # Derived fields (editable=False, e.g. a search index) are not what anybody wrote.
        if field.name in IGNORED_FIELDS or (not field.editable and not field.primary_key):
            continue
        value = field.value_from_object(instance)
        data[field.attname] = DjangoJSONEncoder().default(value) if _needs_encoding(value) else value
    return data


def _needs_encoding(value) -> bool:
    return value is not None and not isinstance(value, str | int | float | bool | list | dict)


def _has_site_field(model) -> bool:
    return any(f.name == "site" and f.is_relation for f in model._meta.concrete_fields)


@cache
def _parent_field(model) -> str | None:
    """For a model without a `site` key, the foreign key to an audited parent that has one, if any."""
    for field in model._meta.concrete_fields:
        if field.many_to_one and field.related_model is not None:
            parent = field.related_model
            if parent._meta.label_lower != "sites.site" and _has_site_field(parent) and _in_scope(parent):
                return field.name
    return None


def _in_scope(model) -> bool:
    return model._meta.app_label in AUDITED_APPS and model._meta.label_lower not in NOT_AUDITED


def _site_of(instance):
    from sites.models import Site

    if isinstance(instance, Site):
        return instance
    try:
        if _has_site_field(type(instance)):
            return instance.site
        parent = getattr(instance, _parent_field(type(instance)) or "", None)
        return parent.site if parent is not None else None
    except ObjectDoesNotExist:  # a parent removed in the same cascade
        return None


def is_audited(model) -> bool:
    if not _in_scope(model):
        return False
    if model._meta.label_lower == "sites.site":
        return True
    return _has_site_field(model) or _parent_field(model) is not None


def _write(instance, action, before, after):
    from qic.models import AuditEntry

    if action == AuditEntry.Action.UPDATE and before == after:
        return
    if action == AuditEntry.Action.UPDATE:
        changed = {k for k in after if before.get(k) != after.get(k)}
        before = {k: before.get(k) for k in changed}
        after = {k: after[k] for k in changed}
    user = _current_user.get()
    # A deletion keeps only the site's name: during a cascade the site row itself may be going away.
    site_id = None if action == AuditEntry.Action.DELETE else _site_id_of(instance)
    AuditEntry.objects.create(
        actor=user,
        actor_label=getattr(user, "email", "") or "système",
        action=action,
        site_id=site_id,
        site_label=str(_site_of(instance) or "")[:200],
        model=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        before=before,
        after=after,
    )


def _is_site(instance) -> bool:
    return instance._meta.label_lower == "sites.site"


def _site_id_of(instance):
    if _is_site(instance):
        return instance.pk
    if _has_site_field(type(instance)):
        return instance.site_id
    site = _site_of(instance)
    return site.pk if site is not None else None


def _pre_save(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None or instance._state.adding:
        instance._audit_before = None
        return
    previous = sender._default_manager.filter(pk=instance.pk).first()
    instance._audit_before = _snapshot(previous) if previous is not None else None


def _post_save(sender, instance, created, raw=False, **kwargs):
    from qic.models import AuditEntry

    if raw:
        return
    before = getattr(instance, "_audit_before", None)
    if created or before is None:
        _write(instance, AuditEntry.Action.CREATE, None, _snapshot(instance))
    else:
        _write(instance, AuditEntry.Action.UPDATE, before, _snapshot(instance))


def _post_delete(sender, instance, **kwargs):
    from qic.models import AuditEntry

    _write(instance, AuditEntry.Action.DELETE, _snapshot(instance), None)


def snapshot(instance) -> dict:
    """The audited values of an instance, for `record_update` after a write that bypasses signals."""
    return _snapshot(instance)


def record_update(instance, before: dict) -> None:
    """Log an update made with `QuerySet.update()` (e.g. a locking save), given the prior snapshot."""
    from qic.models import AuditEntry

    if is_audited(type(instance)):
        _write(instance, AuditEntry.Action.UPDATE, before, _snapshot(instance))


def connect() -> None:
    for model in apps.get_models():
        if is_audited(model):
            uid = f"qic-audit-{model._meta.label_lower}"
            pre_save.connect(_pre_save, sender=model, dispatch_uid=uid + "-pre")
            post_save.connect(_post_save, sender=model, dispatch_uid=uid + "-post")
            post_delete.connect(_post_delete, sender=model, dispatch_uid=uid + "-delete")
