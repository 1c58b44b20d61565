"""The portrait's cache: its page fragment, commune CSV and PDF, kept per territory and per version of the
statistics store (issue 15, item 4).

The portrait's figures change only when the statistics store or the référentiel changes, yet building and
rendering it costs hundreds of milliseconds a request. This module keeps what the portrait's views send:

* the rendered fragment ``diagnostics/_portrait.html`` (everything under the page's title: key figures,
  attention points, map, themes, communes, IRIS, sources), never the whole response: the page around it
  (header, the user's menu, messages, the dossier's tabs) is rendered for each request;
* the commune table as CSV text;
* the PDF's bytes;
* for a person not logged in, the whole public page (`public_page`): it is then the same for everyone who
  is not logged in (no menu, no form, no CSRF token, no message waiting), so the page is kept whole, keyed
  by its address with its query — only when that query holds nothing but the page's parameters with values
  it uses, else the page is rendered as usual (junk parameters never make keys).

Contract:

* It MUST NOT keep anything that depends on who asks: the fragment is built from the territory, the
  statistics and the page's parameters only (no form with a CSRF token, no user, no message in
  ``_portrait.html``); the dossier tab's variant is kept per dossier (its fields of intervention order the
  points of attention, its CSV and PDF links name the dossier), and is read only after the dossier's
  permission check of its view.
* A key MUST name everything the output depends on: the territory (kind, code, name, communes), the version
  of the store, the page's parameters once validated (``carte``, ``tri``, ``ordre``: a value the page would
  ignore is dropped, so junk parameters neither create keys nor change the output), the variant (public or
  the dossier), and for the PDF the day (it prints its date).
* The version (`store_version`) is one for the whole store, not one per département: a territory's
  portrait compares it with its département, its région and France, so an import for another département
  changes its references (France's rate moves when the Haute-Vienne's communes are imported). It is read
  from what an import or an undo changes, on every request, from the database and the store's directory
  (no counter kept in memory, so every gunicorn worker sees the same version at once): the imports' journal
  (`DatasetImport`: count, last id, undone count, last undo), each Parquet file of the store (path, size,
  modification time), the référentiel (its last import, `TerritoryImport`: the COG is changed by
  `ctg load_territories` only), the settings the portrait reads, and the code of this app and its
  templates (as of the process's start). Old entries are never read again and age out
  with the cache's timeout.
* The statuses of each figure (partiel, secret, absent, fictitious data) are part of the rendered output,
  so a cached figure says exactly what a fresh one says.

The cache used is the alias named by the setting ``CTG_PORTRAIT_CACHE`` (default ``"portrait"``); when
``settings.CACHES`` has no such alias, nothing is cached and the views compute as before (tests do so unless
they configure one with ``override_settings``). For a server with several workers the alias must be shared
between them (a file-based or database cache; see the README's production section).
"""

import hashlib
import os
from pathlib import Path

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.db.models import Count, Max
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from ctg.diagnostics import store
from ctg.diagnostics.catalogue import COMMUNE_TABLE_INDICATORS, INDICATORS
from ctg.diagnostics.models import DatasetImport
from ctg.diagnostics.portrait import Territory, build_portrait
from ctg.diagnostics.presentation import commune_csv, portrait_context
from ctg.territories.models import TerritoryImport

DEFAULT_ALIAS = "portrait"
FRAGMENT_TEMPLATE = "diagnostics/_portrait.html"
# Settings the portrait reads (contours, attention thresholds, field weights): part of the version.
PORTRAIT_SETTINGS = (
    "CTG_CONTOURS_DIR",
    "CTG_ATTENTION_POINTS",
    "CTG_ATTENTION_RELATIVE",
    "CTG_INDICATOR_FIELD_WEIGHTS",
)
_INDICATOR_IDS = frozenset(ind.id for ind in INDICATORS)
_SORT_KEYS = frozenset((*COMMUNE_TABLE_INDICATORS, "nom"))


