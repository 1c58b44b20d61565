"""Writes on the plan d'action, one module per thing written:

- `tree`: enjeux, strategic and operational objectives, one generic node service (create, update, delete,
  move on `ctg.plans.numbering`);
- `fiches`: the fiche action (create, update under optimistic locking, delete, move);
- `fiche_items`: its steps, budget lines, attachments and comments;
- `indicators`: its indicators and their values, typed or from the open data;
- `findings`: the findings of the diagnostic that ground an enjeu (cite, remove, an enjeu from findings);
- `schema_axes`: the axes of the CAF's schéma départemental an enjeu serves (`enjeu_axes_set`, issue 14);
- `plan_import`: the bulk writes of an imported plan (`ctg.exchange`, the app above);
- `positions` and `common`: the positions of the fiches under their first objective, and the helpers.

Each function checks its business rules (a fiche's: `ctg.plans.rules`, shared with the form and the import),
writes atomically and records who did what in the dossier's history, tied to the item it concerns
(`HistoryEntry.item_type` / `item_id`): enjeux and objectives are their own items; a fiche action and
everything that belongs to it (steps, budget, indicators and their values, comments) are recorded on the
fiche, so that `selectors.fiche_history` shows them all. Permission checks (who may call what) happen in the
views (`ctg.organisations.permissions`, `selectors.can_edit_fiche`); these functions enforce what must hold
whoever calls them.

This package re-exports the functions of its modules, for the other apps (`from ctg.plans import services`);
the plan's own code imports the module it needs.
"""

from ctg.plans.services.common import (
    DIRECTION_LABELS,
    check_year_in_period,
    item_type,
    parse_amount,
    period_bounds,
)
from ctg.plans.services.fiche_items import (
    ATTACHMENT_EXTENSIONS,
    ATTACHMENT_MAX_BYTES,
    attachment_add,
    budget_delete,
    budget_set,
    comment_add,
    fiche_steps_set,
)
from ctg.plans.services.fiches import (
    FICHE_FIELDS,
    FICHE_M2M,
    FICHE_TEXTS,
    FicheConflict,
    conflict_message,
    fiche_create,
    fiche_delete,
    fiche_move,
    fiche_update,
)
from ctg.plans.services.findings import enjeu_from_findings, finding_cite, finding_uncite
from ctg.plans.services.indicators import (
    INDICATOR_FIELDS,
    indicator_create,
    indicator_delete,
    indicator_refresh_open_data,
    indicator_update,
    indicator_value_set,
    plan_refresh_open_data,
)
from ctg.plans.services.plan_import import (
    IMPORTED_FICHE_FIELDS,
    plan_import_create,
)
from ctg.plans.services.positions import (
    objectives_in_plan_order,
    primary_objectives,
)
from ctg.plans.services.schema_axes import axes_offered, enjeu_axes_set
from ctg.plans.services.tree import (
    ENJEU,
    ENJEU_FIELDS,
    OBJECTIVE_FIELDS,
    OPERATIONAL,
    STRATEGIC,
    Level,
    ctg_of,
    enjeu_create,
    enjeu_delete,
    enjeu_move,
    enjeu_update,
    level_of,
    node_create,
    node_delete,
    node_move,
    node_update,
    operational_objective_create,
    operational_objective_delete,
    operational_objective_move,
    operational_objective_update,
    strategic_objective_create,
    strategic_objective_delete,
    strategic_objective_move,
    strategic_objective_update,
)

__all__ = [
    "ATTACHMENT_EXTENSIONS",
    "ATTACHMENT_MAX_BYTES",
    "DIRECTION_LABELS",
    "ENJEU",
    "ENJEU_FIELDS",
    "FICHE_FIELDS",
    "FICHE_M2M",
    "FICHE_TEXTS",
    "FicheConflict",
    "IMPORTED_FICHE_FIELDS",
    "INDICATOR_FIELDS",
    "Level",
    "OBJECTIVE_FIELDS",
    "OPERATIONAL",
    "STRATEGIC",
    "parse_amount",
    "check_year_in_period",
    "attachment_add",
    "axes_offered",
    "budget_delete",
    "budget_set",
    "comment_add",
    "conflict_message",
    "ctg_of",
    "enjeu_create",
    "enjeu_from_findings",
    "finding_cite",
    "finding_uncite",
    "enjeu_axes_set",
    "enjeu_delete",
    "enjeu_move",
    "enjeu_update",
    "fiche_create",
    "fiche_delete",
    "fiche_move",
    "fiche_steps_set",
    "fiche_update",
    "indicator_create",
    "indicator_delete",
    "indicator_refresh_open_data",
    "indicator_update",
    "indicator_value_set",
    "item_type",
    "level_of",
    "node_create",
    "node_delete",
    "node_move",
    "node_update",
    "objectives_in_plan_order",
    "operational_objective_create",
    "operational_objective_delete",
    "operational_objective_move",
    "operational_objective_update",
    "period_bounds",
    "plan_import_create",
    "plan_refresh_open_data",
    "primary_objectives",
    "strategic_objective_create",
    "strategic_objective_delete",
    "strategic_objective_move",
    "strategic_objective_update",
]
