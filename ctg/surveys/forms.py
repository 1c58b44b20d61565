"""The builder's forms. The answering form (public page, preview, paper entry) is not a Django form: it is
drawn from the questionnaire's structure (`templates/surveys/_answer_form.html`) and read by
`ctg.surveys.rules.read_submission`."""

from django import forms

from ctg.conventions.models import Field
from ctg.forms import DsfrForm
from ctg.surveys.models import Audience, Question
from ctg.surveys.services import LINKS_AT_ONCE_MAX, RETENTION_MAX


class QuestionnaireForm(DsfrForm):
    title = forms.CharField(label="Titre", max_length=200)
    audience = forms.ChoiceField(label="Public visé", choices=Audience.choices)
    introduction = forms.CharField(
        label="Introduction",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Affichée aux personnes qui répondent, avant les questions.",
    )
    privacy_notice = forms.CharField(
        label="Mentions d'information (RGPD)",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Responsable du traitement, finalité, durée de conservation, droits. Laissé vide à la "
        "création : le texte par défaut.",
    )
    anonymous = forms.BooleanField(
        label="Questionnaire anonyme",
        required=False,
        initial=True,
        help_text="Non anonyme : la personne donne son adresse électronique (droit d'accès). Ne change plus "
        "une fois le questionnaire ouvert.",
    )
    retention_months = forms.IntegerField(
        label="Durée de conservation des réponses (mois après la clôture)",
        min_value=1,
        max_value=RETENTION_MAX,
        initial=12,
        help_text="Ne change plus une fois le questionnaire ouvert.",
    )

    respondent_type_question = forms.ModelChoiceField(
        label="Question qui donne le type de répondant",
        queryset=None,
        required=False,
        empty_label="Aucune : le public visé",
        help_text="Une question à choix unique de ce questionnaire (par exemple « Vous êtes : parent, jeune, "
        "professionnel, élu ») : les résultats « par type de répondant » lisent sa réponse (« non précisé » "
        "pour qui ne l'a pas donnée). Ne change plus une fois le questionnaire ouvert.",
    )

    def __init__(self, *args, locked=False, creating=False, questionnaire=None, **kwargs):
        super().__init__(*args, **kwargs)
        if creating or questionnaire is None:
            del self.fields["respondent_type_question"]
        else:
            field = self.fields["respondent_type_question"]
            field.queryset = questionnaire.questions.filter(kind=Question.Kind.SINGLE_CHOICE).order_by(
                "section__order", "section_id", "order", "id"
            )
            field.label_from_instance = lambda q: q.label
        if locked:
            for name in ("anonymous", "retention_months", "respondent_type_question"):
                if name in self.fields:
                    self.fields[name].disabled = True
        if not creating:
            self.fields["privacy_notice"].required = True
            self.fields[
                "privacy_notice"
            ].help_text = "Responsable du traitement, finalité, durée de conservation, droits."


class SectionForm(DsfrForm):
    title = forms.CharField(label="Titre de la section", max_length=200)
    description = forms.CharField(
        label="Description", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class QuestionForm(DsfrForm):
    section = forms.ModelChoiceField(label="Section", queryset=None, empty_label=None)
    kind = forms.ChoiceField(label="Type de question", choices=Question.Kind.choices)
    label = forms.CharField(label="Intitulé", max_length=500)
    help = forms.CharField(label="Aide", required=False, max_length=500)
    required = forms.BooleanField(label="Réponse obligatoire", required=False)
    field = forms.ChoiceField(
        label="Champ de la CTG",
        required=False,
        choices=[("", "Aucun"), *Field.choices],
        help_text="Les résultats de la question figurent dans la partie de ce champ du document du "
        "diagnostic partagé.",
    )
    options_text = forms.CharField(
        label="Réponses proposées (une par ligne)",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Pour un choix unique, un choix multiple ou un classement : au moins deux.",
    )
    allow_other = forms.BooleanField(
        label="Proposer « Autre (préciser) »", required=False, help_text="Choix unique ou multiple."
    )
    min_value = forms.DecimalField(
        label="Minimum", required=False, help_text="Échelle (1 par défaut) ou nombre.", decimal_places=2
    )
    max_value = forms.DecimalField(
        label="Maximum", required=False, help_text="Échelle (5 par défaut) ou nombre.", decimal_places=2
    )
    min_label = forms.CharField(label="Libellé du minimum (échelle)", required=False, max_length=100)
    max_label = forms.CharField(label="Libellé du maximum (échelle)", required=False, max_length=100)
    schedule_days = forms.ChoiceField(
        label="Jours de la grille horaire", choices=Question.ScheduleDays.choices
    )
    schedule_slots = forms.ChoiceField(
        label="Créneaux de la grille horaire", choices=Question.ScheduleSlots.choices
    )
    condition_question = forms.ModelChoiceField(
        label="Afficher seulement selon la réponse à",
        queryset=None,
        required=False,
        empty_label="Toujours afficher",
        help_text="Une question placée avant celle-ci.",
    )
    condition_operator = forms.ChoiceField(
        label="Condition", required=False, choices=[("", "—"), *Question.Operator.choices]
    )
    condition_option = forms.ModelChoiceField(
        label="Réponse attendue (pour « est » et « n'est pas »)", queryset=None, required=False
    )

    def __init__(self, *args, questionnaire, question=None, **kwargs):
        super().__init__(*args, **kwargs)
        from ctg.surveys.models import Option

        self.fields["section"].queryset = questionnaire.sections.order_by("order", "id")
        earlier = questionnaire.questions.select_related("section").order_by("section__order", "order", "id")
        if question is not None:
            earlier = earlier.exclude(pk=question.pk)
            del self.fields["options_text"]
        self.fields["condition_question"].queryset = earlier
        self.fields["condition_question"].label_from_instance = lambda q: q.label
        self.fields["condition_option"].queryset = Option.objects.filter(
            question__questionnaire=questionnaire
        ).select_related("question")
        self.fields["condition_option"].label_from_instance = lambda o: f"{o.question.label} — {o.label}"


class QuestionFieldForm(DsfrForm):
    field = forms.ChoiceField(
        label="Champ de la CTG", required=False, choices=[("", "Aucun"), *Field.choices]
    )


class OptionForm(DsfrForm):
    label = forms.CharField(label="Réponse proposée", max_length=300)


class LinkForm(DsfrForm):
    channel = forms.CharField(
        label="Canal de diffusion",
        max_length=100,
        help_text="Par exemple « mail CAF », « école », « mairie », « réseaux sociaux ».",
    )


class LinksGenerateForm(DsfrForm):
    channel = forms.CharField(
        label="Canal (partenaire)", max_length=100, help_text="Par exemple « Mission locale »."
    )
    count = forms.IntegerField(label="Nombre de liens", min_value=1, max_value=LINKS_AT_ONCE_MAX, initial=10)


class AccessForm(DsfrForm):
    respondent_key = forms.EmailField(
        label="Adresse électronique de la personne",
        max_length=254,
        help_text="Celle donnée en répondant au questionnaire.",
    )
    format = forms.ChoiceField(label="Format", choices=[("csv", "CSV"), ("json", "JSON")])
