"""The inventory of the offer of services of a territory (issue 12): structures, the imports that fed them and
the history of each structure.

A structure is never deleted. Its `status` says what is known of it (ouvert, en projet with its expected
opening, fermé); whether the last import of its source still listed it is a separate fact,
`missing_from_source` (« absent de la dernière source »): a site missing from a list may have closed, moved
or been renamed, so the import does not decide it closed. Every write goes through `ctg.offer.services`,
which records who changed what in `StructureEvent` (the dossier history of `ctg.core` belongs to one dossier,
while the inventory of a territory is shared by every CTG that covers it).
"""

from django.conf import settings
from django.db import models

from ctg.core.models import TrackedModel
from ctg.offer import typology
from ctg.organisations.models import Organisation
from ctg.territories.models import Commune


class OfferImport(models.Model):
    """One import of a source file (or several files of one source) into the inventory."""

    source = models.CharField("source", max_length=50)
    source_name = models.CharField("fichiers importés", max_length=500)
    source_sha256 = models.CharField("SHA-256 des fichiers importés", max_length=64, blank=True)
    rows_read = models.PositiveIntegerField("lignes lues")
    created = models.PositiveIntegerField("structures créées", default=0)
    updated = models.PositiveIntegerField("structures mises à jour", default=0)
    unchanged = models.PositiveIntegerField("structures inchangées", default=0)
    marked_missing = models.PositiveIntegerField("structures absentes de la source", default=0)
    back_in_source = models.PositiveIntegerField("structures de retour dans la source", default=0)
    # {département: {"rows": n, "created": n, "updated": n, "unchanged": n, "missing": n, "back": n}}
    by_departement = models.JSONField("par département", default=dict, blank=True)
    imported_at = models.DateTimeField("importé le", auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="importé par",
    )
    # Who imported when `imported_by` is empty (a command run on the server).
    imported_as = models.CharField("importé en tant que", max_length=250, blank=True)

    class Meta:
        verbose_name = "import de l'offre de services"
        verbose_name_plural = "imports de l'offre de services"
        ordering = ["-imported_at", "-id"]

    def __str__(self):
        return f"Import {self.source} du {self.imported_at:%d/%m/%Y %H:%M}"


