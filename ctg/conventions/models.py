"""The CTG dossier: territory, parties, period, fields, phase of work and signature (accord-cadre or
convention, avenants), members and milestones. Its history (`HistoryEntry`) and `TrackedModel` live in
`ctg.core`."""

import datetime
import unicodedata

from django.conf import settings
from django.db import models

from ctg.core.models import TrackedModel
from ctg.organisations.models import Organisation
from ctg.organisations.permissions import Role
from ctg.territories import french
from ctg.territories.models import Commune, Epci


def _sort_key(name: str) -> str:
    """Alphabetical order as people read it: accents and case aside (« Éyjeaux » before « Feytiat »)."""
    return "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c)).casefold()


def territory_label(*, epci, communes, excluded=()) -> str:
    """The name of a territory: « CC du Val de Vienne », « Limoges Métropole, communes membres hors Aureil et
    Boisseuil », or the communes' names (`communes`, `excluded`: names)."""
    if epci is not None:
        excluded = sorted(excluded, key=_sort_key)
        if excluded:
            return f"{epci.name}, communes membres hors {french.join_fr(excluded)}"
        return epci.name
    return ", ".join(communes)


class Field(models.TextChoices):
    """The thématiques of a CTG (domain.md)."""

    PETITE_ENFANCE = "petite_enfance", "Petite enfance (0-3 ans)"
    ENFANCE = "enfance", "Enfance (3-11 ans)"
    JEUNESSE = "jeunesse", "Jeunesse (11-25 ans)"
    PARENTALITE = "parentalite", "Parentalité"
    ANIMATION_VIE_SOCIALE = "animation_vie_sociale", "Animation de la vie sociale"
    ACCES_DROITS = "acces_droits", "Accès aux droits et inclusion numérique"
    HANDICAP = "handicap", "Handicap et inclusion"
    LOGEMENT = "logement", "Logement et cadre de vie"
    SENIORS = "seniors", "Seniors"
    MOBILITE = "mobilite", "Mobilité"


class Phase(models.TextChoices):
    """The phase of work of a CTG, apart from its signature (an accord-cadre may be signed in préparation,
    the plan d'action added later by avenant). Moves: `services.PHASE_MOVES`."""

    PREPARATION = "preparation", "Préparation"
    DIAGNOSTIC = "diagnostic", "Diagnostic"
    PLAN_ACTION = "plan_action", "Plan d'action"
    MISE_EN_OEUVRE = "mise_en_oeuvre", "Mise en œuvre"
    EVALUATION = "evaluation", "Évaluation"
    CLOSE = "close", "Terminée"


# The steps of the step bar: the five phases of work; a CTG « terminée » shows the last one, done.
PHASE_STEPS = (Phase.PREPARATION, Phase.DIAGNOSTIC, Phase.PLAN_ACTION, Phase.MISE_EN_OEUVRE, Phase.EVALUATION)


class Agreement(models.TextChoices):
    """What the initial convention is, chosen before it is signed: an accord-cadre (the commitment to work
    together, the plan d'action comes later by avenant) or a complete convention (with its plan d'action)."""

    CONVENTION = "convention", "Convention complète"
    ACCORD_CADRE = "accord_cadre", "Accord-cadre"


class DatePrecision(models.TextChoices):
    """How much of a date is known: the day, or only the month (« octobre 2023 », stored as its first day)."""

    DAY = "day", "Jour"
    MONTH = "month", "Mois"


def date_label(value, precision: str = DatePrecision.DAY) -> str:
    """« 21 novembre 2022 », or « octobre 2023 » for a date whose day is unknown."""
    from django.utils.formats import date_format

    if value is None:
        return ""
    if precision == DatePrecision.MONTH:
        return date_format(value, "F Y")
    return date_format(value, "j F Y")


