"""Forms about people and accounts: sign-in, invitations, handovers, the agreement and backbone editors."""

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from django import forms
from django.contrib.auth import password_validation
from django.utils import timezone

from qic import text
from qic.forms import DATE_HELP, DateField
from qic.idempotency import OnceForm
from qic.locking import VersionedForm

from .enums import MemberRole
from .services import identity


class LoginForm(AllauthLoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The page shows the reset link below the field, where the DSFR puts it.
        self.fields["password"].help_text = ""
        self.fields["login"].label = "Adresse électronique"
        self.fields["login"].help_text = "Format attendu : nom@domaine.fr"
        self.fields["login"].widget.attrs.pop("placeholder", None)
        self.fields["password"].widget.attrs.pop("placeholder", None)


class ResetPasswordForm(AllauthResetPasswordForm):
    """A reset link goes only to a login address (`identity.login_accounts`), never to one merely added."""

    def clean_email(self) -> str:
        email = super().clean_email()
        self.users = identity.login_accounts(email, active_only=True)
        return email


LONG_TEXT = 10_000
SHORT_TEXT = 2_000


def _text(label, *, max_length=SHORT_TEXT, required=False, rows=3, help_text=""):
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"max_length": "Ce texte est trop long : %(limit_value)d caractères au plus."},
    )


class PersonFields(forms.Form):
    email = forms.EmailField(
        label="Adresse électronique",
        help_text="Format attendu : nom@domaine.fr. Le lien d’invitation y sera envoyé.",
        error_messages={"invalid": "Saisissez une adresse électronique valide, par exemple nom@domaine.fr."},
    )
    first_name = forms.CharField(label="Prénom", max_length=150, required=False)
    last_name = forms.CharField(label="Nom", max_length=150, required=False)
    organisation = forms.CharField(
        label="Organisation", max_length=200, required=False, help_text="Structure, service ou association."
    )
    message = _text(
        "Message personnel (facultatif)", max_length=1000, help_text="Ajouté au courriel d’invitation."
    )


class InviteForm(PersonFields):
    role = forms.ChoiceField(label="Rôle dans le collectif")
    field_order = ["role", "email", "first_name", "last_name", "organisation", "message"]

    def __init__(self, *args, roles: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r.value, r.label) for r in MemberRole if r.value in roles]


class HandoverForm(PersonFields):
    ended_on = DateField(
        label="Fin du mandat de la personne qui quitte le siège",
        help_text=DATE_HELP + " Aujourd’hui par défaut ; une date passée si la passation a déjà eu lieu.",
        past_only=True,
        future_message="La fin du mandat ne peut pas être dans le futur.",
    )
    field_order = ["ended_on", "email", "first_name", "last_name", "organisation", "message"]

    def __init__(self, *args, holder=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.holder = holder
        if holder is None:
            del self.fields["ended_on"]
        else:
            self.fields["ended_on"].initial = timezone.localdate()

    def clean_ended_on(self):
        ended_on = self.cleaned_data["ended_on"]
        if self.holder is not None and ended_on < self.holder.started_on:
            raise forms.ValidationError(
                f"Le mandat a commencé le {text.date(self.holder.started_on)} : "
                "la fin ne peut pas le précéder."
            )
        return ended_on


class EndMembershipForm(forms.Form):
    ended_on = DateField(label="Date de fin", initial=timezone.localdate)


class AccountForm(forms.Form):
    """The invitee's first visit: name and password of the new account."""

    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    password1 = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="12 caractères au moins, ni trop courant, ni uniquement des chiffres.",
    )
    password2 = forms.CharField(
        label="Confirmation du mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "Les deux mots de passe ne sont pas identiques.")
        elif first:
            from .models import User

            candidate = User(
                email=self.email, first_name=data.get("first_name", ""), last_name=data.get("last_name", "")
            )
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class SectionForm(VersionedForm):
    text = _text(
        "Texte", max_length=LONG_TEXT, rows=8, help_text="Une ligne commençant par « - » fait une liste."
    )


class SpaceForm(OnceForm, VersionedForm):
    name = forms.CharField(label="Nom du lieu ou de l’espace", max_length=150)
    purpose = _text("Rôle et responsabilités")
    frequency = forms.CharField(
        label="Fréquence", max_length=150, required=False, help_text="Par exemple : tous les mois."
    )
    participants = _text("Qui y participe", rows=2)
    decisions = _text("Ce qu’il décide", rows=2)


class BackboneForm(VersionedForm):
    person = forms.ModelChoiceField(
        label="Personne", queryset=None, required=False, empty_label="Personne en particulier"
    )
    organisation = forms.CharField(
        label="Organisation",
        max_length=200,
        required=False,
        help_text="La structure qui porte ce rôle, s’il y en a une.",
    )
    note = _text("Comment ce rôle est porté", max_length=SHORT_TEXT, rows=3)

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import User

        self.fields["person"].queryset = User.objects.filter(
            memberships__site=site, memberships__ended_on__isnull=True
        ).order_by("last_name", "first_name")
        self.fields["person"].label_from_instance = lambda user: user.get_full_name() or user.email
