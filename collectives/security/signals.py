"""Receivers: start the session clock at sign-in; end every session of a deactivated account."""

from allauth.mfa.signals import authenticator_removed
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save
from django.dispatch import receiver

from . import services


@receiver(user_logged_in)
def start_session_clock(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        services.start_session_clock(request.session)


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def end_sessions_of_deactivated_account(sender, instance, created, **kwargs):
    if not created and not instance.is_active:
        services.end_all_sessions(instance)


@receiver(authenticator_removed)
def forget_mfa_check(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session.pop(services.MFA_OK_KEY, None)
