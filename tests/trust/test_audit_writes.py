"""Every write on audited data is in the audit log, whichever Django write path made it (issue 15)."""

import datetime as dt
import decimal
import uuid

import pytest
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qic import audit
from qic.audit import acting_as
from qic.models import AuditEntry
from tests.conftest import StrictClient
from vision import services as vision
from vision.models import Change, Comment

pytestmark = pytest.mark.every_database

AUDITED = sorted(m._meta.label_lower for m in audit.audited_models())


# A row of any audited model, built from its fields -------------------------------------------------------


def _model(label):
    return next(m for m in audit.audited_models() if m._meta.label_lower == label)


def _first_choice(field):
    value, label = field.flatchoices[0]
    return value


def _value(field, n: int):
    if field.choices:
        return _first_choice(field)
    kind = field.get_internal_type()
    if kind in {"CharField", "TextField", "SlugField"}:
        return f"valeur-{n}"[: field.max_length or 50]
    if kind == "EmailField":
        return f"personne{n}@exemple.fr"
    if kind == "URLField":
        return "https://exemple.fr/"
    if kind == "DecimalField":
        return decimal.Decimal(n)
    if kind == "FloatField":
        return float(n)
    if kind.endswith("IntegerField"):
        return n
    if kind == "BooleanField":
        return False
    if kind == "DateField":
        return dt.date(2026, 1, n)
    if kind == "DateTimeField":
        return timezone.now()
    if kind == "JSONField":
        return {}
    if kind == "UUIDField":
        return uuid.uuid4()
    raise AssertionError(f"no test value for {field!r}")


class Rows:
    """Builds one valid row of any audited model (and the parents it needs) for a site of the world."""

    def __init__(self, world):
        self.world = world
        self.n = 0
        self.parents = {}

    def build(self, model, site):
        self.n += 1
        values = {}
        for field in model._meta.concrete_fields:
            if field.primary_key or field.has_default() or getattr(field, "auto_now_add", False):
                continue
            if field.is_relation:
                if field.null and field.name != "site":
                    continue
                values[field.name] = self.related(field.related_model, site)
            elif not field.null:
                values[field.name] = _value(field, self.n)
        return model(**values)

    def related(self, model, site):
        if model._meta.label_lower == "sites.site":
            return site
        if model._meta.label_lower == "collectives.user":
            return self.world.national
        if (model, site.pk) not in self.parents:
            parent = self.build(model, site)
            parent.save()
            self.parents[model, site.pk] = parent
        return self.parents[model, site.pk]

    def create(self, model, site):
        row = self.build(model, site)
        row.save()
        return row


def _editable(model):
    """A field a person could change, with a new value for it."""
    fields = [f for f in audit._audited_fields(model) if not f.primary_key and f.name != "site"]
    plain = [f for f in fields if not f.is_relation and not f.unique]
    field = (plain or fields)[0]
    return field


def _changed(rows, row, field, site):
    current = getattr(row, field.name)
    if field.is_relation:
        other = rows.build(field.related_model, site)
        other.save()
        return other
    if field.choices:
        values = [v for v, _ in field.flatchoices]
        return values[(values.index(current) + 1) % len(values)] if len(values) > 1 else current
    if isinstance(current, bool):
        return not current
    if isinstance(current, dt.datetime):
        return current - dt.timedelta(days=3)
    if isinstance(current, dt.date):
        return current + dt.timedelta(days=1)
    if isinstance(current, int | decimal.Decimal | float):
        return current + 1
    if isinstance(current, dict):
        return {"modifié": True}
    return f"{current or ''} modifié"[: field.max_length or 100]


def _entries(model, row, action):
    return AuditEntry.objects.filter(model=model._meta.label_lower, object_id=str(row.pk), action=action)


def _site(label, row, site):
    """The site an entry is filed under: the row's own site, or the row itself for a site."""
    return row if label == "sites.site" else site


@pytest.fixture
def rows(world):
    return Rows(world)


def test_the_survey_covers_every_audited_model():
    assert len(AUDITED) >= 31
    for label in AUDITED:
        model = _model(label)
        for manager in (*model._meta.managers, model._base_manager, model._default_manager):
            assert isinstance(manager.all(), audit.AuditedQuerySet), (label, manager.name)


