"""The questionnaires of the diagnostic partagé (issue 13): their structure (sections, questions, options,
display conditions), the links that distribute them, and the responses.

Structure. A `Questionnaire` belongs to one dossier; its `Section`s are ordered, each holds ordered
`Question`s (a question also names its questionnaire, so that a question id is always checked against its
dossier in one query). Choice questions (choix unique, choix multiple, classement) have `Option`s, each with a
stable `code` (« o1 », « o2 »…) that survives a label change. A question may be shown only when an EARLIER
question meets a condition (`condition_question`, `condition_operator`, `condition_option`): the rules of
`ctg.surveys.rules` decide what is visible and what an answer may hold.

Lifecycle. brouillon → ouvert → fermé, and a closed questionnaire may be reopened. `anonymous` and
`retention_months` are locked once it has opened (`opened_at` is set); the test answers given while it was a
draft (`Response.is_test`) are purged when it opens. `ctg purge_answers` deletes the responses of a
questionnaire `retention_months` after its closing (`answers_purged_at` then records it).

Responses. One `Response` per submitted form (through a `Link`, or typed from paper by the coordination:
`entered_by`, channel « saisie papier »). One `Answer` per (response, question) answered, never for a hidden
question or a question left empty. `Answer.value` holds the normalised value (JSON), by kind:

- texte_court, texte_long: the text (str);
- choix_unique, choix_multiple: the ids of the chosen options (list of int; one at most for a choix unique,
  possibly empty when only « Autre (préciser) » was chosen, then `other_text` holds the precision);
- classement: the ids of every option of the question, first choice first (a permutation);
- echelle: the chosen step (int, between `min_value` and `max_value`);
- nombre: the number (int when whole, else float), between `min_value` and `max_value` when set;
- date: the ISO date « AAAA-MM-JJ » (str);
- grille_horaire: the codes of the checked cells, « <day>-<slot> » (« lun-matin », « mer-apres_midi »;
  days and slots in `rules.SCHEDULE_DAYS` / `rules.SCHEDULE_SLOTS`), in grid order;
- commune: the INSEE code of a commune of the dossier (str); the first commune question answered also sets
  `Response.commune`.

For counting, `Answer.options` (many-to-many to `Option`) repeats the chosen options of choice and ranking
questions, so that results count them in SQL (`Option.objects.annotate(n=Count("answers"))`) without reading
the JSON; the order of a ranking stays in `value`.

No address is stored with a response: throttling keeps a keyed hash of the address (HMAC-SHA256, key derived
from SECRET_KEY and the day) in `SubmissionMark`, unrelated to any response and deleted after a day.
"""

from django.conf import settings
from django.db import models

from ctg.conventions.models import Field
from ctg.core.models import TrackedModel
from ctg.territories.models import Commune

DEFAULT_PRIVACY_NOTICE = (
    "Ce questionnaire est proposé dans le cadre du diagnostic partagé de la Convention territoriale globale "
    "(CTG) signée entre la Caisse d'allocations familiales et votre territoire.\n\n"
    "Responsable du traitement : la collectivité qui coordonne la CTG, avec la CAF.\n"
    "Finalité : connaître les besoins des habitants et des familles pour construire le plan d'action de la "
    "CTG. Les réponses sont analysées de manière globale ; aucun résultat ne permet d'identifier une "
    "personne.\n"
    "Base légale : mission d'intérêt public. Répondre est facultatif.\n"
    "Données collectées : uniquement vos réponses. Votre adresse IP n'est pas conservée.\n"
    "Durée de conservation : les réponses sont supprimées au plus tard {retention} mois après la clôture du "
    "questionnaire.\n"
    "Vos droits : vous disposez d'un droit d'accès, de rectification, d'effacement et d'opposition "
    "(règlement général sur la protection des données, RGPD). Pour les exercer, adressez-vous au "
    "coordinateur ou à la coordinatrice de la CTG de votre territoire. Vous pouvez aussi adresser une "
    "réclamation à la CNIL (www.cnil.fr)."
)


def default_privacy_notice() -> str:
    return DEFAULT_PRIVACY_NOTICE.format(retention=12)


class Audience(models.TextChoices):
    INHABITANTS = "habitants", "Habitants"
    FAMILIES = "familles", "Familles"
    YOUTH = "jeunes", "Jeunes"
    PARTNERS = "partenaires", "Partenaires"
    ELECTED = "elus", "Élus"


