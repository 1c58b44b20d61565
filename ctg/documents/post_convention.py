"""The yearly funding convention of the coordinator post (chargé·e de coopération), issue 14: in
Loire-Atlantique the coordinator « doit renouveler sa convention chaque année pour bénéficier d'acompte ».

Like the CTG convention, each CAF has a model of articles with placeholders (`CATALOGUE`, checked and
replaced by `ctg.documents.placeholders`), the default model `DEFAULT_ARTICLES` when it has not written its
own; `generate(funding=…, actor=…)` builds the document of a post's year (DOCX with python-docx, PDF with
WeasyPrint, both through `ctg.rendering`), keeps it as a new `PostConventionVersion` and records the step on
the funding line through `ctg.post.services.convention_generated` (one history line, `FUNDING_CONVENTION`).

Contract:
- MUST refuse before the CAF's decision (no agreed amount) and once the convention is signed (the signature
  is cancelled first), leaving no version, no file and no history line;
- MUST keep every version (never overwrite a file);
- every text typed by a person (names, missions, signatories) reaches the PDF escaped by the template engine
  and the DOCX as plain text (what XML refuses dropped); the CAF's model is never run as a template.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from ctg import rendering
from ctg.documents import content, placeholders
from ctg.documents.models import PostConventionArticle, PostConventionTemplate, PostConventionVersion
from ctg.organisations.models import Organisation
from ctg.post import services as post_services
from ctg.post.models import PostFunding
from ctg.text import clean_text, xml_clean

FICTITIOUS_LABEL = "FICTIF — dossier de démonstration : personnes et montants fictifs."

CATALOGUE: dict[str, str] = {
    "intitule": "Intitulé du dossier CTG.",
    "territoire.nom": "Nom du territoire.",
    "territoire.type": placeholders.CATALOGUE["territoire.type"],
    "periode": "Période de la CTG, par exemple « 2025-2028 ».",
    "caf.nom": "Nom de la CAF, par exemple « CAF de Loire-Atlantique ».",
    "employeur.nom": "Organisation qui emploie la personne (l'EPCI, la commune…).",
    "poste.personne": "Prénom et nom du ou de la chargé·e de coopération.",
    "poste.etp": "Temps de travail du poste en équivalent temps plein (« 0,8 ETP »).",
    "poste.prise_de_poste": "Date de prise de poste.",
    "poste.missions": "Missions du poste, telles que saisies sur la page du poste.",
    "annee": "Année financée.",
    "montant.demande": "Montant demandé (€).",
    "montant.accorde": "Montant accordé par la CAF (€).",
    "date_decision": "Date de la décision de financement de la CAF.",
    "acompte.taux": "Taux de l'acompte (« 50 % »).",
    "acompte.montant": "Montant de l'acompte (€), le taux appliqué au montant accordé.",
    "solde.montant": "Montant du solde (€) : le montant accordé moins l'acompte.",
    "solde.conditions": (
        "Conditions du versement du solde (rapport d'activité de l'année accepté par la CAF)."
    ),
}


@dataclass(frozen=True)
class DefaultArticle:
    key: str
    title: str
    body: str


DEFAULT_ARTICLES: tuple[DefaultArticle, ...] = (
    DefaultArticle(
        "parties",
        "Entre les soussignés",
        "{{ caf.nom }}, ci-après dénommée « la CAF »,\n"
        "et {{ employeur.nom }}, employeur du poste de chargé·e de coopération de la convention territoriale "
        "globale « {{ intitule }} », ci-après dénommé « le gestionnaire ».",
    ),
    DefaultArticle(
        "objet",
        "Article 1 — Objet",
        "La présente convention fixe, pour l'année {{ annee }}, le cofinancement par la CAF du poste de "
        "chargé·e de coopération de la CTG de {{ territoire.type }} (période {{ periode }}), occupé par "
        "{{ poste.personne }} depuis le {{ poste.prise_de_poste }}, à raison de {{ poste.etp }}.",
    ),
    DefaultArticle(
        "missions",
        "Article 2 — Missions du poste",
        "Le ou la chargé·e de coopération anime la démarche CTG, prépare et conduit les instances, suit le "
        "plan d'action et rend compte de son activité chaque année. Missions précisées :\n"
        "{{ poste.missions }}",
    ),
    DefaultArticle(
        "montant",
        "Article 3 — Montant",
        "Pour l'année {{ annee }}, sur une demande de {{ montant.demande }}, la CAF accorde "
        "{{ montant.accorde }} (décision du {{ date_decision }}).",
    ),
    DefaultArticle(
        "versements",
        "Article 4 — Versements",
        "- un acompte de {{ acompte.taux }} du montant accordé, soit {{ acompte.montant }}, versé après la "
        "signature de la présente convention ;\n"
        "- le solde, soit {{ solde.montant }} au plus, {{ solde.conditions }}.\n"
        "L'acompte et le solde ne peuvent excéder ensemble le montant accordé.",
    ),
    DefaultArticle(
        "duree",
        "Article 5 — Durée",
        "La présente convention vaut pour l'année {{ annee }}. Elle est renouvelée chaque année, sur demande "
        "du gestionnaire, pour permettre le versement de l'acompte de l'année suivante.",
    ),
)


def _euros(value) -> str:
    if value is None:
        return "montant à préciser"
    text = f"{Decimal(value):,.2f}".replace(",", "\u202f").replace(".", ",")
    return f"{text} €"


def _fte(value) -> str:
    return f"{Decimal(value):.2f}".rstrip("0").rstrip(",.").replace(".", ",") + " ETP"


def values_for(funding: PostFunding) -> dict[str, str]:
    """The value of each placeholder for a funding line (a missing figure says so)."""
    post = funding.post
    ctg = post.ctg
    base = content.placeholder_values(ctg)
    agreed = funding.amount_agreed
    rate = funding.advance_rate
    advance = (
        (agreed * rate / 100).quantize(Decimal("0.01")) if agreed is not None and rate is not None else None
    )
    balance = agreed - advance if agreed is not None and advance is not None else None
    return {
        "intitule": base["intitule"],
        "territoire.nom": base["territoire.nom"],
        "territoire.type": base["territoire.type"],
        "periode": base["periode"],
        "caf.nom": base["caf.nom"],
        "employeur.nom": post.employer.name,
        "poste.personne": post.person_name,
        "poste.etp": _fte(post.fte),
        "poste.prise_de_poste": content.date_fr(post.start_date),
        "poste.missions": post.missions or "non précisées",
        "annee": str(funding.year),
        "montant.demande": _euros(funding.amount_requested)
        if funding.amount_requested is not None
        else "non renseigné",
        "montant.accorde": _euros(agreed),
        "date_decision": content.date_fr(funding.decided_on) if funding.decided_on else "date à préciser",
        "acompte.taux": f"{rate} %" if rate is not None else "taux à préciser",
        "acompte.montant": _euros(advance),
        "solde.montant": _euros(balance),
        "solde.conditions": (
            f"versé après l'acceptation par la CAF du rapport d'activité {funding.year} du poste"
        ),
    }


# --- the CAF's model ---------------------------------------------------------------------------------------


def model_articles(caf) -> list[dict]:
    template = PostConventionTemplate.objects.filter(caf=caf).first() if caf is not None else None
    if template is not None:
        return [{"key": a.key, "title": a.title, "body": a.body} for a in template.articles.all()]
    return [{"key": a.key, "title": a.title, "body": a.body} for a in DEFAULT_ARTICLES]


@transaction.atomic
def template_save(*, caf, actor, articles: list[dict]) -> PostConventionTemplate:
    """Replaces the CAF's model by `articles` ([{"title", "body"}] in order; keys kept by position when
    given). Every problem is reported (French, naming the article); nothing is saved when there is one."""
    if caf is None or caf.kind != Organisation.Kind.CAF:
        raise ValidationError("Seule une CAF a un modèle de convention de financement du poste.")
    errors = []
    rows = []
    for index, row in enumerate(articles, start=1):
        title = clean_text(row.get("title", "")).strip()
        body = clean_text(row.get("body", ""), multiline=True).strip()
        label = title or f"n° {index}"
        if not title:
            errors.append(f"Article « {label} » : le titre est obligatoire.")
        elif len(title) > 250:
            errors.append(f"Article « {label} » : le titre dépasse 250 caractères.")
        if not body:
            errors.append(f"Article « {label} » : le texte est obligatoire.")
        for where, text in (("titre", title), ("texte", body)):
            errors += [f"Article « {label} » ({where}) : {m}" for m in placeholders.validate(text, CATALOGUE)]
        rows.append((row.get("key") or "", title, body))
    taken = {key for key, _, _ in rows if key}
    for index, (key, title, body) in enumerate(rows):
        if not key:  # a new article: a key of its own, kept by later edits
            base = (slugify(title) or "article")[:32].strip("-") or "article"
            key, n = base, 2
            while key in taken:
                key, n = f"{base}-{n}", n + 1
            taken.add(key)
            rows[index] = (key, title, body)
    if not rows:
        errors.append("Le modèle doit garder au moins un article.")
    if len({key for key, _, _ in rows}) != len(rows):
        errors.append("Deux articles ont le même repère.")
    if errors:
        raise ValidationError(errors)
    template, _ = PostConventionTemplate.objects.get_or_create(
        caf=caf, defaults={"created_by": actor, "updated_by": actor}
    )
    template.articles.all().delete()
    PostConventionArticle.objects.bulk_create(
        PostConventionArticle(
            template=template, position=i, key=key, title=title, body=body, created_by=actor, updated_by=actor
        )
        for i, (key, title, body) in enumerate(rows)
    )
    template.updated_by = actor
    template.save(update_fields=["updated_by", "updated_at"])
    return template


@transaction.atomic
def template_reset(*, caf, actor) -> None:
    """The CAF goes back to the default model (its own is removed)."""
    if caf is None or caf.kind != Organisation.Kind.CAF:
        raise ValidationError("Seule une CAF a un modèle de convention de financement du poste.")
    PostConventionTemplate.objects.filter(caf=caf).delete()


# --- the document ------------------------------------------------------------------------------------------


def build(funding: PostFunding) -> dict:
    """The document's structure: title, articles rendered (paragraphs and lists), signature block."""
    post = funding.post
    ctg = post.ctg
    values = values_for(funding)
    articles = []
    for article in model_articles(ctg.caf):
        title = placeholders.render(article["title"], values, CATALOGUE)
        body = placeholders.render(article["body"], values, CATALOGUE)
        articles.append({"title": title, "blocks": content.blocks(body)})
    return xml_clean(
        {
            "title": f"Convention de financement {funding.year} du poste de chargé·e de coopération",
            "ctg_title": ctg.title,
            "caf": ctg.caf.name,
            "employer": post.employer.name,
            "person": post.person_name,
            "year": funding.year,
            "articles": articles,
            "fictitious": ctg.is_fictitious,
            "fictitious_label": FICTITIOUS_LABEL,
            "generated": content.date_fr(timezone.localdate()),
            "snapshot": {k: values[k] for k in ("montant.accorde", "acompte.taux", "acompte.montant")},
        }
    )


