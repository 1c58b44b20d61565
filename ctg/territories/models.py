"""The administrative map of France (COG): régions, départements, EPCI, communes.

Official codes are the primary keys. The import never deletes: a territory that left the COG is kept and
marked obsolete (`is_active=False`) so that dossiers and statistics that point to it keep working.
"""

from django.db import models
from django.urls import reverse

from ctg.territories import french
from ctg.territories.text import normalize


class Region(models.Model):
    code = models.CharField("code Insee", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=200)
    is_active = models.BooleanField("en vigueur", default=True)

    class Meta:
        verbose_name = "région"
        ordering = ["code"]

    def __str__(self):
        return self.name


class Departement(models.Model):
    code = models.CharField("code Insee", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=200)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="departements", verbose_name="région"
    )
    # Lower-cased, accent-free name for searching on SQLite and PostgreSQL alike.
    search_name = models.CharField(max_length=200, db_index=True, editable=False, default="")
    # INSEE « TNCC » (COG `typeLiaison`, 0 to 8): the article of the name and how « de » joins it; see
    # ctg.territories.french. Unknown (None) until the next `load_territories`.
    type_liaison = models.PositiveSmallIntegerField("type de liaison (TNCC)", null=True, blank=True)
    is_active = models.BooleanField("en vigueur", default=True)

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs):
        self.search_name = normalize(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("territories:departement", args=[self.code])

    @property
    def name_of(self):
        """« de la Haute-Vienne »."""
        return french.of(self.name, self.type_liaison)


class Epci(models.Model):
    class Nature(models.TextChoices):
        CC = "CC", "Communauté de communes"
        CA = "CA", "Communauté d'agglomération"
        CU = "CU", "Communauté urbaine"
        METRO = "METRO", "Métropole"
        MET69 = "MET69", "Métropole de Lyon"

    siren = models.CharField("SIREN", max_length=9, primary_key=True)
    name = models.CharField("nom", max_length=250)
    nature = models.CharField("nature", max_length=5, choices=Nature.choices)
    financing = models.CharField("mode de financement", max_length=10, blank=True)
    population = models.PositiveIntegerField("population municipale", null=True, blank=True)
    # Lower-cased, accent-free name for searching on SQLite and PostgreSQL alike.
    search_name = models.CharField(max_length=250, db_index=True, editable=False, default="")
    is_active = models.BooleanField("en vigueur", default=True)

    class Meta:
        verbose_name = "EPCI"
        verbose_name_plural = "EPCI"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.search_name = normalize(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("territories:epci", args=[self.siren])

    @property
    def code(self):
        return self.siren


class Commune(models.Model):
    code = models.CharField("code Insee", max_length=5, primary_key=True)
    name = models.CharField("nom", max_length=200)
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, related_name="communes", verbose_name="département"
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="communes", verbose_name="région"
    )
    epci = models.ForeignKey(
        Epci, on_delete=models.SET_NULL, null=True, blank=True, related_name="communes", verbose_name="EPCI"
    )
    population = models.PositiveIntegerField("population municipale", null=True, blank=True)
    postal_codes = models.CharField(
        "codes postaux", max_length=200, blank=True, help_text="Séparés par des espaces."
    )
    siren = models.CharField("SIREN", max_length=9, blank=True)
    # Lower-cased, accent-free name for searching on SQLite and PostgreSQL alike.
    search_name = models.CharField(max_length=200, db_index=True, editable=False)
    # INSEE « TNCC » (COG `typeLiaison`, 0 to 8): the article of the name and how « de » joins it; see
    # ctg.territories.french. Unknown (None) until the next `load_territories`.
    type_liaison = models.PositiveSmallIntegerField("type de liaison (TNCC)", null=True, blank=True)
    is_active = models.BooleanField("en vigueur", default=True)

    class Meta:
        verbose_name = "commune"
        ordering = ["name", "code"]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs):
        self.search_name = normalize(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("territories:commune", args=[self.code])

    @property
    def name_of(self):
        """« du Vigen », « d'Aureil »."""
        return french.of(self.name, self.type_liaison)

    @property
    def postal_code_list(self):
        return self.postal_codes.split()


class FormerCommuneCode(models.Model):
    """A code that existed in an older COG (commune déléguée, associée, or merged) and its current commune."""

    class Kind(models.TextChoices):
        DELEGUEE = "deleguee", "Commune déléguée"
        ASSOCIEE = "associee", "Commune associée"
        FORMER = "ancien", "Ancien code"

    code = models.CharField("ancien code Insee", max_length=5)
    name = models.CharField("nom", max_length=200, blank=True)
    # A déléguée or associée still exists inside its commune nouvelle; an "ancien code" lives on in old files
    # only.
    kind = models.CharField("nature", max_length=10, choices=Kind.choices, default=Kind.FORMER)
    commune = models.ForeignKey(
        Commune, on_delete=models.CASCADE, related_name="former_codes", verbose_name="commune actuelle"
    )

    class Meta:
        verbose_name = "ancien code de commune"
        verbose_name_plural = "anciens codes de communes"
        constraints = [models.UniqueConstraint(fields=["code", "commune"], name="unique_former_code")]
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} → {self.commune_id}"


class TerritoryImport(models.Model):
    """One successful import of the COG files; its hash lets the next import skip unchanged files."""

    source = models.CharField("dossier source", max_length=500)
    source_hash = models.CharField("empreinte SHA-256 des fichiers", max_length=64, db_index=True)
    imported_at = models.DateTimeField("importé le", auto_now_add=True)
    duration = models.FloatField("durée (s)", default=0)
    counts = models.JSONField("décomptes", default=dict)

    class Meta:
        verbose_name = "import du référentiel territorial"
        verbose_name_plural = "imports du référentiel territorial"
        ordering = ["-imported_at"]
        get_latest_by = "imported_at"

    def __str__(self):
        return f"Import du {self.imported_at:%d/%m/%Y %H:%M}"
