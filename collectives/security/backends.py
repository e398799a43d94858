"""allauth's sign-in by email, restricted to login addresses: an address merely added is not one."""

from allauth.account import app_settings
from allauth.account.app_settings import LoginMethod
from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend

from collectives.services import identity


class AuthenticationBackend(AllauthBackend):
    def _authenticate_by_email(self, email: str, password: str):
        if not email or LoginMethod.EMAIL not in app_settings.LOGIN_METHODS:
            return None
        for user in identity.login_accounts(email):
            if self._check_password(user, password):
                return user
        return None
