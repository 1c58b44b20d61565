import datetime

from django import forms

from ctg.conventions.forms import MONTH_HELP, MonthField, date_or_month
from ctg.conventions.models import DatePrecision
from ctg.conventions.selectors import offer_organisations
from ctg.forms import DsfrForm
from ctg.governance.models import Body, Decision, Participant
from ctg.organisations.choices import OrganisationChoiceField
from ctg.plans.models import FicheAction, Funder, OperationalObjective

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M"]


class BodyForm(DsfrForm):
    kind = forms.ChoiceField(label="Type d'instance", choices=Body.Kind.choices)
    name = forms.CharField(label="Nom", max_length=200, help_text="Par exemple : COPIL de la CTG.")
    role = forms.CharField(
        label="Rôle et fréquence",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Par exemple : valide les orientations, se réunit deux fois par an.",
    )


class MemberForm(DsfrForm):
    organisation = OrganisationChoiceField(label="Organisation")
    person_name = forms.CharField(label="Personne", max_length=200)
    capacity = forms.CharField(
        label="Qualité", max_length=200, required=False, help_text="Par exemple : Vice-présidente."
    )
    email = forms.EmailField(label="Courriel", required=False, help_text="Pour l'envoi des invitations.")

    def __init__(self, *args, ctg, **kwargs):
        super().__init__(*args, **kwargs)
        offer_organisations(self.fields["organisation"], ctg, keep=[self.initial.get("organisation")])


