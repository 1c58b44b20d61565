"""Reads scoped to what a person may see."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404

from ctg.conventions.models import Ctg, Membership
from ctg.organisations import choices
from ctg.organisations.models import Organisation
from ctg.organisations.permissions import Op, Role, role_allows
from ctg.territories.models import Commune


def _caf_departement_code(user) -> str | None:
    org = getattr(user, "organisation", None)
    if org is not None and org.kind == Organisation.Kind.CAF:
        return org.departement_id
    return None


def ctg_visible_to(user) -> QuerySet[Ctg]:
    """Dossiers a person may open: those they are a member of, and for a CAF adviser every dossier of
    their CAF's département."""
    if not user.is_authenticated:
        return Ctg.objects.none()
    if user.is_superuser:
        return Ctg.objects.all()
    condition = Q(memberships__user=user)
    departement = _caf_departement_code(user)
    if departement:
        condition |= Q(caf__departement_id=departement)
    return Ctg.objects.filter(condition).distinct()


def role_in(user, ctg: Ctg) -> str | None:
    """The role of a person in a dossier, or None when they are not part of it."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.PILOTE_CAF
    membership = Membership.objects.filter(ctg=ctg, user=user).only("role").first()
    if membership is not None:
        return membership.role
    departement = _caf_departement_code(user)
    if departement and ctg.caf.departement_id == departement:
        return Role.PILOTE_CAF
    return None


def ctg_for(user, pk: int, op: Op) -> tuple[Ctg, str]:
    """The dossier and the person's role, or 404 when they are not part of it (its existence is not
    revealed), or 403 when their role does not allow `op`."""
    ctg = Ctg.objects.select_related("caf", "epci", "previous").filter(pk=pk).first()
    if ctg is None:
        raise Http404("Dossier introuvable.")
    role = role_in(user, ctg)
    if role is None:
        raise Http404("Dossier introuvable.")
    if not role_allows(role, op):
        raise PermissionDenied("Votre rôle ne permet pas cette action.")
    return ctg, role


def caf_organisations_for(user) -> QuerySet[Organisation]:
    cafs = Organisation.objects.filter(kind=Organisation.Kind.CAF)
    if user.is_superuser:
        return cafs
    departement = _caf_departement_code(user)
    if departement:
        return cafs.filter(pk=user.organisation_id)
    return cafs


def can_create_ctg(user) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    org = user.organisation
    return org is not None and org.kind in {
        Organisation.Kind.CAF,
        Organisation.Kind.EPCI,
        Organisation.Kind.COMMUNE,
    }


# --- the organisations a dossier's selects offer (ctg.organisations.choices) ----------------------------


def organisation_scope(ctg: Ctg, *, keep=()) -> choices.Scope:
    """The dossier's place for its organisation selects: its communes, its EPCI and its communes' EPCI, their
    départements; whether it is fictitious; its CAF, signatories and partners kept whatever their place, and
    `keep` (the values a form shows)."""
    communes = list(ctg.communes.values_list("code", "epci_id", "departement_id"))
    kept = {
        ctg.caf_id,
        *ctg.signatories.values_list("organisation_id", flat=True),
        *ctg.partners.values_list("pk", flat=True),
    }
    return choices.Scope(
        commune_codes=frozenset(code for code, _, _ in communes),
        epci_ids=frozenset({epci for _, epci, _ in communes if epci} | {ctg.epci_id} - {None}),
        departement_codes=frozenset(departement for _, _, departement in communes if departement),
        fictitious=ctg.is_fictitious,
    ).keeping(*kept, *keep)


def dossier_organisations(ctg: Ctg, *, keep=()) -> QuerySet[Organisation]:
    """The organisations of the dossier's territory and département(s), the national ones and the dossier's
    own parties (see `ctg.organisations.choices`)."""
    return choices.scoped_organisations(organisation_scope(ctg, keep=keep))


def dossier_organisation_problems(ctg: Ctg, organisations, *, keep=()) -> list[str]:
    """The one rule of the organisations a dossier may name (`choices.scope_problems` on the dossier's scope):
    the French refusal of each organisation (None ignored) outside its territory, département(s) and the
    national ones, or fictitious in a real dossier; its CAF, signatories, partners and `keep` (what the
    object being changed already names) pass."""
    organisations = [o for o in organisations if o is not None]
    if not organisations:
        return []
    return choices.scope_problems(organisation_scope(ctg, keep=keep), organisations)


def check_dossier_organisations(ctg: Ctg, organisations, *, field: str = "organisation", keep=()) -> None:
    """Raises a `ValidationError` on `field` naming each organisation the dossier may not name
    (`dossier_organisation_problems`); every service attaching an organisation to a dossier calls it."""
    problems = dossier_organisation_problems(ctg, organisations, keep=keep)
    if problems:
        raise ValidationError({field: problems})


def _refusal(ctg: Ctg, keep=()):
    """For a select (`choices.OrganisationChoiceField.offer`): the rule's message on a submitted organisation
    id that the dossier may not name; None otherwise (not an organisation, or one the select merely does not
    offer here)."""

    def refusal(value) -> str | None:
        value = str(value)
        if not (value.isdigit() and len(value) < 19):  # not an id (a bigint has at most 19 digits)
            return None
        organisation = Organisation.objects.filter(pk=int(value)).first()
        if organisation is None:
            return None
        problems = dossier_organisation_problems(ctg, [organisation], keep=keep)
        return problems[0] if problems else None

    return refusal


def unorganised_communes(ctg: Ctg) -> QuerySet[Commune]:
    """The communes of the territory that have no organisation yet (they can sign: their organisation is
    created when chosen, `services.commune_organisation_ensure`)."""
    organised = Organisation.objects.filter(kind=Organisation.Kind.COMMUNE, commune__isnull=False)
    if not ctg.is_fictitious:
        organised = organised.filter(is_fictitious=False)
    return ctg.communes.exclude(code__in=organised.values("commune_id")).order_by("name")


def offer_organisations(field, ctg: Ctg, *, among=None, keep=(), exclude=(), communes=False, label=None):
    """Fills an organisation select of a dossier (`choices.OrganisationChoiceField` or
    `OrganisationMultipleChoiceField`): the dossier's organisations (`dossier_organisations`, or `among`
    when given, a queryset already within them), plus `keep`, minus `exclude`; with `communes`, the
    communes of the territory without an organisation as `commune:<code>`. Every organisation select of a
    dossier goes through here. A submitted organisation the dossier may not name is refused with the rule's
    message (`check_dossier_organisations`), the same as the services'."""
    if among is None:
        organisations = dossier_organisations(ctg, keep=keep)
    else:
        kept = [getattr(o, "pk", o) for o in keep if o is not None]
        organisations = Organisation.objects.filter(Q(pk__in=among.values("pk")) | Q(pk__in=kept))
    excluded = {getattr(o, "pk", o) for o in exclude}
    organisations = [o for o in organisations if o.pk not in excluded]
    return field.offer(
        organisations,
        communes=unorganised_communes(ctg) if communes else (),
        label=label,
        refusal=_refusal(ctg, keep),
    )
