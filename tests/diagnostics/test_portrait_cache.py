"""The portrait's cache (ctg.diagnostics.cache): kept per territory and version of the store, never stale.

Each test configures a cache alias « portrait » of its own (locmem, a new location), as a server would
configure a shared one; without it nothing is cached (the other portrait tests).
"""

import re
import uuid

import pytest
from django.http import HttpResponse
from django.urls import reverse

from ctg.diagnostics import cache as portrait_cache_module
from ctg.diagnostics import engine
from ctg.diagnostics.importers import import_dataset, undo_import
from ctg.diagnostics.models import DatasetImport
from ctg.organisations.permissions import Role
from tests.factories import CtgFactory, EpciFactory, MembershipFactory, UserFactory

from .conftest import FILOSOFI_HEADER, write

RP_HEADER = "CODGEO;P22_POP;P22_POP0014;P22_POP1529"
EPCI_SIREN = "248100998"


@pytest.fixture
def portrait_cache(settings):
    location = f"portrait-{uuid.uuid4()}"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"},
        "portrait": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": location},
    }
    settings.CTG_PORTRAIT_CACHE = "portrait"
    engine.reset()
    yield portrait_cache_module.portrait_cache()
    engine.reset()


@pytest.fixture
def builds(monkeypatch):
    """How many times a portrait was built (a read served from the cache builds none)."""
    count = {"n": 0}
    original = portrait_cache_module.build_portrait

    def counting(*args, **kwargs):
        count["n"] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(portrait_cache_module, "build_portrait", counting)
    return count


@pytest.fixture
def tarn(stats_dir, referential):
    epci = EpciFactory(siren=EPCI_SIREN, name="CA de Test")
    referential.filter(code__in=["81004", "81271", "81140"]).update(epci=epci)
    return epci


@pytest.fixture(autouse=True)
def _reader(client, db):
    """The fragment's tests read as a person logged in: the whole page, kept for visitors who are not
    (`public_page`, its own tests below), would hide the fragment's context."""
    client.force_login(UserFactory(email="lecteur.portrait@test.fr"))


def filosofi(tmp_path, albi_median: str, name="cc_filosofi_2021_COM.csv"):
    return write(
        tmp_path,
        name,
        [FILOSOFI_HEADER, f"81004;23612;45331;{albi_median};20,0;7,4", "81271;3000;6500;22000;s;s"],
    )


def fragment(client, code, **params):
    response = client.get(reverse("diagnostics:territory", args=[code]), params)
    assert response.status_code == 200
    return response.context["portrait_html"]


def same_drawing(html: str) -> str:
    """The fragment with its SVG charts' element ids (numbered per process) made alike."""
    return re.sub(r"\b(\w+)-\d+-([td])\b", r"\1-N-\2", html)


def fresh_fragment(client, settings, code, **params):
    """The same fragment computed without the cache."""
    settings.CTG_PORTRAIT_CACHE = ""
    try:
        return same_drawing(fragment(client, code, **params))
    finally:
        settings.CTG_PORTRAIT_CACHE = "portrait"


def median_of_albi(html: str) -> str:
    return re.search(r"(\d+)\u202f(\d{3})\u00a0€", html).group(0)


def test_a_second_read_is_served_from_the_cache(client, tarn, tmp_path, portrait_cache, builds):
    import_dataset(filosofi(tmp_path, "21650"))
    first = fragment(client, "81004")
    assert builds["n"] == 1
    second = fragment(client, "81004")
    assert builds["n"] == 1 and second == first
    assert "21\u202f650\u00a0€" in second
    # The page around the fragment is the page: title, and the fragment inside it, escaped once.
    html = client.get(reverse("diagnostics:territory", args=["81004"])).content.decode()
    assert "Portrait social de territoire : Albi" in html and "21\u202f650\u00a0€" in html
    assert "&lt;div" not in html