class Questionnaire(TrackedModel):
    """A questionnaire of a dossier's diagnostic, from its draft to its closing."""

    class Status(models.TextChoices):
        DRAFT = "brouillon", "Brouillon"
        OPEN = "ouvert", "Ouvert"
        CLOSED = "ferme", "Fermé"

    ctg = models.ForeignKey(
        "conventions.Ctg", on_delete=models.CASCADE, related_name="questionnaires", verbose_name="dossier"
    )
    title = models.CharField("titre", max_length=200)
    audience = models.CharField("public visé", max_length=20, choices=Audience.choices)
    introduction = models.TextField("introduction", blank=True)
    privacy_notice = models.TextField(
        "mentions d'information (RGPD)",
        default=default_privacy_notice,
        help_text="Affichées avant les questions : responsable, finalité, durée de conservation, droits.",
    )
    anonymous = models.BooleanField(
        "anonyme",
        default=True,
        help_text="Un questionnaire non anonyme demande une adresse électronique pour le droit d'accès.",
    )
    retention_months = models.PositiveSmallIntegerField(
        "durée de conservation (mois après la clôture)", default=12
    )
    status = models.CharField("statut", max_length=20, choices=Status.choices, default=Status.DRAFT)
    opened_at = models.DateTimeField("ouvert le", null=True, blank=True)
    closed_at = models.DateTimeField("fermé le", null=True, blank=True)
    answers_purged_at = models.DateTimeField("réponses supprimées le", null=True, blank=True)
    is_fictitious = models.BooleanField("fictif", default=False)
    # « Vous êtes : parent / jeune / professionnel… »: a choix unique of this questionnaire whose chosen
    # option is the respondent's type in the results (`results.crosstab`); locked with the settings once
    # opened.
    respondent_type_question = models.ForeignKey(
        "Question",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="question qui donne le type de répondant",
    )

    class Meta:
        verbose_name = "questionnaire"
        verbose_name_plural = "questionnaires"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title

    @property
    def settings_locked(self) -> bool:
        """`anonymous`, `retention_months` and `respondent_type_question` no longer change once the
        questionnaire has opened."""
        return self.opened_at is not None

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Section(models.Model):
    """A page of a questionnaire (questions are shown section by section, in `order`)."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="sections", verbose_name="questionnaire"
    )
    order = models.PositiveIntegerField("ordre", default=0)
    title = models.CharField("titre", max_length=200)
    description = models.TextField("description", blank=True)

    class Meta:
        verbose_name = "section"
        verbose_name_plural = "sections"
        ordering = ["questionnaire", "order", "id"]

    def __str__(self):
        return self.title


class Question(models.Model):
    """A question; its kind says what its answer holds (see the module's docstring)."""

    class Kind(models.TextChoices):
        SHORT_TEXT = "texte_court", "Texte court"
        LONG_TEXT = "texte_long", "Texte long"
        SINGLE_CHOICE = "choix_unique", "Choix unique"
        MULTIPLE_CHOICE = "choix_multiple", "Choix multiple"
        SCALE = "echelle", "Échelle"
        RANKING = "classement", "Classement"
        SCHEDULE = "grille_horaire", "Grille horaire (semaine type)"
        COMMUNE = "commune", "Commune"
        NUMBER = "nombre", "Nombre"
        DATE = "date", "Date"

    class Operator(models.TextChoices):
        IS = "est", "est"
        IS_NOT = "n_est_pas", "n'est pas"
        ANSWERED = "a_repondu", "a répondu"
        NOT_ANSWERED = "n_a_pas_repondu", "n'a pas répondu"

    class ScheduleDays(models.TextChoices):
        WEEKDAYS = "lun-ven", "Du lundi au vendredi"
        SATURDAY = "lun-sam", "Du lundi au samedi"
        WEEK = "lun-dim", "Toute la semaine"

    class ScheduleSlots(models.TextChoices):
        HALF_DAYS = "demi_journees", "Matin et après-midi"
        SLOTS = "creneaux", "Créneaux (avant 8 h, matin, midi, après-midi, après 18 h)"

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions", verbose_name="questionnaire"
    )
    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="questions", verbose_name="section"
    )
    order = models.PositiveIntegerField("ordre", default=0)
    kind = models.CharField("type de question", max_length=20, choices=Kind.choices)
    label = models.CharField("intitulé", max_length=500)
    help = models.CharField("aide", max_length=500, blank=True)
    required = models.BooleanField("réponse obligatoire", default=False)
    # The CTG field the question bears on: its results go to that field's part of the diagnostic document.
    field = models.CharField("champ de la CTG", max_length=30, choices=Field.choices, blank=True)
    allow_other = models.BooleanField("proposer « Autre (préciser) »", default=False)
    # Échelle: the steps (1 to 5…) and the words at both ends; nombre: optional bounds.
    min_value = models.DecimalField("minimum", max_digits=12, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField("maximum", max_digits=12, decimal_places=2, null=True, blank=True)
    min_label = models.CharField("libellé du minimum", max_length=100, blank=True)
    max_label = models.CharField("libellé du maximum", max_length=100, blank=True)
    # Grille horaire: the days and the slots of the week's grid.
    schedule_days = models.CharField(
        "jours de la grille", max_length=10, choices=ScheduleDays.choices, default=ScheduleDays.WEEKDAYS
    )
    schedule_slots = models.CharField(
        "créneaux de la grille", max_length=20, choices=ScheduleSlots.choices, default=ScheduleSlots.HALF_DAYS
    )
    # Shown only when an earlier question meets the condition. The services refuse to delete a question or an
    # option that a condition uses (SET_NULL only serves the deletion of a whole questionnaire or dossier).
    condition_question = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dependents",
        verbose_name="affichée selon la question",
    )
    condition_operator = models.CharField("condition", max_length=20, choices=Operator.choices, blank=True)
    condition_option = models.ForeignKey(
        "Option",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="conditioned_questions",
        verbose_name="réponse attendue",
    )

    class Meta:
        verbose_name = "question"
        verbose_name_plural = "questions"
        ordering = ["section__order", "section_id", "order", "id"]

    def __str__(self):
        return self.label

    @property
    def has_options(self) -> bool:
        return self.kind in CHOICE_KINDS


