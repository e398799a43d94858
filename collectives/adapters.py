"""django-allauth adapter: no public sign-up, role-based landing page, email sent by Celery."""

from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from qic import queue

from .tasks import queue_email


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # Accounts are created by invitation or by national staff, never by the public.
        return False

    def get_login_redirect_url(self, request):
        return reverse("home")

    def send_mail(self, template_prefix, email, context):
        pending = queue_email(self.render_mail(template_prefix, email, context))
        queue.warn_if_held(self.request, pending, "l’e-mail partira dès son retour.")

    # Account security (collectives/security): sign-out through ProConnect, two-factor setup after sign-in.
    def get_logout_redirect_url(self, request):
        from collectives.security import views as security_views

        return security_views.prepare_provider_logout(request) or super().get_logout_redirect_url(request)

    def logout(self, request):
        from collectives.security import views as security_views

        super().logout(request)
        security_views.remember_provider_logout(request)

    def add_message(self, request, level, message_template=None, *args, **kwargs):
        if message_template == "account/messages/logged_out.txt" and hasattr(
            request, "_proconnect_logout_state"
        ):
            return  # the return from ProConnect's end-session says it, once, for both
        return super().add_message(request, level, message_template, *args, **kwargs)

    def is_reauthentication_required(self, *, app, **kwargs):
        from collectives.security import mfa

        return mfa.reauthentication_required(app, super().is_reauthentication_required(app=app, **kwargs))
