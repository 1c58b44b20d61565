"""Reads scoped to what a person may see."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from ctg.conventions.models import Ctg, Membership
from ctg.organisations.models import Organisation
from ctg.organisations.permissions import Op, Role, role_allows


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
