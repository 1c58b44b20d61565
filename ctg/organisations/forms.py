from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from dsfr.forms import DsfrBaseForm


class EmailAuthenticationForm(DsfrBaseForm, AuthenticationForm):
    username = forms.EmailField(
        label="Adresse électronique",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": "Adresse électronique ou mot de passe incorrect.",
        "inactive": "Ce compte est désactivé.",
    }

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()


class DsfrPasswordResetForm(DsfrBaseForm, PasswordResetForm):
    pass


class DsfrSetPasswordForm(DsfrBaseForm, SetPasswordForm):
    def save(self, commit=True):
        user = super().save(commit=commit)
        if commit:
            # A new password chosen through the emailed link ends the account's lockout (not the address's).
            from ctg.organisations.throttling import clear_account

            clear_account(user.email)
        return user
