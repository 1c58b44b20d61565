"""Forms of the plan d'action's tree and fiches. The forms shape the input; the fiche's business rules are
those of `rules` (shared with the services and the plan import), checked here too so that the person sees
every problem at once; what remains (references, locking) is checked by the services, whose French errors
the views put back on the fields."""

import re

from django import forms
from django.db.models import Q

from ctg.conventions.models import Field
from ctg.conventions.selectors import offer_organisations
from ctg.diagnostics.catalogue import INDICATORS
from ctg.forms import DsfrForm
from ctg.organisations.choices import OrganisationChoiceField, OrganisationMultipleChoiceField
from ctg.organisations.models import Organisation
from ctg.plans import rules
from ctg.plans.models import FicheAction, Funder, IndicatorValue, OperationalObjective, PlanIndicator
from ctg.territories.models import Commune

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EnjeuForm(DsfrForm):
    title = forms.CharField(label="Intitulé", max_length=300)
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    fields = forms.MultipleChoiceField(
        label="Champs d'intervention",
        choices=Field.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    attention_indicators = forms.MultipleChoiceField(
        label="Indicateurs du portrait liés",
        help_text="Points d'attention du diagnostic qui justifient l'enjeu (plusieurs choix possibles).",
        choices=[(i.id, i.label) for i in INDICATORS],
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )


class ObjectiveForm(DsfrForm):
    title = forms.CharField(label="Intitulé", max_length=300)
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CommentForm(DsfrForm):
    text = forms.CharField(label="Votre commentaire", widget=forms.Textarea(attrs={"rows": 3}))


class StepsForm(DsfrForm):
    """The yearly steps of a fiche, one per line: « 2025 : lancement de l'étude »."""

    prefix = "etapes"
    LINE = re.compile(r"^\s*(\d{4})\s*[:–-]\s*(\S.*)$")
    steps = forms.CharField(
        label="Étapes annuelles",
        help_text="Une étape par ligne, sous la forme « 2025 : lancement de l'étude ».",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_steps(self):
        steps = []
        for number, line in enumerate(self.cleaned_data["steps"].splitlines(), start=1):
            if not line.strip():
                continue
            match = self.LINE.match(line)
            if match is None:
                raise forms.ValidationError(
                    f"Ligne {number} : écrivez l'année puis l'étape, par exemple « 2025 : … »."
                )
            steps.append((int(match.group(1)), match.group(2).strip()))
        return steps


class AttachmentForm(DsfrForm):
    prefix = "piece"
    file = forms.FileField(
        label="Fichier", help_text="PDF, bureautique, CSV, texte ou image ; 20 Mo au plus."
    )
    title = forms.CharField(label="Intitulé", max_length=250, required=False)


class ObjectiveChoiceField(forms.ModelMultipleChoiceField):
    def __init__(self, *args, numbers=None, **kwargs):
        self.numbers = numbers or {}
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        number = self.numbers.get(obj.pk)
        return f"{number} — {obj.title}" if number else obj.title


class FicheForm(DsfrForm):
    title = forms.CharField(label="Intitulé", max_length=300)
    objectives = ObjectiveChoiceField(
        label="Objectifs opérationnels",
        queryset=OperationalObjective.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Rattachez la fiche à au moins un objectif opérationnel."},
    )
    fields = forms.MultipleChoiceField(
        label="Champs d'intervention",
        choices=Field.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    context = forms.CharField(label="Contexte", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    target_public = forms.CharField(
        label="Public visé", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    ALL, LIST = "toutes", "liste"
    all_communes = forms.TypedChoiceField(
        label="Communes concernées",
        choices=[
            (ALL, "Toutes les communes du territoire"),
            (LIST, "Certaines communes, cochées ci-dessous"),
        ],
        coerce=lambda value: value == "toutes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        help_text="Rien n'est choisi d'office : « toutes » avec des communes cochées est refusé.",
    )
    communes = forms.ModelMultipleChoiceField(
        label="Communes de la fiche",
        help_text="À cocher seulement si la fiche ne concerne que certaines communes.",
        queryset=Commune.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    pilot_organisation = OrganisationChoiceField(
        label="Organisation pilote",
        help_text="Les signataires et partenaires associés de la CTG, par type.",
        required=False,
        empty_label="— Aucune —",
    )
    pilot_person = forms.CharField(label="Personne pilote", max_length=200, required=False)
    partners = OrganisationMultipleChoiceField(label="Partenaires", required=False)
    start_date = forms.DateField(label="Début", required=False, widget=DATE_WIDGET)
    end_date = forms.DateField(label="Fin", required=False, widget=DATE_WIDGET)
    status = forms.ChoiceField(label="Statut", choices=FicheAction.Status.choices)
    priority = forms.ChoiceField(label="Priorité", choices=FicheAction.Priority.choices)
    notes = forms.CharField(label="Notes internes", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, ctg, objective_numbers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.period = rules.Period.of(ctg)
        self.fields["objectives"].queryset = OperationalObjective.objects.filter(
            strategic__enjeu__ctg=ctg
        ).order_by("strategic__enjeu__position", "strategic__position", "position", "id")
        self.fields["objectives"].numbers = objective_numbers or {}
        self.fields["communes"].queryset = ctg.communes.order_by("name")
        # The parties of the CTG (its CAF, signatories and partners associated), by type, plus whoever the
        # fiche already names (so that a save keeps them).
        current = [*(self.initial.get("partners") or []), self.initial.get("pilot_organisation")]
        parties = Organisation.objects.filter(
            Q(pk=ctg.caf_id) | Q(signatures__ctg=ctg) | Q(partnerships__ctg=ctg)
        )
        for name in ("pilot_organisation", "partners"):
            offer_organisations(self.fields[name], ctg, among=parties, keep=[o for o in current if o])
        if isinstance(self.initial.get("all_communes"), bool):
            self.initial["all_communes"] = self.ALL if self.initial["all_communes"] else self.LIST

    def clean(self):
        """The rules of `rules.fiche_problems`, on the fields that passed their own checks."""
        cleaned = super().clean()
        if cleaned.get("all_communes") is None and "all_communes" not in self.errors:
            # Neither choice: the communes ticked, if any (else the rule asks for a choice).
            cleaned["all_communes"] = False
        values = {name: cleaned.get(name) for name in self.fields}
        for problem in rules.fiche_problems(values, self.period):
            if problem.field in self.fields and problem.field in cleaned:
                self.add_error(problem.field, problem.message)
        return cleaned

    def values(self) -> dict:
        """The cleaned data as the services take them (without `version`)."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        for name in ("objectives", "communes", "partners"):
            data[name] = list(data[name])
        return data


class BudgetLineForm(DsfrForm):
    """One budget line: an existing year × funder is updated, a new one is added."""

    year = forms.IntegerField(label="Année", widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    funder = forms.ChoiceField(label="Financeur", choices=Funder.choices)
    planned = forms.CharField(
        label="Prévu (€)", required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    spent = forms.CharField(
        label="Réalisé (€)", required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )

    def __init__(self, *args, prefix="budget", **kwargs):
        super().__init__(*args, prefix=prefix, **kwargs)


class IndicatorValueForm(DsfrForm):
    """One target or realised value of one of the fiche's indicators; an empty value removes the typed one."""

    indicator = forms.ModelChoiceField(
        label="Indicateur", queryset=PlanIndicator.objects.none(), empty_label=None
    )
    year = forms.IntegerField(label="Année", widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    kind = forms.ChoiceField(label="Type de valeur", choices=IndicatorValue.Kind.choices)
    value = forms.CharField(
        label="Valeur",
        required=False,
        help_text="Laissez vide pour retirer la valeur saisie.",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    def __init__(self, *args, fiche, prefix="valeur", **kwargs):
        super().__init__(*args, prefix=prefix, **kwargs)
        self.fields["indicator"].queryset = fiche.indicators.all()


class IndicatorForm(DsfrForm):
    label = forms.CharField(label="Intitulé de l'indicateur", max_length=300)
    unit = forms.CharField(label="Unité", max_length=60, required=False)
    direction = forms.ChoiceField(label="Sens souhaité", choices=PlanIndicator.Direction.choices)
    nature = forms.ChoiceField(label="Nature", choices=PlanIndicator.Nature.choices)
    baseline_value = forms.CharField(
        label="Valeur de référence", required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    baseline_year = forms.IntegerField(
        label="Année de référence", required=False, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    portrait_indicator = forms.ChoiceField(
        label="Indicateur du portrait",
        help_text="Facultatif : la référence et les valeurs réalisées viennent alors des données ouvertes.",
        choices=[("", "— Aucun (saisie à la main) —"), *((i.id, i.label) for i in INDICATORS)],
        required=False,
    )

    def __init__(self, *args, prefix="indicateur", **kwargs):
        super().__init__(*args, prefix=prefix, **kwargs)