def test_import_again_then_undo_shows_the_figures_of_the_store(
    client, tarn, tmp_path, portrait_cache, settings
):
    import_dataset(filosofi(tmp_path, "21650"))
    assert median_of_albi(fragment(client, "81004")) == "21\u202f650\u00a0€"
    second = import_dataset(filosofi(tmp_path, "23980", name="cc_filosofi_2021_COM_bis.csv"))
    after_import = fragment(client, "81004")
    assert median_of_albi(after_import) == "23\u202f980\u00a0€"
    assert same_drawing(after_import) == fresh_fragment(client, settings, "81004")
    undo_import(second)
    after_undo = fragment(client, "81004")
    assert median_of_albi(after_undo) == "21\u202f650\u00a0€"
    assert same_drawing(after_undo) == fresh_fragment(client, settings, "81004")


def test_another_departements_import_is_not_served_stale(client, tarn, tmp_path, portrait_cache, settings):
    """The version is one for the whole store: Corsica's import changes France's reference on Albi's page
    (a version per département would have served Albi's page of before)."""
    import_dataset(
        write(
            tmp_path,
            "dossier_complet.csv",
            [RP_HEADER, "81004;49000;7000;12000", "81271;6700;1000;900", "81140;10500;2100;1500"],
        )
    )
    before = fragment(client, EPCI_SIREN)
    assert "Référence nationale non calculée" in before  # Ajaccio has no figure yet
    import_dataset(write(tmp_path, "dossier_complet_2a.csv", [RP_HEADER, "2A004;70000;10000;12000"]))
    after = fragment(client, EPCI_SIREN)
    assert after != before
    assert same_drawing(after) == fresh_fragment(client, settings, EPCI_SIREN)
    # Under 15: (7000 + 1000 + 2100 + 10000) / (49000 + 6700 + 10500 + 70000) = 14,8 % for France.
    table = after.split("<caption>Indicateurs — Démographie</caption>", 1)[1]
    row = table.split('<th scope="row">Part des moins de 15 ans</th>', 1)[1].split("</tr>", 1)[0]
    assert "14,8\u00a0%" in row


def test_the_cache_holds_nothing_of_the_person_who_asked(client, tarn, tmp_path, portrait_cache):
    import_dataset(filosofi(tmp_path, "21650"))
    user = UserFactory(email="lectrice.portrait@test.fr", first_name="Zoé", last_name="Lectrice-Portrait")
    client.force_login(user)
    logged_in = client.get(reverse("diagnostics:territory", args=["81004"]))
    assert "Lectrice-Portrait" in logged_in.content.decode()  # in the page's header, not the fragment
    fragment_html = logged_in.context["portrait_html"]
    assert "Lectrice-Portrait" not in fragment_html and "csrfmiddlewaretoken" not in fragment_html
    client.logout()
    anonymous = client.get(reverse("diagnostics:territory", args=["81004"]))
    assert anonymous.context["portrait_html"] == fragment_html  # read from the cache
    html = anonymous.content.decode()
    assert "Lectrice-Portrait" not in html and "21\u202f650\u00a0€" in html


def test_junk_parameters_are_dropped_from_the_key_and_the_page(
    client, tarn, tmp_path, portrait_cache, builds
):
    import_dataset(filosofi(tmp_path, "21650"))
    plain = fragment(client, EPCI_SIREN)
    junk = fragment(client, EPCI_SIREN, carte="<script>x</script>", tri="inconnu", ordre="n'importe")
    assert junk == plain and builds["n"] == 1  # one entry for both
    assert "<script>x" not in junk
    sorted_ = fragment(client, EPCI_SIREN, tri="revenu_median_uc", ordre="desc")
    assert sorted_ != plain and builds["n"] == 2