@pytest.mark.parametrize("label", AUDITED)
def test_save_and_delete_are_recorded(label, rows, world):
    model = _model(label)
    with acting_as(world.national):
        row = rows.create(model, world.site_a)
        created_in = str(_site(label, row, world.site_a))
        field = _editable(model)
        new = _changed(rows, row, field, world.site_a)
        setattr(row, field.name, new)
        row.save()
        pk = row.pk
        model.objects.filter(pk=pk).delete()
    site_label = str(_site(label, row, world.site_a))
    created = _entries(model, row, "create").get()
    assert (created.actor, created.site_label) == (world.national, created_in)
    assert created.after["id"] == pk
    updated = _entries(model, row, "update").get()
    assert list(updated.after) == [field.attname]
    deleted = AuditEntry.objects.get(model=label, object_id=str(pk), action="delete")
    assert (deleted.actor, deleted.site_label) == (world.national, site_label)
    assert deleted.before["id"] == pk and deleted.after is None


@pytest.mark.parametrize("label", AUDITED)
@pytest.mark.parametrize("how", ["update", "bulk_update"])
def test_set_updates_are_recorded_with_before_and_after(label, how, rows, world):
    model = _model(label)
    row = rows.create(model, world.site_a)
    field = _editable(model)
    new = _changed(rows, row, field, world.site_a)
    old = AuditEntry.objects.count()
    before = audit._snapshot(row)[field.attname]
    with acting_as(world.seat_holder_a):
        if how == "update":
            assert model.objects.filter(pk=row.pk).update(**{field.name: new}) == 1
        else:
            setattr(row, field.name, new)
            assert model.objects.bulk_update([row], [field.name]) == 1
    entry = _entries(model, row, "update").get()
    row.refresh_from_db()
    assert (entry.actor, entry.actor_label) == (world.seat_holder_a, world.seat_holder_a.email)
    site = _site(label, row, world.site_a)
    assert (entry.site, entry.site_label) == (site, str(site))
    assert entry.before == {field.attname: before}
    assert entry.after == {field.attname: audit._snapshot(row)[field.attname]}
    assert AuditEntry.objects.count() == old + 1


@pytest.mark.parametrize("label", AUDITED)
def test_bulk_created_rows_are_recorded(label, rows, world):
    model = _model(label)
    new = [rows.build(model, world.site_b)]
    with acting_as(world.national):
        created = model.objects.bulk_create(new)
    entry = _entries(model, created[0], "create").get()
    site = _site(label, created[0], world.site_b)
    assert (entry.actor, entry.site, entry.site_label) == (world.national, site, str(site))
    assert entry.after == audit._snapshot(created[0])


# The paths the issue names, through the views ------------------------------------------------------------


def _vision_url(name, site, **kwargs):
    return reverse(f"vision:{name}", kwargs={"site_slug": site.slug, **kwargs})


def test_restoring_a_revision_is_in_the_log_with_its_author(client, world):
    site = world.site_a
    world.login(client, world.seat_holder_a)
    for version, statement in [(1, "Un quartier vivant et fier"), (2, "Un quartier vivant et ouvert")]:
        client.post(
            _vision_url("statement", site), {"version": version, "statement": statement, "horizon_year": 2045}
        )
    response = client.post(_vision_url("restore", site, number=1), {"actuelle": "2"})
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(model="vision.vision", action="update").latest("id")
    assert (entry.actor, entry.site) == (world.seat_holder_a, site)
    assert entry.before == {"statement": "Un quartier vivant et ouvert"}
    assert entry.after == {"statement": "Un quartier vivant et fier"}