CHOICE_KINDS = frozenset({Question.Kind.SINGLE_CHOICE, Question.Kind.MULTIPLE_CHOICE, Question.Kind.RANKING})


class Option(models.Model):
    """A choice of a choice or ranking question; `code` is stable (« o3 ») whatever its label becomes."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="options", verbose_name="question"
    )
    order = models.PositiveIntegerField("ordre", default=0)
    label = models.CharField("libellé", max_length=300)
    code = models.CharField("code", max_length=20)

    class Meta:
        verbose_name = "option"
        verbose_name_plural = "options"
        ordering = ["question", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["question", "code"], name="surveys_option_code_unique")
        ]

    def __str__(self):
        return self.label


class Link(TrackedModel):
    """A distribution link: public (one per channel, answered many times) or single-use (a partner's link,
    refused once `used_at` is set). An inactive link answers nothing."""

    class Kind(models.TextChoices):
        PUBLIC = "public", "Lien public"
        SINGLE_USE = "usage_unique", "Lien à usage unique"

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="links", verbose_name="questionnaire"
    )
    kind = models.CharField("type de lien", max_length=20, choices=Kind.choices, default=Kind.PUBLIC)
    channel = models.CharField(
        "canal de diffusion", max_length=100, help_text="Par exemple « mail CAF », « école »."
    )
    token = models.CharField("jeton", max_length=64, unique=True)
    used_at = models.DateTimeField("utilisé le", null=True, blank=True)
    is_active = models.BooleanField("actif", default=True)

    class Meta:
        verbose_name = "lien de diffusion"
        verbose_name_plural = "liens de diffusion"
        ordering = ["kind", "channel", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.channel}"


PAPER_CHANNEL = "saisie papier"


class Response(models.Model):
    """One submitted questionnaire. `channel` is copied from the link (« saisie papier » for paper entry);
    `respondent_type` is the questionnaire's audience (the results read the answer to the questionnaire's
    `respondent_type_question` instead when it has one); `respondent_key` (an email) only when the
    questionnaire is not anonymous, for the right of access."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="responses", verbose_name="questionnaire"
    )
    link = models.ForeignKey(
        Link, on_delete=models.SET_NULL, null=True, blank=True, related_name="responses", verbose_name="lien"
    )
    channel = models.CharField("canal", max_length=100)
    respondent_type = models.CharField("type de répondant", max_length=20, choices=Audience.choices)
    commune = models.ForeignKey(
        Commune, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="commune"
    )
    is_test = models.BooleanField("réponse de test", default=False)
    submitted_at = models.DateTimeField("envoyée le", auto_now_add=True, db_index=True)
    respondent_key = models.CharField("identifiant du répondant", max_length=254, blank=True, db_index=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="saisie par",
    )

    class Meta:
        verbose_name = "réponse"
        verbose_name_plural = "réponses"
        ordering = ["submitted_at", "id"]

    def __str__(self):
        return f"Réponse n° {self.pk} à « {self.questionnaire} »"


class Answer(models.Model):
    """The answer to one question in a response; `value` is normalised by kind (module docstring)."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", verbose_name="réponse"
    )
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="answers", verbose_name="question"
    )
    value = models.JSONField("valeur", null=True, blank=True)
    other_text = models.CharField("autre (précision)", max_length=500, blank=True)
    options = models.ManyToManyField(
        Option, blank=True, related_name="answers", verbose_name="options choisies"
    )

    class Meta:
        verbose_name = "réponse à une question"
        verbose_name_plural = "réponses aux questions"
        ordering = ["response", "question__section__order", "question__order", "id"]
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="surveys_answer_unique")]

    def __str__(self):
        return f"{self.question} : {self.value}"


class SubmissionMark(models.Model):
    """A submission seen from an address, for throttling only: the keyed hash of the address (never the
    address), the questionnaire and the time. Unrelated to the response; deleted after a day."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="+", verbose_name="questionnaire"
    )
    address_hash = models.CharField("empreinte de l'adresse", max_length=64, db_index=True)
    at = models.DateTimeField("le", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "envoi (limitation)"
        verbose_name_plural = "envois (limitation)"

    def __str__(self):
        return f"Envoi du {self.at:%d/%m/%Y %H:%M}"


from ctg.surveys.tags import AnswerTag  # noqa: E402,F401
