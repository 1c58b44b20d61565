"""Reading the findings: a dossier's, filtered; where a finding's source is (a page of the dossier).

A source above this floor (a questionnaire's question, an atelier) is generic (`source_type`, `source_id`):
the app that owns it registers a resolver in its `AppConfig.ready`::

    from ctg.findings.selectors import register_source
    register_source("ateliers.atelier", resolve_atelier)  # (finding) -> (label, url) or None

so that this app never imports it. A source without resolver, or whose object is gone, shows its
`source_label` without a link. What cites a finding (the enjeux of the plan) is declared the same way
(`register_citing`).
"""

from collections.abc import Callable

from django.db.models import QuerySet
from django.urls import reverse

from ctg.diagnostics.catalogue import BY_ID
from ctg.findings.models import Finding

# source_type → resolver(finding) -> (label, url) | None
_RESOLVERS: dict[str, Callable] = {}
# name → citing(finding) -> [(label, url)]: what cites a finding (the plan's enjeux), declared from above.
_CITING: dict[str, Callable] = {}


def register_source(source_type: str, resolver: Callable) -> None:
    """Declares how a generic source (`source_type` "app_label.model_name") is shown: `resolver(finding)`
    returns (label, url), or None when the object is gone or not of the finding's dossier."""
    if "." not in source_type:
        raise ValueError(f"source_type à écrire « application.modèle », pas {source_type!r}.")
    _RESOLVERS[source_type] = resolver


def register_citing(name: str, citing: Callable) -> None:
    """Declares what cites findings (the plan registers its enjeux): `citing(finding)` returns a list of
    (label, url); the finding's page lists them, the deletion names them."""
    _CITING[name] = citing


def citations(finding: Finding) -> list[tuple[str, str]]:
    """(label, url) of everything that cites `finding`."""
    return [item for name in sorted(_CITING) for item in _CITING[name](finding)]


def findings_for(ctg, *, field=None, kind=None, commune=None) -> QuerySet:
    """The findings of `ctg`, by decreasing weight; `field` (a `Field` value), `kind` (a `Finding.Kind`
    value) and `commune` (a commune or its code: the findings of that commune and those of the whole
    territory) filter them."""
    findings = Finding.objects.filter(ctg=ctg)
    if kind:
        findings = findings.filter(kind=kind)
    if commune:
        code = getattr(commune, "code", commune)
        whole = findings.filter(communes__isnull=True).values("pk")
        findings = findings.filter(
            pk__in=findings.filter(communes__code=code).values("pk")
        ) | findings.filter(pk__in=whole)
    if field:
        # A JSON list of codes: the quoted code inside it (codes are distinct words, none inside another).
        findings = findings.filter(fields__icontains=f'"{field}"')
    return findings.order_by("-weight", "id")


def source_url(finding: Finding) -> tuple[str, str]:
    """(label, url) of the finding's source; url empty when it cannot be linked."""
    label = finding.source_label
    if finding.source_type:
        resolver = _RESOLVERS.get(finding.source_type)
        if resolver is not None and finding.source_id is not None:
            resolved = resolver(finding)
            if resolved:
                return resolved[0] or label, resolved[1] or ""
        return label or finding.get_source_kind_display(), ""
    if finding.source_kind == Finding.SourceKind.INDICATOR and finding.source_ref in BY_ID:
        label = label or BY_ID[finding.source_ref].label
        return label, reverse("diagnostics:ctg", args=[finding.ctg_id])
    if finding.source_kind == Finding.SourceKind.OFFER and finding.source_ref:
        return label or "Besoins et offre", reverse("offer:needs", args=[finding.ctg_id])
    return label or finding.get_source_kind_display(), ""
