"""The plan d'action of a CTG: enjeux → objectifs stratégiques → objectifs opérationnels → fiches action, with
their budget by funder and year, their indicators and yearly values.

Numbering is never stored: it follows the positions (Enjeu 1 › Objectif 1.2 › Fiche 1.2.3), see `numbering`.
Every edited table records who and when; every change goes through `services` and lands in the dossier's
history with the item it concerns.
"""

from django.db import models

from ctg.conventions.models import Ctg, Field
from ctg.core.models import TrackedModel
from ctg.findings.models import Finding
from ctg.organisations.models import Organisation
from ctg.territories.models import Commune


class Enjeu(TrackedModel):
    ctg = models.ForeignKey(Ctg, on_delete=models.CASCADE, related_name="enjeux", verbose_name="dossier")
    title = models.CharField("intitulé", max_length=300)
    description = models.TextField("description", blank=True)
    fields = models.JSONField("champs d'intervention", default=list, blank=True)
    # Ids of portrait indicators (points of attention) that justify the enjeu.
    attention_indicators = models.JSONField("indicateurs du portrait liés", default=list, blank=True)
    # The findings of the diagnostic partagé (`ctg.findings`) that ground the enjeu, cited through
    # `services.findings` (the text « constats qualitatifs » became findings in plans 0006-0008).
    findings = models.ManyToManyField(
        Finding, blank=True, related_name="enjeux", verbose_name="constats du diagnostic"
    )
    # Rows of « Besoins et offre » (`ctg.offer.needs`) cited as evidence, each a snapshot written by
    # `services.evidence.evidence_cite`: field, territory (code, kind, name), the row's figures as computed
    # (label, value, text, unit, status, source, caveat) and the date computed. The inventory changes: the
    # enjeu's page shows the cited figure and, beside it, the current one when it differs.
    needs_evidence = models.JSONField("constats chiffrés de l'offre", default=list, blank=True)
    # The axes of the CAF's Schéma départemental des services aux familles the enjeu serves (issue 14): only
    # the axes of the dossier's CAF and département, checked by the service that writes them.
    schema_axes = models.ManyToManyField(
        "organisations.SchemaAxis",
        blank=True,
        related_name="enjeux",
        verbose_name="axes du schéma départemental des services aux familles",
    )
    position = models.PositiveIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "enjeu"
        ordering = ["ctg", "position", "id"]

    def __str__(self):
        return self.title


class StrategicObjective(TrackedModel):
    enjeu = models.ForeignKey(
        Enjeu, on_delete=models.CASCADE, related_name="objectives", verbose_name="enjeu"
    )
    title = models.CharField("intitulé", max_length=300)
    description = models.TextField("description", blank=True)
    position = models.PositiveIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "objectif stratégique"
        verbose_name_plural = "objectifs stratégiques"
        ordering = ["enjeu", "position", "id"]

    def __str__(self):
        return self.title


class OperationalObjective(TrackedModel):
    strategic = models.ForeignKey(
        StrategicObjective,
        on_delete=models.CASCADE,
        related_name="operational",
        verbose_name="objectif stratégique",
    )
    title = models.CharField("intitulé", max_length=300)
    description = models.TextField("description", blank=True)
    position = models.PositiveIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "objectif opérationnel"
        verbose_name_plural = "objectifs opérationnels"
        ordering = ["strategic", "position", "id"]

    def __str__(self):
        return self.title


class FicheAction(TrackedModel):
    class Status(models.TextChoices):
        A_VENIR = "a_venir", "À venir"
        EN_COURS = "en_cours", "En cours"
        REALISEE = "realisee", "Réalisée"
        EN_PAUSE = "en_pause", "En pause"
        ABANDONNEE = "abandonnee", "Abandonnée"

    class Priority(models.TextChoices):
        HAUTE = "haute", "Haute"
        MOYENNE = "moyenne", "Moyenne"
        BASSE = "basse", "Basse"

    ctg = models.ForeignKey(Ctg, on_delete=models.CASCADE, related_name="fiches", verbose_name="dossier")
    objectives = models.ManyToManyField(
        OperationalObjective, related_name="fiches", verbose_name="objectifs opérationnels"
    )
    # Position under its first objective, for the numbering.
    position = models.PositiveIntegerField("ordre", default=0)
    title = models.CharField("intitulé", max_length=300)
    fields = models.JSONField("champs d'intervention", default=list, blank=True)
    context = models.TextField("contexte", blank=True)
    description = models.TextField("description", blank=True)
    target_public = models.TextField("public visé", blank=True)
    all_communes = models.BooleanField("toutes les communes du territoire", default=True)
    communes = models.ManyToManyField(
        Commune, blank=True, related_name="fiches", verbose_name="communes concernées"
    )
    pilot_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="piloted_fiches",
        verbose_name="organisation pilote",
    )
    pilot_person = models.CharField("personne pilote", max_length=200, blank=True)
    partners = models.ManyToManyField(
        Organisation, blank=True, related_name="partner_fiches", verbose_name="partenaires"
    )
    start_date = models.DateField("début", null=True, blank=True)
    end_date = models.DateField("fin", null=True, blank=True)
    status = models.CharField("statut", max_length=20, choices=Status.choices, default=Status.A_VENIR)
    priority = models.CharField("priorité", max_length=10, choices=Priority.choices, default=Priority.MOYENNE)
    notes = models.TextField("notes internes", blank=True)
    # Optimistic locking: a save based on an older version is refused.
    version = models.PositiveIntegerField("version", default=1)

    # The scenario of the offer of services this fiche was made from (« Transformer en fiche action »).
    source_scenario = models.ForeignKey(
        "offer.Scenario",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fiches",
        verbose_name="scénario d'origine",
    )
    # The fiche of the previous CTG this one continues (a renewal, `ctg.plans.services.renewal`): its history
    # stays readable there.
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="continuations",
        verbose_name="reprise de la fiche",
    )

    class Meta:
        verbose_name = "fiche action"
        verbose_name_plural = "fiches action"
        ordering = ["ctg", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="fiche_dates_ordered",
            )
        ]

    def __str__(self):
        return self.title

    def get_fields_display(self) -> list[str]:
        labels = dict(Field.choices)
        return [labels.get(value, value) for value in self.fields]


