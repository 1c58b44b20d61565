"""Writes of the documents: the CAF's model of convention and the generated convention versions; the texts
and the generated versions of the diagnostic partagé document.

Every function is keyword-only and atomic, validates first (French `ValidationError`), then writes. The
model of a CAF has no dossier history: who and when are kept on the rows (`TrackedModel`). A generated
version is recorded in the dossier's history.
"""

import re

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.text import slugify

from ctg.conventions.models import Avenant, Ctg
from ctg.core.history import history_record, register_labels, tracked_update
from ctg.core.models import Action
from ctg.documents import content, defaults, diagnostic, diagnostic_render, placeholders, render
from ctg.documents.models import (
    ConventionArticle,
    ConventionTemplate,
    ConventionVersion,
    DiagnosticReport,
    DiagnosticReportVersion,
)
from ctg.organisations.models import Organisation
from ctg.text import clean_text

MAX_TITLE = ConventionArticle._meta.get_field("title").max_length
MAX_ARTICLES = 60
MAX_BODY = 20_000


register_labels(Action.CONVENTION, {"convention_version": "Version de la convention"})


# --- the CAF's model -------------------------------------------------------------------------------------


def _check_caf(caf) -> None:
    if caf is None or caf.kind != Organisation.Kind.CAF:
        raise ValidationError("Seule une CAF a un modèle de convention.")


def _article_errors(label: str, title: str, body: str) -> list[str]:
    errors = []
    if not title.strip():
        errors.append(f"Article « {label} » : le titre est obligatoire.")
    elif len(title) > MAX_TITLE:
        errors.append(f"Article « {label} » : le titre dépasse {MAX_TITLE} caractères.")
    if not body.strip():
        errors.append(f"Article « {label} » : le texte est obligatoire.")
    elif len(body) > MAX_BODY:
        errors.append(f"Article « {label} » : le texte dépasse {MAX_BODY} caractères.")
    for where, text in (("titre", title), ("texte", body)):
        errors += [f"Article « {label} » ({where}) : {message}" for message in placeholders.validate(text)]
    return errors


def _new_key(title: str, taken: set[str]) -> str:
    base = (slugify(title) or "article")[:32].strip("-") or "article"
    key, n = base, 2
    while key in taken:
        key = f"{base}-{n}"
        n += 1
    return key


def _create_defaults(template: ConventionTemplate, actor) -> None:
    ConventionArticle.objects.bulk_create(
        ConventionArticle(
            template=template,
            position=index,
            key=article.key,
            title=article.title,
            body=article.body,
            created_by=actor,
            updated_by=actor,
        )
        for index, article in enumerate(defaults.ARTICLES)
    )


def template_get_or_create(*, caf, actor) -> ConventionTemplate:
    """The CAF's model; the first time, a copy of the national default model."""
    _check_caf(caf)
    template = ConventionTemplate.objects.filter(caf=caf).first()
    if template is not None:
        return template
    template = ConventionTemplate.objects.create(caf=caf, created_by=actor, updated_by=actor)
    _create_defaults(template, actor)
    return template