class Ctg(TrackedModel):
    title = models.CharField("intitulé", max_length=250)
    caf = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="ctgs",
        limit_choices_to={"kind": Organisation.Kind.CAF},
        verbose_name="CAF",
    )
    epci = models.ForeignKey(
        Epci,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ctgs",
        verbose_name="EPCI",
        help_text="Vide quand la convention porte sur une liste de communes.",
    )
    communes = models.ManyToManyField(Commune, related_name="ctgs", verbose_name="communes")
    # A dossier on an EPCI minus some of its communes (« Limoges Métropole, communes membres hors Limoges »):
    # `epci` set, the communes left out here, `communes` = the EPCI's members minus these.
    excluded_communes = models.ManyToManyField(
        Commune,
        blank=True,
        related_name="+",
        verbose_name="communes membres exclues",
        help_text="Communes de l'EPCI qui ne font pas partie de la convention.",
    )
    # A stable key of the territory (EPCI SIREN, with its excluded communes, or sorted commune codes); the
    # overlap of two dossiers is checked on their communes (`services.territory._check_no_overlap`).
    territory_key = models.CharField(max_length=2000, editable=False, db_index=True)
    start_year = models.PositiveSmallIntegerField("année de début")
    end_year = models.PositiveSmallIntegerField("année de fin")
    fields = models.JSONField("champs d'intervention", default=list)
    phase = models.CharField("phase", max_length=20, choices=Phase.choices, default=Phase.PREPARATION)
    phase_changed_at = models.DateTimeField("phase modifiée le", null=True, blank=True)
    agreement = models.CharField(
        "convention initiale",
        max_length=20,
        choices=Agreement.choices,
        default=Agreement.CONVENTION,
        help_text="Accord-cadre (le plan d'action viendra par avenant) ou convention complète.",
    )
    previous = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="renewal",
        verbose_name="CTG précédente",
    )
    partners = models.ManyToManyField(
        Organisation,
        through="Partner",
        related_name="partner_ctgs",
        blank=True,
        verbose_name="partenaires associés",
    )
    is_fictitious = models.BooleanField("fictif (démonstration)", default=False)

    class Meta:
        verbose_name = "dossier CTG"
        verbose_name_plural = "dossiers CTG"
        ordering = ["-start_year", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_year__gte=models.F("start_year")), name="ctg_period_ordered"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def period_label(self) -> str:
        return f"{self.start_year}-{self.end_year}"

    @property
    def duration_years(self) -> int:
        return self.end_year - self.start_year + 1

    def get_fields_display(self) -> list[str]:
        labels = dict(Field.choices)
        return [labels.get(value, value) for value in self.fields]

    @property
    def territory_code(self) -> str:
        """The EPCI's SIREN for a whole EPCI; else the codes of the dossier's communes (an EPCI minus some
        communes is not the EPCI)."""
        if self.epci_id and self.covers_whole_epci:
            return self.epci_id
        return ",".join(sorted(c.code for c in self.communes.all()))

    @property
    def signature_date(self):
        """The date the convention was signed: the last signature, once every signatory has signed."""
        dates = [s.signed_on for s in self.signatories.all()]
        if not dates or None in dates:
            return None
        return max(dates)

    @property
    def is_signed(self) -> bool:
        """True once every signatory has signed (in any phase): period, territory and signatories then
        change only by avenant."""
        return self.signature_date is not None

    @property
    def phase_step(self) -> int:
        """The phase's step in the step bar, from 1 (a CTG « terminée » is on the last step)."""
        return PHASE_STEPS.index(self.phase) + 1 if self.phase in PHASE_STEPS else len(PHASE_STEPS)

    @property
    def signature_label(self) -> str:
        """« Accord-cadre signé le 21 novembre 2022 · 1 avenant », « Convention complète : 1 signature sur
        3 », « Convention complète non signée »."""
        signatories = list(self.signatories.all())
        kind = Agreement(self.agreement).label
        dates = [s.signed_on for s in signatories]
        signed = max(dates) if dates and None not in dates else None
        if signed is None:
            done = sum(1 for s in signatories if s.signed_on)
            if not done:
                return f"{kind} non signée" if self.agreement == Agreement.CONVENTION else f"{kind} non signé"
            return f"{kind} : {done} signature{'s' if done > 1 else ''} sur {len(signatories)}"
        word = "signée" if self.agreement == Agreement.CONVENTION else "signé"
        text = f"{kind} {word} le {date_label(signed)}"
        avenants = sum(1 for a in self.avenants.all() if a.signed_on)
        if avenants:
            text += f" · {avenants} avenant{'s' if avenants > 1 else ''}"
        return text

    @property
    def excluded_names(self) -> list[str]:
        """The names of the EPCI's communes left out of the dossier, alphabetical (empty for a whole EPCI or a
        list of communes)."""
        if not self.epci_id:
            return []
        return sorted((c.name for c in self.excluded_communes.all()), key=_sort_key)

    @property
    def covers_whole_epci(self) -> bool:
        """True for a dossier on every commune of its EPCI; False on a list of communes or an EPCI minus some
        communes (then the portrait and the convention read `communes`, not the EPCI)."""
        return bool(self.epci_id) and not self.excluded_communes.exists()

    @property
    def territory_name(self) -> str:
        """« CC du Val de Vienne », « Limoges Métropole, communes membres hors Aureil et Boisseuil », or the
        list of communes."""
        if self.epci_id:
            return territory_label(epci=self.epci, communes=(), excluded=self.excluded_names)
        return territory_label(epci=None, communes=[c.name for c in self.communes.all()])

    @property
    def territory_of(self) -> str:
        """« de » and the territory, for « le territoire de … »: « de la CC du Val de Vienne », « de Limoges
        Métropole, communes membres hors Limoges », « des communes d'Aureil et du Vigen »."""
        if self.epci_id:
            text = french.epci_of(self.epci.name, self.epci.nature)
            excluded = self.excluded_names
            return f"{text}, communes membres hors {french.join_fr(excluded)}" if excluded else text
        return french.communes_of(self.communes.order_by("name"))