def render_pdf(data: dict) -> bytes:
    # css_name: escaped for CSS by the css_string filter
    return rendering.pdf("documents/post_convention_pdf.html", data, css_name=data["ctg_title"])


def render_docx(data: dict) -> bytes:
    document = rendering.docx_document(f"{data['title']} — {data['ctg_title']}", author=data["caf"])
    if data["fictitious"]:
        document.sections[0].header.paragraphs[0].text = data["fictitious_label"]
        document.add_paragraph(data["fictitious_label"]).runs[0].bold = True
    document.add_heading(data["title"], level=0)
    document.add_paragraph(f"CTG « {data['ctg_title']} » — {data['caf']}")
    for article in data["articles"]:
        document.add_heading(article["title"], level=1)
        for block in article["blocks"]:
            if block["kind"] == "list":
                for item in block["items"]:
                    document.add_paragraph(item, style="List Bullet")
            else:
                document.add_paragraph(block["text"])
    document.add_heading("Signatures", level=1)
    rendering.docx_table(
        document,
        ["Pour la CAF", "Pour le gestionnaire"],
        [[data["caf"], data["employer"]], ["Date et signature :", "Date et signature :"]],
    )
    return rendering.docx_bytes(document)


def file_stem(version: PostConventionVersion) -> str:
    """« convention-financement-poste-2026-ctg-du-test-v2 »."""
    title = re.sub(r"-+", "-", slugify(version.ctg.title))[:60].strip("-") or f"ctg-{version.ctg_id}"
    return f"convention-financement-poste-{version.year}-{title}-v{version.number}"


