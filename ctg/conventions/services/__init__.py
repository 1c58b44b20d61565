"""Writes on CTG dossiers. Each function checks its business rules, writes atomically and records who did
what in the dossier's history. Permission checks (who may call what) happen in the views through
`ctg.organisations.permissions`; these functions enforce what must hold whoever calls them.

One module per part of a dossier; every name is reachable from `ctg.conventions.services`."""

from ctg.conventions.services.avenants import (  # noqa: F401
    AVENANT_FIELDS,
    _check_avenant,
    avenant_add,
    avenant_delete,
    avenant_update,
)
from ctg.conventions.services.common import (  # noqa: F401
    DEFAULT_DURATION_YEARS,
    MAX_DURATION_YEARS,
    MAX_YEAR,
    MIN_YEAR,
    PHASE_MOVES,
    PHASE_ORDER,
    RENEWABLE_PHASES,
    _display,
    audit_log,
    validate_fields,
    validate_period,
)
from ctg.conventions.services.dossier import (  # noqa: F401
    EDITABLE_FIELDS,
    _check_leaving_communes,
    _communes_count,
    _renewal_title,
    can_delete,
    ctg_create,
    ctg_delete,
    ctg_renew,
    ctg_territory_update,
    ctg_transition,
    ctg_update,
    deletion_blocker,
    deletion_contents,
    signature_blockers,
    territory_locked,
    transition_blockers,
)
from ctg.conventions.services.members import (  # noqa: F401
    ROLES_GRANTABLE_BY,
    _send_invitation,
    membership_invite,
    membership_remove,
)
from ctg.conventions.services.milestones import (  # noqa: F401
    MILESTONE_FIELDS,
    _milestone_display,
    dated,
    milestone_create,
    milestone_delete,
    milestone_update,
)
from ctg.conventions.services.parties import (  # noqa: F401
    NEW_PARTNER_KINDS,
    PARTNER_ROLE_MAX,
    SCAN_EXTENSIONS,
    SCAN_MAX_BYTES,
    _check_offered,
    _check_scan,
    _date_text,
    _partner_role,
    commune_organisation_ensure,
    partner_add,
    partner_remove,
    partner_update,
    signatory_add,
    signatory_remove,
    signature_clear,
    signature_record,
    signatures_record,
    signing_open,
)
from ctg.conventions.services.territory import (  # noqa: F401
    OVERLAP_NAMES_SHOWN,
    Territory,
    _apply_territory,
    _check_no_overlap,
    _names,
    _resolve_territory,
    territory_key,
    territory_organisations_ensure,
)
