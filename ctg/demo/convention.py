"""The convention of the demo dossier: version 1 generated once."""

from ctg.documents.services import convention_generate


def load_demo_convention(ctg, actor):
    """Generates the convention (version 1) when the dossier has none yet; returns the latest version."""
    existing = ctg.convention_versions.order_by("-number").first()
    if existing is not None:
        return existing
    return convention_generate(ctg=ctg, actor=actor)
