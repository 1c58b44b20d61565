"""The documents of the demo dossier: the initial one (convention or accord-cadre, version 1) generated once,
then the document of each recorded avenant that has none yet."""

from ctg.documents.services import convention_generate


def load_demo_convention(ctg, actor):
    """Generates the initial document when the dossier has none yet, then the document of each avenant
    without one (each through `convention_generate`, recorded in the history); returns the latest version."""
    latest = ctg.convention_versions.order_by("-number").first()
    if latest is None:
        latest = convention_generate(ctg=ctg, actor=actor)
    for avenant in ctg.avenants.filter(documents__isnull=True).order_by("number"):
        latest = convention_generate(ctg=ctg, actor=actor, avenant=avenant)
    return latest