class Structure(TrackedModel):
    """A place or service of the offer of the territory (a crèche, a France Services, a centre social…)."""

    class Status(models.TextChoices):
        OPEN = "ouvert", "Ouvert"
        PLANNED = "en_projet", "En projet"
        CLOSED = "ferme", "Fermé"

    class Accessibility(models.TextChoices):
        UNKNOWN = "inconnue", "Non renseignée"
        FULL = "accessible", "Accessible aux personnes à mobilité réduite"
        PARTIAL = "partielle", "Partiellement accessible"
        NONE = "non_accessible", "Non accessible"

    type = models.CharField("type", max_length=40, choices=typology.choices())
    name = models.CharField("nom", max_length=250)
    manager = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offer_structures",
        verbose_name="gestionnaire",
    )
    address = models.CharField("adresse", max_length=250, blank=True)
    address_complement = models.CharField("complément d'adresse", max_length=250, blank=True)
    postcode = models.CharField("code postal", max_length=5, blank=True)
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="offer_structures", verbose_name="commune"
    )
    # The commune code as the source gives it (an older COG, a municipal arrondissement), when it differs.
    source_commune_code = models.CharField("code commune de la source", max_length=5, blank=True)
    latitude = models.FloatField("latitude (WGS84)", null=True, blank=True)
    longitude = models.FloatField("longitude (WGS84)", null=True, blank=True)
    public = models.CharField("public", max_length=250, blank=True)
    ages = models.CharField("âges", max_length=100, blank=True)
    capacity = models.PositiveIntegerField("capacité (places)", null=True, blank=True)
    opening_hours = models.CharField(
        "horaires d'ouverture",
        max_length=500,
        blank=True,
        help_text="Syntaxe OpenStreetMap « opening_hours », par exemple « Mo-Fr 09:00-12:00,13:30-17:00 ».",
    )
    hours_note = models.TextField("précisions sur l'accueil", blank=True)
    is_mobile = models.BooleanField(
        "itinérant", default=False, help_text="Un bus ou un service qui se déplace."
    )
    phone = models.CharField("téléphone", max_length=30, blank=True)
    # As published: some sources give two addresses or a truncated one; not checked as one address.
    email = models.CharField("courriel", max_length=254, blank=True)
    website = models.URLField("site internet", max_length=500, blank=True)
    source = models.CharField("source", max_length=50, help_text="Par exemple anct-france-services.")
    source_id = models.CharField("identifiant dans la source", max_length=100, blank=True)
    # What the source says beyond our fields (format of the site, group, labelling…), as published.
    source_details = models.JSONField("informations de la source", default=dict, blank=True)
    # CAF funding: codes of `ctg.offer.funding` (a list, JSON so that SQLite and PostgreSQL store it alike).
    caf_funding = models.JSONField("financements de la CAF", default=list, blank=True)
    caf_funding_note = models.CharField("précisions sur les financements", max_length=500, blank=True)
    accessibility = models.CharField(
        "accessibilité", max_length=20, choices=Accessibility.choices, default=Accessibility.UNKNOWN
    )
    accessibility_note = models.CharField("précisions sur l'accessibilité", max_length=500, blank=True)
    accessibility_url = models.URLField(
        "fiche d'accessibilité",
        max_length=500,
        blank=True,
        help_text="Par exemple la fiche acceslibre.beta.gouv.fr du lieu.",
    )
    last_update = models.DateField("dernière mise à jour", null=True, blank=True)
    status = models.CharField("statut", max_length=20, choices=Status.choices, default=Status.OPEN)
    expected_opening = models.DateField("ouverture prévue", null=True, blank=True)
    missing_from_source = models.BooleanField(
        "absent de la dernière source",
        default=False,
        help_text="La dernière liste importée de sa source ne la contient plus "
        "(fermée, déplacée ou renommée ?).",
    )
    missing_since = models.DateField("absent de la source depuis", null=True, blank=True)
    is_fictitious = models.BooleanField(
        "fictive", default=False, help_text="Structure de démonstration : affichée comme fictive."
    )

    class Meta:
        verbose_name = "structure de l'offre de services"
        verbose_name_plural = "structures de l'offre de services"
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"],
                condition=~models.Q(source_id=""),
                name="offer_structure_unique_source_id",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="en_projet") | models.Q(expected_opening__isnull=False),
                name="offer_planned_has_expected_opening",
            ),
        ]
        indexes = [models.Index(fields=["type", "commune"], name="offer_structure_type_commune")]

    def __str__(self):
        return self.name

    def delete(self, *args, **kwargs):
        raise ValueError(
            "Une structure de l'offre de services n'est jamais supprimée : passez son statut à « fermé »."
        )

    @property
    def type_info(self) -> typology.OfferType:
        return typology.BY_CODE[self.type]


class StructureEvent(models.Model):
    """One change of a structure: who, when, what (values written by `ctg.core.history.history_value`)."""

    class Kind(models.TextChoices):
        CREATED = "creation", "Création"
        UPDATED = "modification", "Modification"
        MISSING = "absente_source", "Absente de la dernière source"
        BACK = "retour_source", "De retour dans la source"

    structure = models.ForeignKey(
        Structure, on_delete=models.CASCADE, related_name="events", verbose_name="structure"
    )
    offer_import = models.ForeignKey(
        OfferImport,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name="import",
    )
    kind = models.CharField("nature", max_length=20, choices=Kind.choices)
    at = models.DateTimeField("date", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="auteur",
    )
    summary = models.CharField("résumé", max_length=500)
    changes = models.JSONField("modifications", default=dict, blank=True)

    class Meta:
        verbose_name = "historique d'une structure"
        verbose_name_plural = "historique des structures"
        ordering = ["-at", "-id"]

    def __str__(self):
        return self.summary