def test_dossier_tab_is_kept_per_dossier_and_after_its_permission_check(
    client, tarn, tmp_path, portrait_cache
):
    import_dataset(filosofi(tmp_path, "21650"))
    communes = list(tarn.communes.all())
    ctg = CtgFactory(epci=tarn, communes=communes, fields=["petite_enfance"])
    other = CtgFactory(epci=tarn, communes=communes, fields=["jeunesse"])
    user = UserFactory(email="membre.portrait@test.fr")
    MembershipFactory(ctg=ctg, user=user, role=Role.LECTURE)
    client.force_login(user)
    page = client.get(reverse("diagnostics:ctg", args=[ctg.pk]))
    assert page.status_code == 200
    assert reverse("diagnostics:ctg_pdf", args=[ctg.pk]) in page.context["portrait_html"]
    # Not a member of the other dossier: 404, its cached portrait or not.
    assert client.get(reverse("diagnostics:ctg", args=[other.pk])).status_code == 404
    MembershipFactory(ctg=other, user=user, role=Role.LECTURE)
    other_page = client.get(reverse("diagnostics:ctg", args=[other.pk]))
    html = other_page.context["portrait_html"]
    assert reverse("diagnostics:ctg_pdf", args=[other.pk]) in html
    assert reverse("diagnostics:ctg_pdf", args=[ctg.pk]) not in html


def test_csv_and_pdf_follow_the_store_version(client, tarn, tmp_path, portrait_cache, monkeypatch):
    from ctg.diagnostics import pdf

    rendered = []

    def fake_pdf(portrait, fields=None):
        rendered.append(portrait)
        median = portrait.communes.column("revenu_median_uc")["81004"].value
        return f"%PDF-test {median:.0f}".encode()

    monkeypatch.setattr(pdf, "render_portrait_pdf", fake_pdf)
    import_dataset(filosofi(tmp_path, "21650"))
    pdf_url = reverse("diagnostics:pdf", args=[EPCI_SIREN])
    csv_url = reverse("diagnostics:communes_csv", args=[EPCI_SIREN])
    assert client.get(pdf_url).content == b"%PDF-test 21650"
    assert client.get(pdf_url).content == b"%PDF-test 21650" and len(rendered) == 1
    assert "21650" in client.get(csv_url).content.decode()
    second = import_dataset(filosofi(tmp_path, "23980", name="cc_filosofi_2021_COM_bis.csv"))
    assert client.get(pdf_url).content == b"%PDF-test 23980" and len(rendered) == 2
    csv_text = client.get(csv_url).content.decode()
    assert "23980" in csv_text and "21650" not in csv_text
    assert "secret" in csv_text.lower()  # Saint-Juéry's poverty rate: its status is kept
    undo_import(second)
    assert client.get(pdf_url).content == b"%PDF-test 21650" and len(rendered) == 3
    assert DatasetImport.objects.filter(undone_at__isnull=False).count() == 1


def test_territory_names_stay_escaped_in_the_cache(client, tarn, tmp_path, portrait_cache):
    tarn.name = "CA <b>Test</b>"
    tarn.save()
    import_dataset(filosofi(tmp_path, "21650"))
    for _ in range(2):  # computed, then read from the cache
        html = client.get(reverse("diagnostics:territory", args=[EPCI_SIREN])).content.decode()
        assert "<b>Test</b>" not in html and "CA &lt;b&gt;Test&lt;/b&gt;" in html


def test_without_a_portrait_cache_nothing_is_kept(client, tarn, tmp_path, settings, builds):
    settings.CTG_PORTRAIT_CACHE = "sans-cache"  # an alias that CACHES does not configure
    import_dataset(filosofi(tmp_path, "21650"))
    fragment(client, "81004")
    fragment(client, "81004")
    assert builds["n"] == 2


def test_the_version_follows_the_referential_and_the_settings(tarn, settings):
    from ctg.territories.models import TerritoryImport

    first = portrait_cache_module.store_version()
    assert portrait_cache_module.store_version() == first  # nothing changed: the same version
    TerritoryImport.objects.create(source="cog", source_hash="0" * 64)
    second = portrait_cache_module.store_version()
    assert second != first
    settings.CTG_ATTENTION_POINTS = 5.0
    assert portrait_cache_module.store_version() != second


# --- the whole public page, kept for visitors who are not logged in ----------------------------------------


