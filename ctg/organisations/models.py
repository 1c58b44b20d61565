"""Organisations (CAF, EPCI, communes, Département, MSA, State, partners) and the people who log in."""

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models

from ctg.core.models import TrackedModel
from ctg.territories.models import Commune, Departement, Epci


class Organisation(models.Model):
    class Kind(models.TextChoices):
        CAF = "caf", "Caisse d'allocations familiales"
        EPCI = "epci", "Intercommunalité (EPCI)"
        COMMUNE = "commune", "Commune"
        DEPARTEMENT = "departement", "Conseil départemental"
        SERVICE_DEPARTEMENT = "service_departement", "Service du Département (PMI, ASE…)"
        MSA = "msa", "Mutualité sociale agricole (MSA)"
        ETAT = "etat", "Service de l'État"
        ASSOCIATION = "association", "Association"
        CCAS = "ccas", "Centre communal d'action sociale (CCAS)"
        MISSION_LOCALE = "mission_locale", "Mission locale"
        PRESTATAIRE = "prestataire", "Bureau d'études ou prestataire"
        AUTRE = "autre", "Autre partenaire"

    name = models.CharField("nom", max_length=250)
    kind = models.CharField("type", max_length=20, choices=Kind.choices)
    departement = models.ForeignKey(
        Departement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name="département",
        help_text="Obligatoire pour une CAF, un Conseil départemental ou un service du Département.",
    )
    epci = models.ForeignKey(
        Epci,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name="EPCI",
    )
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name="commune",
    )
    siret = models.CharField("SIRET", max_length=14, blank=True)
    is_fictitious = models.BooleanField(
        "fictive", default=False, help_text="Organisation de démonstration : affichée comme fictive."
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        verbose_name = "organisation"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind__in=["caf", "departement", "service_departement"])
                | models.Q(departement__isnull=False),
                name="departemental_kinds_have_departement",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="epci") | models.Q(epci__isnull=False), name="epci_has_epci"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="commune") | models.Q(commune__isnull=False),
                name="commune_has_commune",
            ),
        ]

    def __str__(self):
        return self.name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("L'adresse électronique est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person; logs in with their email address."""

    username = None
    email = models.EmailField("adresse électronique", unique=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name="organisation",
    )
    job_title = models.CharField("fonction", max_length=200, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = "personne"
        ordering = ["last_name", "first_name", "email"]

    def __str__(self):
        full = self.get_full_name()
        return full or self.email

    @property
    def is_caf_adviser(self) -> bool:
        return self.organisation_id is not None and self.organisation.kind == Organisation.Kind.CAF


class SchemaAxis(TrackedModel):
    """An axis of the Schéma départemental des services aux familles (SDSF), recorded by the CAF of its
    département (issue 14): « Développer l'offre d'accueil du jeune enfant », « Soutenir la parentalité »…
    The enjeux of the plans d'action are tagged with it (`plans.Enjeu.schema_axes`); the CAF's dashboard shows
    which axes each CTG covers. Written by the CAF's staff (`PlatformOp.MANAGE_SCHEMA_AXES`) only."""

    caf = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="schema_axes",
        verbose_name="CAF",
        limit_choices_to={"kind": Organisation.Kind.CAF},
    )
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, related_name="schema_axes", verbose_name="département"
    )
    code = models.CharField(
        "numéro", max_length=10, help_text="Numéro de l'axe dans le schéma, par exemple « 2 »."
    )
    title = models.CharField("intitulé", max_length=300)
    description = models.TextField("description", blank=True)
    schema_period = models.CharField(
        "période du schéma", max_length=20, blank=True, help_text="Par exemple « 2020-2024 »."
    )
    position = models.PositiveSmallIntegerField("ordre", default=0)
    is_active = models.BooleanField("en vigueur", default=True)

    class Meta:
        verbose_name = "axe du schéma départemental des services aux familles"
        verbose_name_plural = "axes du schéma départemental des services aux familles"
        ordering = ["departement", "position", "code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["caf", "departement", "code"], name="schema_axis_unique_code"),
        ]

    def __str__(self):
        return f"Axe {self.code} — {self.title}"
