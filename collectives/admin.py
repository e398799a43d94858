from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from .models import Membership, User
from .services import identity


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["site"]


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email"]


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    add_form = UserCreationForm
    form = UserEditForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "role", "resource_centre", "is_active"]
    list_filter = ["role", "is_active", "resource_centre"]
    search_fields = ["email", "first_name", "last_name", "organisation"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Identité", {"fields": ["first_name", "last_name", "organisation", "phone"]}),
        ("Rôle", {"fields": ["role", "resource_centre", "is_active", "is_superuser"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {"classes": ["wide"], "fields": ["email", "first_name", "last_name", "role", "resource_centre"]},
        ),
        (None, {"classes": ["wide"], "fields": ["usable_password", "password1", "password2"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]
    inlines = [MembershipInline]

    def get_readonly_fields(self, request, obj=None):
        """Only a superuser makes a superuser (national staff manage the accounts, not the administrators)."""
        fields = list(super().get_readonly_fields(request, obj))
        return fields if request.user.is_superuser else [*fields, "is_superuser"]

    def get_queryset(self, request):
        """A superuser's account (its address, its password) is a superuser's business only: listed, changed
        or deleted by a national account, it would be taken over."""
        accounts = super().get_queryset(request)
        return accounts if request.user.is_superuser else accounts.filter(is_superuser=False)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change or "email" in form.changed_data:
            # National staff vouch for the address they type here, as an import does.
            identity.record_verified(obj)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "site", "role", "organisation", "started_on", "ended_on"]
    list_filter = ["role", "site__wave"]
    search_fields = ["user__email", "user__last_name", "site__name"]
    autocomplete_fields = ["site", "user"]
    list_select_related = ["user", "site"]
