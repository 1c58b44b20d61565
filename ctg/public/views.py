"""The public pages of the CTGs (anonymous: the list, a CTG's page, its embeddable version) and, inside the
dossier, the settings of its public page (options, publish, withdraw; `Op.PUBLISH`).

Only the embeddable version (`embed`) may be framed by another site: its answer relaxes `frame-ancestors`
(django-csp) and X-Frame-Options for that view alone; every other page keeps `frame-ancestors 'none'` and
X-Frame-Options DENY."""

from csp.decorators import csp_replace
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from ctg.conventions.frame import ctg_view, dossier_context, posted, run_action, save_form
from ctg.organisations.permissions import Op
from ctg.public import selectors, services
from ctg.public.content import public_content
from ctg.public.forms import PublicationForm
from ctg.public.models import Publication

# The sites that may frame the embeddable page: any (the EPCI's, a commune's, a partner's).
EMBED_FRAME_ANCESTORS = ["*"]
EMBED_HEIGHT = 600


def _attribute(text: str) -> str:
    """Text for a double-quoted HTML attribute of the snippet (the snippet is then shown as text, escaped
    once more by the template: the person copies it as written here)."""
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def embed_snippet(embed_url: str, title: str) -> str:
    """The `<iframe>` to paste in the EPCI's site, with a title for screen readers."""
    return (
        f'<iframe src="{_attribute(embed_url)}" title="{_attribute(title)}" '
        f'width="100%" height="{EMBED_HEIGHT}" loading="lazy"></iframe>'
    )


def embed_title(publication: Publication) -> str:
    ctg = publication.ctg
    return f"Convention territoriale globale {ctg.territory_of} {ctg.start_year}-{ctg.end_year}"


# --- public pages (anonymous) --------------------------------------------------------------------------


@require_GET
def published_list(request):
    publications = list(selectors.published())
    return render(
        request,
        "public/list.html",
        {
            "publications": publications,
            "title": "Conventions territoriales globales publiées",
            "breadcrumb_data": {
                "links": [{"url": reverse("home"), "title": "Accueil"}],
                "current": "CTG publiées",
            },
        },
    )


@require_GET
def page(request, slug):
    publication = selectors.published_or_404(slug)
    content = public_content(publication)
    return render(
        request,
        "public/page.html",
        {
            "c": content,
            "title": f"{content['heading']} {content['period']}",
            "breadcrumb_data": {
                "links": [
                    {"url": reverse("home"), "title": "Accueil"},
                    {"url": reverse("public:list"), "title": "CTG publiées"},
                ],
                "current": f"{content['territory']} {content['period']}",
            },
        },
    )


@xframe_options_exempt
@csp_replace({"frame-ancestors": EMBED_FRAME_ANCESTORS})
@require_GET
def embed(request, slug):
    publication = selectors.published_or_404(slug)
    content = public_content(publication)
    return render(
        request,
        "public/embed.html",
        {
            "c": content,
            "title": f"{content['heading']} {content['period']}",
            "page_url": request.build_absolute_uri(reverse("public:page", args=[publication.slug])),
        },
    )


# --- the settings, in the dossier ----------------------------------------------------------------------


def _initial(publication: Publication | None) -> dict:
    source = publication or Publication()
    return {name: getattr(source, name) for name in services.OPTION_FIELDS}


@ctg_view(Op.PUBLISH, methods=("GET", "POST"))
def settings_page(request, ctg, role):
    publication = selectors.publication_of(ctg)
    form = PublicationForm(posted(request), initial=_initial(publication))
    if save_form(
        request, form, "Les choix de la page publique sont enregistrés.", services.publication_set, ctg=ctg
    ):
        return redirect("public:settings", pk=ctg.pk)
    # The preview shows the saved choices (or the defaults), at the address the page has or will have.
    shown = publication or Publication(ctg=ctg, slug=services.unique_slug(ctg))
    page_url = request.build_absolute_uri(reverse("public:page", args=[shown.slug]))
    embed_url = request.build_absolute_uri(reverse("public:embed", args=[shown.slug]))
    return render(
        request,
        "public/settings.html",
        dossier_context(
            ctg,
            role,
            "publication",
            "Page publique",
            form=form,
            publication=publication,
            page_url=page_url,
            embed_url=embed_url,
            snippet=embed_snippet(embed_url, embed_title(shown)),
            preview=public_content(shown),
        ),
        status=400 if request.method == "POST" else 200,
    )


@ctg_view(Op.PUBLISH, methods=("POST",))
def publish(request, ctg, role):
    run_action(request, "La page publique de la CTG est en ligne.", services.publish, ctg=ctg)
    return redirect("public:settings", pk=ctg.pk)


@ctg_view(Op.PUBLISH, methods=("POST",))
def withdraw(request, ctg, role):
    run_action(request, "La page publique de la CTG est retirée.", services.withdraw, ctg=ctg)
    return redirect("public:settings", pk=ctg.pk)
