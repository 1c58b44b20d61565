from django import forms

from ctg.forms import DsfrForm


class TokenForm(DsfrForm):
    name = forms.CharField(
        label="Nom du jeton",
        max_length=100,
        help_text="L'outil ou le script qui l'utilisera, pour le reconnaître dans la liste.",
    )
    expires_on = forms.DateField(
        label="Date d'expiration (facultatif)",
        required=False,
        help_text="Le jeton est refusé à partir de ce jour. Sans date, il vaut jusqu'à sa révocation.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