def _page(client, code, **params):
    response = client.get(reverse("diagnostics:territory", args=[code]), params)
    assert response.status_code == 200
    # A page read from the cache renders no template: its response has no context.
    return response.content.decode(), response.context is None


def test_a_visitors_page_is_kept_whole_until_the_store_changes(
    client, tarn, tmp_path, portrait_cache, builds
):
    import_dataset(filosofi(tmp_path, "21650"))
    client.logout()
    first, cached = _page(client, "81004")
    assert not cached and builds["n"] == 1
    second, cached = _page(client, "81004")
    assert cached and same_drawing(second) == same_drawing(first) and builds["n"] == 1
    assert "21\u202f650\u00a0€" in second
    # Nothing of a visitor: no CSRF token (the previous reader's would let the next one forge their posts).
    assert "csrfmiddlewaretoken" not in second and "ctg-csrf-token" not in second
    import_dataset(filosofi(tmp_path, "23980", name="cc_filosofi_2021_COM_bis.csv"))
    after, cached = _page(client, "81004")
    assert not cached and "23\u202f980\u00a0€" in after
    # The page's own parameters make their own entries; the same query is then served whole.
    sorted_, cached = _page(client, EPCI_SIREN, tri="revenu_median_uc", ordre="desc")
    assert not cached
    assert _page(client, EPCI_SIREN, tri="revenu_median_uc", ordre="desc") == (sorted_, True)


def test_a_logged_in_person_never_gets_nor_leaves_the_shared_page(client, tarn, tmp_path, portrait_cache):
    import_dataset(filosofi(tmp_path, "21650"))
    client.logout()
    _page(client, "81004")
    user = UserFactory(email="zoe.portrait@test.fr", first_name="Zoé", last_name="Lectrice-Partagée")
    client.force_login(user)
    mine, cached = _page(client, "81004")
    assert not cached and "Lectrice-Partagée" in mine
    client.logout()
    visitor, cached = _page(client, "81004")
    assert cached and "Lectrice-Partagée" not in visitor


@pytest.mark.parametrize(
    "params",
    [
        {"carte": "<script>x</script>"},
        {"tri": "inconnu"},
        {"utm_source": "lettre"},
        {"ordre": "desc"},
        {"tri": ["nom", "revenu_median_uc"]},
    ],
)
def test_junk_parameters_are_never_kept_whole(client, tarn, tmp_path, portrait_cache, params):
    import_dataset(filosofi(tmp_path, "21650"))
    client.logout()
    for _ in range(2):
        html, cached = _page(client, EPCI_SIREN, **params)
        assert not cached and "<script>x" not in html
    assert not any(key.startswith(":1:ctg-portrait:page:") for key in portrait_cache._cache)


def test_a_message_waiting_for_the_visitor_is_shown_and_never_kept(client, tarn, tmp_path, portrait_cache):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.test import RequestFactory

    import_dataset(filosofi(tmp_path, "21650"))
    client.logout()
    storage = CookieStorage(RequestFactory().get("/"))
    storage.add(constants.INFO, "Vous êtes déconnectée (message de test).")
    response = HttpResponse()
    storage.update(response)
    client.cookies["messages"] = response.cookies["messages"].value
    html, cached = _page(client, "81004")
    assert not cached and "Vous êtes déconnectée (message de test)." in html
    again, cached = _page(client, "81004")
    assert "message de test" not in again


def test_a_page_that_uses_the_csrf_token_is_never_kept_whole(
    client, tarn, tmp_path, portrait_cache, monkeypatch
):
    """Should a template of the page ever use the CSRF token, the page is the visitor's own: not kept."""
    from django.middleware.csrf import get_token

    from ctg.diagnostics import views

    original = views._territory_page

    def with_token(request, code):
        get_token(request)
        return original(request, code)

    monkeypatch.setattr(views, "_territory_page", with_token)
    import_dataset(filosofi(tmp_path, "21650"))
    client.logout()
    assert [_page(client, "81004")[1] for _ in range(2)] == [False, False]
