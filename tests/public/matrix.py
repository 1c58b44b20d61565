"""Permission-matrix entries of `ctg.public`, merged by tests/test_permission_matrix.py.

The public pages (the list, a CTG's page and its embeddable version) are for anyone, logged in or not; the
settings of a dossier's public page (its options, publishing, withdrawing) are for `Op.PUBLISH`: the CAF
pilot and the coordination. tests/public/test_pages.py checks the 404 of a page that is not online."""

from ctg.public import services
from ctg.public.models import Publication
from tests.matrix_helpers import EDITORS, REDIRECT, dossier, public


def _published(w) -> Publication:
    """The dossier's public page, online (published by its CAF pilot)."""
    publication = Publication.objects.filter(ctg=w.ctg).first()
    if publication is None or not publication.published:
        publication = services.publish(ctg=w.ctg, actor=w.users["pilote_caf"])
    return publication


def _slug(w) -> dict:
    return {"slug": _published(w).slug}


def _online(w) -> dict:
    _published(w)
    return {"pk": w.ctg.pk}


MATRIX: dict = {
    ("public:list", "GET"): public(),
    ("public:page", "GET"): public(kwargs=_slug),
    ("public:embed", "GET"): public(kwargs=_slug),
    ("public:settings", "GET"): dossier(EDITORS),
    ("public:settings", "POST"): dossier(
        EDITORS,
        ok=REDIRECT,
        method="POST",
        data=lambda w: {"show_pilots": "on", "show_progress": "on", "introduction": "Bienvenue"},
    ),
    ("public:publish", "POST"): dossier(EDITORS, ok=REDIRECT, method="POST"),
    ("public:withdraw", "POST"): dossier(EDITORS, ok=REDIRECT, method="POST", kwargs=_online),
}
