"""django-allauth adapter: no public sign-up, role-based landing page, email sent by Celery."""

from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from .tasks import queue_email


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # Accounts are created by invitation or by national staff, never by the public.
        return False

    def get_login_redirect_url(self, request):
        return reverse("home")

    def send_mail(self, template_prefix, email, context):
        queue_email(self.render_mail(template_prefix, email, context))
