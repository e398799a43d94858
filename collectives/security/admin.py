from django.contrib import admin

from .models import ProConnectIdentity


@admin.register(ProConnectIdentity)
class ProConnectIdentityAdmin(admin.ModelAdmin):
    list_display = ["email", "user", "siret", "linked_at", "last_login_at"]
    search_fields = ["email", "user__email", "siret"]
    list_select_related = ["user"]
    readonly_fields = ["user", "subject", "email", "siret", "linked_at", "last_login_at"]

    def has_add_permission(self, request):
        return False  # identities are linked by signing in with ProConnect, never typed in
