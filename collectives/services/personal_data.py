"""Personal data (RGPD): export everything held about one person; anonymise a departed person.

Anonymising keeps every row the person is linked to (memberships, authorship, audit entries), so the
history of the sites stays whole; only what identifies the person is replaced.
"""

from allauth.account.models import EmailAddress
from django.contrib.sessions.models import Session
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from qic.models import AuditEntry

from ..models import Membership
from .members import end_membership

SECRET_FIELDS = {"password", "token", "token_hash", "secret", "key", "session_key"}
# Never exported: framework bookkeeping, and second-factor secrets (an export must not let anyone sign in).
SKIPPED_APPS = ("admin", "contenttypes", "auth", "mfa")


def _row(instance) -> dict:
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in SECRET_FIELDS or "secret" in field.name or "token" in field.name:
            continue
        data[field.attname] = field.value_from_object(instance)
    return data


def export_person(user) -> dict:
    """Every row that names this person, model by model, JSON-ready."""
    account = _row(user)
    data = {
        "exporté le": timezone.now(),
        "compte": account,
        "données liées": {},
    }
    relations = [
        f
        for f in user._meta.get_fields(include_hidden=True)
        if f.auto_created and not f.concrete and f.is_relation
    ]
    for relation in relations:
        if relation.many_to_many or relation.related_model._meta.app_label in SKIPPED_APPS:
            continue
        model = relation.related_model
        rows = model._default_manager.filter(**{relation.field.name: user})
        if rows.exists():
            data["données liées"].setdefault(model._meta.verbose_name_plural.capitalize(), []).extend(
                _row(r) for r in rows
            )
    return data


def export_json(user) -> str:
    import json

    return json.dumps(export_person(user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def anonymous_label(user) -> str:
    return f"Ancien membre n° {user.pk}"


def can_be_anonymised(user, by) -> tuple[bool, str]:
    if user.pk == by.pk:
        return False, "Vous ne pouvez pas anonymiser votre propre compte."
    if user.is_superuser or user.role == "national":
        return False, "Un compte de l’équipe nationale doit d’abord changer de rôle."
    if user.email.endswith("@anonyme.invalid"):
        return False, "Ce compte est déjà anonymisé."
    return True, ""


@transaction.atomic
def anonymise(user, *, by) -> None:
    """Replace what identifies the person; end their memberships; keep the history they belong to."""
    allowed, reason = can_be_anonymised(user, by)
    if not allowed:
        raise ValueError(reason)
    user.first_name = "Ancien membre"
    user.last_name = f"n° {user.pk}"
    user.email = f"anonyme-{user.pk}@anonyme.invalid"
    user.organisation = ""
    user.phone = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    # Ended like any departure (after the renaming, so the journal names nobody): the site's journal keeps
    # the end of the mandate, and a seat's signature of a pending agreement draft is withdrawn into the
    # draft's history, so the next holder can sign.
    today = timezone.localdate()
    for membership in Membership.objects.filter(user=user, ended_on__isnull=True):
        if membership.started_on <= today:
            end_membership(membership, actor=by)
        else:
            membership.ended_on = membership.started_on
            membership.save()
    for membership in Membership.objects.filter(user=user):
        if membership.organisation:
            membership.organisation = ""
            membership.save(update_fields=["organisation"])
    EmailAddress.objects.filter(user=user).delete()
    AuditEntry.objects.filter(actor=user).update(actor_label=anonymous_label(user))
    _end_sessions(user)


def _end_sessions(user) -> None:
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
