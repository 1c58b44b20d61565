"""An enjeu's « constats chiffrés de l'offre » (issue 12, item 6): rows of « Besoins et offre »
(`ctg.offer.needs.needs_versus_offer`) cited as evidence.

A citation is a snapshot, stored in `Enjeu.needs_evidence`: the field, the territory (the dossier's own or one
of its communes: code, kind, name), the row's figures as computed then (demand, offer, coverage rate: label,
value, text, unit, status, source, caveat) and the date computed. The inventory changes afterwards: `compare`
sets each cited figure beside the current one, so that the enjeu's page says when a figure has changed.

Both writes check what they get (a field of the needs table, a territory of the dossier, no duplicate) and
record who cited or removed which row in the dossier's history, on the enjeu.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ctg.conventions.models import Ctg, Field
from ctg.core.history import history_record, person, register_labels
from ctg.core.models import Action
from ctg.diagnostics.portrait import Territory, resolve_territory, territory_of_ctg
from ctg.offer import needs
from ctg.plans.models import Enjeu

register_labels(Action.ENJEU, {"needs_evidence": "constats chiffrés de l'offre"})

# The groups of a row's figures, in the order of the needs table.
GROUPS = (("demand", "Besoins"), ("offer", "Offre"), ("rate", "Taux de couverture"))
GROUP_LABELS = dict(GROUPS)
STATUS_LABELS = {
    "ok": "complet",
    "partiel": "partiel",
    "secret": "secret statistique",
    "absent": "absent du fichier",
    "non_disponible": "non disponible",
}
NEEDS_FIELDS = tuple(code for code, _indicators, _denominator in needs.FIELDS)


def field_choices() -> list[tuple[str, str]]:
    """The fields of the needs table, with their labels."""
    labels = dict(Field.choices)
    return [(code, labels[code]) for code in NEEDS_FIELDS]


def territory_choices(ctg: Ctg) -> list[tuple[str, str]]:
    """The territories a row may be cited for: the dossier's own, then each of its communes."""
    own = territory_of_ctg(ctg)
    choices = [(own.code, f"{own.name} (territoire du dossier)")]
    for code, name in ctg.communes.order_by("name", "code").values_list("code", "name"):
        if code != own.code:
            choices.append((code, f"{name} ({code})"))
    return choices


def _territory(ctg: Ctg, code) -> Territory:
    code = str(code or "").strip()
    own = territory_of_ctg(ctg)
    if code == own.code:
        return own
    if code and ctg.communes.filter(code=code).exists():
        return resolve_territory(code)
    raise ValidationError(
        {
            "territory": "Ce territoire n'est ni celui du dossier ni l'une de ses communes : "
            "choisissez-en un de la liste."
        }
    )


def _field(value) -> str:
    value = str(value or "")
    if value not in NEEDS_FIELDS:
        known = ", ".join(label for _code, label in field_choices())
        raise ValidationError(
            {"field": f"Champ d'intervention inconnu du tableau besoins et offre ({known})."}
        )
    return value


def _figure(group: str, figure: needs.Figure) -> dict:
    return {
        "group": group,
        "indicator": figure.indicator,
        "label": figure.label,
        "value": None if figure.value is None else round(float(figure.value), 4),
        "text": figure.text,
        "unit": figure.unit,
        "status": figure.status,
        "source": figure.source,
        "caveat": figure.caveat,
    }


def row_figures(row: needs.FieldRow) -> list[dict]:
    """The figures of a needs row as stored in a citation, in the order of the table."""
    figures = [_figure("demand", f) for f in row.demand] + [_figure("offer", f) for f in row.offer]
    if row.rate is not None:
        figures.append(_figure("rate", row.rate))
    return figures


def _row(territory: Territory, field: str) -> needs.FieldRow:
    return next(row for row in needs.needs_versus_offer(territory) if row.field == field)


def citation_title(citation: dict) -> str:
    """« Petite enfance (0-3 ans) — CC du Test », as the history and the messages name a citation."""
    label = dict(Field.choices).get(citation.get("field"), citation.get("field", ""))
    return f"{label} — {citation.get('territory_name') or citation.get('territory', '')}"


def _same(citation: dict, field: str, territory: str) -> bool:
    return citation.get("field") == field and citation.get("territory") == territory


