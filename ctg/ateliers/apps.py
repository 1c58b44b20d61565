"""The ateliers (workshops) of the diagnostic partagé: themes, invitations, attendance, contributions,
report, dot voting on findings (issue 13)."""

from django.apps import AppConfig


def resolve_atelier(finding):
    """The atelier a finding comes from, for the findings' pages: (label, url), or None when the atelier is
    gone or of another dossier."""
    from ctg.ateliers.models import Atelier

    atelier = Atelier.objects.filter(pk=finding.source_id, ctg_id=finding.ctg_id).first()
    if atelier is None:
        return None
    return atelier.source_label, atelier.get_absolute_url()


class AteliersConfig(AppConfig):
    name = "ctg.ateliers"
    verbose_name = "Ateliers du diagnostic"

    def ready(self):
        from ctg.ateliers import services  # noqa: F401 (the history labels of Action.ATELIER)
        from ctg.findings.selectors import register_source

        register_source(services.SOURCE_TYPE, resolve_atelier)
