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
    EDIT_COMMUNE_ITEMS = "edit_commune_items"  # what concerns the référent's own communes (fiches action…)
    EDIT_PLAN = "edit_plan"  # enjeux, objectives, every fiche action, budgets, indicators
    VALIDATE_BILAN = "validate_bilan"
    MANAGE_CONVENTION = "manage_convention"  # generate the convention document, record an avenant
    RECORD_SIGNATURES = "record_signatures"  # signature dates and signed scans
    MANAGE_GOVERNANCE = "manage_governance"  # bodies, members, meetings, minutes, decisions
    MANAGE_POST = "manage_post"  # the coordinator post, its activity report (prepared and sent)
    FUND_POST = "fund_post"  # the CAF's yearly co-funding of the post; accepting the activity report


ROLE_OPERATIONS: dict[str, frozenset[Op]] = {
    Role.PILOTE_CAF: frozenset(Op),
    Role.COORDINATION: frozenset(Op) - {Op.RENEW, Op.FUND_POST},
    Role.REFERENT_COMMUNAL: frozenset({Op.VIEW, Op.VIEW_HISTORY, Op.CONTRIBUTE, Op.EDIT_COMMUNE_ITEMS}),
    Role.PARTENAIRE: frozenset({Op.VIEW, Op.VIEW_HISTORY, Op.CONTRIBUTE}),
    Role.LECTURE: frozenset({Op.VIEW}),
}


def role_allows(role: str | None, op: Op) -> bool:
    if role is None:
        return False
    return op in ROLE_OPERATIONS[role]
