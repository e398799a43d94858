"""Forms about people and accounts."""

from allauth.account.forms import LoginForm as AllauthLoginForm


class LoginForm(AllauthLoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The page shows the reset link below the field, where the DSFR puts it.
        self.fields["password"].help_text = ""
        self.fields["login"].label = "Adresse électronique"
        self.fields["login"].help_text = "Format attendu : nom@domaine.fr"
        self.fields["login"].widget.attrs.pop("placeholder", None)
        self.fields["password"].widget.attrs.pop("placeholder", None)