class MeetingForm(DsfrForm):
    body = forms.ModelChoiceField(
        label="Instance",
        queryset=Body.objects.none(),
        empty_label="— Choisir —",
        help_text="Changer d'instance invite ses membres ; ceux de l'ancienne instance dont la présence "
        "n'est pas encore saisie sont retirés, les invités extérieurs restent.",
    )
    title = forms.CharField(label="Intitulé", max_length=250, required=False)
    starts_at = forms.DateTimeField(
        label="Début",
        widget=DATETIME_WIDGET,
        input_formats=DATETIME_FORMATS,
        required=False,
        help_text="Date et heure.",
    )
    month = MonthField(
        label="Ou, pour une réunion passée dont le jour n'est pas connu, le mois",
        required=False,
        help_text=f"{MONTH_HELP} La réunion s'affichera « mai 2024 », sans invitation.",
    )
    ends_at = forms.DateTimeField(
        label="Fin",
        widget=DATETIME_WIDGET,
        input_formats=DATETIME_FORMATS,
        required=False,
        help_text="Date et heure (facultatif).",
    )
    # Place and link: one or the other (or both) is required. The page shows them in one fieldset that says
    # so (governance/meeting_form.html), without the « (Optionnel) » mark of an optional field.
    place = forms.CharField(
        label="Lieu",
        max_length=250,
        required=False,
        help_text="Adresse ou salle, pour une réunion sur place.",
    )
    link = forms.URLField(
        label="Lien de visioconférence",
        required=False,
        assume_scheme="https",
        help_text="Adresse web (https://…), pour une réunion à distance.",
    )
    agenda = forms.CharField(label="Ordre du jour", required=False, widget=forms.Textarea(attrs={"rows": 5}))

    PLACE_OR_LINK = ("place", "link")
    PLACE_OR_LINK_LEGEND = "Lieu ou lien de visioconférence"
    PLACE_OR_LINK_HINT = "Indiquez l'un ou l'autre : un lieu, un lien de visioconférence, ou les deux."
    PLACE_OR_LINK_MISSING = "Indiquez un lieu ou un lien de visioconférence."
    PLACE_OR_LINK_MESSAGES = "meeting-place-or-link-messages"

    def __init__(self, *args, ctg, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = ctg.bodies.all()
        for name in self.PLACE_OR_LINK:
            # The hint and the group's messages are read with each of the two fields.
            self.fields[name].widget.attrs["aria-describedby"] = (
                f"id_{name}_helptext meeting-place-or-link-hint {self.PLACE_OR_LINK_MESSAGES}"
            )

    def clean(self):
        data = date_or_month(self, super().clean(), date_field="starts_at", month_field="month")
        if data.get("date_precision") == DatePrecision.MONTH:
            data["starts_at"] = datetime.datetime.combine(data["starts_at"], datetime.time())
        invalid = "place" in self.errors or "link" in self.errors
        if not invalid and not data.get("place") and not data.get("link"):
            for name in self.PLACE_OR_LINK:
                self.add_error(name, self.PLACE_OR_LINK_MISSING)
        return data

    @property
    def place_or_link_errors(self) -> list[str]:
        """The messages of the place-or-link group, each once (the missing pair is on both fields)."""
        messages = []
        for name in self.PLACE_OR_LINK:
            for message in self.errors.get(name, []):
                if message not in messages:
                    messages.append(message)
        return messages


class GuestForm(DsfrForm):
    person_name = forms.CharField(label="Nom de la personne invitée", max_length=200)
    organisation_name = forms.CharField(label="Organisation", max_length=250, required=False)
    email = forms.EmailField(label="Courriel de la personne invitée", required=False)


class MinutesForm(DsfrForm):
    minutes = forms.CharField(label="Compte rendu", required=False, widget=forms.Textarea(attrs={"rows": 10}))


class AttendanceForm(DsfrForm):
    """One choice per participant (field `p<pk>`)."""

    CHOICES = [
        (Participant.Attendance.INVITED, "Non renseignée"),
        (Participant.Attendance.PRESENT, "Présent·e"),
        (Participant.Attendance.EXCUSED, "Excusé·e"),
        (Participant.Attendance.ABSENT, "Absent·e"),
    ]

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.participants = list(participants)
        for p in self.participants:
            self.fields[f"p{p.pk}"] = forms.ChoiceField(
                label=f"Présence de {p}", choices=self.CHOICES, initial=p.attendance
            )

    def values(self) -> dict:
        """The arguments of `services.attendance_set`: each participant's attendance."""
        return {"attendance": {p.pk: self.cleaned_data[f"p{p.pk}"] for p in self.participants}}


class DecisionForm(DsfrForm):
    text = forms.CharField(label="Décision", widget=forms.Textarea(attrs={"rows": 3}))
    kind = forms.ChoiceField(label="Effet sur le plan d'action", choices=Decision.Kind.choices)
    fiche = forms.ModelChoiceField(
        label="Fiche action concernée",
        queryset=FicheAction.objects.none(),
        required=False,
        empty_label="— Aucune —",
        help_text="Pour un changement de statut ou de budget.",
    )
    status = forms.ChoiceField(
        label="Nouveau statut de la fiche", choices=[("", "—")] + FicheAction.Status.choices, required=False
    )
    year = forms.IntegerField(label="Année du budget", required=False)
    funder = forms.ChoiceField(label="Financeur", choices=[("", "—")] + Funder.choices, required=False)
    planned = forms.DecimalField(label="Montant prévu (€)", required=False, min_value=0, decimal_places=2)
    spent = forms.DecimalField(label="Montant réalisé (€)", required=False, min_value=0, decimal_places=2)
    new_title = forms.CharField(label="Intitulé de la nouvelle fiche", max_length=300, required=False)
    objective = forms.ModelChoiceField(
        label="Objectif opérationnel de la nouvelle fiche",
        queryset=OperationalObjective.objects.none(),
        required=False,
        empty_label="— Choisir —",
    )

    def __init__(self, *args, ctg, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fiche"].queryset = ctg.fiches.order_by("position", "id")
        self.fields["objective"].queryset = OperationalObjective.objects.filter(
            strategic__enjeu__ctg=ctg
        ).order_by("strategic__enjeu__position", "strategic__position", "position")

    def values(self) -> dict:
        """The arguments of `services.decision_add`."""
        data = self.cleaned_data
        kind = data["kind"]
        payload = {}
        if kind == Decision.Kind.FICHE_STATUS:
            payload = {"status": data.get("status")}
        elif kind == Decision.Kind.BUDGET:
            payload = {k: data.get(k) for k in ("year", "funder", "planned", "spent")}
        elif kind == Decision.Kind.FICHE_CREATE:
            objective = data.get("objective")
            payload = {"title": data.get("new_title"), "objective": objective.pk if objective else None}
        return {"text": data["text"], "kind": kind, "fiche": data.get("fiche"), "payload": payload}
