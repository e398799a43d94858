"""The audit log: every write on site data is recorded with its author and its values before and after.

Any model of our apps with a `site` foreign key (and Site itself), or whose parent has one (the sections of
an agreement, the approvals of a vision revision, the answers of a self-assessment), is audited; the author
comes from the request (`AuditUserMiddleware`) or from `acting_as` in tasks.

One mechanism covers every way Django writes such a row, installed here for every audited model at start-up
(`connect()`), so no service has to remember it and none can step around it:
- instance writes (`save()`, `create()`, `delete()`, the deletions of a cascade) through model signals: with
  a `post_delete` receiver connected, Django never takes its signal-less fast-delete path;
- set writes (`QuerySet.update()`, `bulk_update()`, which Django runs as `update()`, and `bulk_create()`)
  through `AuditedQuerySet`, which every manager of an audited model hands out (the default manager, the base
  manager Django's cascades use, and the related managers built from them). An update reads the rows it will
  touch (one query, rows locked on PostgreSQL), updates, reads them again and writes one entry per changed
  row with one `bulk_create`: a few queries whatever the number of rows (on SQLite, whose statements take
  999 parameters, Django cuts the reads and inserts into batches of some hundreds of rows).
Database triggers were the other candidate: they would also catch raw SQL, but they cannot know the author on
SQLite, and we would keep two dialects of trigger code in step with the models; nothing writes raw SQL here.

Derived and bookkeeping columns (non-editable fields, `IGNORED_FIELDS`) are not what anybody wrote: a write
that only touches them costs no extra query and leaves no entry.
"""

import contextvars
import datetime as dt
from contextlib import contextmanager
from functools import cache

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connections, models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils import timezone

AUDITED_APPS = ("sites", "collectives", "vision", "evaluation")
# Reports are generated documents, not site data written by someone; their archive says who asked for them.
# Notifications are messages about writes already audited (and a person's reading marks and e-mail choices).
NOT_AUDITED = {
    "sites.siteevent",
    "sites.siteprogress",
    "qic.auditentry",
    "evaluation.report",
    "sites.notification",
    "sites.notificationpreference",
}
# Bookkeeping: when something last moved, when the reminder task last wrote to a participant.
IGNORED_FIELDS = {"updated_at", "last_activity_at", "status_changed_at", "reminder_sent_at"}

_current_user = contextvars.ContextVar("qic_audit_user", default=None)
# Who wrote, when it is not a person: a partner's API key ("clé d’API Organisation (1a2b3c4d…)").
_current_label = contextvars.ContextVar("qic_audit_label", default="")


@contextmanager
def acting_as(user, label: str = ""):
    token, label_token = _current_user.set(user), _current_label.set(label)
    try:
        yield
    finally:
        _current_user.reset(token)
        _current_label.reset(label_token)


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


@cache
def _audited_fields(model) -> tuple:
    # Derived fields (editable=False, e.g. a search index) are not what anybody wrote.
    return tuple(
        field
        for field in model._meta.concrete_fields
        if field.name not in IGNORED_FIELDS and (field.editable or field.primary_key)
    )


@cache
def _audited_names(model) -> set:
    return {name for field in _audited_fields(model) for name in (field.name, field.attname)}


def _snapshot(instance) -> dict:
    data = {}
    for field in _audited_fields(type(instance)):
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


def _is_site(instance) -> bool:
    return instance._meta.label_lower == "sites.site"


def _site_of(instance):
    if _is_site(instance):
        return instance
    try:
        if _has_site_field(type(instance)):
            return instance.site
        parent = getattr(instance, _parent_field(type(instance)) or "", None)
        return parent.site if parent is not None else None
    except ObjectDoesNotExist:  # a parent removed in the same cascade
        return None


def _site_id_of(instance):
    if _is_site(instance):
        return instance.pk
    if _has_site_field(type(instance)):
        return instance.site_id
    site = _site_of(instance)
    return site.pk if site is not None else None


@cache
def is_audited(model) -> bool:
    # Many-to-many link tables have no entries of their own: a change of links is an UPDATE entry of the row
    # whose links changed (`_m2m_changed`, below).
    if not _in_scope(model) or model._meta.auto_created:
        return False
    if model._meta.label_lower == "sites.site":
        return True
    return _has_site_field(model) or _parent_field(model) is not None


def _entry(instance, action, before, after):
    """The unsaved AuditEntry for one write, or None for an update that changed no audited value."""
    from qic.models import AuditEntry

    if action == AuditEntry.Action.UPDATE:
        changed = {k for k in after if before.get(k) != after.get(k)}
        if not changed:
            return None
        before = {k: before.get(k) for k in changed}
        after = {k: after[k] for k in changed}
    user = _current_user.get()
    # A deletion keeps only the site's name: during a cascade the site row itself may be going away.
    site_id = None if action == AuditEntry.Action.DELETE else _site_id_of(instance)
    return AuditEntry(
        actor=user,
        actor_label=(_current_label.get() or getattr(user, "email", "") or "système")[:254],
        action=action,
        site_id=site_id,
        site_label=str(_site_of(instance) or "")[:200],
        model=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        before=before,
        after=after,
    )


