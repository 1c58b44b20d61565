"""The floor below every domain app: who created and changed a row (`TrackedModel`) and the dossier's history
(`HistoryEntry`, written only through `ctg.core.history`; read its docstring for the usage guide).

`core` imports no `ctg` app and names none in a foreign key. The history belongs to a dossier, whose model
lives in a domain app: it is named by the setting `CTG_DOSSIER_MODEL` ("conventions.Ctg"), the way
`AUTH_USER_MODEL` names the user model (the migration depends on it through `swappable_dependency`).
This keeps one concrete history table, shared by every app, without core knowing the dossier's app (an
abstract base with the concrete model in conventions would leave the apps above importing the history from
conventions, and core's `history_record` looking the model up at run time). What caused a change (a committee
decision…) is recorded generically (`cause_type` "app_label.model_name" and `cause_id`), like the item the
change concerns (`item_type` / `item_id`), so no foreign key points up to an app above.
"""

from django.apps import apps
from django.conf import settings
from django.db import models


class TrackedModel(models.Model):
    """Who created and last changed a row, and when."""

    created_at = models.DateTimeField("créé le", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="créé par",
    )
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="modifié par",
    )

    class Meta:
        abstract = True


class Action(models.TextChoices):
    """What a history line records: one member per kind of object changed (no free strings)."""

    # The dossier (conventions)
    DOSSIER_CREATE = "creation", "Création du dossier"
    DOSSIER_UPDATE = "modification", "Modification du dossier"
    STATUS = "statut", "Statut"
    RENEWAL = "renouvellement", "Renouvellement"
    SIGNATORY = "signataire", "Signataire"
    SIGNATURE = "signature", "Signature"
    PARTNER = "partenaire", "Partenaire associé"
    MEMBER = "membre", "Membre"
    MILESTONE = "jalon", "Jalon"
    # The plan d'action (plans)
    ENJEU = "enjeu", "Enjeu"
    OBJECTIVE = "objectif", "Objectif"
    FICHE = "fiche", "Fiche action"
    STEPS = "calendrier", "Calendrier d'une fiche"
    BUDGET = "budget", "Budget"
    INDICATOR = "indicateur", "Indicateur"
    INDICATOR_VALUE = "valeur_indicateur", "Valeur d'indicateur"
    ATTACHMENT = "piece_jointe", "Pièce jointe"
    COMMENT = "commentaire", "Commentaire"
    BILAN = "bilan", "Bilan annuel"
    PLAN_IMPORT = "import_plan", "Import du plan"
    # The steering (governance)
    BODY = "instance", "Instance"
    MEETING = "reunion", "Réunion"
    DECISION = "decision", "Décision"
    POST = "poste", "Poste de coordination"
    POST_FUNDING = "financement_poste", "Financement du poste"
    ACTIVITY_REPORT = "rapport_activite", "Rapport d'activité"
    # The convention's documents (documents)
    CONVENTION = "convention", "Convention générée"
    # The offer of services (offer)
    SCENARIO = "scenario", "Scénario de l'offre de services"
    # The qualitative diagnostic (findings, surveys, ateliers), its document and the public page
    FINDING = "constat", "Constat"
    SURVEY = "questionnaire", "Questionnaire"
    SURVEY_LINK = "lien_questionnaire", "Lien de diffusion d'un questionnaire"
    SURVEY_ANSWERS = "reponses_questionnaire", "Réponses à un questionnaire"
    ATELIER = "atelier", "Atelier"
    DIAGNOSTIC_REPORT = "document_diagnostic", "Document du diagnostic partagé"
    PUBLICATION = "publication", "Page publique de la CTG"
    # The CAF's view and funding (issue 14)
    SCENARIO_FUNDING = "financement_scenario", "Financement d'un scénario"
    FUNDING_CONVENTION = "convention_financement_poste", "Convention de financement du poste"
    # Production and the end of the cycle (issues 15 and 16)
    DOSSIER_IMPORT = "import_dossier", "Import du dossier"
    FINAL_EVALUATION = "evaluation_finale", "Évaluation finale"


class HistoryQuerySet(models.QuerySet):
    def with_causes(self) -> "HistoryQuerySet":
        """Loads the causes of the lines read (one query per kind of cause) instead of one query a line."""
        clone = self._chain()
        clone._with_causes = True
        return clone

    def _clone(self):
        clone = super()._clone()
        clone._with_causes = getattr(self, "_with_causes", False)
        return clone

    def _fetch_all(self):
        fetched = self._result_cache is None
        super()._fetch_all()
        if fetched and getattr(self, "_with_causes", False):
            load_causes(self._result_cache)

    def caused_by(self, obj) -> "HistoryQuerySet":
        return self.filter(cause_type=obj._meta.label_lower, cause_id=obj.pk)


_UNSET = object()


class HistoryEntry(models.Model):
    """One change to a dossier: who, when, what (a French summary and the changed values, keyed by field
    name; `labelled_changes` gives them with their French labels)."""

    ctg = models.ForeignKey(
        settings.CTG_DOSSIER_MODEL, on_delete=models.CASCADE, related_name="history", verbose_name="dossier"
    )
    at = models.DateTimeField("date", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="auteur",
    )
    action = models.CharField("action", max_length=50, choices=Action.choices)
    # The item of the dossier the change concerns (a fiche action, an enjeu…), to show its history on it.
    item_type = models.CharField("type d'élément", max_length=40, blank=True, db_index=True)
    item_id = models.PositiveBigIntegerField("élément", null=True, blank=True)
    # The item's version after the change, for items under optimistic locking (the fiche action).
    item_version = models.PositiveIntegerField("version de l'élément", null=True, blank=True)
    summary = models.CharField("résumé", max_length=500)
    changes = models.JSONField("modifications", default=dict, blank=True)
    # What caused the change, when something did (a committee decision): "app_label.model_name" and its id.
    cause_type = models.CharField("type de cause", max_length=60, blank=True, db_index=True)
    cause_id = models.PositiveBigIntegerField("cause", null=True, blank=True)

    objects = HistoryQuerySet.as_manager()

    class Meta:
        verbose_name = "entrée d'historique"
        verbose_name_plural = "historique"
        ordering = ["-at", "-id"]

    def __str__(self):
        return self.summary

    @property
    def cause(self):
        """The object that caused the change (None when nothing did, or when it was deleted)."""
        cached = self.__dict__.get("_cause", _UNSET)
        if cached is _UNSET:
            load_causes([self])
            cached = self.__dict__["_cause"]
        return cached

    @property
    def labelled_changes(self) -> dict:
        """The changes with their French labels, as the history page shows them."""
        from ctg.core.history import labelled_changes

        return labelled_changes(self)


def load_causes(entries) -> None:
    """Sets the cause of each entry, with one query per kind of cause. A cause model may name the relations
    its label needs in `history_cause_select` (select_related)."""
    wanted: dict[str, set] = {}
    for entry in entries:
        entry.__dict__["_cause"] = None
        if entry.cause_type and entry.cause_id is not None:
            wanted.setdefault(entry.cause_type, set()).add(entry.cause_id)
    for cause_type, ids in wanted.items():
        try:
            model = apps.get_model(cause_type)
        except (LookupError, ValueError):
            continue
        found = model._default_manager.select_related(*getattr(model, "history_cause_select", ())).in_bulk(
            ids
        )
        for entry in entries:
            if entry.cause_type == cause_type:
                entry.__dict__["_cause"] = found.get(entry.cause_id)
