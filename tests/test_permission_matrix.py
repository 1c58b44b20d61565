"""Every URL of the project × every role: the expected answer.

A URL pattern that is not in MATRIX makes `test_every_url_is_in_the_matrix` fail: whoever adds a URL decides
here who may reach it.
"""

import datetime
from importlib import import_module

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from ctg.conventions.models import Avenant, Ctg, Milestone, Phase
from ctg.diagnostics.models import DatasetImport
from ctg.offer.services import structure_create
from ctg.organisations.models import Organisation
from tests.factories import MilestoneFactory, OrganisationFactory, SignatoryFactory
from tests.matrix_helpers import (
    ALL_ROLES,
    EDITORS,
    LOGIN,
    MEMBER_ROLES,
    REDIRECT,
    Case,
    dossier,
    logged_in,
    public,
)

HISTORY_READERS = ["pilote_caf", "coordination", "referent_communal", "partenaire"]


def _signatory(w):
    return {"pk": w.ctg.pk, "signatory_pk": SignatoryFactory(ctg=w.ctg).pk}


def _drafted_signatory(w, **extra):
    Ctg.objects.filter(pk=w.ctg.pk).update(phase=Phase.PLAN_ACTION)
    signatory = SignatoryFactory(ctg=w.ctg, **extra)
    return {"pk": w.ctg.pk, "signatory_pk": signatory.pk}


def _scanned_signatory(w):
    scan = SimpleUploadedFile("signee.pdf", b"%PDF-1.4\n%%EOF\n")
    return _drafted_signatory(w, signed_on=datetime.date(2025, 2, 8), signed_scan=scan)


def _signed(w):
    """The dossier signed by its CAF (the only signatory), as an avenant needs."""
    if not w.ctg.signatories.exists():
        SignatoryFactory(ctg=w.ctg, organisation=w.ctg.caf, signed_on=datetime.date(2024, 11, 21))
    return {"pk": w.ctg.pk}


def _avenant(w):
    """The last avenant of the signed dossier (the one that may be deleted)."""
    _signed(w)
    avenant = Avenant.objects.create(ctg=w.ctg, number=1, title="Ajout du plan d'action")
    return {"pk": w.ctg.pk, "avenant_pk": avenant.pk}


def _partner(w):
    organisation = OrganisationFactory(name="Mission locale du Test", kind=Organisation.Kind.MISSION_LOCALE)
    w.ctg.partners.add(organisation)
    return {"pk": w.ctg.pk, "organisation_pk": organisation.pk}


def _milestone(w):
    return {"pk": w.ctg.pk, "milestone_pk": MilestoneFactory(ctg=w.ctg).pk}


def _membership(w):
    return {"pk": w.ctg.pk, "membership_pk": w.ctg.memberships.get(user=w.users["partenaire"]).pk}


def _dataset_import(w):
    """A journal line of an import made by the dossier's CAF for its département (no file is touched)."""
    caf = w.users["pilote_caf"]
    record = DatasetImport.objects.create(
        kind="filosofi_com",
        year=2021,
        source_name="cc_filosofi_2021_COM.csv",
        path="stats/filosofi_com/2021.parquet",
        rows_read=1,
        communes_matched=1,
        codes_mapped=0,
        imported_by=caf,
        departements=[caf.organisation.departement_id],
    )
    return {"import_pk": record.pk}


def _territory_correction(w):
    """The dossier's EPCI minus a commune no référent·e follows."""
    followed = w.ctg.memberships.values_list("communes", flat=True)
    excluded = w.ctg.communes.exclude(pk__in=[c for c in followed if c]).order_by("code").last()
    return {"territory_type": "epci_except", "epci": w.ctg.epci_id, "excluded_codes": excluded.code}


def _commune(w):
    return {"code": w.ctg.communes.first().code}


def _structure(w):
    """A structure of the offer of services in one of the dossier's communes."""
    values = {"type": "france_services", "name": "France services du Test", "commune": w.ctg.communes.first()}
    return {"pk": w.ctg.pk, "structure_pk": structure_create(actor=None, values={**values, "source": "t"}).pk}