def test_resolving_and_reopening_a_comment_are_in_the_log(client, world):
    site = world.site_a
    change = vision.add_change(
        site, world.seat_holder_a, level="direct", register="knowledge", title="Savoir"
    )
    comment = vision.add_comment(site, world.partner_a, body="Et les seniors ?", change=change)
    world.login(client, world.seat_holder_a)
    client.post(_vision_url("comment_resolve", site, comment_id=comment.pk))
    client.post(_vision_url("comment_resolve", site, comment_id=comment.pk), {"rouvrir": "1"})
    resolved, reopened = AuditEntry.objects.filter(model="vision.comment", action="update").order_by("id")
    assert (resolved.actor, resolved.site, resolved.object_repr) == (
        world.seat_holder_a,
        site,
        "Et les seniors ?",
    )
    assert resolved.before == {"resolved_at": None, "resolved_by_id": None}
    assert resolved.after["resolved_by_id"] == world.seat_holder_a.pk and resolved.after["resolved_at"]
    assert reopened.after == {"resolved_at": None, "resolved_by_id": None}


def test_linking_changes_and_actions_is_in_the_log_with_the_links_before_and_after(world):
    site, user = world.site_a, world.seat_holder_a
    direct = vision.add_change(site, user, level="direct", register="knowledge", title="Savoir")
    first, second = (
        vision.add_change(site, user, level="intermediate", register="practices", title=title)
        for title in ("Pratiques", "Coopération")
    )
    with acting_as(user):
        direct.contributes_to.set([first])
        direct.contributes_to.set([second])
        second.contributors.clear()  # from the other side of the link
    entries = AuditEntry.objects.filter(model="vision.change", action="update", object_id=str(direct.pk))
    # set() removes, then adds: two entries, each with the links before and after it.
    assert [(e.before, e.after) for e in entries.order_by("id")] == [
        ({"contributes_to": []}, {"contributes_to": [first.pk]}),
        ({"contributes_to": [first.pk]}, {"contributes_to": []}),
        ({"contributes_to": []}, {"contributes_to": [second.pk]}),
    ]
    assert all(e.actor == user and e.site == site for e in entries)
    unlinked = AuditEntry.objects.filter(model="vision.change", object_id=str(second.pk)).latest("id")
    assert (unlinked.before, unlinked.after) == ({"contributors": [direct.pk]}, {"contributors": []})


def test_national_staff_read_these_writes_in_the_audit_log(world):
    site = world.site_a
    comment = vision.add_comment(site, world.partner_a, body="Et les seniors ?")
    with acting_as(world.seat_holder_a):
        Comment.objects.filter(pk=comment.pk).update(body="Et les aînés ?")
    client = StrictClient()
    client.force_login(world.national)
    page = client.get(reverse("audit_log"), {"objet": "vision.comment"}).content.decode()
    assert world.seat_holder_a.email in page and "Modification" in page
    assert "<del>Et les seniors ?</del>" in page and "<ins>Et les aînés ?</ins>" in page
    world.login(client, world.seat_holder_a)
    assert client.get(reverse("audit_log")).status_code == 403


# The other ways Django writes ----------------------------------------------------------------------------


def test_a_cascade_that_unlinks_rows_is_recorded(world):
    """Deleting a change unlinks its comments (on_delete=SET_NULL), an UPDATE Django runs itself."""
    site = world.site_a
    change = vision.add_change(
        site, world.seat_holder_a, level="direct", register="knowledge", title="Savoir"
    )
    comment = vision.add_comment(site, world.partner_a, body="Et les seniors ?", change=change)
    with acting_as(world.seat_holder_a):
        Change.objects.filter(pk=change.pk).delete()
    entry = AuditEntry.objects.get(model="vision.comment", object_id=str(comment.pk), action="update")
    assert (entry.actor, entry.before, entry.after) == (
        world.seat_holder_a,
        {"change_id": change.pk},
        {"change_id": None},
    )
    assert AuditEntry.objects.filter(
        model="vision.change", object_id=str(change.pk), action="delete"
    ).exists()


def test_a_cascade_deletion_is_recorded_row_by_row(rows, world):
    """With the audit's post_delete receivers connected, Django never fast-deletes audited rows."""
    from evaluation.models import ConditionAssessment, SelfAssessment

    part = rows.create(ConditionAssessment, world.site_a)
    with acting_as(world.national):
        SelfAssessment.objects.filter(pk=part.self_assessment_id).delete()
    gone = AuditEntry.objects.get(model="evaluation.conditionassessment", action="delete")
    assert (gone.object_id, gone.actor, gone.site_label) == (str(part.pk), world.national, "Quartier A")
    assert AuditEntry.objects.filter(model="evaluation.selfassessment", action="delete").count() == 1