@transaction.atomic
def template_save(*, caf, actor, articles: list[dict], new: dict | None = None) -> ConventionTemplate:
    """Saves the whole model of `caf` at once.

    `articles`: [{"key", "title", "body", "delete": bool}] in the wanted order (every article of the model
    must be there); `new`: {"title", "body"} of an article to add at the end, or None. Every problem of every
    article is reported (French, naming the article); nothing is saved when there is one."""
    _check_caf(caf)
    template = template_get_or_create(caf=caf, actor=actor)
    existing = {a.key: a for a in template.articles.select_for_update()}
    errors = []
    seen = set()
    for row in articles:
        key = row.get("key", "")
        if key not in existing or key in seen:
            errors.append(f"Article inconnu ou en double : « {key} ». Rechargez la page.")
            continue
        seen.add(key)
        if not row.get("delete"):
            label = row.get("title", "").strip() or existing[key].title
            errors += _article_errors(label, row.get("title", ""), row.get("body", ""))
    missing = set(existing) - seen
    if missing:
        errors.append("Le modèle a été modifié entre-temps : rechargez la page.")
    new_title = (new or {}).get("title", "").strip()
    new_body = (new or {}).get("body", "").strip()
    if new_title or new_body:
        errors += _article_errors(new_title or "nouvel article", new_title, new_body)
    kept = [row for row in articles if not row.get("delete")]
    if not kept and not (new_title or new_body):
        errors.append("Le modèle doit garder au moins un article.")
    if len(kept) + (1 if new_title else 0) > MAX_ARTICLES:
        errors.append(f"Le modèle ne peut pas dépasser {MAX_ARTICLES} articles.")
    if errors:
        raise ValidationError(errors)

    changed = False
    for row in articles:
        article = existing[row["key"]]
        if row.get("delete"):
            article.delete()
            changed = True
    for position, row in enumerate(kept):
        article = existing[row["key"]]
        title, body = row["title"].strip(), row["body"].strip()
        if (article.title, article.body, article.position) != (title, body, position):
            article.title, article.body, article.position = title, body, position
            article.updated_by = actor
            article.save()
            changed = True
    if new_title:
        ConventionArticle.objects.create(
            template=template,
            position=len(kept),
            key=_new_key(new_title, set(existing)),
            title=new_title,
            body=new_body,
            created_by=actor,
            updated_by=actor,
        )
        changed = True
    if changed:
        template.updated_by = actor
        template.save(update_fields=["updated_by", "updated_at"])
    return template


@transaction.atomic
def template_reset(*, caf, actor) -> ConventionTemplate:
    """Replaces the CAF's articles by the national default model."""
    _check_caf(caf)
    template = template_get_or_create(caf=caf, actor=actor)
    template.articles.all().delete()
    _create_defaults(template, actor)
    template.updated_by = actor
    template.save(update_fields=["updated_by", "updated_at"])
    return template


# --- generation ----------------------------------------------------------------------------------------


def file_stem(version: ConventionVersion) -> str:
    """« convention-ctg-du-test-2025-2028-v1 » / « accord-cadre-ctg-du-test-2025-2028-v1 » /
    « avenant-2-ctg-du-test-2025-2028-v3 »."""
    title = re.sub(r"-+", "-", slugify(version.ctg.title))[:60].strip("-") or f"ctg-{version.ctg_id}"
    if version.kind == ConventionVersion.Kind.AVENANT:
        return f"avenant-{version.avenant_number}-{title}-v{version.number}"
    return f"{slugify(version.label)}-{title}-v{version.number}"


def convention_generate(
    *, ctg: Ctg, actor, avenant: Avenant | None = None, progress=None
) -> ConventionVersion:
    """Builds the document from the dossier, writes its DOCX and PDF, and keeps them on a new version with
    the snapshot of the content and the changes since the previous version.

    Without `avenant`: the initial convention (or accord-cadre, as the dossier's `agreement` says). With
    `avenant` (a recorded `conventions.Avenant` of this dossier): the document of that avenant, numbered and
    titled as it, linked to it; it needs a version generated before (what it amends).

    No render holds a database transaction open (issue 15): the content is read and the DOCX and PDF rendered
    first, then the version, its files and the history line are written in one short transaction that locks
    the dossier; a version generated by someone else meanwhile makes this one refused (French), not numbered
    twice. `progress(percent, message)`, when given (a background job), hears each step."""
    step = progress or (lambda percent, message: None)
    step(5, "Lecture du dossier")
    ctg = Ctg.objects.select_related("caf", "epci").get(pk=ctg.pk)
    previous = ctg.convention_versions.order_by("-number").first()
    kind, subject, avenant_number = ConventionVersion.Kind.CONVENTION, "", None
    if avenant is not None:
        errors = {}
        avenant = Avenant.objects.filter(pk=avenant.pk, ctg=ctg).first()
        if avenant is None:
            errors["avenant"] = "Cet avenant n'est pas un avenant de ce dossier."
        if previous is None:
            names = content.naming(ctg)
            errors["kind"] = f"Un avenant suppose {names['generated']} : générez d'abord {names['the']}."
        if errors:
            raise ValidationError(errors)
        kind, subject, avenant_number = ConventionVersion.Kind.AVENANT, avenant.title, avenant.number

    data = content.build(ctg, kind=kind, subject=subject, avenant_number=avenant_number)
    changes = content.compare(previous.snapshot if previous else {}, data["snapshot"])
    data["changes"] = changes
    step(20, "Mise en page du document Word (DOCX)")
    docx_bytes = render.render_docx(data)
    step(45, "Mise en page du PDF")
    pdf_bytes = render.render_pdf(data)
    step(90, "Enregistrement de la version")
    return _convention_save(
        ctg=ctg,
        actor=actor,
        previous=previous,
        avenant=avenant,
        fields={"kind": kind, "subject": subject, "avenant_number": avenant_number},
        snapshot=data["snapshot"],
        changes=changes,
        files=(docx_bytes, pdf_bytes),
    )