class Membership(TrackedModel):
    ctg = models.ForeignKey(Ctg, on_delete=models.CASCADE, related_name="memberships", verbose_name="dossier")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name="personne",
    )
    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    communes = models.ManyToManyField(
        Commune,
        blank=True,
        related_name="+",
        verbose_name="communes suivies",
        help_text="Pour un·e référent·e communal·e : les communes dont il ou elle s'occupe.",
    )

    class Meta:
        verbose_name = "membre"
        ordering = ["role", "user__last_name", "user__email"]
        constraints = [models.UniqueConstraint(fields=["ctg", "user"], name="unique_membership")]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()}"


def signed_scan_path(instance, filename):
    return f"conventions/{instance.ctg_id}/signatures/{instance.organisation_id}/{filename}"


class Signatory(TrackedModel):
    ctg = models.ForeignKey(Ctg, on_delete=models.CASCADE, related_name="signatories", verbose_name="dossier")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="signatures", verbose_name="organisation"
    )
    signer_name = models.CharField("signataire", max_length=200)
    signer_capacity = models.CharField(
        "qualité", max_length=200, help_text="Par exemple : Président, Directrice."
    )
    position = models.PositiveSmallIntegerField("ordre", default=0)
    signed_on = models.DateField("signé le", null=True, blank=True)
    signed_scan = models.FileField("exemplaire signé", upload_to=signed_scan_path, blank=True)
    signature_recorded_at = models.DateTimeField("signature enregistrée le", null=True, blank=True)
    signature_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="signature enregistrée par",
    )

    class Meta:
        verbose_name = "signataire"
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ctg", "organisation"], name="unique_signatory_organisation")
        ]

    def __str__(self):
        return f"{self.organisation} — {self.signer_name}, {self.signer_capacity}"


