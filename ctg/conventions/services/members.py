"""Who works on a dossier: invitations and removals."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.crypto import get_random_string

from ctg.conventions.models import (
    Ctg,
    Membership,
)
from ctg.conventions.services.parties import _check_offered
from ctg.core.history import history_record
from ctg.core.models import Action
from ctg.organisations.models import Organisation
from ctg.organisations.permissions import Role
from ctg.territories.models import Commune

User = get_user_model()

ROLES_GRANTABLE_BY = {
    Role.PILOTE_CAF: set(Role.values),
    Role.COORDINATION: set(Role.values) - {Role.PILOTE_CAF},
}


@transaction.atomic
def membership_invite(
    *,
    ctg: Ctg,
    actor,
    actor_role: str,
    email: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    organisation: Organisation | None = None,
    communes: Iterable[Commune] = (),
    request=None,
) -> Membership:
    """Adds a person to a dossier with a role; a new person gets an email to choose a password. The
    organisation given must be one the dossier may name (`selectors.check_dossier_organisations`)."""
    email = (email or "").strip().lower()
    communes = list(communes)
    errors = {}
    if role not in Role.values:
        errors["role"] = "Rôle inconnu."
    elif role not in ROLES_GRANTABLE_BY.get(actor_role, set()):
        errors["role"] = f"Votre rôle ne permet pas de donner le rôle « {Role(role).label} »."
    if organisation is not None:
        try:
            _check_offered(ctg, organisation)
        except ValidationError as error:
            errors.update(error.message_dict)
    if role == Role.REFERENT_COMMUNAL and not communes:
        errors["communes"] = "Un·e référent·e communal·e suit au moins une commune du territoire."
    outside = [c for c in communes if not ctg.communes.filter(pk=c.pk).exists()]
    if outside:
        errors["communes"] = "Ces communes ne font pas partie du territoire : " + ", ".join(map(str, outside))
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None and ctg.memberships.filter(user=existing).exists():
        errors["email"] = f"{email} fait déjà partie de ce dossier."
    if errors:
        raise ValidationError(errors)

    created = existing is None
    user = existing or User.objects.create_user(
        email=email,
        password=None,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        organisation=organisation,
    )
    membership = Membership.objects.create(ctg=ctg, user=user, role=role, created_by=actor, updated_by=actor)
    membership.communes.set(communes)
    history_record(
        ctg=ctg,
        actor=actor,
        action=Action.MEMBER,
        summary=f"Invitation de {user} ({user.email}) comme {Role(role).label}",
        changes={"role": ["", Role(role).label]},
    )
    if created:
        _send_invitation(user=user, ctg=ctg, request=request)
    return membership


def _send_invitation(*, user, ctg: Ctg, request) -> None:
    form = PasswordResetForm({"email": user.email})
    if not form.is_valid():  # pragma: no cover - the address was validated above
        return
    # An unusable password makes Django's reset form skip the user; invitees get a random one to replace.
    user.set_password(get_random_string(40))
    user.save(update_fields=["password"])
    form.save(
        request=request,
        domain_override=None if request is not None else "localhost",
        subject_template_name="conventions/invitation_subject.txt",
        email_template_name="conventions/invitation_email.txt",
        extra_email_context={"ctg": ctg},
    )


@transaction.atomic
def membership_remove(*, membership: Membership, actor) -> None:
    ctg = membership.ctg
    label = f"{membership.user} ({membership.get_role_display()})"
    membership.delete()
    history_record(ctg=ctg, actor=actor, action=Action.MEMBER, summary=f"Retrait de {label}")