def record_request(*, user, label: str, ref: str, method: str, path: str, status: int, site=None) -> None:
    """One request of the partner API in the log (issue 19): reads as well as writes (whose changes have
    their own entries), refusals included, so national staff can tell what a partner's system looked at.
    `label` names a key ("clé d’API Organisation (1a2b3c4d…)"); `ref` is the key's prefix or "session"."""
    from qic.models import API_REQUEST, AuditEntry

    AuditEntry.objects.create(
        actor=user,
        actor_label=(label or getattr(user, "email", "") or "anonyme")[:254],
        action=AuditEntry.Action.REQUEST,
        site=site,
        site_label=str(site or "")[:200],
        model=API_REQUEST,
        object_id=ref[:64],
        object_repr=f"{method} {path}"[:200],
        after={"status": status},
    )


def forget_requests(older_than: dt.timedelta) -> int:
    """Delete the API request entries older than this (reads are kept a year; changes are kept for good)."""
    from qic.models import AuditEntry

    before = timezone.now() - older_than
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.REQUEST, at__lt=before)
    return entries.delete()[0]


def _write(instance, action, before, after):
    entry = _entry(instance, action, before, after)
    if entry is not None:
        entry.save(using=instance._state.db)


# Rows whose related objects are read at once (an IN list well under SQLite's 32,766 parameters).
CHUNK = 5000


def _write_many(model, using, action, rows: list, before: dict | None = None) -> None:
    """One entry per row (per changed row for an update, given the values `before` by pk): a few queries."""
    from qic.models import AuditEntry

    entries = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        _load_relations(model, chunk)
        for obj in chunk:
            entries.append(_entry(obj, action, before[obj.pk] if before else None, _snapshot(obj)))
    AuditEntry.objects.using(using).bulk_create([e for e in entries if e is not None])


def _load_relations(model, instances: list) -> None:
    """Fetch what the entries of several rows read (their site, the objects their labels name) in one query
    per relation rather than one per row; a single row reads only what it needs."""
    if len(instances) < 2:
        return
    lookups = [f.name for f in model._meta.concrete_fields if f.many_to_one]
    if parent := _parent_field(model):
        lookups.append(f"{parent}__site")
    models.prefetch_related_objects(instances, *lookups)


# --- Instance writes: model signals ----------------------------------------------------------------------