class FicheStep(TrackedModel):
    """A yearly step of a fiche's calendar."""

    fiche = models.ForeignKey(
        FicheAction, on_delete=models.CASCADE, related_name="steps", verbose_name="fiche"
    )
    year = models.PositiveSmallIntegerField("année")
    description = models.TextField("étape")

    class Meta:
        verbose_name = "étape annuelle"
        ordering = ["fiche", "year", "id"]


class Funder(models.TextChoices):
    CAF = "caf", "CAF"
    DEPARTEMENT = "departement", "Département"
    EPCI = "epci", "EPCI"
    COMMUNES = "communes", "Communes"
    MSA = "msa", "MSA"
    ETAT = "etat", "État"
    AUTRE = "autre", "Autre"


class BudgetLine(TrackedModel):
    fiche = models.ForeignKey(
        FicheAction, on_delete=models.CASCADE, related_name="budget", verbose_name="fiche"
    )
    year = models.PositiveSmallIntegerField("année")
    funder = models.CharField("financeur", max_length=20, choices=Funder.choices)
    planned = models.DecimalField("prévu (€)", max_digits=12, decimal_places=2, default=0)
    spent = models.DecimalField("réalisé (€)", max_digits=12, decimal_places=2, default=0)

    class Meta:
        verbose_name = "ligne de budget"
        verbose_name_plural = "budget"
        ordering = ["fiche", "year", "funder"]
        constraints = [
            models.UniqueConstraint(fields=["fiche", "year", "funder"], name="unique_budget_line"),
            models.CheckConstraint(
                condition=models.Q(planned__gte=0) & models.Q(spent__gte=0), name="budget_positive"
            ),
        ]


class PlanIndicator(TrackedModel):
    class Direction(models.TextChoices):
        UP = "up", "À la hausse"
        DOWN = "down", "À la baisse"

    class Nature(models.TextChoices):
        RESULT = "result", "Résultat"
        MEANS = "means", "Moyens"

    fiche = models.ForeignKey(
        FicheAction, on_delete=models.CASCADE, related_name="indicators", verbose_name="fiche"
    )
    label = models.CharField("intitulé", max_length=300)
    unit = models.CharField("unité", max_length=60, blank=True)
    direction = models.CharField(
        "sens souhaité", max_length=4, choices=Direction.choices, default=Direction.UP
    )
    nature = models.CharField("nature", max_length=10, choices=Nature.choices, default=Nature.RESULT)
    baseline_value = models.DecimalField(
        "valeur de référence", max_digits=16, decimal_places=4, null=True, blank=True
    )
    baseline_year = models.PositiveSmallIntegerField("année de référence", null=True, blank=True)
    # When set, baseline and realised values fill from the imported open data for this territory.
    portrait_indicator = models.CharField("indicateur du portrait", max_length=80, blank=True)
    territory_code = models.CharField("territoire (code)", max_length=9, blank=True)
    position = models.PositiveIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "indicateur de la fiche"
        verbose_name_plural = "indicateurs des fiches"
        ordering = ["fiche", "position", "id"]

    def __str__(self):
        return self.label


class IndicatorValue(TrackedModel):
    class Kind(models.TextChoices):
        TARGET = "target", "Cible"
        REALISED = "realised", "Réalisé"

    class Origin(models.TextChoices):
        TYPED = "typed", "Saisie"
        OPEN_DATA = "open_data", "Données ouvertes"

    indicator = models.ForeignKey(
        PlanIndicator, on_delete=models.CASCADE, related_name="values", verbose_name="indicateur"
    )
    year = models.PositiveSmallIntegerField("année")
    kind = models.CharField("type", max_length=10, choices=Kind.choices)
    value = models.DecimalField("valeur", max_digits=16, decimal_places=4)
    origin = models.CharField("origine", max_length=10, choices=Origin.choices, default=Origin.TYPED)
    source = models.CharField("source", max_length=300, blank=True)

    class Meta:
        verbose_name = "valeur d'indicateur"
        verbose_name_plural = "valeurs d'indicateurs"
        ordering = ["indicator", "year", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year", "kind"], name="unique_indicator_value")
        ]


class Comment(TrackedModel):
    fiche = models.ForeignKey(
        FicheAction, on_delete=models.CASCADE, related_name="comments", verbose_name="fiche"
    )
    text = models.TextField("commentaire")

    class Meta:
        verbose_name = "commentaire"
        ordering = ["fiche", "created_at", "id"]


def attachment_path(instance, filename):
    return f"plans/{instance.fiche.ctg_id}/{instance.fiche_id}/{filename}"


class Attachment(TrackedModel):
    fiche = models.ForeignKey(
        FicheAction, on_delete=models.CASCADE, related_name="attachments", verbose_name="fiche"
    )
    file = models.FileField("fichier", upload_to=attachment_path)
    title = models.CharField("intitulé", max_length=250, blank=True)

    class Meta:
        verbose_name = "pièce jointe"
        verbose_name_plural = "pièces jointes"
        ordering = ["fiche", "created_at", "id"]
