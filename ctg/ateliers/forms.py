"""The forms of the ateliers' pages; each gives its service the arguments it takes (`values()` when the
fields are not those arguments)."""

from django import forms

from ctg.ateliers.models import Atelier, Registration
from ctg.conventions.forms import MONTH_HELP, MonthField, date_or_month
from ctg.conventions.models import Field
from ctg.conventions.selectors import offer_organisations
from ctg.findings.models import Finding
from ctg.forms import DsfrForm
from ctg.organisations.choices import OrganisationChoiceField

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class CommuneChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.code})"


class AtelierForm(DsfrForm):
    title = forms.CharField(label="Intitulé", max_length=250, help_text="Par exemple : Petite enfance.")
    themes = forms.MultipleChoiceField(
        label="Thématiques", choices=Field.choices, widget=forms.CheckboxSelectMultiple
    )
    date = forms.DateField(
        label="Date", widget=DATE_WIDGET, required=False, help_text="Le jour de l'atelier."
    )
    month = MonthField(
        label="Ou, quand le jour n'est pas connu, le mois",
        required=False,
        help_text=f"{MONTH_HELP} L'atelier s'affichera « mai 2024 ».",
    )
    start_time = forms.TimeField(label="Heure de début", widget=TIME_WIDGET, required=False)
    end_time = forms.TimeField(label="Heure de fin", widget=TIME_WIDGET, required=False)
    format = forms.ChoiceField(label="Format", choices=Atelier.Format.choices)
    method = forms.ChoiceField(
        label="Méthode d'animation",
        choices=[("", "— Non précisée —"), *Atelier.Method.choices],
        required=False,
    )
    commune = CommuneChoiceField(
        label="Commune",
        queryset=None,
        required=False,
        empty_label="— Aucune —",
        help_text="Pour un atelier sur place.",
    )
    address = forms.CharField(
        label="Adresse ou salle", max_length=250, required=False, help_text="Pour un atelier sur place."
    )
    link = forms.URLField(
        label="Lien de visioconférence",
        required=False,
        assume_scheme="https",
        help_text="Adresse web (https://…), pour un atelier à distance ou hybride.",
    )
    facilitator_name = forms.CharField(label="Animateur·rice", max_length=200, required=False)
    facilitator_organisation = OrganisationChoiceField(
        label="Organisation qui anime", required=False, empty_label="— Aucune —"
    )
    capacity = forms.IntegerField(label="Nombre de places", required=False, min_value=1)
    description = forms.CharField(
        label="Déroulé et ordre du jour", required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    status = forms.ChoiceField(label="Statut", choices=Atelier.Status.choices)

    def __init__(self, *args, ctg, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = ctg.communes.order_by("name")
        offer_organisations(
            self.fields["facilitator_organisation"], ctg, keep=[self.initial.get("facilitator_organisation")]
        )

    def clean(self):
        return date_or_month(self, super().clean(), date_field="date", month_field="month")


class RegistrationForm(DsfrForm):
    prefix = "inscription"
    person_name = forms.CharField(label="Nom de la personne", max_length=200)
    email = forms.EmailField(label="Courriel", required=False)
    organisation = OrganisationChoiceField(label="Organisation", required=False, empty_label="— Aucune —")
    role = forms.CharField(
        label="Qualité", max_length=200, required=False, help_text="Par exemple : référent communal, parent."
    )
    commune = CommuneChoiceField(label="Commune", queryset=None, required=False, empty_label="— Aucune —")
    status = forms.ChoiceField(label="Statut", choices=Registration.Status.choices)
    consent_listed = forms.BooleanField(
        label="La personne accepte d'apparaître dans la liste des participants",
        required=False,
        help_text="Sans cet accord, son nom n'est montré qu'aux personnes qui organisent l'atelier.",
    )
    consent_contact = forms.BooleanField(
        label="La personne accepte d'être recontactée au sujet de la CTG", required=False
    )

    def __init__(self, *args, ctg, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = ctg.communes.order_by("name")
        offer_organisations(self.fields["organisation"], ctg)


class RegistrationStatusForm(DsfrForm):
    status = forms.ChoiceField(label="Statut", choices=Registration.Status.choices)
    consent_listed = forms.BooleanField(label="Accepte d'apparaître dans la liste", required=False)
    consent_contact = forms.BooleanField(label="Accepte d'être recontacté·e", required=False)


class AttendanceForm(DsfrForm):
    """Checkboxes: the communal referents of the dossier first, then the other members, the registered
    people, and the people added as present."""

    members = forms.MultipleChoiceField(
        label="Membres du dossier présents (référent·es communaux en premier)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    registrations = forms.MultipleChoiceField(
        label="Personnes invitées ou inscrites présentes", required=False, widget=forms.CheckboxSelectMultiple
    )
    others = forms.MultipleChoiceField(
        label="Autres personnes présentes", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, atelier, members, **kwargs):
        super().__init__(*args, **kwargs)
        attendances = list(atelier.attendances.all())
        registrations = list(atelier.registrations.select_related("organisation"))
        self.fields["members"].choices = [(str(user.pk), label) for user, label in members]
        self.fields["registrations"].choices = [(str(r.pk), str(r)) for r in registrations]
        others = [a for a in attendances if a.registration_id is None and a.user_id is None]
        self.fields["others"].choices = [(str(a.pk), str(a)) for a in others]
        self.initial.setdefault("members", [str(a.user_id) for a in attendances if a.user_id])
        self.initial.setdefault(
            "registrations", [str(a.registration_id) for a in attendances if a.registration_id]
        )
        self.initial.setdefault("others", [str(a.pk) for a in others])
        for name in ("members", "registrations", "others"):
            if not self.fields[name].choices:
                del self.fields[name]

    def values(self) -> dict:
        data = self.cleaned_data
        return {name: [int(v) for v in data.get(name, [])] for name in ("members", "registrations", "others")}


class AttendeeForm(DsfrForm):
    prefix = "present"
    person_name = forms.CharField(label="Nom de la personne présente", max_length=200)
    organisation = OrganisationChoiceField(label="Organisation", required=False, empty_label="— Aucune —")
    consent_listed = forms.BooleanField(
        label="La personne accepte d'apparaître dans la liste des participants", required=False
    )

    def __init__(self, *args, ctg, **kwargs):
        super().__init__(*args, **kwargs)
        offer_organisations(self.fields["organisation"], ctg)


class ContributionForm(DsfrForm):
    prefix = "contribution"
    text = forms.CharField(label="Contribution", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    author_name = forms.CharField(
        label="Auteur·rice",
        max_length=200,
        required=False,
        help_text="Facultatif : la contribution peut rester anonyme.",
    )
    theme = forms.ChoiceField(
        label="Thématique", choices=[("", "— Aucune —"), *Field.choices], required=False
    )


class ReportForm(DsfrForm):
    report = forms.CharField(label="Compte rendu", required=False, widget=forms.Textarea(attrs={"rows": 10}))


class AttachmentForm(DsfrForm):
    prefix = "piece"
    file = forms.FileField(
        label="Fichier", help_text="PDF, bureautique, CSV, texte ou image ; 20 Mo au plus."
    )
    title = forms.CharField(label="Intitulé", max_length=250, required=False)


class DotVoteForm(DsfrForm):
    prefix = "vote"
    finding = forms.ModelChoiceField(
        label="Constat", queryset=Finding.objects.none(), empty_label="— Choisir —"
    )
    dots = forms.IntegerField(
        label="Nombre de gommettes", min_value=0, help_text="0 retire le constat du vote."
    )

    def __init__(self, *args, ctg, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["finding"].queryset = Finding.objects.filter(ctg=ctg).order_by("title", "id")


class FindingForm(DsfrForm):
    kind = forms.ChoiceField(label="Type de constat", choices=Finding.Kind.choices)
    title = forms.CharField(label="Constat", max_length=300)
    themes = forms.MultipleChoiceField(
        label="Champs d'intervention",
        choices=Field.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    public = forms.CharField(label="Public concerné", max_length=300, required=False)
    evidence = forms.CharField(
        label="Élément probant", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    weight = forms.TypedChoiceField(
        label="Importance", choices=Finding.Weight.choices, coerce=int, initial=Finding.Weight.MEDIUM
    )

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "values": {
                "kind": data["kind"],
                "title": data["title"],
                "fields": data.get("themes", []),
                "public": data.get("public", ""),
                "evidence": data.get("evidence", ""),
                "weight": data["weight"],
            }
        }