def test_a_related_manager_update_is_recorded(world):
    site = world.site_a
    comment = vision.add_comment(site, world.partner_a, body="Et les seniors ?")
    with acting_as(world.national):
        site.vision_comments.update(body="Et les aînés ?")
    entry = AuditEntry.objects.get(model="vision.comment", object_id=str(comment.pk), action="update")
    assert entry.after == {"body": "Et les aînés ?"}


def test_conflicting_rows_skipped_by_bulk_create_are_not_recorded(world):
    from vision.models import Vision

    existing = Vision.objects.create(site=world.site_a, statement="Déjà écrite")
    rows = [Vision(site=world.site_a, statement="Doublon"), Vision(site=world.site_b, statement="Nouvelle")]
    Vision.objects.bulk_create(rows, ignore_conflicts=True)
    assert Vision.objects.get(site=world.site_a) == existing
    created = AuditEntry.objects.filter(model="vision.vision", action="create").order_by("id")
    assert [e.after["statement"] for e in created] == ["Déjà écrite", "Nouvelle"]


def test_an_upsert_records_what_it_updated_and_what_it_created(world):
    from vision.models import Vision

    existing = Vision.objects.create(site=world.site_a, statement="Déjà écrite")
    rows = [Vision(site=world.site_a, statement="Réécrite"), Vision(site=world.site_b, statement="Nouvelle")]
    with acting_as(world.national):
        Vision.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["site"], update_fields=["statement"]
        )
    updated = AuditEntry.objects.get(model="vision.vision", action="update")
    assert (updated.object_id, updated.actor) == (str(existing.pk), world.national)
    assert (updated.before, updated.after) == ({"statement": "Déjà écrite"}, {"statement": "Réécrite"})
    created = AuditEntry.objects.filter(model="vision.vision", action="create").latest("id")
    assert (created.site, created.after["statement"]) == (world.site_b, "Nouvelle")


def test_bookkeeping_updates_cost_nothing_and_are_not_recorded(world, django_assert_num_queries):
    from sites.models import Site

    before = AuditEntry.objects.count()
    with django_assert_num_queries(1):
        Site.objects.filter(pk=world.site_a.pk).update(last_activity_at=timezone.now())
    with django_assert_num_queries(1):
        Site.objects.all().update(status_changed_at=timezone.now())
    assert AuditEntry.objects.count() == before


def test_an_update_that_changes_nothing_is_not_recorded(world):
    comment = vision.add_comment(world.site_a, world.partner_a, body="Et les seniors ?")
    before = AuditEntry.objects.count()
    Comment.objects.filter(pk=comment.pk).update(body="Et les seniors ?")
    assert AuditEntry.objects.count() == before


def _comments(site, author, n):
    return Comment.objects.bulk_create(Comment(site=site, author=author, body=f"Avis {i}") for i in range(n))


def _queries_to_update(site):
    with CaptureQueriesContext(connection) as queries:
        Comment.objects.filter(site=site).update(
            body=models.functions.Concat("body", models.Value(" (relu)"))
        )
    return len(queries)


def test_the_queries_of_an_update_do_not_grow_with_its_rows(world):
    _comments(world.site_a, world.partner_a, 3)
    _comments(world.site_b, world.seat_holder_b, 30)
    assert _queries_to_update(world.site_a) == _queries_to_update(world.site_b)
    assert AuditEntry.objects.filter(model="vision.comment", action="update").count() == 33


def test_an_update_of_two_thousand_rows_is_recorded_in_a_few_queries(world):
    _comments(world.site_a, world.partner_a, 2000)
    queries = _queries_to_update(world.site_a)
    # before, UPDATE, after and one query per relation the entries read; on SQLite (999 parameters a
    # statement) the reads and the entries' INSERT are cut in batches: 1 + 1 + 4 + 4 + 23.
    assert queries <= (8 if connection.vendor == "postgresql" else 40), queries
    entries = AuditEntry.objects.filter(model="vision.comment", action="update")
    assert entries.count() == 2000
    assert entries.filter(site=world.site_a, before__body="Avis 7", after__body="Avis 7 (relu)").exists()
