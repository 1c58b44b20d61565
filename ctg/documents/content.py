"""The content of a convention document, as one plain structure used by both renderers (DOCX, PDF) and kept
as the version's snapshot.

- `placeholder_values(ctg)`: the value of every placeholder of `placeholders.CATALOGUE` for a dossier;
- `model_articles(caf)`: the articles of the CAF's model, or of the national default model;
- `build(ctg, kind=…, subject=…, avenant_number=…)`: the whole document (title, parties, articles, signatures,
  annexes) and its `snapshot` (the content facts an avenant compares); a dossier whose initial convention is
  an accord-cadre gets a document that calls itself « accord-cadre » (`naming`, `as_accord_cadre`);
- `compare(before, after)`: French lines saying what changed between two snapshots.

Plan numbers come from `ctg.exchange.export.export_plan` (the numbering of the application).
"""

import datetime
import logging
import re
from decimal import Decimal

from django.utils import timezone

from ctg.conventions.models import Agreement, Ctg
from ctg.documents import defaults, placeholders
from ctg.documents.models import ConventionTemplate
from ctg.evaluation.bilan import euros
from ctg.exchange.export import export_plan
from ctg.plans import summary
from ctg.plans.models import Funder, IndicatorValue
from ctg.territories import french

logger = logging.getLogger(__name__)

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
FICTITIOUS_LABEL = "Document fictif (démonstration) : les données de ce dossier sont fictives."
FUNDER_LABELS = dict(Funder.choices)


def date_fr(value: datetime.date | None) -> str:
    """12 mars 2026 (1er for the first day)."""
    if value is None:
        return ""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def _date_short(value) -> str:
    if not value:
        return "—"
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value)
    return f"{value:%d/%m/%Y}"


def _number(value) -> str:
    if value is None:
        return "—"
    text = format(Decimal(value).normalize(), "f")
    return text.replace(".", ",")


def _plain(value) -> str:
    """Decimal("50.0000") → "50" (no exponent)."""
    return format(Decimal(value).normalize(), "f")