@transaction.atomic
def _convention_save(*, ctg, actor, previous, avenant, fields, snapshot, changes, files) -> ConventionVersion:
    ctg = Ctg.objects.select_for_update(of=("self",)).get(pk=ctg.pk)
    latest = ctg.convention_versions.order_by("-number").values_list("number", flat=True).first()
    if latest != (previous.number if previous else None):
        raise ValidationError(
            "Une autre version a été générée pendant la mise en page de celle-ci : relancez la génération."
        )
    subject, avenant_number = fields["subject"], fields["avenant_number"]
    version = ConventionVersion(
        ctg=ctg,
        number=(previous.number + 1) if previous else 1,
        avenant=avenant,
        generated_by=actor if actor is not None and actor.is_authenticated else None,
        snapshot=snapshot,
        changes=changes,
        **fields,
    )
    version.save()
    stem = file_stem(version)
    docx_bytes, pdf_bytes = files
    version.docx.save(f"{stem}.docx", ContentFile(docx_bytes), save=False)
    version.pdf.save(f"{stem}.pdf", ContentFile(pdf_bytes), save=False)
    version.save(update_fields=["docx", "pdf"])
    if avenant is not None:
        summary = f"Document de l'avenant n° {avenant_number} généré (version {version.number}) : {subject}"
    elif version.is_accord_cadre:
        summary = f"Accord-cadre généré (version {version.number})"
    else:
        summary = f"Convention générée (version {version.number})"
    history_record(
        ctg=ctg,
        actor=actor,
        action=Action.CONVENTION,
        summary=summary,
        changes={"convention_version": [str(previous) if previous else "", str(version)]},
        item=version,
    )
    return version


# --- the diagnostic partagé document ------------------------------------------------------------------------

MAX_DIAGNOSTIC_TEXT = 20_000
DIAGNOSTIC_LABELS = register_labels(
    Action.DIAGNOSTIC_REPORT,
    {
        "introduction": "Introduction",
        "conclusions": "Conclusions",
        "diagnostic_version": "Version du document du diagnostic",
    },
)


@transaction.atomic
def diagnostic_texts_set(*, ctg: Ctg, actor, introduction: str, conclusions: str) -> DiagnosticReport:
    """Saves the introduction and the conclusions of the dossier's diagnostic document (control characters
    removed; each at most `MAX_DIAGNOSTIC_TEXT` characters); one history line when something changed."""
    values = {
        "introduction": clean_text(introduction or "", multiline=True).strip(),
        "conclusions": clean_text(conclusions or "", multiline=True).strip(),
    }
    errors = {
        name: f"Le texte dépasse {MAX_DIAGNOSTIC_TEXT} caractères."
        for name, text in values.items()
        if len(text) > MAX_DIAGNOSTIC_TEXT
    }
    if errors:
        raise ValidationError(errors)
    report = DiagnosticReport.objects.select_for_update().filter(ctg=ctg).first()
    if report is None:
        if not any(values.values()):
            return DiagnosticReport(ctg=ctg)
        author = actor_or_none(actor)
        report = DiagnosticReport.objects.create(ctg=ctg, created_by=author, updated_by=author, **values)
        history_record(
            ctg=ctg,
            actor=actor,
            action=Action.DIAGNOSTIC_REPORT,
            summary="Textes du document du diagnostic rédigés",
            changes={name: ["", text] for name, text in values.items() if text},
            item=report,
        )
        return report
    tracked_update(
        report,
        actor=actor,
        ctg=ctg,
        values=values,
        action=Action.DIAGNOSTIC_REPORT,
        summary="Textes du document du diagnostic modifiés",
    )
    return report


