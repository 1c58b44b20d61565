"""The forms of the scenarios of the offer of services: they only read what a person typed;
`ctg.offer.scenarios` checks it against the dossier's territory and writes (the commune offered are those of
the territory, the types those of the typology)."""

from django import forms

from ctg.forms import DsfrForm
from ctg.offer import scenario_funding, scenarios, typology
from ctg.offer.forms import territory_communes


def _type_choices():
    groups: dict[str, list] = {}
    for item in typology.TYPES:
        if item.counted:
            continue
        groups.setdefault(item.field.label, []).append((item.code, item.label))
    return [("", "Choisir un type de structure"), *groups.items()]


class ScenarioForm(DsfrForm):
    name = forms.CharField(
        label="Nom du scénario",
        max_length=200,
        help_text="Par exemple « Micro-crèche de 12 places à Rambervillers ».",
    )
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class LineForm(DsfrForm):
    """A structure the scenario creates."""

    type = forms.ChoiceField(label="Type de structure", choices=())
    places = forms.IntegerField(
        label="Nombre de places",
        required=False,
        help_text=f"De 1 à {scenarios.PLACES_MAX} ; une micro-crèche accueille au plus "
        f"{scenarios.MICRO_CRECHE_MAX} enfants.",
    )
    commune = forms.ChoiceField(label="Commune d'implantation", choices=())
    year = forms.IntegerField(
        label="Année d'ouverture", help_text=f"Entre {scenarios.YEAR_MIN} et {scenarios.YEAR_MAX}."
    )
    line_name = forms.CharField(label="Nom de la structure (facultatif)", max_length=250, required=False)

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        # Changed in place: the DSFR base form has already bound the fields.
        self.fields["type"].choices = _type_choices()
        self.fields["type"].widget.choices = self.fields["type"].choices
        communes = [("", "Choisir une commune")] + [
            (c.code, f"{c.name} ({c.code})") for c in territory_communes(territory)
        ]
        self.fields["commune"].choices = communes
        self.fields["commune"].widget.choices = communes

    def line_values(self) -> dict:
        data = self.cleaned_data
        return {
            "type": data["type"],
            "places": data.get("places"),
            "commune": data["commune"],
            "year": data["year"],
            "name": data.get("line_name") or "",
        }


class ClosureForm(DsfrForm):
    """An open structure of the territory that the scenario closes."""

    structure = forms.ChoiceField(label="Structure qui ferme", choices=())
    year = forms.IntegerField(
        label="Année de fermeture", help_text=f"Entre {scenarios.YEAR_MIN} et {scenarios.YEAR_MAX}."
    )

    def __init__(self, *args, structures, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "Choisir une structure")] + [
            (str(s.pk), f"{s.name} — {s.type_info.label}, {s.commune.name}") for s in structures
        ]
        self.fields["structure"].choices = choices
        self.fields["structure"].widget.choices = choices


class ScenarioCreateForm(ScenarioForm, LineForm):
    """The scenario and its first structure, on one page."""


class FundingForm(DsfrForm):
    """The inputs of the CAF's funding rules for a structure the scenario creates (those of its type only);
    read as typed, checked by `ctg.offer.scenario_funding.line_funding_set`."""

    bonus_tranche = forms.ChoiceField(
        label="Tranche du bonus territoire",
        required=False,
        help_text="Selon le potentiel financier et le niveau de vie du territoire ; la CAF fixe le montant "
        "de chaque tranche.",
    )
    participation_horaire = forms.CharField(
        label="Participation horaire moyenne des familles (€ par heure, facultatif)",
        required=False,
        max_length=20,
        help_text="Pour le bonus mixité sociale, par exemple 0,90.",
    )
    handicap_share = forms.CharField(
        label="Part des enfants en situation de handicap (%, facultatif)",
        required=False,
        max_length=20,
        help_text="Pour le bonus inclusion handicap, entre 0 et 100 ; ce bonus se calcule sur le coût de "
        "fonctionnement par place ci-dessous, à renseigner.",
    )
    reserved_places = forms.CharField(
        label="Places réservées à des entreprises ou administrations (CTRE, facultatif)",
        required=False,
        max_length=20,
    )
    contracted_hours = forms.CharField(
        label="Heures conventionnées existantes du territoire (ALSH)", required=False, max_length=20
    )
    requested_hours = forms.CharField(
        label="Heures nouvelles demandées (ALSH)", required=False, max_length=20
    )
    cost_per_place = forms.CharField(
        label="Coût de fonctionnement par place et par an (€, facultatif)",
        required=False,
        max_length=20,
        help_text="Vide : la valeur par défaut des paramètres de la CAF, avec sa source.",
    )

    def __init__(self, *args, fields, **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in fields:
                del self.fields[name]
        if "bonus_tranche" in self.fields:
            choices = [("", "Non renseignée")] + list(scenario_funding.TRANCHES)
            self.fields["bonus_tranche"].choices = choices
            self.fields["bonus_tranche"].widget.choices = choices

    def values(self) -> dict:
        return {"values": {name: self.cleaned_data.get(name) for name in self.fields}}