def _pre_save(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None or instance._state.adding:
        instance._audit_before = None
        return
    previous = sender._base_manager.using(kwargs.get("using")).filter(pk=instance.pk).first()
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


# --- Set writes: the audited QuerySet --------------------------------------------------------------------


class AuditedQuerySet(models.QuerySet):
    """The QuerySet of every audited model: `update()`, `bulk_update()` and `bulk_create()` leave entries."""

    def update(self, **kwargs):
        if self.query.is_sliced or not is_audited(self.model) or not _audited_names(self.model) & set(kwargs):
            return super().update(**kwargs)
        from qic.models import AuditEntry

        base = self.model._base_manager.using(self.db)
        with transaction.atomic(using=self.db, savepoint=False):
            # Locked on PostgreSQL, so what we read is what the UPDATE changes (SQLite writes one at a time).
            touched = base.filter(pk__in=self.values("pk")).order_by().select_for_update(of=("self",))
            before = {obj.pk: _snapshot(obj) for obj in touched}
            rows = super().update(**kwargs)
            if before:
                _write_many(self.model, self.db, AuditEntry.Action.UPDATE, _fetch(base, list(before)), before)
        return rows

    def bulk_create(self, objs, batch_size=None, ignore_conflicts=False, update_conflicts=False, **kwargs):
        options = {"batch_size": batch_size, "ignore_conflicts": ignore_conflicts, **kwargs}
        if not is_audited(self.model):
            return super().bulk_create(objs, update_conflicts=update_conflicts, **options)
        from qic.models import AuditEntry

        objs = list(objs)
        with transaction.atomic(using=self.db, savepoint=False):
            if ignore_conflicts:
                # Which rows the database skipped is not reported back: insert one by one (save() is audited).
                for obj in objs:
                    self._insert_unless_conflict(obj)
                return objs
            if update_conflicts:
                return self._upsert(objs, options)
            created = super().bulk_create(objs, **options)
            _write_many(self.model, self.db, AuditEntry.Action.CREATE, created)
        return created

    def _upsert(self, objs: list, options: dict) -> list:
        """`bulk_create(update_conflicts=True)`: rows that existed get UPDATE entries, the others CREATE."""
        from qic.models import AuditEntry

        base = self.model._base_manager.using(self.db)
        unique = [self.model._meta.get_field(name) for name in options.get("unique_fields") or ()]
        keys = models.Q(pk__in=[])
        for obj in objs:
            keys |= models.Q(**{field.attname: getattr(obj, field.attname) for field in unique})
        existing = base.filter(keys).order_by().select_for_update(of=("self",))
        before = {obj.pk: _snapshot(obj) for obj in existing} if unique else {}
        done = super().bulk_create(objs, update_conflicts=True, **options)
        after = _fetch(base, [obj.pk for obj in done if obj.pk is not None])
        _write_many(
            self.model, self.db, AuditEntry.Action.UPDATE, [o for o in after if o.pk in before], before
        )
        _write_many(self.model, self.db, AuditEntry.Action.CREATE, [o for o in after if o.pk not in before])
        return done

    def _insert_unless_conflict(self, obj) -> None:
        try:
            with transaction.atomic(using=self.db):
                obj.save(force_insert=True, using=self.db)
        except IntegrityError:
            obj.pk = None


def _fetch(base, pks: list) -> list:
    size = connections[base.db].ops.bulk_batch_size(["pk"], pks) or len(pks)
    return [obj for i in range(0, len(pks), size) for obj in base.filter(pk__in=pks[i : i + size]).order_by()]


class AuditedManager(models.Manager.from_queryset(AuditedQuerySet)):
    """What a plain `objects` manager of an audited model becomes at start-up."""


def _audit_managers(model) -> None:
    """Make every manager of `model` hand out AuditedQuerySets: its declared ones (Django copies these into
    `_meta.managers`, and builds related managers from the default one) and the base manager, which Django's
    cascades (`on_delete=SET_NULL`) update through."""
    declared = [m for base in model.__mro__ if hasattr(base, "_meta") for m in base._meta.local_managers]
    for manager in declared:
        if issubclass(manager._queryset_class, AuditedQuerySet):
            continue
        if type(manager) is not models.Manager:
            raise ImproperlyConfigured(
                f"{model._meta.label} is audited: the QuerySet of its manager {manager.name!r} must inherit "
                "qic.audit.AuditedQuerySet."
            )
        manager.__class__ = AuditedManager
    if model._meta.base_manager_name is None:
        model._meta.base_manager_name = model._meta.default_manager.name
    for cached in ("managers", "managers_map", "default_manager", "base_manager"):
        model._meta.__dict__.pop(cached, None)


# --- Links between rows (many-to-many): one UPDATE entry on the row whose links changed -------------------


def _m2m_side(sender, instance, reverse):
    """The link field behind a many-to-many table, the name the entry gives it, and the columns of the table
    that hold the instance's id and the linked ids."""
    field = next(f for f in _m2m_fields() if f.remote_field.through is sender)
    if reverse:
        return field.remote_field.get_accessor_name(), field.m2m_reverse_field_name(), field.m2m_field_name()
    return field.name, field.m2m_field_name(), field.m2m_reverse_field_name()


def _linked_ids(sender, instance, source: str, target: str) -> list:
    rows = sender._base_manager.filter(**{source: instance.pk}).values_list(f"{target}_id", flat=True)
    return sorted(rows)


LINK_ACTIONS = {"pre_add", "pre_remove", "pre_clear", "post_add", "post_remove", "post_clear"}


def _m2m_changed(sender, instance, action, reverse, **kwargs):
    """Links read before and after `add()`, `remove()`, `clear()` or `set()`: one entry with both lists."""
    from qic.models import AuditEntry

    if action not in LINK_ACTIONS or not is_audited(type(instance)):
        return
    name, source, target = _m2m_side(sender, instance, reverse)
    pending = instance.__dict__.setdefault("_audit_links", {})
    if action.startswith("pre_"):
        pending[name] = _linked_ids(sender, instance, source, target)
    elif name in pending:
        after = _linked_ids(sender, instance, source, target)
        _write(instance, AuditEntry.Action.UPDATE, {name: pending.pop(name)}, {name: after})


@cache
def _m2m_fields() -> tuple:
    return tuple(
        field
        for model in audited_models()
        for field in model._meta.local_many_to_many
        if field.remote_field.through._meta.auto_created
    )


def audited_models() -> list:
    return [m for m in apps.get_models() if is_audited(m)]


def connect() -> None:
    for model in audited_models():
        _audit_managers(model)
        uid = f"qic-audit-{model._meta.label_lower}"
        pre_save.connect(_pre_save, sender=model, dispatch_uid=uid + "-pre")
        post_save.connect(_post_save, sender=model, dispatch_uid=uid + "-post")
        post_delete.connect(_post_delete, sender=model, dispatch_uid=uid + "-delete")
    for field in _m2m_fields():
        through = field.remote_field.through
        m2m_changed.connect(
            _m2m_changed, sender=through, dispatch_uid=f"qic-audit-{through._meta.label_lower}"
        )