MATRIX: dict[tuple[str, str], Case] = {
    ("home", "GET"): public(),
    ("health", "GET"): public(),
    ("login", "GET"): Case(expected={"anonymous": 200, **dict.fromkeys(ALL_ROLES[1:], REDIRECT)}),
    # A wrong password shows the form again; an authenticated person is sent on.
    ("login", "POST"): Case(
        method="POST",
        data=lambda w: {"username": "inconnu@exemple.fr", "password": "mauvais-mot-de-passe"},
        expected={"anonymous": 200, **dict.fromkeys(ALL_ROLES[1:], REDIRECT)},
    ),
    ("logout", "POST"): Case(method="POST", expected=dict.fromkeys(ALL_ROLES, REDIRECT)),
    ("password_reset", "GET"): public(),
    ("password_reset", "POST"): Case(
        method="POST",
        data=lambda w: {"email": "inconnu@exemple.fr"},
        expected=dict.fromkeys(ALL_ROLES, REDIRECT),
    ),
    ("password_reset_done", "GET"): public(),
    ("password_reset_confirm", "GET"): public(kwargs=lambda w: {"uidb64": "MQ", "token": "jeton-invalide"}),
    # An invalid link says so, whatever is posted.
    ("password_reset_confirm", "POST"): public(
        method="POST",
        kwargs=lambda w: {"uidb64": "MQ", "token": "jeton-invalide"},
        data=lambda w: {"new_password1": "x", "new_password2": "x"},
    ),
    ("password_reset_complete", "GET"): public(),
    ("territories:search", "GET"): public(query="q=test"),
    ("territories:suggestions", "GET"): public(query="q=comm", headers={"HX-Request": "true"}),
    ("territories:commune", "GET"): public(kwargs=_commune),
    ("territories:epci", "GET"): public(kwargs=lambda w: {"siren": w.ctg.epci_id}),
    ("territories:departement", "GET"): public(kwargs=lambda w: {"code": "81"}),
    ("conventions:list", "GET"): logged_in(),
    ("conventions:create", "GET"): Case(
        expected={"anonymous": LOGIN, "pilote_caf": 200, "other_caf": 200}
        | dict.fromkeys(["coordination", "referent_communal", "partenaire", "lecture", "other_member"], 403)
    ),
    # An empty form comes back with its errors: nothing is created.
    ("conventions:create", "POST"): Case(
        method="POST",
        expected={"anonymous": LOGIN, "pilote_caf": 200, "other_caf": 200}
        | dict.fromkeys(["coordination", "referent_communal", "partenaire", "lecture", "other_member"], 403),
    ),
    ("conventions:detail", "GET"): dossier(MEMBER_ROLES),
    ("conventions:edit", "GET"): dossier(EDITORS),
    ("conventions:edit", "POST"): dossier(
        EDITORS,
        ok=REDIRECT,
        method="POST",
        data=lambda w: {
            "title": "Nouvel intitulé",
            "start_year": 2025,
            "end_year": 2028,
            "fields": ["jeunesse"],
        },
    ),
    ("conventions:territory", "GET"): dossier(EDITORS),
    ("conventions:territory", "POST"): dossier(
        EDITORS, ok=REDIRECT, method="POST", data=_territory_correction
    ),
    # Only the dossier's CAF deletes a dossier in préparation (`Op.DELETE_DOSSIER`, and a person of its CAF).
    ("conventions:delete", "GET"): dossier(["pilote_caf"]),
    ("conventions:delete", "POST"): dossier(["pilote_caf"], ok=REDIRECT, method="POST"),
    ("conventions:status", "POST"): dossier(
        EDITORS, ok=REDIRECT, method="POST", data=lambda w: {"to": "diagnostic"}
    ),
    ("conventions:parties", "GET"): dossier(MEMBER_ROLES),
    ("conventions:signatory_add", "POST"): dossier(
        EDITORS,
        ok=REDIRECT,
        method="POST",
        data=lambda w: {
            "organisation": w.ctg.caf_id,
            "signer_name": "A. Directrice",
            "signer_capacity": "Directrice",
        },
    ),
    ("conventions:signatory_remove", "POST"): dossier(EDITORS, ok=REDIRECT, method="POST", kwargs=_signatory),
    ("conventions:signature", "GET"): dossier(EDITORS, kwargs=_drafted_signatory),
    ("conventions:signature", "POST"): dossier(
        EDITORS,
        ok=REDIRECT,
        method="POST",
        kwargs=_drafted_signatory,
        data=lambda w: {"signed_on": "2025-02-08"},
    ),
    ("conventions:signature_clear", "POST"): dossier(
        EDITORS,
        ok=REDIRECT,
        method="POST",
        kwargs=lambda w: _drafted_signatory(w, signed_on=datetime.date(2025, 2, 8)),
    ),
    ("conventions:signature_scan", "GET"): dossier(MEMBER_ROLES, kwargs=_scanned_signatory),
    ("conventions:avenant_add", "POST"): dossier(
        EDITORS,
        ok=REDIRECT,
        method="POST",
        kwargs=_signed,
        data=lambda w: {"title": "Ajout du plan d'action", "signed_on": "2025-01-10"},
    ),
    ("conventions:avenant_edit", "GET"): dossier(EDITORS, kwargs=_avenant),
    ("conventions:avenant_edit", "POST"): dossier(
        EDITORS,
        ok=REDIRECT,
        method="POST",
        kwargs=_avenant,
        data=lambda w: {"title": "Ajout du plan d'action", "signed_on": "2025-01-10"},
    ),
    ("conventions:avenant_delete", "POST"): dossier(EDITORS, ok=REDIRECT, method="POST", kwargs=_avenant),
    ("conventions:partner_add", "POST"): dossier(
        EDITORS,
        ok=REDIRECT,
        method="POST",
        data=lambda w: {"new_name": "Asso du Test", "new_kind": "association"},
    ),
    ("conventions:partner_remove", "POST"): dossier(EDITORS, ok=REDIRECT, method="POST", kwargs=_partner),
    ("conventions:partner_edit", "GET"): dossier(EDITORS, kwargs=_partner),
    ("conventions:partner_edit", "POST"): dossier(
        EDITORS, ok=REDIRECT, method="POST", kwargs=_partner, data=lambda w: {"role": "Accueil des jeunes"}
    ),
    ("conventions:signatures_record", "POST"): dossier(
        EDITORS,
        ok=REDIRECT,
        method="POST",
        data=lambda w: {
            "signatures-signatories": [_drafted_signatory(w)["signatory_pk"]],
            "signatures-signed_on": "2025-02-08",
        },
    ),
    ("conventions:members", "GET"): dossier(MEMBER_ROLES),
    ("conventions:members", "POST"): dossier(
        EDITORS,
        ok=REDIRECT,
        method="POST",
        data=lambda w: {"email": "nouvelle@exemple.fr", "role": "partenaire"},
    ),
    ("conventions:member_remove", "POST"): dossier(EDITORS, ok=REDIRECT, method="POST", kwargs=_membership),
    ("conventions:milestones", "GET"): dossier(MEMBER_ROLES),
    ("conventions:milestones", "POST"): dossier(
        EDITORS,
        ok=REDIRECT,
        method="POST",
        data=lambda w: {"kind": Milestone.Kind.ATELIER, "title": "Atelier jeunesse", "date": "2026-05-12"},
    ),
    ("conventions:milestone_edit", "GET"): dossier(EDITORS, kwargs=_milestone),
    ("conventions:milestone_edit", "POST"): dossier(
        EDITORS,
        ok=REDIRECT,
        method="POST",
        kwargs=_milestone,
        data=lambda w: {"kind": Milestone.Kind.ATELIER, "title": "Atelier parentalité", "date": "2026-06-02"},
    ),
    ("conventions:milestone_delete", "POST"): dossier(EDITORS, ok=REDIRECT, method="POST", kwargs=_milestone),
    ("conventions:history", "GET"): dossier(HISTORY_READERS),
    ("conventions:renew", "GET"): dossier(["pilote_caf"]),
    ("conventions:renew", "POST"): dossier(["pilote_caf"], method="POST"),
    # The CAF advisers (for their département) and the platform's data managers feed the statistics store;
    # a coordinator, here or elsewhere, does not (tests/security/test_statistics_scope.py).
    ("statistics_import", "GET"): Case(
        expected={"anonymous": LOGIN, "pilote_caf": 200, "other_caf": 200}
        | dict.fromkeys(["coordination", "referent_communal", "partenaire", "lecture", "other_member"], 403)
    ),
    # An empty form comes back with its errors: nothing is imported.
    ("statistics_import", "POST"): Case(
        method="POST",
        expected={"anonymous": LOGIN, "pilote_caf": 400, "other_caf": 400}
        | dict.fromkeys(["coordination", "referent_communal", "partenaire", "lecture", "other_member"], 403),
    ),
    # The journal of the imports: whoever imports reads it.
    ("statistics_imports", "GET"): Case(
        expected={"anonymous": LOGIN, "pilote_caf": 200, "other_caf": 200}
        | dict.fromkeys(["coordination", "referent_communal", "partenaire", "lecture", "other_member"], 403)
    ),
    # Undoing an import of the Tarn CAF: its CAF (or a data manager); another CAF does not find it. Without
    # the confirmation box the POST comes back with its errors (400): nothing is undone, the store untouched.
    ("statistics_import_undo", "GET"): Case(
        kwargs=_dataset_import,
        expected={"anonymous": LOGIN, "pilote_caf": 200, "other_caf": 404}
        | dict.fromkeys(["coordination", "referent_communal", "partenaire", "lecture", "other_member"], 403),
    ),
    ("statistics_import_undo", "POST"): Case(
        method="POST",
        kwargs=_dataset_import,
        expected={"anonymous": LOGIN, "pilote_caf": 400, "other_caf": 404}
        | dict.fromkeys(["coordination", "referent_communal", "partenaire", "lecture", "other_member"], 403),
    ),
    ("diagnostics:territory", "GET"): public(kwargs=lambda w: {"code": w.ctg.epci_id}),
    ("diagnostics:communes_csv", "GET"): public(kwargs=lambda w: {"code": w.ctg.epci_id}),
    ("diagnostics:pdf", "GET"): public(kwargs=lambda w: {"code": w.ctg.communes.first().code}),
    ("diagnostics:ctg", "GET"): dossier(MEMBER_ROLES),
    ("diagnostics:ctg_communes_csv", "GET"): dossier(MEMBER_ROLES),
    ("diagnostics:ctg_pdf", "GET"): dossier(MEMBER_ROLES),
    # The offer of services of the dossier's territory: read by every member (tests/offer/test_pages.py: a
    # structure outside the territory, or reached from another dossier, is not found).
    ("offer:list", "GET"): dossier(MEMBER_ROLES),
    ("offer:csv", "GET"): dossier(MEMBER_ROLES),
    ("offer:xlsx", "GET"): dossier(MEMBER_ROLES),
    ("offer:structure", "GET"): dossier(MEMBER_ROLES, kwargs=_structure),
}


