"""The convention document: the CAF's model (articles with placeholders), and each generated version of a
dossier's convention (initial text or avenant) with its files."""

from django.conf import settings
from django.db import models

from ctg.conventions.models import Agreement, Avenant, Ctg
from ctg.core.models import TrackedModel
from ctg.organisations.models import Organisation
from ctg.post.models import PostFunding


class ConventionTemplate(TrackedModel):
    """The model of convention of one CAF. Without one, the national default model is used."""

    caf = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        related_name="convention_template",
        limit_choices_to={"kind": Organisation.Kind.CAF},
        verbose_name="CAF",
    )

    class Meta:
        verbose_name = "modèle de convention"
        verbose_name_plural = "modèles de convention"

    def __str__(self):
        return f"Modèle de convention — {self.caf}"


class ConventionArticle(TrackedModel):
    """One article: a title and a text whose placeholders ({{ territoire.nom }}…) are checked on save."""

    template = models.ForeignKey(
        ConventionTemplate, on_delete=models.CASCADE, related_name="articles", verbose_name="modèle"
    )
    position = models.PositiveSmallIntegerField("ordre", default=0)
    key = models.SlugField(
        "repère", max_length=40, help_text="Identifiant stable de l'article (préambule, objet…)."
    )
    title = models.CharField("titre", max_length=250)
    body = models.TextField("texte")

    class Meta:
        verbose_name = "article du modèle"
        verbose_name_plural = "articles du modèle"
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["template", "key"], name="unique_article_key")]

    def __str__(self):
        return self.title


def version_path(instance, filename):
    return f"conventions/{instance.ctg_id}/versions/{instance.number}/{filename}"


class ConventionVersion(models.Model):
    """A generated convention, kept with its date: the initial convention or an avenant."""

    class Kind(models.TextChoices):
        CONVENTION = "convention", "Convention"
        AVENANT = "avenant", "Avenant"

    ctg = models.ForeignKey(
        Ctg, on_delete=models.CASCADE, related_name="convention_versions", verbose_name="dossier"
    )
    number = models.PositiveIntegerField("version")
    kind = models.CharField("nature", max_length=10, choices=Kind.choices, default=Kind.CONVENTION)
    avenant_number = models.PositiveIntegerField("n° d'avenant", null=True, blank=True)
    # The recorded avenant (conventions.Avenant) the document is for; kept (without its link) when the avenant
    # is deleted, with its number and subject.
    avenant = models.ForeignKey(
        Avenant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name="avenant",
    )
    subject = models.TextField("objet de l'avenant", blank=True)
    generated_at = models.DateTimeField("générée le", auto_now_add=True)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="générée par",
    )
    docx = models.FileField("document modifiable (DOCX)", upload_to=version_path, blank=True)
    pdf = models.FileField("document PDF", upload_to=version_path, blank=True)
    # The dossier's content the document was built from, to tell what an avenant changes.
    snapshot = models.JSONField("contenu", default=dict, blank=True)
    changes = models.JSONField("modifications par rapport à la version précédente", default=list, blank=True)

    class Meta:
        verbose_name = "version de la convention"
        verbose_name_plural = "versions de la convention"
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["ctg", "number"], name="unique_convention_version")]

    def __str__(self):
        return f"{self.label} (version {self.number})"

    @property
    def is_accord_cadre(self) -> bool:
        """True when the document is (or amends) an accord-cadre, as the dossier was when it was generated."""
        return self.snapshot.get("agreement") == Agreement.ACCORD_CADRE

    @property
    def label(self) -> str:
        """« Accord-cadre », « Convention » or « Avenant n° 2 »."""
        if self.kind == self.Kind.AVENANT:
            return f"Avenant n° {self.avenant_number}"
        return "Accord-cadre" if self.is_accord_cadre else "Convention"


# --- the diagnostic partagé document ------------------------------------------------------------------------


class DiagnosticReport(TrackedModel):
    """The editable texts of a dossier's diagnostic partagé document (the rest is built from the dossier at
    each generation, `ctg.documents.diagnostic`)."""

    ctg = models.OneToOneField(
        Ctg, on_delete=models.CASCADE, related_name="diagnostic_report", verbose_name="dossier"
    )
    introduction = models.TextField("introduction", blank=True)
    conclusions = models.TextField("conclusions", blank=True)

    class Meta:
        verbose_name = "document du diagnostic partagé"
        verbose_name_plural = "documents du diagnostic partagé"

    def __str__(self):
        return f"Document du diagnostic — {self.ctg}"