@transaction.atomic
def evidence_cite(*, enjeu: Enjeu, actor, field, territory) -> dict:
    """Cites the needs row of `field` for `territory` (the dossier's territory or one of its communes) as
    evidence of `enjeu`: the row is computed now and stored as a snapshot. Returns the citation."""
    current = Enjeu.objects.select_for_update().select_related("ctg").get(pk=enjeu.pk)
    field = _field(field)
    place = _territory(current.ctg, territory)
    if any(_same(c, field, place.code) for c in current.needs_evidence):
        title = citation_title({"field": field, "territory_name": place.name})
        raise ValidationError({"field": f"Ce constat est déjà cité pour cet enjeu : {title}."})
    row = _row(place, field)
    citation = {
        "field": field,
        "field_label": row.label,
        "territory": place.code,
        "territory_kind": place.kind,
        "territory_name": place.name,
        "figures": row_figures(row),
        "computed_on": timezone.localdate().isoformat(),
    }
    current.needs_evidence = [*current.needs_evidence, citation]
    current.updated_by = person(actor)
    current.save(update_fields=["needs_evidence", "updated_by", "updated_at"])
    title = citation_title(citation)
    history_record(
        ctg=current.ctg,
        actor=actor,
        action=Action.ENJEU,
        summary=f"Constat chiffré de l'offre cité pour l'enjeu « {current.title} » : {title}",
        changes={"needs_evidence": ["", title]},
        item=current,
    )
    enjeu.needs_evidence = current.needs_evidence
    return citation


@transaction.atomic
def evidence_uncite(*, enjeu: Enjeu, actor, field, territory) -> None:
    """Removes the citation of the needs row of `field` for `territory` from `enjeu`."""
    current = Enjeu.objects.select_for_update().select_related("ctg").get(pk=enjeu.pk)
    field, territory = str(field or ""), str(territory or "").strip()
    kept = [c for c in current.needs_evidence if not _same(c, field, territory)]
    if len(kept) == len(current.needs_evidence):
        raise ValidationError("Ce constat chiffré n'est pas cité pour cet enjeu.")
    removed = next(c for c in current.needs_evidence if _same(c, field, territory))
    current.needs_evidence = kept
    current.updated_by = person(actor)
    current.save(update_fields=["needs_evidence", "updated_by", "updated_at"])
    title = citation_title(removed)
    history_record(
        ctg=current.ctg,
        actor=actor,
        action=Action.ENJEU,
        summary=f"Constat chiffré de l'offre retiré de l'enjeu « {current.title} » : {title}",
        changes={"needs_evidence": [title, ""]},
        item=current,
    )
    enjeu.needs_evidence = current.needs_evidence


# --- reading: the cited figures beside the current ones ------------------------------------------------


@dataclass
class ComparedFigure:
    cited: dict
    current: dict | None  # the figure as computed today, when it differs from the cited one
    gone: bool = False  # the figure is no longer in the row

    @property
    def group_label(self) -> str:
        return GROUP_LABELS.get(self.cited.get("group"), "")

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.cited.get("status"), str(self.cited.get("status", "")))

    @property
    def current_status_label(self) -> str:
        if self.current is None:
            return ""
        return STATUS_LABELS.get(self.current.get("status"), str(self.current.get("status", "")))


def _date(text) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(text))
    except ValueError:
        return None


def _key(figure: dict) -> tuple:
    # The coverage rate changes its label with its origin (Cnaf or inventory): one per row, by its group.
    if figure.get("group") == "rate":
        return ("rate",)
    return (figure.get("group"), figure.get("indicator") or figure.get("label"))


def _differs(cited: dict, current: dict) -> bool:
    return any(cited.get(k) != current.get(k) for k in ("text", "unit", "status", "label"))


def compare(ctg: Ctg, citations: list[dict], cache: dict | None = None) -> list[dict]:
    """Each citation with its figures beside today's (`ComparedFigure`); a row is computed once per
    territory (`cache`: territory code → rows, shared between the enjeux of a page)."""
    cache = {} if cache is None else cache
    allowed = {code for code, _label in territory_choices(ctg)}
    result = []
    for citation in citations:
        code = citation.get("territory")
        current_figures: dict | None = None
        if code in allowed:
            if code not in cache:
                cache[code] = needs.needs_versus_offer(_territory(ctg, code))
            row = next((r for r in cache[code] if r.field == citation.get("field")), None)
            if row is not None:
                current_figures = {_key(f): f for f in row_figures(row)}
        figures = []
        for cited in citation.get("figures", []):
            if current_figures is None:
                figures.append(ComparedFigure(cited, None))
                continue
            now = current_figures.get(_key(cited))
            if now is None:
                figures.append(ComparedFigure(cited, None, gone=True))
            else:
                figures.append(ComparedFigure(cited, now if _differs(cited, now) else None))
        result.append(
            {
                "citation": citation,
                "title": citation_title(citation),
                "computed_on": _date(citation.get("computed_on")),
                "figures": figures,
                "changed": any(f.current is not None or f.gone for f in figures),
                "outside": current_figures is None,  # the territory left the dossier: no current figure
            }
        )
    return result