# The plan d'action's areas keep their entries beside their tests.
for _area in ("tree", "follow"):
    MATRIX.update(import_module(f"tests.plans.matrix_{_area}").MATRIX)
# So do the plan's exchange, the yearly bilan, the convention document, the governance, the coordinator post
# and the notifications.
for _module in (
    "exchange.matrix",
    "evaluation.matrix",
    "documents.matrix",
    "governance.matrix_meetings",
    "post.matrix",
    "notifications.matrix",
    "offer.matrix_edit",
    "offer.matrix_needs",
    "offer.matrix_map",
    "offer.matrix_scenarios",
    "plans.matrix_evidence",
    "plans.matrix_findings",
    "findings.matrix",
    "surveys.matrix",
    "surveys.matrix_results",
    "ateliers.matrix",
    "public.matrix",
    "funding.matrix",
    "dashboard.matrix_dashboard",
    "dashboard.matrix_comparable",
    "dashboard.matrix_axes",
    "jobs.matrix",
    "transfer.matrix",
    "api.matrix",
):
    MATRIX.update(import_module(f"tests.{_module}").MATRIX)


def _walk(resolver: URLResolver, namespace=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def project_url_names() -> set[str]:
    return {name for name, _ in _walk(get_resolver()) if not name.startswith("admin:")}


def test_every_url_is_in_the_matrix():
    covered = {name for name, _method in MATRIX}
    missing = project_url_names() - covered
    assert not missing, f"URL absentes de la matrice des permissions : {sorted(missing)}"
    unnamed = [
        str(p.pattern) for p in get_resolver().url_patterns if isinstance(p, URLPattern) and not p.name
    ]
    assert not unnamed


CASES = [(name, method, role) for (name, method), case in MATRIX.items() for role in ALL_ROLES]


@pytest.mark.parametrize(("name", "method", "role"), CASES, ids=[f"{n}-{m}-{r}" for n, m, r in CASES])
def test_permission_matrix(client, world, name, method, role):
    case = MATRIX[(name, method)]
    if role != "anonymous":
        client.force_login(world.users[role])
    url = reverse(name, kwargs=case.kwargs(world))
    if case.query:
        url = f"{url}?{case.query}"
    if method == "POST":
        response = client.post(url, case.data(world), headers=case.headers)
    else:
        response = client.get(url, headers=case.headers)
    expected = case.expected[role]
    if expected == LOGIN:
        assert response.status_code == 302 and response.url.startswith(reverse("login")), response
    elif expected == REDIRECT:
        assert response.status_code == 302, response
        assert not response.url.startswith(reverse("login"))
    else:
        assert response.status_code == expected


# The admin login page shows its form; its logout sends a non-staff person back to the admin index.
ADMIN_PUBLIC = {"admin:login": 200, "admin:logout": 302}


def _admin_kwargs(pattern: URLPattern, world) -> dict:
    fillers = {"app_label": "conventions", "object_id": str(world.ctg.pk), "content_type_id": "1", "id": "1"}
    return {name: fillers[name] for name in pattern.pattern.regex.groupindex}


def test_every_admin_url_is_for_staff_only(client, world, admin_user):
    """The admin site, URL by URL: people of the dossiers (never staff) are sent to the admin login."""
    admin_patterns = [(name, p) for name, p in _walk(get_resolver()) if name.startswith("admin:")]
    assert len(admin_patterns) > 20
    client.force_login(world.users["pilote_caf"])
    for name, pattern in admin_patterns:
        response = client.get(reverse(name, kwargs=_admin_kwargs(pattern, world)))
        if name in ADMIN_PUBLIC:
            assert response.status_code == ADMIN_PUBLIC[name], name
        else:
            assert response.status_code == 302 and "/admin/login/" in response.url, name
    client.force_login(admin_user)
    for name in ("admin:index", "admin:conventions_ctg_changelist"):
        assert client.get(reverse(name)).status_code == 200
    assert client.get(reverse("admin:conventions_ctg_change", args=[world.ctg.pk])).status_code == 200


# Every method a URL accepts is in the matrix: any other method answers 405 (Method Not Allowed), even for the
# person with the most rights in the dossier. PUT, PATCH and DELETE are accepted nowhere.
OTHER_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
METHOD_CASES = [
    (name, method)
    for name in sorted({name for name, _method in MATRIX})
    for method in OTHER_METHODS
    if (name, method) not in MATRIX
]


def _kwargs_of(name, world):
    case = next(case for (entry, _method), case in MATRIX.items() if entry == name)
    return case.kwargs(world)


@pytest.mark.parametrize(("name", "method"), METHOD_CASES, ids=[f"{n}-{m}" for n, m in METHOD_CASES])
def test_methods_outside_the_matrix_are_not_allowed(client, world, name, method):
    client.force_login(world.users["pilote_caf"])
    url = reverse(name, kwargs=_kwargs_of(name, world))
    response = client.generic(method, url)
    assert response.status_code == 405, f"{method} {url} → {response.status_code}"