def generate(*, funding: PostFunding, actor) -> PostConventionVersion:
    """A new version of the year's convention (files and record), then the step recorded on the funding.

    No render holds a database transaction open (issue 15): the document is built and rendered first, then
    the version, its files and the step are written in one short transaction that locks the funding and
    checks again that the convention may be generated; a version generated meanwhile makes this one refused
    (French), not numbered twice."""
    funding = PostFunding.objects.select_related("post__ctg__caf", "post__employer").get(pk=funding.pk)
    post_services.convention_can_generate(funding)
    previous = funding.convention_versions.order_by("-number").first()
    data = build(funding)
    files = (render_pdf(data), render_docx(data))
    return _save(funding=funding, actor=actor, previous=previous, snapshot=data["snapshot"], files=files)


@transaction.atomic
def _save(*, funding, actor, previous, snapshot, files) -> PostConventionVersion:
    funding = (
        PostFunding.objects.select_for_update(of=("self",))
        .select_related("post__ctg__caf", "post__employer")
        .get(pk=funding.pk)
    )
    post_services.convention_can_generate(funding)
    latest = funding.convention_versions.order_by("-number").values_list("number", flat=True).first()
    if latest != (previous.number if previous else None):
        raise ValidationError(
            "Une autre version a été générée pendant la mise en page de celle-ci : relancez la génération."
        )
    pdf_bytes, docx_bytes = files
    version = PostConventionVersion.objects.create(
        ctg=funding.post.ctg,
        funding=funding,
        year=funding.year,
        number=(previous.number + 1) if previous else 1,
        generated_by=actor if actor is not None and actor.is_authenticated else None,
        snapshot=snapshot,
    )
    stem = file_stem(version)
    try:
        version.docx.save(f"{stem}.docx", ContentFile(docx_bytes), save=False)
        version.pdf.save(f"{stem}.pdf", ContentFile(pdf_bytes), save=False)
        version.save(update_fields=["docx", "pdf"])
        post_services.convention_generated(funding=funding, actor=actor, number=version.number)
    except Exception:
        for stored in (version.pdf, version.docx):
            if stored:
                stored.delete(save=False)
        raise
    return version


def documents_of(fundings) -> dict[int, list[dict]]:
    """The generated versions of the fundings' conventions, newest first (registered with
    `ctg.post.selectors.register_convention_documents` for the post page)."""
    result: dict[int, list[dict]] = {}
    versions = PostConventionVersion.objects.filter(funding__in=list(fundings)).order_by("year", "-number")
    for version in versions:
        kwargs = {"pk": version.ctg_id, "year": version.year, "number": version.number}
        result.setdefault(version.funding_id, []).append(
            {
                "number": version.number,
                "generated_at": version.generated_at,
                "docx_url": reverse("documents:post_convention_docx", kwargs=kwargs),
                "pdf_url": reverse("documents:post_convention_pdf", kwargs=kwargs),
            }
        )
    return result
