"""Who may do what inside a CTG dossier: one explicit role → operations table.

Every view that touches a dossier asks `role_allows(role, op)`; the permission matrix test
(tests/test_permission_matrix.py) checks every URL against this table.
"""

from enum import StrEnum

from django.db import models


class Role(models.TextChoices):
    PILOTE_CAF = "pilote_caf", "Pilote CAF"
    COORDINATION = "coordination", "Coordination (chargé·e de coopération)"
    REFERENT_COMMUNAL = "referent_communal", "Référent·e communal·e"
    PARTENAIRE = "partenaire", "Partenaire"
    LECTURE = "lecture", "Lecture (élu·e)"


class Op(StrEnum):
    VIEW = "view"  # read the dossier, its timeline, parties
    VIEW_HISTORY = "view_history"
    EDIT = "edit"  # title, period, fields, partners
    EDIT_SIGNATORIES = "edit_signatories"
    MANAGE_MEMBERS = "manage_members"  # invite, change role, remove
    CHANGE_STATUS = "change_status"
    MANAGE_MILESTONES = "manage_milestones"
    RENEW = "renew"
    CONTRIBUTE = "contribute"  # comments and contributions where invited (later issues)
    # A fiche action and its items (budget, steps, attachments, indicators): every fiche of the dossier, or
    # only the fiches of the person's communes for the roles scoped by `ROLE_SCOPES`.
    EDIT_FICHE = "edit_fiche"
    EDIT_PLAN = "edit_plan"  # enjeux, objectives, every fiche action, budgets, indicators
    VALIDATE_BILAN = "validate_bilan"
    MANAGE_CONVENTION = "manage_convention"  # generate the convention document, record an avenant
    RECORD_SIGNATURES = "record_signatures"  # signature dates and signed scans
    MANAGE_GOVERNANCE = "manage_governance"  # bodies, members, meetings, minutes, decisions
    MANAGE_POST = "manage_post"  # the coordinator post, its activity report (prepared and sent)
    FUND_POST = "fund_post"  # the CAF's yearly co-funding of the post; accepting the activity report
    # Delete a dossier still in préparation (an input error, a dossier opened twice): its CAF only, and the
    # view also asks that the person be of the dossier's CAF (`ctg.conventions.services.can_delete`).
    DELETE_DOSSIER = "delete_dossier"
    # The qualitative diagnostic: questionnaires (builder, links, paper entry, full results), ateliers and
    # findings. Partners and communal referents contribute (`CONTRIBUTE`) and read results with small groups
    # hidden.
    MANAGE_DIAGNOSTIC = "manage_diagnostic"
    # Publish or withdraw the public page of the CTG and choose what it shows.
    PUBLISH = "publish"
    # Have a document of the dossier (bilan, activity report, minutes, an atelier's report) made in the
    # background for oneself (issue 15): a job of one's own, the document one may already download.
    PREPARE_DOCUMENT = "prepare_document"


ROLE_OPERATIONS: dict[str, frozenset[Op]] = {
    Role.PILOTE_CAF: frozenset(Op),
    Role.COORDINATION: frozenset(Op) - {Op.RENEW, Op.FUND_POST, Op.DELETE_DOSSIER},
    Role.REFERENT_COMMUNAL: frozenset(
        {Op.VIEW, Op.VIEW_HISTORY, Op.CONTRIBUTE, Op.EDIT_FICHE, Op.PREPARE_DOCUMENT}
    ),
    Role.PARTENAIRE: frozenset({Op.VIEW, Op.VIEW_HISTORY, Op.CONTRIBUTE, Op.PREPARE_DOCUMENT}),
    Role.LECTURE: frozenset({Op.VIEW, Op.PREPARE_DOCUMENT}),
}


class Scope(StrEnum):
    DOSSIER = "dossier"  # every item of the dossier
    # The fiches of my communes: not « toutes les communes », and every commune of the fiche among the
    # communes of the person's membership (`ctg.plans.selectors.can_edit_fiche`).
    MY_COMMUNES = "my_communes"


# Operations a role holds on part of the dossier only; any other allowed operation covers the whole dossier.
ROLE_SCOPES: dict[tuple[str, Op], Scope] = {
    (Role.REFERENT_COMMUNAL, Op.EDIT_FICHE): Scope.MY_COMMUNES,
}