def _code_stamp() -> str:
    """The app's modules and templates as deployed: a new release never serves an older rendering."""
    here = Path(__file__).resolve().parent
    files = sorted(here.glob("*.py")) + sorted((here.parent / "templates" / "diagnostics").glob("*.html"))
    files.append(here.parent / "templates" / "includes" / "dsfr_chart.html")
    parts = []
    for path in files:
        try:
            stat = path.stat()
        except OSError:
            continue
        parts.append(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


CODE_STAMP = _code_stamp()


def portrait_cache():
    """The cache of the portraits, or None when none is configured (then nothing is cached)."""
    alias = getattr(settings, "CTG_PORTRAIT_CACHE", DEFAULT_ALIAS)
    if not alias or alias not in settings.CACHES:
        return None
    return caches[alias]


def _store_files() -> list[tuple[str, int, int]]:
    """Each vintage of the store (not the copies kept for undoing): path, size and modification time."""
    root = store.store_root()
    found = []
    try:
        kinds = [entry for entry in os.scandir(root) if entry.is_dir() and not entry.name.startswith("_")]
    except FileNotFoundError:
        return found
    for kind in kinds:
        for entry in os.scandir(kind.path):
            if entry.name.endswith(".parquet"):
                stat = entry.stat()
                found.append((f"{kind.name}/{entry.name}", stat.st_size, stat.st_mtime_ns))
    return sorted(found)


def store_version() -> str:
    """The version of the statistics store and of the référentiel, as a short hash (see the module's
    docstring): it changes with every import, every undo and every import of the référentiel."""
    imports = DatasetImport.objects.aggregate(
        count=Count("pk"), last=Max("pk"), undone=Count("undone_at"), last_undone=Max("undone_at")
    )
    parts = (
        CODE_STAMP,
        str(settings.DATA_DIR),
        sorted(imports.items()),
        _store_files(),
        # Every import of the référentiel records one (counting the communes, as the engine does for its
        # own table, would cost a scan of 35,000 rows on every request).
        TerritoryImport.objects.aggregate(last=Max("pk"), at=Max("imported_at")),
        [repr(getattr(settings, name, None)) for name in PORTRAIT_SETTINGS],
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


def page_params(params) -> dict:
    """The parameters of the portrait's page that change it, validated: a value the page would not use is
    dropped (the default map, the commune table sorted by name, ascending)."""
    params = params or {}
    cleaned = {}
    if params.get("carte") in _INDICATOR_IDS:
        cleaned["carte"] = params["carte"]
    if params.get("tri") in _SORT_KEYS:
        cleaned["tri"] = params["tri"]
        if params.get("ordre") == "desc":
            cleaned["ordre"] = "desc"
    return cleaned


def _territory_key(territory: Territory) -> tuple:
    return (territory.kind, territory.code, territory.name, tuple(territory.communes))


def cached(kind: str, territory: Territory, variant: tuple, compute):
    """`compute()`, or what it returned for the same territory, variant and version of the store."""
    cache = portrait_cache()
    if cache is None:
        return compute()
    parts = (kind, _territory_key(territory), variant, store_version())
    key = f"ctg-portrait:{kind}:{hashlib.sha256(repr(parts).encode()).hexdigest()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value)
    return value


def portrait_fragment(
    territory: Territory, params, *, csv_url: str, pdf_url: str, fields=None, dossier: int | None = None
) -> str:
    """The rendered ``_portrait.html`` of `territory` (a safe string: Django's own escaped rendering, kept
    as such by the cache). `dossier`: the dossier's id for its tab (its links and fields), None for the
    public page."""
    cleaned = page_params(params)
    fields = list(fields or ())  # in the dossier's order: the page names them in that order

    def compute():
        context = portrait_context(build_portrait(territory), cleaned, fields=fields or None)
        context.update(csv_url=csv_url, pdf_url=pdf_url)
        return render_to_string(FRAGMENT_TEMPLATE, context)

    variant = (dossier, tuple(fields), tuple(sorted(cleaned.items())), csv_url, pdf_url)
    return cached("fragment", territory, variant, compute)


def portrait_csv(territory: Territory) -> str:
    """The commune table's CSV text (`presentation.commune_csv`)."""
    return cached(
        "csv",
        territory,
        (),
        lambda: commune_csv(
            build_portrait(territory, with_references=False, indicators=COMMUNE_TABLE_INDICATORS)
        ),
    )


def portrait_pdf(territory: Territory, fields=None) -> bytes:
    """The portrait's PDF (dated: kept for the day it was made)."""
    from ctg.diagnostics.pdf import render_portrait_pdf  # WeasyPrint is loaded for a PDF only

    fields = list(fields or ())
    return cached(
        "pdf",
        territory,
        (tuple(fields), timezone.localdate().isoformat()),
        lambda: render_portrait_pdf(build_portrait(territory), fields or None),
    )


PAGE_PARAMS = frozenset(("carte", "tri", "ordre"))


def shareable_request(request) -> bool:
    """A request whose public page is the same for everyone: nobody logged in, no message waiting for the
    visitor, a query of the page's parameters only, each once with a value the page uses."""
    if request.method != "GET" or request.user.is_authenticated:
        return False
    if set(request.GET) - PAGE_PARAMS or any(len(values) > 1 for _name, values in request.GET.lists()):
        return False
    if page_params(request.GET) != request.GET.dict():
        return False
    return len(get_messages(request)) == 0  # counted, not consumed


def public_page(request, render_page):
    """The public portrait page of `request`: `render_page()` (an HttpResponse), kept whole per address and
    version of the store when the request is shareable and the response holds nothing of the visitor (no
    cookie set, no CSRF token used: base.html gives the token to htmx for people logged in only); else
    rendered for this request alone."""
    cache = portrait_cache()
    if cache is None or not shareable_request(request):
        return render_page()
    parts = ("page", request.get_full_path(), store_version())
    key = f"ctg-portrait:page:{hashlib.sha256(repr(parts).encode()).hexdigest()}"
    content = cache.get(key)
    if content is not None:
        return HttpResponse(content)
    response = render_page()
    # The visitor's own: a cookie set, or the CSRF token used by the page (Django then renews its cookie).
    personal = response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    if response.status_code == 200 and not personal and not response.has_header("Set-Cookie"):
        cache.set(key, response.content)
    return response
