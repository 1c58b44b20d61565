"""The findings (constats) of the diagnostic partagé (issue 13): what the diagnostic found on the territory,
each an atout, a faiblesse, a besoin or a ressource, with its fields, communes, public, source and evidence.

The enjeux of the plan d'action cite them (`plans.Enjeu.findings`, related name `enjeux`). A source below
this floor is named by `source_ref` (a portrait indicator id of `ctg.diagnostics.catalogue.INDICATORS`, or a
row of the offer's needs table: its field code, optionally « :<territory code> »); a source above it (a
questionnaire's question, an atelier) by `source_type` ("surveys.question", "ateliers.atelier") and
`source_id`, resolved by the registry of `selectors.register_source`, with no foreign key up. Every write
goes through `ctg.findings.services`.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from ctg.conventions.models import Ctg, Field
from ctg.core.models import TrackedModel
from ctg.territories.models import Commune


class Finding(TrackedModel):
    class Kind(models.TextChoices):
        ATOUT = "atout", "Atout"
        FAIBLESSE = "faiblesse", "Faiblesse"
        BESOIN = "besoin", "Besoin"
        RESSOURCE = "ressource", "Ressource"
        A_QUALIFIER = "a_qualifier", "À qualifier"

    class SourceKind(models.TextChoices):
        INDICATOR = "indicateur", "Indicateur du portrait"
        OFFER = "offre", "Offre de services"
        QUESTION = "question", "Question d'un questionnaire"
        ATELIER = "atelier", "Atelier"
        INTERVIEW = "entretien", "Entretien"
        DOCUMENT = "document", "Document"
        TYPED = "saisie", "Saisie"

    class Weight(models.IntegerChoices):
        LOW = 1, "Secondaire"
        MEDIUM = 2, "Importante"
        HIGH = 3, "Majeure"

    ctg = models.ForeignKey(Ctg, on_delete=models.CASCADE, related_name="constats", verbose_name="dossier")
    kind = models.CharField("type", max_length=20, choices=Kind.choices, default=Kind.A_QUALIFIER)
    title = models.CharField("constat", max_length=300)
    fields = models.JSONField("champs d'intervention", default=list, blank=True)
    communes = models.ManyToManyField(
        Commune,
        blank=True,
        related_name="constats",
        verbose_name="communes concernées",
        help_text="Aucune : tout le territoire.",
    )
    public = models.CharField("public concerné", max_length=300, blank=True)
    source_kind = models.CharField(
        "type de source", max_length=20, choices=SourceKind.choices, default=SourceKind.TYPED
    )
    # A source above this floor ("surveys.question", "ateliers.atelier"): no foreign key up.
    source_type = models.CharField("objet source", max_length=100, blank=True)
    source_id = models.PositiveIntegerField("identifiant de l'objet source", null=True, blank=True)
    # A portrait indicator id, or a needs row of the offer (field code, optionally « :<territory code> »).
    source_ref = models.CharField("référence de la source", max_length=100, blank=True)
    source_label = models.CharField("source", max_length=300, blank=True)
    evidence = models.TextField("élément probant", blank=True)
    weight = models.PositiveSmallIntegerField(
        "importance",
        choices=Weight.choices,
        default=Weight.MEDIUM,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
    )
    is_fictitious = models.BooleanField("fictif (démonstration)", default=False)

    class Meta:
        verbose_name = "constat"
        ordering = ["ctg", "-weight", "id"]
        indexes = [models.Index(fields=["source_type", "source_id"], name="finding_source")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gte=1) & models.Q(weight__lte=3), name="finding_weight_1_3"
            ),
        ]

    def __str__(self):
        return self.title

    def get_fields_display(self) -> list[str]:
        labels = dict(Field.choices)
        return [labels.get(value, value) for value in self.fields]

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("findings:detail", args=[self.ctg_id, self.pk])
