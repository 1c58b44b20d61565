"""The choices of the public page (the rules and their French messages are in ctg.public.services)."""

from django import forms

from ctg.forms import DsfrForm
from ctg.public.services import INTRODUCTION_LENGTH


class PublicationForm(DsfrForm):
    show_progress = forms.BooleanField(
        label="Montrer l'avancement des fiches action",
        required=False,
        help_text="L'état de leurs indicateurs cette année (atteint, en bonne voie, en retard…).",
    )
    show_pilots = forms.BooleanField(
        label="Montrer l'organisation pilote de chaque fiche action",
        required=False,
        help_text="Le nom de l'organisation seulement, jamais celui d'une personne.",
    )
    show_budgets = forms.BooleanField(
        label="Montrer le budget de chaque fiche action",
        required=False,
        help_text="Le total prévu et réalisé de chaque fiche, sans le détail par financeur ni par année.",
    )
    show_key_figures = forms.BooleanField(
        label="Montrer les chiffres clés du diagnostic",
        required=False,
        help_text="Population, familles, allocataires… comparés au département et à la France.",
    )
    introduction = forms.CharField(
        label="Texte d'introduction",
        required=False,
        max_length=INTRODUCTION_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Présentez la CTG aux habitantes et habitants (facultatif).",
    )
    contact_email = forms.EmailField(
        label="Adresse de contact",
        required=False,
        max_length=254,
        help_text="L'adresse publique de la coordination (facultatif ; pas une adresse personnelle).",
    )