class Scenario(TrackedModel):
    """A « what if » of the dossier's offer (issue 12, item 5): « une micro-crèche de 12 places à
    Rambervillers, ouverture 2025 ». Its lines say what changes (a structure created, an existing one
    closed); `ctg.offer.scenarios` computes the coverage and the white zones before and after, without
    writing to the inventory. Saved with the dossier, read by every member, written by its editors through
    `ctg.offer.scenarios` (each change in the dossier's history). The funding side (issue 14) hangs on the
    lines: the inputs of the CAF's rules are fields of `ScenarioLine`, the amounts are computed
    (`ctg.offer.scenario_funding`), never stored."""

    ctg = models.ForeignKey(
        "conventions.Ctg", on_delete=models.CASCADE, related_name="offer_scenarios", verbose_name="dossier"
    )
    name = models.CharField("nom du scénario", max_length=200)
    description = models.TextField("description", blank=True)
    is_fictitious = models.BooleanField(
        "fictif", default=False, help_text="Scénario de démonstration : affiché comme fictif."
    )

    class Meta:
        verbose_name = "scénario de l'offre de services"
        verbose_name_plural = "scénarios de l'offre de services"
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class ScenarioLine(TrackedModel):
    """One change of a scenario: a structure created (type, places, commune of the dossier's territory,
    opening year, optional name) or an existing structure of the inventory closed (from a year)."""

    class Kind(models.TextChoices):
        CREATE = "creation", "Création d'une structure"
        CLOSE = "fermeture", "Fermeture d'une structure existante"

    scenario = models.ForeignKey(
        Scenario, on_delete=models.CASCADE, related_name="lines", verbose_name="scénario"
    )
    kind = models.CharField("nature", max_length=20, choices=Kind.choices, default=Kind.CREATE)
    type = models.CharField("type", max_length=40, choices=typology.choices(), blank=True)
    name = models.CharField("nom de la structure", max_length=250, blank=True)
    places = models.PositiveIntegerField("places", null=True, blank=True)
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="commune",
    )
    year = models.PositiveSmallIntegerField("année d'ouverture")
    # For a closure: the structure of the inventory that closes (never changed by the scenario).
    structure = models.ForeignKey(
        Structure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="scenario_lines",
        verbose_name="structure fermée",
    )
    position = models.PositiveIntegerField("ordre", default=0)
    # The funding side (issue 14): what the CAF's rules need beyond type, places, commune and year; empty
    # until someone types it (`ctg.offer.scenario_funding.line_funding_set`), never guessed.
    bonus_tranche = models.CharField("tranche du bonus territoire", max_length=10, blank=True)
    participation_horaire = models.DecimalField(
        "participation horaire moyenne des familles (€)",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
    )
    handicap_share = models.DecimalField(
        "part des enfants en situation de handicap (%)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
    )
    reserved_places = models.PositiveIntegerField("places réservées (CTRE)", null=True, blank=True)
    contracted_hours = models.PositiveIntegerField(
        "heures conventionnées existantes (ALSH)", null=True, blank=True
    )
    requested_hours = models.PositiveIntegerField("heures nouvelles demandées (ALSH)", null=True, blank=True)
    cost_per_place = models.DecimalField(
        "coût de fonctionnement par place et par an (€)",
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = "ligne d'un scénario"
        verbose_name_plural = "lignes des scénarios"
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="fermeture", structure__isnull=False)
                | models.Q(kind="creation", commune__isnull=False),
                name="offer_scenario_line_complete",
            ),
        ]

    def __str__(self):
        if self.kind == self.Kind.CLOSE:
            return f"Fermeture de « {self.structure} » en {self.year}"
        what = typology.BY_CODE[self.type].label if self.type in typology.BY_CODE else self.type
        places = f" de {self.places} places" if self.places else ""
        return f"{what}{places} à {self.commune}, ouverture {self.year}"
