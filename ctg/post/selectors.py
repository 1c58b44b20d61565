"""Reads of the coordinator posts for the pages above this app (the CAF's dashboard, issue 14)."""


def funding_convention_stages(ctgs, year: int) -> dict[int, list[dict]]:
    """Where each post of `ctgs` stands in its yearly funding convention for `year`, by dossier id: a list of
    {"post": CoordinatorPost, "stage": code, "stage_label": French label, "next_step": French text,
    "due": date | None}. A dossier without a post is absent. (Contract of the dashboard; filled by the
    yearly funding convention's work.)"""
    return {}
