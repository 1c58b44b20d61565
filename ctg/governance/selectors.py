"""Reads of the steering of a dossier."""

from ctg.conventions.models import Ctg


def dossier_agenda(ctg: Ctg, today) -> dict:
    """What the dossier home shows: the next meetings and milestones, late milestones, and one timeline
    merging milestones, meetings and decisions."""
    milestones = list(ctg.milestones.all())
    return {
        "upcoming": [m for m in milestones if not m.done and m.date >= today][:3],
        "late": [m for m in milestones if not m.done and m.date < today],
        "milestones": milestones,
    }
