"""Which ProConnect identity signed in to which account, and when."""

from django.conf import settings
from django.db import models


class ProConnectIdentity(models.Model):
    """A State agent's ProConnect identity, linked to the invited account whose email it carried."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="proconnect_identities",
        verbose_name="compte",
    )
    # ProConnect's `sub` is stable for one agent, one identity provider and this service.
    subject = models.CharField("identifiant ProConnect (sub)", max_length=255, unique=True)
    email = models.EmailField("adresse transmise par ProConnect")
    siret = models.CharField("SIRET de l’organisation", max_length=14, blank=True)
    linked_at = models.DateTimeField("rattachée le", auto_now_add=True)
    last_login_at = models.DateTimeField("dernière connexion", null=True, blank=True)

    class Meta:
        verbose_name = "identité ProConnect"
        verbose_name_plural = "identités ProConnect"
        ordering = ["-last_login_at"]

    def __str__(self):
        return f"{self.email} → {self.user}"