def op_scope(role: str | None, op: Op) -> Scope | None:
    """What part of the dossier `op` covers for `role`: None when the role does not hold it."""
    if not role_allows(role, op):
        return None
    return ROLE_SCOPES.get((role, op), Scope.DOSSIER)


def role_allows(role: str | None, op: Op) -> bool:
    if role is None:
        return False
    return op in ROLE_OPERATIONS[role]


# --- Platform operations: what is not inside one dossier ------------------------------------------------
#
# The statistics store is shared by every dossier of France: who may replace its figures is not a role in a
# dossier but a platform role, with a scope (the départements whose figures the person may replace). The
# checks themselves are in `ctg.diagnostics.scope` (the one import path: the web form and `ctg import_data`).


class PlatformOp(StrEnum):
    IMPORT_STATISTICS = "import_statistics"  # import an official file into the statistics store
    UNDO_IMPORT = "undo_import"  # put the store back as it was before an import
    # The CAF's own view (issue 14), within the département(s) of `platform_scope`:
    VIEW_CAF_DASHBOARD = "view_caf_dashboard"  # the dashboard of the département's CTGs (read)
    EDIT_FUNDING_PARAMETERS = "edit_funding_parameters"  # the CAF's yearly funding parameter table
    MANAGE_SCHEMA_AXES = (
        "manage_schema_axes"  # the axes of the Schéma départemental des services aux familles
    )


class PlatformRole(StrEnum):
    # A staff role: a staff member with the permission `diagnostics.manage_statistics` (given by the group
    # « Gestionnaires des données », created by a migration, or directly), or a superuser. Scope: all France.
    DATA_MANAGER = "data_manager"
    # A person of a CAF (organisation of kind CAF): scope = the CAF's département.
    CAF_ADVISER = "caf_adviser"
    # A person of the Conseil départemental or of one of its services (organisation of kind DEPARTEMENT or
    # SERVICE_DEPARTEMENT, with a département): reads the CAF dashboard of that département, nothing else.
    DEPARTEMENT_READER = "departement_reader"


MANAGE_STATISTICS_PERMISSION = "diagnostics.manage_statistics"
DATA_MANAGERS_GROUP = "Gestionnaires des données"

# Both within their scope: a CAF adviser imports only files of their département over a vintage holding no
# other département's figures, and undoes only imports that stayed inside their département.
PLATFORM_OPERATIONS: dict[str, frozenset[PlatformOp]] = {
    PlatformRole.DATA_MANAGER: frozenset(PlatformOp),
    PlatformRole.CAF_ADVISER: frozenset(PlatformOp),
    PlatformRole.DEPARTEMENT_READER: frozenset({PlatformOp.VIEW_CAF_DASHBOARD}),
}


def platform_role(user) -> PlatformRole | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser or (user.is_staff and user.has_perm(MANAGE_STATISTICS_PERMISSION)):
        return PlatformRole.DATA_MANAGER
    if user.is_caf_adviser and user.organisation.departement_id:
        return PlatformRole.CAF_ADVISER
    organisation = user.organisation if user.organisation_id else None
    if (
        organisation is not None
        and organisation.departement_id
        and organisation.kind in ("departement", "service_departement")
    ):
        return PlatformRole.DEPARTEMENT_READER
    return None


def platform_allows(user, op: PlatformOp) -> bool:
    role = platform_role(user)
    return role is not None and op in PLATFORM_OPERATIONS[role]


def statistics_scope(user, op: PlatformOp = PlatformOp.IMPORT_STATISTICS) -> frozenset[str] | None:
    """The départements whose statistics `user` may replace by `op`: None for all France, an empty set for
    none. (A command run on the server without `--as` runs as the platform operator: all France; it does not
    ask here.)"""
    role = platform_role(user)
    if role is None or op not in PLATFORM_OPERATIONS[role]:
        return frozenset()
    if role == PlatformRole.DATA_MANAGER:
        return None
    return frozenset({user.organisation.departement_id})


def platform_scope(user, op: PlatformOp) -> frozenset[str] | None:
    """The départements where `user` may do `op` (any platform operation): None for all France (a data
    manager), an empty set for none. The same rule as `statistics_scope`, named for the CAF's view."""
    return statistics_scope(user, op)