def _thousands(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


# --- placeholders ----------------------------------------------------------------------------------------


def _signatories(ctg: Ctg) -> list:
    return list(ctg.signatories.select_related("organisation").order_by("position", "id"))


def signature_date(signatories) -> datetime.date | None:
    """The latest signature date when every signatory signed, else None."""
    if not signatories or any(s.signed_on is None for s in signatories):
        return None
    return max(s.signed_on for s in signatories)


def territory_type(ctg: Ctg) -> str:
    """« la communauté de communes du Tarn » / « la commune d'Albi » / « les communes d'Aureil, du Vigen et
    des Cars » / « la communauté urbaine Limoges Métropole, communes membres hors Limoges »."""
    if ctg.epci_id:
        excluded = ctg.excluded_names
        if excluded:
            return f"{_epci_type(ctg)}, communes membres hors {french.join_fr(excluded)}"
        return _epci_type(ctg)
    return french.communes_label(ctg.communes.order_by("name"))


def _epci_type(ctg: Ctg) -> str:
    """« la communauté de communes du Tarn », « la communauté urbaine Limoges Métropole », « la Métropole de
    Lyon »."""
    epci = ctg.epci
    nature = (epci.get_nature_display() if epci.nature else "intercommunalité").lower()
    name = " ".join(epci.name.split())
    if name.lower().startswith(nature):
        return f"la {nature}{name[len(nature) :]}"
    abbreviation = f"{epci.nature} " if epci.nature else ""
    if abbreviation and name.startswith(abbreviation):
        return f"la {nature} {name[len(abbreviation) :]}"
    if french.epci_article(name):  # « Métropole de Lyon », « Eurométropole de Strasbourg »
        return french.epci_with_article(name)
    return f"la {nature} {name}"


def _governance_lines(ctg: Ctg) -> tuple[str, str]:
    from ctg.governance.models import Body
    from ctg.post.models import CoordinatorPost

    bodies = Body.objects.filter(ctg=ctg).prefetch_related("members__organisation").order_by("position", "id")
    lines = []
    for body in bodies:
        members = [str(m) for m in body.members.all()]
        text = f"- {body.name}" + (f" ({body.role})" if body.role else "")
        text += " : " + ("; ".join(members) if members else "membres à désigner") + ""
        lines.append(text)
    instances = "\n".join(lines) if lines else "- Instances à définir par les signataires."
    post = CoordinatorPost.objects.filter(ctg=ctg).select_related("employer").first()
    if post is None:
        coordination = "poste à pourvoir"
    else:
        employer = french.organisation_with_article(post.employer.name)
        coordination = f"{post.person_name}, employé·e par {employer}, {_number(post.fte)} ETP"
    return instances, coordination


def placeholder_values(ctg: Ctg, signatories=None) -> dict[str, str]:
    signatories = _signatories(ctg) if signatories is None else signatories
    communes = list(ctg.communes.order_by("name"))
    population = sum(c.population or 0 for c in communes)
    instances, coordination = _governance_lines(ctg)
    signed = signature_date(signatories)
    # Each partner with its role in the CTG when one is given: « PMI du Tarn (suivi des assistantes
    # maternelles) ».
    partners = [
        f"{p.organisation.name} ({p.role})" if p.role else p.organisation.name
        for p in ctg.partnerships.select_related("organisation").order_by("organisation__name")
    ]
    return {
        "intitule": ctg.title,
        "territoire.nom": ctg.territory_name,
        "territoire.type": territory_type(ctg),
        "territoire.communes": placeholders.join_fr(c.name for c in communes),
        "territoire.nombre_communes": f"{len(communes)} commune{'s' if len(communes) > 1 else ''}",
        "territoire.population": _thousands(population),
        "periode": ctg.period_label,
        "annee_debut": str(ctg.start_year),
        "annee_fin": str(ctg.end_year),
        "duree": f"{ctg.duration_years} an" + ("s" if ctg.duration_years > 1 else ""),
        "caf.nom": ctg.caf.name,
        "champs": ", ".join(label[0].lower() + label[1:] for label in ctg.get_fields_display())
        or "à préciser",
        "signataires": "\n".join(
            f"- {s.organisation.name}, représentée par {s.signer_name}, {s.signer_capacity}"
            for s in signatories
        )
        or "- Signataires à désigner.",
        "partenaires": ", ".join(partners) if partners else "aucun partenaire associé à ce jour",
        "instances": instances,
        "coordination.poste": coordination,
        "date_signature": date_fr(signed) if signed else "non signée",
    }


# --- the model -------------------------------------------------------------------------------------------


def model_articles(caf) -> list[dict]:
    """[{key, title, body}] of the CAF's model, or of the national default model."""
    template = ConventionTemplate.objects.filter(caf=caf).first() if caf is not None else None
    if template is not None:
        return [{"key": a.key, "title": a.title, "body": a.body} for a in template.articles.all()]
    return [{"key": a.key, "title": a.title, "body": a.body} for a in defaults.ARTICLES]


def blocks(text: str) -> list[dict]:
    """Paragraphs and lists of a rendered text: each line is a paragraph, lines starting with « - » a list."""
    result: list[dict] = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("- ") or line == "-":
            item = line[1:].strip()
            if result and result[-1]["kind"] == "list":
                result[-1]["items"].append(item)
            else:
                result.append({"kind": "list", "items": [item]})
        else:
            result.append({"kind": "paragraph", "text": line})
    return result


# --- annexes ---------------------------------------------------------------------------------------------


def portrait_annex(ctg: Ctg) -> dict:
    """Key figures and points of attention of the dossier's portrait; `available` False (with a reason) when
    no statistics are loaded or the portrait cannot be built."""
    from ctg.diagnostics.catalogue import COMMUNE_TABLE_INDICATORS
    from ctg.diagnostics.field_weights import annex_points
    from ctg.diagnostics.portrait import build_portrait, territory_of_ctg
    from ctg.diagnostics.readings import format_value

    try:
        portrait = build_portrait(territory_of_ctg(ctg))
    except Exception:  # a broken statistics store must not prevent the convention
        logger.exception("Portrait of dossier %s", ctg.pk)
        return {"available": False, "reason": "Le portrait social du territoire n'a pas pu être calculé."}
    if not portrait.datasets:
        return {
            "available": False,
            "reason": (
                "Aucune statistique n'est chargée : le portrait social du territoire n'est pas disponible."
            ),
        }
    figures = []
    left_out = []
    for result in portrait.results:
        if result.indicator.id not in COMMUNE_TABLE_INDICATORS:
            continue
        if result.value.value is None:
            # Not in the signed document, and said why (secret, absent from the file, not published).
            left_out.append({"label": result.indicator.label, "reason": result.value.caveat})
            continue
        figures.append(
            {
                "label": result.indicator.label,
                "value": format_value(result.value.value, result.indicator.unit, result.indicator.decimals),
                # A figure that is not complete carries its status and coverage (« partiel : … »).
                "status": result.value.caveat,
                "source": result.source,
            }
        )
    # The dossier's fields of intervention first; never commercial equipment (supermarkets, supérettes…).
    points = annex_points(portrait.attention, ctg.fields)
    attention = [{"label": p["indicator"].label, "sentence": p["sentence"]} for p in points[:10]]
    return {
        "available": True,
        "territory": portrait.territory.name,
        "population": _thousands(portrait.territory.population),
        "figures": figures,
        "left_out": left_out,
        "attention": attention,
        "fictitious": list(portrait.fictitious_datasets),
    }


def _budget_by_funder(fiche: dict, start_year: int, end_year: int) -> dict[str, Decimal]:
    """The planned amount of a fiche (as exported) by funder over the years of the CTG, zero amounts out."""
    budget = summary.budget_summary(
        fiche["budget"], summary.FUNDER, years=(start_year, end_year), skip_zero=True
    )
    return {row.key: row.planned for row in budget.rows}


def plan_annexes(ctg: Ctg) -> dict:
    plan = export_plan(ctg, with_ids=True)
    enjeux = plan["enjeux"]
    fiches = []
    indicators = []
    for fiche in plan["fiches"]:
        budget = _budget_by_funder(fiche, ctg.start_year, ctg.end_year)
        pilot = ", ".join(p for p in (fiche["pilot_organisation"], fiche["pilot_person"]) if p) or "—"
        fiches.append(
            {
                "id": fiche["id"],
                "number": fiche["number"],
                "title": fiche["title"],
                "pilot": pilot,
                "start": _date_short(fiche["start_date"]),
                "end": _date_short(fiche["end_date"]),
                "budget": [
                    {"funder": FUNDER_LABELS[f], "amount": str(v), "text": euros(v)}
                    for f, v in budget.items()
                ],
                "budget_total": euros(sum(budget.values(), Decimal("0"))),
            }
        )
        for indicator in fiche["indicators"]:
            targets = {
                v["year"]: v["value"] for v in indicator["values"] if v["kind"] == IndicatorValue.Kind.TARGET
            }
            baseline = _number(indicator["baseline_value"])
            if indicator["baseline_year"] and indicator["baseline_value"] is not None:
                baseline += f" ({indicator['baseline_year']})"
            indicators.append(
                {
                    "id": indicator["id"],
                    "fiche": fiche["number"],
                    "fiche_title": fiche["title"],
                    "label": indicator["label"],
                    "unit": indicator["unit"],
                    "baseline": baseline,
                    "targets": {
                        year: _number(targets.get(year)) for year in range(ctg.start_year, ctg.end_year + 1)
                    },
                    "raw_targets": {str(y): _plain(v) for y, v in sorted(targets.items())},
                }
            )
    return {"enjeux": enjeux, "fiches": fiches, "indicators": indicators}


# --- what the document calls itself ----------------------------------------------------------------------

# The phrases of a model's text that name the document, as an accord-cadre says them (masculine), applied in
# this order to the rendered articles of an accord-cadre. « convention territoriale globale » (the démarche)
# is left as it is.
ACCORD_CADRE_PHRASES = (
    (r"\bde la présente convention\b", "du présent accord-cadre"),
    (r"\bà la présente convention\b", "au présent accord-cadre"),
    (r"\bLa présente convention\b", "Le présent accord-cadre"),
    (r"\bla présente convention\b", "le présent accord-cadre"),
    (r"\bLa convention\b(?! territoriale)", "L'accord-cadre"),
    (r"\bla convention\b(?! territoriale)", "l'accord-cadre"),
    (r"\bcette convention\b(?! territoriale)", "cet accord-cadre"),
    (r"\bCette convention\b(?! territoriale)", "Cet accord-cadre"),
    (r"\bElle vise à\b", "Il vise à"),
    (r"\bElle ne peut être renouvelée\b", "Il ne peut être renouvelé"),
    (r"\bcelle-ci peut être résiliée\b", "celui-ci peut être résilié"),
)


# The past participle or adjective that followed « la convention » as its subject agrees with « accord-cadre »
# (« L'accord-cadre est signée » → « signé », « conclue » → « conclu », « soumise » → « soumis »); not after a
# preposition, where the subject is another noun (« la mise en œuvre de l'accord-cadre est suivie »).
_AGREEING = re.compile(
    r"(?P<before>\b\w+ )?(?P<subject>(?:[Ll]'|[Ll]e présent |[Cc]et )accord-cadre,? (?:ne )?"
    r"(?:est|sera|serait|a été|peut être|pourra être|doit être|devra être)(?: ainsi| alors| également)? )"
    r"(?P<stem>\w+?(?:é|u|i|is|it))e\b"
)
_PREPOSITIONS = {"de", "à", "du", "au", "par", "pour", "sur", "dans", "avec", "selon", "sans"}


def _agree(match: re.Match) -> str:
    before = match["before"] or ""
    if before.strip().lower() in _PREPOSITIONS:
        return match[0]
    return f"{before}{match['subject']}{match['stem']}"


def as_accord_cadre(text: str) -> str:
    """The text of a convention's article as the accord-cadre says it (« La présente convention est conclue
    … » → « Le présent accord-cadre est conclu … »)."""
    for pattern, replacement in ACCORD_CADRE_PHRASES:
        text = re.sub(pattern, replacement, text)
    return _AGREEING.sub(_agree, text)


def naming(ctg: Ctg) -> dict[str, str]:
    """How the document names itself: « convention » or « accord-cadre », with its articles."""
    if ctg.agreement == Agreement.ACCORD_CADRE:
        return {
            "name": "accord-cadre",
            "the": "l'accord-cadre",
            "of_the": "de l'accord-cadre",
            "to_the": "à l'accord-cadre",
            "kind_label": "Accord-cadre de convention territoriale globale",
            "avenant_to": "à l'accord-cadre de convention territoriale globale",
            "signed": "Accord-cadre signé le",
            "generated": "un accord-cadre déjà généré",
        }
    return {
        "name": "convention",
        "the": "la convention",
        "of_the": "de la convention",
        "to_the": "à la convention",
        "kind_label": "Convention territoriale globale",
        "avenant_to": "à la convention territoriale globale",
        "signed": "Convention signée le",
        "generated": "une convention déjà générée",
    }


# --- the document ----------------------------------------------------------------------------------------

DESIGNATIONS = {"caf": "la CAF", "epci": "la collectivité", "commune": "la commune"}


def parties(ctg: Ctg, signatories) -> list[str]:
    """« la CAF du Tarn, représentée par …, Directrice, ci-après dénommée « la CAF », » for each signatory."""
    lines = []
    used = set()
    for index, s in enumerate(signatories):
        represented = french.agree(s.organisation.name, "représenté")
        text = f"{s.organisation.name}, {represented} par {s.signer_name}, {s.signer_capacity}"
        designation = DESIGNATIONS.get(s.organisation.kind)
        if designation and designation not in used:
            used.add(designation)
            text += f", ci-après {french.agree(s.organisation.name, 'dénommé')} « {designation} »"
        if index < len(signatories) - 2:
            text += ","
        elif index == len(signatories) - 2:
            text += ", et"
        else:
            text += "."
        lines.append(text)
    if not lines:
        lines = [
            f"{ctg.caf.name}, ci-après dénommée « la CAF », et les collectivités de {territory_type(ctg)}."
        ]
    return lines


def snapshot(ctg: Ctg, signatories, annexes: dict) -> dict:
    return {
        "title": ctg.title,
        "agreement": ctg.agreement,
        "period": ctg.period_label,
        "communes": [c.name for c in ctg.communes.order_by("name")],
        "fields": ctg.get_fields_display(),
        "signatories": [
            {
                "organisation": s.organisation.name,
                "signer": s.signer_name,
                "capacity": s.signer_capacity,
                "signed_on": s.signed_on.isoformat() if s.signed_on else None,
            }
            for s in signatories
        ],
        "fiches": [
            {
                "id": f["id"],
                "number": f["number"],
                "title": f["title"],
                "pilot": f["pilot"],
                "start": f["start"],
                "end": f["end"],
                "budget": {b["funder"]: b["amount"] for b in f["budget"]},
            }
            for f in annexes["fiches"]
        ],
        "indicators": [
            {
                "id": i["id"],
                "fiche": i["fiche_title"],
                "label": i["label"],
                "baseline": i["baseline"],
                "targets": i["raw_targets"],
            }
            for i in annexes["indicators"]
        ],
    }


def build(
    ctg: Ctg, *, kind: str = "convention", subject: str = "", avenant_number: int | None = None
) -> dict:
    signatories = _signatories(ctg)
    values = placeholder_values(ctg, signatories)
    names = naming(ctg)
    own_words = as_accord_cadre if ctg.agreement == Agreement.ACCORD_CADRE else str
    articles = []
    for article in model_articles(ctg.caf):
        articles.append(
            {
                "key": article["key"],
                "title": own_words(placeholders.render(article["title"], values)),
                "blocks": blocks(own_words(placeholders.render(article["body"], values))),
            }
        )
    signed = signature_date(signatories)
    plan = plan_annexes(ctg)
    portrait = portrait_annex(ctg)
    is_avenant = kind == "avenant"
    if is_avenant:
        title = f"Avenant n° {avenant_number} {names['avenant_to']} « {ctg.title} »"
    else:
        title = f"{names['kind_label']} « {ctg.title} »"
    return {
        "ctg_title": ctg.title,
        "title": title,
        "kind_label": "Avenant" if is_avenant else names["kind_label"],
        "document_name": names["name"],
        "is_avenant": is_avenant,
        "avenant_number": avenant_number,
        "subject": subject,
        "changes": [],
        "changes_title": f"Modifications apportées {names['to_the']}",
        "no_changes_text": f"Aucune modification des éléments {names['of_the']} n'a été relevée.",
        "consolidated_text": (
            f"Les autres dispositions {names['of_the']} demeurent inchangées. Le texte consolidé "
            f"{names['of_the']} figure ci-après."
        ),
        "caf": ctg.caf.name,
        "territory": territory_type(ctg),
        "period": ctg.period_label,
        "fictitious": ctg.is_fictitious,
        "fictitious_label": FICTITIOUS_LABEL if ctg.is_fictitious else "",
        "parties": parties(ctg, signatories),
        "articles": articles,
        "signatures": [
            {
                "organisation": s.organisation.name,
                "name": s.signer_name,
                "capacity": s.signer_capacity,
                "date": f"Signé le {s.signed_on:%d/%m/%Y}" if s.signed_on else "Le ____________",
            }
            for s in signatories
        ],
        "signed_text": f"{names['signed']} {date_fr(signed)}" if signed else "",
        "portrait": portrait,
        "enjeux": plan["enjeux"],
        "fiches": plan["fiches"],
        "indicators": plan["indicators"],
        "years": list(range(ctg.start_year, ctg.end_year + 1)),
        "generated": date_fr(timezone.localdate()),
        "snapshot": snapshot(ctg, signatories, plan),
    }


# --- changes between two versions --------------------------------------------------------------------------


def _money(value) -> str:
    return euros(Decimal(value)) if value is not None else "0,00 €"


def compare(before: dict, after: dict) -> list[str]:
    """French lines: what changed from the `before` snapshot to the `after` one."""
    if not before:
        return []
    lines = []
    if before.get("title") != after.get("title"):
        lines.append(f"Intitulé : {before.get('title')} → {after.get('title')}")
    if before.get("period") != after.get("period"):
        lines.append(f"Période : {before.get('period')} → {after.get('period')}")
    old_communes, new_communes = before.get("communes", []), after.get("communes", [])
    lines += [f"Commune ajoutée : {c}" for c in new_communes if c not in old_communes]
    lines += [f"Commune retirée : {c}" for c in old_communes if c not in new_communes]
    old_fields, new_fields = before.get("fields", []), after.get("fields", [])
    lines += [f"Champ d'intervention ajouté : {f}" for f in new_fields if f not in old_fields]
    lines += [f"Champ d'intervention retiré : {f}" for f in old_fields if f not in new_fields]

    old_sign = {s["organisation"]: s for s in before.get("signatories", [])}
    new_sign = {s["organisation"]: s for s in after.get("signatories", [])}
    for name, s in new_sign.items():
        if name not in old_sign:
            lines.append(f"Signataire ajouté : {name} ({s['signer']}, {s['capacity']})")
            continue
        old = old_sign[name]
        if (old["signer"], old["capacity"]) != (s["signer"], s["capacity"]):
            lines.append(
                f"Signataire {french.organisation_of(name)} : {old['signer']}, {old['capacity']} → "
                f"{s['signer']}, {s['capacity']}"
            )
        if old.get("signed_on") != s.get("signed_on"):
            lines.append(
                f"Signature {french.organisation_of(name)} : {_date_short(old.get('signed_on'))} → "
                f"{_date_short(s.get('signed_on'))}"
            )
    lines += [f"Signataire retiré : {name}" for name in old_sign if name not in new_sign]

    # Fiches and indicators are followed by their id (a renamed fiche is the same fiche); versions generated
    # before ids were kept in the snapshot are matched by title.
    by_id = all("id" in f for f in [*before.get("fiches", []), *after.get("fiches", [])])
    old_fiches = {(f["id"] if by_id else f["title"]): f for f in before.get("fiches", [])}
    new_fiches = {(f["id"] if by_id else f["title"]): f for f in after.get("fiches", [])}
    for key_, f in new_fiches.items():
        title = f["title"]
        if key_ not in old_fiches:
            lines.append(f"Fiche action ajoutée : {f['number']} {title}")
            continue
        old = old_fiches[key_]
        if old["title"] != title:
            lines.append(f"Intitulé de la fiche {f['number']} : « {old['title']} » → « {title} »")
        label = f"de la fiche {f['number']} « {title} »"
        if old.get("pilot") != f.get("pilot"):
            lines.append(f"Pilote {label} : {old.get('pilot')} → {f.get('pilot')}")
        if (old.get("start"), old.get("end")) != (f.get("start"), f.get("end")):
            lines.append(
                f"Calendrier {label} : {old.get('start')} – {old.get('end')} → "
                f"{f.get('start')} – {f.get('end')}"
            )
        old_budget, new_budget = old.get("budget", {}), f.get("budget", {})
        for funder in [*new_budget, *(k for k in old_budget if k not in new_budget)]:
            a, b = old_budget.get(funder), new_budget.get(funder)
            if a is None or b is None or Decimal(a) != Decimal(b):
                lines.append(f"Budget {label} ({funder}) : {_money(a)} → {_money(b)}")
    lines += [
        f"Fiche action retirée : {f['number']} {f['title']}"
        for key_, f in old_fiches.items()
        if key_ not in new_fiches
    ]

    by_id = all("id" in i for i in [*before.get("indicators", []), *after.get("indicators", [])])

    def key(i):
        return i["id"] if by_id else (i["fiche"], i["label"])

    old_ind = {key(i): i for i in before.get("indicators", [])}
    new_ind = {key(i): i for i in after.get("indicators", [])}
    for k, i in new_ind.items():
        if k not in old_ind:
            lines.append(f"Indicateur ajouté : {i['label']} (fiche « {i['fiche']} »)")
            continue
        old = old_ind[k]
        if old["label"] != i["label"]:
            lines.append(f"Intitulé de l'indicateur : « {old['label']} » → « {i['label']} »")
        if old.get("baseline") != i.get("baseline"):
            lines.append(
                f"Valeur de référence de l'indicateur « {i['label']} » : "
                f"{old.get('baseline')} → {i.get('baseline')}"
            )
        old_t, new_t = old.get("targets", {}), i.get("targets", {})
        for year in sorted({*old_t, *new_t}):
            if old_t.get(year) != new_t.get(year):
                a = _number(old_t.get(year)) if old_t.get(year) is not None else "—"
                b = _number(new_t.get(year)) if new_t.get(year) is not None else "—"
                lines.append(f"Cible {year} de l'indicateur « {i['label']} » : {a} → {b}")
    lines += [
        f"Indicateur retiré : {i['label']} (fiche « {i['fiche']} »)"
        for k, i in old_ind.items()
        if k not in new_ind
    ]
    return lines
