"""The organisations a dossier's selects offer, in one place: every organisation select of a dossier (the
signatories and partners of the convention, the pilot and partners of a fiche, the members of a governance
body, the employer of the coordinator post) is built here, so that every form offers the same organisations,
grouped and named the same way.

**Which organisations** (`scoped_organisations`, on a `Scope` the dossier's app builds):
- of the territory: the organisations of its communes, of its EPCI (and of the EPCI its communes belong to);
- of its département(s): the Conseil départemental, the CAF, the services of the Département (PMI, ASE…) and
  every organisation whose département is one of the territory's, or whose commune lies in one of them;
- national: the organisations attached to no place (no commune, no EPCI, no département): the Cnaf, a State
  service or an association with no département, a national consultancy;
- whatever the dossier already names (`Scope.keep`: its CAF, signatories, partners, the values a form is
  showing), so that saving a form keeps them.
Fictitious organisations (demo data, `is_fictitious`) are offered only to a fictitious dossier.

**The one rule of every write** (`scope_problems`, `check_scope`): the same organisations are the only ones a
dossier may name, whoever writes (form, plan import, demo, API): every service that attaches an organisation
to a dossier (signatory, partner, member invited, fiche pilot and partners, governance body member, employer
of the coordinator post) calls `conventions.selectors.check_dossier_organisations`, which refuses any other
with a French message naming it; a form's select refusing a value not offered shows the same message
(`offer(refusal=...)`).

**How they are shown** (`grouped_choices`): grouped by type (one `<optgroup>` per type: « Communes »,
« Services du Département »…, in the order of the CTG's usual parties), sorted by name within a group
(accents ignored). A select with many options is searchable (`SEARCH_THRESHOLD`): the page's script
`ctg/select_filter.js` adds a search input that filters the options; without script the grouped select
works alone.

**Communes that sign directly.** A group can offer the communes of the territory that have no organisation
yet as `commune:<code>` values (`COMMUNE_PREFIX`); the field gives back the `Commune`, and the dossier's
service creates its organisation when it is chosen (`conventions.services.commune_organisation_ensure`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from ctg.organisations.models import Organisation
from ctg.territories import french
from ctg.territories.models import Commune

COMMUNE_PREFIX = "commune:"
# A select with more options than this gets a search input (ctg/select_filter.js).
SEARCH_THRESHOLD = 8

Kind = Organisation.Kind
# The groups of a select, in this order; a type missing here goes to the last group.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("CAF et MSA", (Kind.CAF, Kind.MSA)),
    ("Intercommunalités", (Kind.EPCI,)),
    ("Communes", (Kind.COMMUNE,)),
    ("Conseils départementaux", (Kind.DEPARTEMENT,)),
    ("Services du Département", (Kind.SERVICE_DEPARTEMENT,)),
    ("Services de l'État", (Kind.ETAT,)),
    ("CCAS", (Kind.CCAS,)),
    ("Missions locales", (Kind.MISSION_LOCALE,)),
    ("Associations", (Kind.ASSOCIATION,)),
    ("Bureaux d'études et prestataires", (Kind.PRESTATAIRE,)),
    ("Autres partenaires", (Kind.AUTRE,)),
)
GROUP_OF = {kind: label for label, kinds in GROUPS for kind in kinds}
LAST_GROUP = GROUPS[-1][0]


@dataclass(frozen=True)
class Scope:
    """Where a dossier stands: the INSEE codes of its communes, the SIREN of its EPCI (and of its communes'
    EPCI), the codes of its départements; whether it is fictitious; the organisations it already names."""

    commune_codes: frozenset[str] = frozenset()
    epci_ids: frozenset[str] = frozenset()
    departement_codes: frozenset[str] = frozenset()
    fictitious: bool = False
    keep: frozenset[int] = field(default_factory=frozenset)

    def keeping(self, *organisations) -> Scope:
        """The same scope, also keeping these organisations (instances or ids; None ignored)."""
        ids = {getattr(o, "pk", o) for o in organisations if o is not None}
        return Scope(
            self.commune_codes,
            self.epci_ids,
            self.departement_codes,
            self.fictitious,
            frozenset(self.keep | ids),
        )


def scoped_organisations(scope: Scope) -> QuerySet[Organisation]:
    """The organisations a dossier's selects offer (see the module's docstring)."""
    national = Q(commune__isnull=True, epci__isnull=True, departement__isnull=True)
    local = (
        national
        | Q(commune_id__in=scope.commune_codes)
        | Q(epci_id__in=scope.epci_ids)
        | Q(departement_id__in=scope.departement_codes)
        | Q(commune__departement_id__in=scope.departement_codes)
    )
    if not scope.fictitious:
        local &= Q(is_fictitious=False)
    return Organisation.objects.filter(local | Q(pk__in=scope.keep)).distinct()


def refusal_message(scope: Scope, organisation: Organisation) -> str:
    """Why a dossier may not name this organisation, in French, naming it."""
    if organisation.is_fictitious and not scope.fictitious:
        return (
            f"« {organisation} » est une organisation fictive (démonstration) : elle ne peut être nommée que "
            "dans le dossier de démonstration."
        )
    return (
        f"« {organisation} » n'est ni du territoire du dossier, ni de son département, ni une organisation "
        "nationale : ce dossier ne peut pas la nommer."
    )


def scope_problems(scope: Scope, organisations: Iterable[Organisation | None]) -> list[str]:
    """The refusal of each organisation (None ignored) the dossier may not name: one outside
    `scoped_organisations(scope)` (another département's, a fictitious one in a real dossier); one query."""
    organisations = list(dict.fromkeys(o for o in organisations if o is not None))
    if not organisations:
        return []
    ids = [o.pk for o in organisations if o.pk is not None]
    allowed = set(scoped_organisations(scope).filter(pk__in=ids).values_list("pk", flat=True))
    return [refusal_message(scope, o) for o in organisations if o.pk not in allowed]


def check_scope(scope: Scope, organisations: Iterable[Organisation | None], *, field: str = "organisation"):
    """Raises a `ValidationError` on `field` with `scope_problems`, if any."""
    problems = scope_problems(scope, organisations)
    if problems:
        raise ValidationError({field: problems})


def sort_key(name: str) -> str:
    """Names sorted as people read them: accents and case ignored (« Écoles » among the E)."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def group_label(kind: str) -> str:
    return GROUP_OF.get(kind, LAST_GROUP)


def grouped_choices(
    organisations: Iterable[Organisation], *, communes: Iterable[Commune] = (), label=None
) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(group label, [(value, label), …]), …]: the organisations by type (`GROUPS` order), by name within a
    group; `communes` (without an organisation yet) join the « Communes » group as `commune:<code>`.
    `label(organisation)` words an option (its name by default; a fictitious one says so)."""
    groups: dict[str, list[tuple[str, str, str]]] = {}
    for organisation in organisations:
        text = label(organisation) if label else organisation.name
        if organisation.is_fictitious:
            text = f"{text} (fictive)"
        groups.setdefault(group_label(organisation.kind), []).append(
            (sort_key(organisation.name), str(organisation.pk), text)
        )
    for commune in communes:
        name = french.commune_organisation_name(commune)
        groups.setdefault(group_label(Kind.COMMUNE), []).append(
            (sort_key(name), f"{COMMUNE_PREFIX}{commune.code}", name)
        )
    order = [label for label, _ in GROUPS]
    return [
        (group, [(value, text) for _, value, text in sorted(groups[group])])
        for group in sorted(groups, key=order.index)
    ]


def choice_count(choices) -> int:
    return sum(len(options) if isinstance(options, list | tuple) else 1 for _, options in choices)


class _OrganisationChoices:
    """What the single and multiple fields share: the offered organisations (and communes), the grouped
    choices, and the widget's search mark."""

    refusal = None

    def offer(
        self,
        organisations: Iterable[Organisation],
        *,
        communes: Iterable[Commune] = (),
        label=None,
        refusal=None,
    ):
        """`refusal(value)`: the message refusing a submitted value not offered (the dossier's rule,
        `conventions.selectors.check_dossier_organisations`), or None for the usual « choix valide »."""
        self.refusal = refusal
        organisations, communes = list(organisations), list(communes)
        self.organisations = {str(o.pk): o for o in organisations}
        self.communes = {f"{COMMUNE_PREFIX}{c.code}": c for c in communes}
        choices = grouped_choices(organisations, communes=communes, label=label)
        if choice_count(choices) > SEARCH_THRESHOLD:
            self.widget.attrs["data-ctg-filter"] = "true"
        self.choices = ([("", self.empty_label)] if self.empty_label is not None else []) + choices
        return self

    def refuse_not_offered(self, value) -> None:
        """A submitted value not offered that the dossier's rule refuses: refused with the rule's message."""
        offered = value in self.organisations or value in self.communes
        if self.refusal is None or value in (None, "") or offered:
            return
        message = self.refusal(value)
        if message:
            raise ValidationError(message, code="invalid_choice")

    def resolve(self, value):
        if value in self.organisations:
            return self.organisations[value]
        return self.communes[value]

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return [self.prepare_value(v) for v in value]
        if isinstance(value, Commune):
            return f"{COMMUNE_PREFIX}{value.code}"
        return str(getattr(value, "pk", value)) if value not in (None, "") else value


class OrganisationChoiceField(_OrganisationChoices, forms.ChoiceField):
    """One organisation among those offered (`offer(...)`); gives back the `Organisation` (or the `Commune`
    of a `commune:<code>` value). A value not offered is refused as any unknown choice."""

    def __init__(self, *, empty_label="— Choisir —", **kwargs):
        self.empty_label = empty_label
        self.organisations, self.communes = {}, {}
        super().__init__(**kwargs)

    def validate(self, value):
        self.refuse_not_offered(value)
        super().validate(value)

    def clean(self, value):
        value = super().clean(value)
        return self.resolve(value) if value not in (None, "") else None


class OrganisationMultipleChoiceField(_OrganisationChoices, forms.MultipleChoiceField):
    """Several organisations among those offered; gives back the list of `Organisation` (or `Commune`)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        # Checkboxes by group (legend per group); a select multiple keeps its optgroups.
        widget = kwargs["widget"]
        if isinstance(widget, forms.CheckboxSelectMultiple) or widget is forms.CheckboxSelectMultiple:
            kwargs.setdefault("template_name", "organisations/_grouped_checkboxes.html")
        self.empty_label = None
        self.organisations, self.communes = {}, {}
        super().__init__(**kwargs)

    def validate(self, value):
        for v in value or ():
            self.refuse_not_offered(v)
        super().validate(value)

    def clean(self, value):
        return [self.resolve(v) for v in super().clean(value)]
