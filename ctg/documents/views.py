"""Views of the convention document: the CAF's model of convention, the « Convention » tab of a dossier
(versions, generation, avenant) and the permission-checked downloads of the generated files."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from ctg.conventions.frame import ctg_view, dossier_context
from ctg.conventions.models import Avenant
from ctg.documents import content, placeholders, post_convention, services
from ctg.documents.models import ConventionTemplate, PostConventionTemplate
from ctg.organisations.models import Organisation
from ctg.organisations.permissions import Op
from ctg.post.models import PostFunding
from ctg.rendering import DOCX_TYPE, PDF_TYPE
from ctg.text import clean_text
from ctg.uploads import stored_file_response

# --- the CAF's model -------------------------------------------------------------------------------------


def _caf_of(user) -> Organisation:
    organisation = getattr(user, "organisation", None)
    if organisation is None or organisation.kind != Organisation.Kind.CAF:
        raise PermissionDenied("Seules les personnes d'une CAF modifient le modèle de convention.")
    return organisation


def _template_page(request, caf, *, articles=None, new=None, errors=(), status=200):
    template = ConventionTemplate.objects.filter(caf=caf).select_related("updated_by").first()
    if articles is None:
        articles = content.model_articles(caf)
    return render(
        request,
        "documents/template.html",
        {
            "title": f"Modèle de convention — {caf.name}",
            "nav": "ctg",
            "breadcrumb_data": {"current": "Modèle de convention"},
            "caf": caf,
            "template": template,
            "articles": articles,
            "new": new or {"title": "", "body": ""},
            "errors": list(errors),
            "catalogue": [
                {"name": f"{{{{ {name} }}}}", "description": d} for name, d in placeholders.CATALOGUE.items()
            ],
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request):
    caf = _caf_of(request.user)
    if request.method == "GET":
        return _template_page(request, caf)
    keys = request.POST.getlist("key")
    articles = [
        {
            "key": key,
            "title": clean_text(request.POST.get(f"title-{key}", "")),
            "body": clean_text(request.POST.get(f"body-{key}", ""), multiline=True),
            "delete": request.POST.get(f"delete-{key}") == "1",
        }
        for key in keys
    ]
    new = {
        "title": clean_text(request.POST.get("new-title", "")),
        "body": clean_text(request.POST.get("new-body", ""), multiline=True),
    }
    try:
        services.template_save(caf=caf, actor=request.user, articles=articles, new=new)
    except ValidationError as error:
        return _template_page(request, caf, articles=articles, new=new, errors=error.messages, status=400)
    messages.success(request, "Le modèle de convention est enregistré.")
    return redirect("documents:template")


@login_required
@require_http_methods(["POST"])
def template_reset(request):
    caf = _caf_of(request.user)
    services.template_reset(caf=caf, actor=request.user)
    messages.success(request, "Le modèle national de convention est rétabli.")
    return redirect("documents:template")


# --- the dossier's tab ------------------------------------------------------------------------------------


def _convention_page(request, ctg, role, *, errors=(), status=200):
    versions = ctg.convention_versions.select_related("generated_by", "avenant").order_by("-number")
    user_org = getattr(request.user, "organisation", None)
    names = content.naming(ctg)
    return render(
        request,
        "documents/convention.html",
        dossier_context(
            ctg,
            role,
            "convention",
            "Convention",
            versions=versions,
            avenants=ctg.avenants.all(),
            names=names,
            errors=list(errors),
            is_caf_user=user_org is not None and user_org.kind == Organisation.Kind.CAF,
        ),
        status=status,
    )


@ctg_view(Op.VIEW)
def convention(request, ctg, role):
    return _convention_page(request, ctg, role)


@ctg_view(Op.MANAGE_CONVENTION, methods=("POST",))
def generate(request, ctg, role):
    try:
        version = services.convention_generate(ctg=ctg, actor=request.user)
    except ValidationError as error:
        return _convention_page(request, ctg, role, errors=error.messages, status=400)
    done = "L'accord-cadre est généré" if version.is_accord_cadre else "La convention est générée"
    messages.success(request, f"{done} (version {version.number}).")
    return redirect("documents:convention", pk=ctg.pk)


@ctg_view(Op.MANAGE_CONVENTION, methods=("POST",))
def avenant_generate(request, ctg, role, avenant_pk):
    """The document of a recorded avenant of the dossier (an avenant of another dossier: 404)."""
    avenant = get_object_or_404(Avenant, pk=avenant_pk, ctg=ctg)
    try:
        version = services.convention_generate(ctg=ctg, actor=request.user, avenant=avenant)
    except ValidationError as error:
        return _convention_page(request, ctg, role, errors=error.messages, status=400)
    messages.success(
        request,
        f"Le document de l'avenant n° {version.avenant_number} est généré (version {version.number}).",
    )
    return redirect(reverse("documents:convention", args=[ctg.pk]) + "#versions")


def _download(ctg, number: int, field: str, content_type: str) -> FileResponse:
    version = ctg.convention_versions.filter(number=number).first()
    if version is None:
        raise Http404("Version introuvable.")
    return stored_file_response(
        getattr(version, field), filename=f"{services.file_stem(version)}.{field}", content_type=content_type
    )


@ctg_view(Op.VIEW)
def version_docx(request, ctg, role, number):
    return _download(ctg, number, "docx", DOCX_TYPE)


@ctg_view(Op.VIEW)
def version_pdf(request, ctg, role, number):
    return _download(ctg, number, "pdf", PDF_TYPE)


# --- the yearly funding convention of the coordinator post (issue 14) ------------------------------------


@ctg_view(Op.FUND_POST, methods=("POST",))
def post_convention_generate(request, ctg, role, year):
    funding = get_object_or_404(PostFunding, post__ctg=ctg, year=year)
    try:
        version = post_convention.generate(funding=funding, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, f"La convention de financement {year} est générée (version {version.number})."
        )
    return redirect(reverse("post:detail", args=[ctg.pk]) + f"#convention-{year}")


def _post_convention_download(ctg, year: int, number: int, field: str, content_type: str) -> FileResponse:
    version = ctg.post_convention_versions.filter(year=year, number=number).first()
    stored = getattr(version, field, None) if version is not None else None
    if not stored:
        raise Http404("Version introuvable.")
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404("Fichier introuvable.") from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{post_convention.file_stem(version)}.{field}",
        content_type=content_type,
    )


@ctg_view(Op.VIEW)
def post_convention_docx(request, ctg, role, year, number):
    return _post_convention_download(ctg, year, number, "docx", DOCX_TYPE)


@ctg_view(Op.VIEW)
def post_convention_pdf(request, ctg, role, year, number):
    return _post_convention_download(ctg, year, number, "pdf", PDF_TYPE)


def _post_template_page(request, caf, *, articles=None, new=None, errors=(), status=200):
    template = PostConventionTemplate.objects.filter(caf=caf).select_related("updated_by").first()
    return render(
        request,
        "documents/post_convention_template.html",
        {
            "title": f"Modèle de convention de financement du poste — {caf.name}",
            "nav": "ctg",
            "breadcrumb_data": {"current": "Modèle de convention de financement du poste"},
            "caf": caf,
            "template": template,
            "articles": post_convention.model_articles(caf) if articles is None else articles,
            "new": new or {"title": "", "body": ""},
            "errors": list(errors),
            "catalogue": [
                {"name": f"{{{{ {name} }}}}", "description": d}
                for name, d in post_convention.CATALOGUE.items()
            ],
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def post_convention_template(request):
    caf = _caf_of(request.user)
    if request.method == "GET":
        return _post_template_page(request, caf)
    articles = [
        {
            "key": key,
            "title": clean_text(request.POST.get(f"title-{key}", "")),
            "body": clean_text(request.POST.get(f"body-{key}", ""), multiline=True),
            "delete": request.POST.get(f"delete-{key}") == "1",
        }
        for key in request.POST.getlist("key")
    ]
    new = {
        "title": clean_text(request.POST.get("new-title", "")),
        "body": clean_text(request.POST.get("new-body", ""), multiline=True),
    }
    kept = [row for row in articles if not row["delete"]]
    if new["title"] or new["body"]:
        kept.append({"key": "", **new})
    try:
        post_convention.template_save(caf=caf, actor=request.user, articles=kept)
    except ValidationError as error:
        return _post_template_page(
            request, caf, articles=articles, new=new, errors=error.messages, status=400
        )
    messages.success(request, "Le modèle de convention de financement du poste est enregistré.")
    return redirect("documents:post_convention_template")


@login_required
@require_http_methods(["POST"])
def post_convention_template_reset(request):
    caf = _caf_of(request.user)
    post_convention.template_reset(caf=caf, actor=request.user)
    messages.success(request, "Le modèle par défaut de convention de financement du poste est rétabli.")
    return redirect("documents:post_convention_template")
