"""Receivers: start the session clock at sign-in, forget ended sessions, end a deactivated account's."""

from allauth.mfa.signals import authenticator_removed
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_save
from django.dispatch import receiver

from qic import unsaved

from . import services


@receiver(user_logged_in)
def start_session_clock(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        services.start_session_clock(request.session)
        request.session.pop(unsaved.ENDED_USER_KEY, None)


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def end_sessions_of_deactivated_account(sender, instance, created, **kwargs):
    if not created and not instance.is_active:
        services.end_all_sessions(instance)


@receiver(authenticator_removed)
def forget_mfa_check(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session.pop(services.MFA_OK_KEY, None)


@receiver(user_logged_out)
def forget_ended_session(sender, request, user, **kwargs):
    """The session is flushed right after this signal: its entry in the person's session list goes too."""
    if request is not None and getattr(request, "session", None) is not None and request.session.session_key:
        UserSession.objects.filter(session_key=request.session.session_key).delete()