class Partner(TrackedModel):
    """A partner associated with the CTG (not a signatory) and its role in it, in the person's words
    (« porte le Relais petite enfance », « réalise le diagnostic »). Its table is the one the plain
    many-to-many `Ctg.partners` used (migration 0008_parties)."""

    ctg = models.ForeignKey(
        Ctg, on_delete=models.CASCADE, related_name="partnerships", verbose_name="dossier"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="partnerships", verbose_name="organisation"
    )
    role = models.CharField(
        "rôle dans la CTG",
        max_length=300,
        blank=True,
        help_text="Par exemple : porte le Relais petite enfance, réalise le diagnostic.",
    )

    class Meta:
        db_table = "conventions_ctg_partners"
        verbose_name = "partenaire associé"
        verbose_name_plural = "partenaires associés"
        constraints = [models.UniqueConstraint(fields=["ctg", "organisation"], name="unique_ctg_partner")]

    def __str__(self):
        return f"{self.organisation} — {self.role}" if self.role else str(self.organisation)


class Milestone(TrackedModel):
    class Kind(models.TextChoices):
        LANCEMENT = "lancement", "Lancement de la démarche"
        DIAGNOSTIC = "diagnostic", "Lancement du diagnostic"
        RECRUTEMENT = "recrutement", "Recrutement du chargé de coopération"
        ATELIER = "atelier", "Atelier"
        RESTITUTION = "restitution", "Restitution du diagnostic"
        COMITE = "comite", "Comité de pilotage"
        SIGNATURE = "signature", "Signature de la convention"
        BILAN = "bilan", "Bilan annuel"
        EVALUATION = "evaluation", "Évaluation finale"
        AUTRE = "autre", "Autre"

    ctg = models.ForeignKey(Ctg, on_delete=models.CASCADE, related_name="milestones", verbose_name="dossier")
    kind = models.CharField("type", max_length=20, choices=Kind.choices)
    title = models.CharField("intitulé", max_length=250)
    date = models.DateField("date", help_text="Le premier du mois quand seul le mois est connu.")
    date_precision = models.CharField(
        "précision de la date", max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    done = models.BooleanField("réalisé", default=False)
    notes = models.TextField("notes", blank=True)

    class Meta:
        verbose_name = "jalon"
        ordering = ["date", "id"]

    def __str__(self):
        return f"{self.date_short} — {self.title}"

    @property
    def date_label(self) -> str:
        """« 11 mars 2024 », or « octobre 2023 » when only the month is known."""
        return date_label(self.date, self.date_precision)

    @property
    def period_end(self):
        """The last day the milestone may be on: its date, or the last day of its month (« en retard »
        after)."""
        if self.date_precision == DatePrecision.MONTH:
            following = (self.date.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
            return following - datetime.timedelta(days=1)
        return self.date

    @property
    def date_short(self) -> str:
        """« 11/03/2024 », or « 10/2023 » when only the month is known."""
        if self.date_precision == DatePrecision.MONTH:
            return f"{self.date:%m/%Y}"
        return f"{self.date:%d/%m/%Y}"


class Avenant(TrackedModel):
    """An avenant to the signed convention (« Ajout du plan d'action »), numbered in the order recorded,
    with the date it was signed once it is."""

    ctg = models.ForeignKey(Ctg, on_delete=models.CASCADE, related_name="avenants", verbose_name="dossier")
    number = models.PositiveSmallIntegerField("numéro")
    title = models.CharField("objet", max_length=250, help_text="Par exemple : Ajout du plan d'action.")
    signed_on = models.DateField("signé le", null=True, blank=True)
    notes = models.TextField("notes", blank=True)

    class Meta:
        verbose_name = "avenant"
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["ctg", "number"], name="unique_avenant_number")]

    def __str__(self):
        return f"Avenant n° {self.number} : {self.title}"
