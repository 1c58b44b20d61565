"""Forms of the coordinator post, its CAF funding and its activity report. The business rules live in
ctg.post.services (their French messages are shown on the fields)."""

import re

from django import forms

from ctg.conventions.selectors import dossier_organisations, offer_organisations
from ctg.forms import DsfrForm
from ctg.organisations.choices import OrganisationChoiceField
from ctg.post import services

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FrenchDecimalField(forms.DecimalField):
    """Accepts « 23 000,50 » as well as « 23000.50 »: spaces (also no-break ones) are dropped and the
    decimal comma becomes a point."""

    def to_python(self, value):
        if isinstance(value, str):
            value = re.sub(r"[\s\u00a0\u202f]", "", value).replace(",", ".")
        return super().to_python(value)


def _decimal(label, help_text="", required=True):
    return FrenchDecimalField(
        label=label,
        help_text=help_text,
        required=required,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


class PostForm(DsfrForm):
    person_name = forms.CharField(label="Personne", max_length=200, help_text="Prénom et nom.")
    user = forms.ModelChoiceField(
        label="Compte dans l'application",
        queryset=None,
        required=False,
        empty_label="— Aucun compte —",
        help_text="Facultatif : un membre du dossier.",
    )
    employer = OrganisationChoiceField(label="Employeur")
    fte = _decimal(
        "Temps de travail (ETP)", "Équivalent temps plein : 1 pour un temps plein, 0,5 pour un mi-temps."
    )
    start_date = forms.DateField(label="Date de prise de poste", widget=DATE_WIDGET)
    end_date = forms.DateField(label="Date de fin", required=False, widget=DATE_WIDGET)
    missions = forms.CharField(label="Missions", required=False, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, ctg, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = services.member_users(ctg)
        employers = services.employer_choices(ctg).filter(pk__in=dossier_organisations(ctg).values("pk"))
        current = [self.initial.get("employer")]
        offer_organisations(self.fields["employer"], ctg, among=employers, keep=current)


class FundingForm(DsfrForm):
    year = forms.IntegerField(label="Année", widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    amount_agreed = _decimal("Montant accordé (€)")
    advance_paid = _decimal("Avance versée (€)", "0 si rien n'est versé.", required=False)
    balance_paid = _decimal("Solde versé (€)", "0 si rien n'est versé.", required=False)
    decided_on = forms.DateField(
        label="Date de la décision de financement", required=False, widget=DATE_WIDGET
    )

    def clean(self):
        data = super().clean()
        for name in ("advance_paid", "balance_paid"):
            if data.get(name) is None and name not in self.errors:
                data[name] = 0
        return data


class ReportForm(DsfrForm):
    comments = forms.CharField(
        label="Activité de l'année",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Faits marquants, travaux menés, difficultés rencontrées.",
    )
    priorities = forms.CharField(
        label="Priorités de l'année suivante",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Obligatoires pour envoyer le rapport à la CAF.",
    )


# --- the yearly funding convention ---------------------------------------------------------------------


class ConventionRequestForm(DsfrForm):
    year = forms.TypedChoiceField(label="Année financée", coerce=int, choices=())
    amount_requested = _decimal("Montant demandé (€)")
    requested_on = forms.DateField(label="Date de la demande", widget=DATE_WIDGET)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        if years:
            self.fields["year"].choices = [(year, str(year)) for year in years]
        else:
            del self.fields["year"]  # a correction: the year stays


class ConventionAgreeForm(DsfrForm):
    amount_agreed = _decimal("Montant accordé (€)")
    decided_on = forms.DateField(label="Date de la décision de la CAF", widget=DATE_WIDGET)
    advance_rate = forms.IntegerField(
        label="Taux d'acompte (%)",
        required=False,
        min_value=0,
        max_value=100,
        help_text="Part du montant accordé versée en acompte à la signature, par exemple 50.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class ConventionSignForm(DsfrForm):
    signed_on = forms.DateField(label="Date de la signature", widget=DATE_WIDGET)
    signatories = forms.CharField(
        label="Signataires",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Un par ligne : organisation, nom et qualité.",
    )


class PaymentForm(DsfrForm):
    amount = _decimal("Montant versé (€)")
    paid_on = forms.DateField(label="Date du versement", widget=DATE_WIDGET)


class CancelForm(DsfrForm):
    reason = forms.CharField(label="Motif de l'annulation", max_length=500)