def actor_or_none(actor):
    return actor if actor is not None and actor.is_authenticated else None


def diagnostic_file_stem(version: DiagnosticReportVersion) -> str:
    """« diagnostic-ctg-du-test-2025-2028-v1 »."""
    title = re.sub(r"-+", "-", slugify(version.ctg.title))[:60].strip("-") or f"ctg-{version.ctg_id}"
    return f"diagnostic-{title}-v{version.number}"


def diagnostic_generate(*, ctg: Ctg, actor, progress=None) -> DiagnosticReportVersion:
    """Builds the diagnostic partagé document from the dossier (`ctg.documents.diagnostic.build`), writes its
    PDF and DOCX and keeps them on a new version with the sections' snapshot; one history line.

    No render holds a database transaction open (issue 15): the document is built and rendered first, then
    the version, its files and the history line are written in one short transaction that locks the dossier;
    a version generated meanwhile by someone else makes this one refused (French), not numbered twice. All or
    nothing: a failure while building or writing leaves no version, no history line and no file.
    `progress(percent, message)`, when given (a background job), hears each step."""
    step = progress or (lambda percent, message: None)
    step(5, "Lecture du dossier et du portrait")
    ctg = Ctg.objects.select_related("caf", "epci").get(pk=ctg.pk)
    previous = ctg.diagnostic_versions.order_by("-number").first()
    data = diagnostic.build(ctg)
    step(35, "Mise en page du PDF")
    pdf_bytes = diagnostic_render.render_pdf(data)
    step(75, "Mise en page du document Word (DOCX)")
    docx_bytes = diagnostic_render.render_docx(data)
    step(90, "Enregistrement de la version")
    return _diagnostic_save(
        ctg=ctg, actor=actor, previous=previous, snapshot=data["snapshot"], files=(pdf_bytes, docx_bytes)
    )


@transaction.atomic
def _diagnostic_save(*, ctg, actor, previous, snapshot, files) -> DiagnosticReportVersion:
    ctg = Ctg.objects.select_for_update(of=("self",)).get(pk=ctg.pk)
    latest = ctg.diagnostic_versions.order_by("-number").values_list("number", flat=True).first()
    if latest != (previous.number if previous else None):
        raise ValidationError(
            "Une autre version a été générée pendant la mise en page de celle-ci : relancez la génération."
        )
    version = DiagnosticReportVersion.objects.create(
        ctg=ctg,
        number=(previous.number + 1) if previous else 1,
        generated_by=actor_or_none(actor),
        snapshot=snapshot,
    )
    stem = diagnostic_file_stem(version)
    pdf_bytes, docx_bytes = files
    try:
        version.pdf.save(f"{stem}.pdf", ContentFile(pdf_bytes), save=False)
        version.docx.save(f"{stem}.docx", ContentFile(docx_bytes), save=False)
        version.save(update_fields=["pdf", "docx"])
    except Exception:
        diagnostic_files_delete(version)
        raise
    history_record(
        ctg=ctg,
        actor=actor,
        action=Action.DIAGNOSTIC_REPORT,
        summary=f"Document du diagnostic partagé généré (version {version.number})",
        changes={"diagnostic_version": [str(previous) if previous else "", str(version)]},
        item=version,
    )
    return version


def diagnostic_files_delete(version: DiagnosticReportVersion) -> None:
    """Removes the stored files of a version whose creation is undone (a failed write, the command's output
    that could not be written)."""
    for stored in (version.pdf, version.docx):
        if stored:
            stored.delete(save=False)