def diagnostic_version_path(instance, filename):
    return f"diagnostics/{instance.ctg_id}/versions/{instance.number}/{filename}"


class DiagnosticReportVersion(models.Model):
    """A generated diagnostic partagé document, kept with its date, like the convention's versions."""

    ctg = models.ForeignKey(
        Ctg, on_delete=models.CASCADE, related_name="diagnostic_versions", verbose_name="dossier"
    )
    number = models.PositiveIntegerField("version")
    generated_at = models.DateTimeField("générée le", auto_now_add=True)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="générée par",
    )
    docx = models.FileField("document modifiable (DOCX)", upload_to=diagnostic_version_path, blank=True)
    pdf = models.FileField("document PDF", upload_to=diagnostic_version_path, blank=True)
    # What the document was built from: its sections (titles, figures and their statuses counted), the
    # datasets with their vintages, the enjeux, the qualitative sources counted, fictitious or not.
    snapshot = models.JSONField("contenu", default=dict, blank=True)

    class Meta:
        verbose_name = "version du document du diagnostic"
        verbose_name_plural = "versions du document du diagnostic"
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["ctg", "number"], name="unique_diagnostic_version")]

    def __str__(self):
        return f"Diagnostic partagé (version {self.number})"


# --- the yearly funding convention of the coordinator post (issue 14) ------------------------------------


class PostConventionTemplate(TrackedModel):
    """One CAF's model of the yearly funding convention of a coordinator post. Without one, the default
    model (`ctg.documents.post_convention.DEFAULT_ARTICLES`) is used. A model of its own rather than a kind on
    `ConventionTemplate`, whose one-to-one link to the CAF the CTG convention's pages rely on."""

    caf = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        related_name="post_convention_template",
        limit_choices_to={"kind": Organisation.Kind.CAF},
        verbose_name="CAF",
    )

    class Meta:
        verbose_name = "modèle de convention de financement du poste"
        verbose_name_plural = "modèles de convention de financement du poste"

    def __str__(self):
        return f"Modèle de convention de financement du poste — {self.caf}"


class PostConventionArticle(TrackedModel):
    """One article of the CAF's model: its placeholders come from `post_convention.CATALOGUE`."""

    template = models.ForeignKey(
        PostConventionTemplate, on_delete=models.CASCADE, related_name="articles", verbose_name="modèle"
    )
    position = models.PositiveSmallIntegerField("ordre", default=0)
    key = models.SlugField("repère", max_length=40)
    title = models.CharField("titre", max_length=250)
    body = models.TextField("texte")

    class Meta:
        verbose_name = "article du modèle de convention de financement du poste"
        verbose_name_plural = "articles du modèle de convention de financement du poste"
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["template", "key"], name="unique_post_convention_article_key")
        ]

    def __str__(self):
        return self.title


def post_convention_path(instance, filename):
    return f"conventions/{instance.ctg_id}/poste/{instance.year}/{instance.number}/{filename}"


class PostConventionVersion(models.Model):
    """A generated yearly funding convention of the coordinator post, kept with its date and files."""

    ctg = models.ForeignKey(
        Ctg, on_delete=models.CASCADE, related_name="post_convention_versions", verbose_name="dossier"
    )
    funding = models.ForeignKey(
        PostFunding, on_delete=models.CASCADE, related_name="convention_versions", verbose_name="financement"
    )
    year = models.PositiveSmallIntegerField("année")
    number = models.PositiveIntegerField("version")
    generated_at = models.DateTimeField("générée le", auto_now_add=True)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="générée par",
    )
    docx = models.FileField("document modifiable (DOCX)", upload_to=post_convention_path, blank=True)
    pdf = models.FileField("document PDF", upload_to=post_convention_path, blank=True)
    snapshot = models.JSONField("contenu", default=dict, blank=True)

    class Meta:
        verbose_name = "version de la convention de financement du poste"
        verbose_name_plural = "versions de la convention de financement du poste"
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["funding", "number"], name="unique_post_convention_version")
        ]

    def __str__(self):
        return f"Convention de financement {self.year} (version {self.number})"
