"""The record of each import of an official statistics file into the store (`ctg.diagnostics.store`).

The figures themselves live in Parquet files, not in the database: a row here says which file was imported,
by whom and when, and what the import could not place on the current COG; what it replaced (the previous
file is kept under ``stats/_previous/<id>/`` so that the import can be undone) and who undid it; what it
covered (the whole vintage, or the territories of its file, merged with the others) and what it changed. Each
row of the store names the import that wrote it (column ``import_id``, `reader.provenance`).
"""

import uuid

from django.conf import settings
from django.db import models


class DatasetImport(models.Model):
    """One successful import of a dataset vintage; the latest per (kind, year) is the file in the store."""

    class Kind(models.TextChoices):
        FILOSOFI_COM = "filosofi_com", "Insee, FiLoSoFi – communes"
        RP_DOSSIER_COMPLET = "rp_dossier_complet", "Insee, recensement – dossier complet"
        CAF_IRIS = "caf_iris", "Insee-Cnaf, allocataires CAF par IRIS"
        BPE = "bpe", "Insee, base permanente des équipements"
        CAF_TXCOUV_COM = "caf_txcouv_com", "Cnaf, taux de couverture accueil jeune enfant – communes"
        CAF_TXCOUV_EPCI = "caf_txcouv_epci", "Cnaf, taux de couverture accueil jeune enfant – EPCI"
        CAF_TXCOUV_DEP = "caf_txcouv_dep", "Cnaf, taux de couverture accueil jeune enfant – départements"
        CAF_COMMUNE = "caf_commune", "Cnaf, données communales des allocataires (data.caf.fr)"
        FILOSOFI_IRIS = "filosofi_iris", "Insee, FiLoSoFi – IRIS (revenus déclarés)"

    class Coverage(models.TextChoices):
        FRANCE = "france", "Toute la France (millésime remplacé en entier)"
        TERRITORIES = "territoires", "Territoires du fichier (les autres sont gardés)"

    kind = models.CharField("jeu de données", max_length=40, choices=Kind.choices)
    year = models.PositiveSmallIntegerField("millésime")
    source_name = models.CharField("fichier importé", max_length=255)
    # Relative to settings.DATA_DIR, so that the data directory can move.
    path = models.CharField("fichier Parquet", max_length=500)
    rows_read = models.PositiveIntegerField("lignes lues")
    # For the datasets by EPCI or département (Cnaf coverage rates): the EPCI or départements recognised.
    communes_matched = models.PositiveIntegerField("communes reconnues")
    codes_mapped = models.PositiveIntegerField(
        "codes rattachés à une commune actuelle",
        help_text="Codes d'anciennes communes (fusions, communes déléguées ou associées).",
    )
    arrondissements = models.PositiveIntegerField("arrondissements municipaux conservés", default=0)
    unknown_codes = models.JSONField("codes inconnus", default=list, blank=True)
    is_fictitious = models.BooleanField(
        "fictif",
        default=False,
        help_text="Données générées pour la démonstration : toute page qui les montre le signale.",
    )
    imported_at = models.DateTimeField("importé le", auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="importé par",
    )
    # Who imported when `imported_by` is empty (a command run on the server), and with which scope.
    imported_as = models.CharField("importé en tant que", max_length=250, blank=True)
    # The records saved together (one file, or one command) share a batch: they are undone together.
    batch = models.UUIDField("lot", default=uuid.uuid4, db_index=True, editable=False)
    source_sha256 = models.CharField("SHA-256 du fichier importé", max_length=64, blank=True)
    stored_sha256 = models.CharField("SHA-256 du fichier Parquet écrit", max_length=64, blank=True)
    territories_count = models.PositiveIntegerField("territoires écrits", default=0)
    # The codes written (communes, EPCI or départements), kept when they are few; the départements always.
    codes = models.JSONField("codes écrits", default=list, blank=True)
    departements = models.JSONField("départements concernés", default=list, blank=True)
    previous_sha256 = models.CharField(
        "SHA-256 du millésime remplacé",
        max_length=64,
        blank=True,
        help_text="Vide : le millésime était absent.",
    )
    previous_path = models.CharField("copie du millésime remplacé", max_length=500, blank=True)
    # What the import replaced in its vintage (`ctg.diagnostics.store`): empty for the imports made before the
    # store merged territories (they replaced the whole vintage).
    coverage = models.CharField("périmètre remplacé", max_length=20, choices=Coverage.choices, blank=True)
    # Territories added, replaced and removed by the merge, and the départements replaced whole.
    changes = models.JSONField("changements", default=dict, blank=True)
    undone_at = models.DateTimeField("annulé le", null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="annulé par",
    )
    undone_as = models.CharField("annulé en tant que", max_length=250, blank=True)

    class Meta:
        verbose_name = "import de données statistiques"
        verbose_name_plural = "imports de données statistiques"
        ordering = ["-imported_at"]
        get_latest_by = "imported_at"
        indexes = [models.Index(fields=["kind", "year"], name="dataset_import_kind_year")]
        permissions = [
            (
                "manage_statistics",
                "Gérer les statistiques de toute la France (importer tout fichier, annuler un import)",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.year} ({self.imported_at:%d/%m/%Y %H:%M})"

    @property
    def replaced_vintage(self) -> bool:
        return bool(self.previous_sha256)

    @property
    def who(self) -> str:
        return str(self.imported_by) if self.imported_by_id else (self.imported_as or "Ligne de commande")

    @property
    def undone_who(self) -> str:
        return str(self.undone_by) if self.undone_by_id else (self.undone_as or "Ligne de commande")
