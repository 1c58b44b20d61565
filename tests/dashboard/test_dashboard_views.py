"""The départemental dashboard as its users rely on it: two CAFs in two départements, each sees only its own
dossiers and figures; the Département's services read without writing; an EPCI across two départements shows
in the dashboard of its département of attachment and is flagged in the other; the renewal of an ended CTG
stands for its EPCI; the figures (coverage, renewals, posts, fiches, budget); bad input refused without a
figure; user text escaped in the page, the CSV and the workbook."""

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from ctg.conventions.models import Phase
from ctg.dashboard.dashboard import State, build_dashboard
from ctg.dashboard.views_dashboard import optional_url
from ctg.organisations.models import Organisation
from ctg.organisations.permissions import Role
from tests.factories import (
    CommuneFactory,
    CtgFactory,
    DepartementFactory,
    EpciFactory,
    MembershipFactory,
    OrganisationFactory,
    SignatoryFactory,
    UserFactory,
)
from tests.plans.factories import BudgetLineFactory, FicheFactory
from tests.post.factories import FundingFactory, PostFactory

YEAR = timezone.localdate().year


def signed(ctg, day=datetime.date(2023, 3, 1)):
    SignatoryFactory(ctg=ctg, organisation=ctg.caf, signed_on=day)
    SignatoryFactory(ctg=ctg, organisation=OrganisationFactory(), signed_on=day)
    return ctg


@dataclass
class Two:
    tarn: object
    aude: object
    caf_tarn: object
    caf_aude: object
    albigeois: object  # EPCI of the Tarn with a signed CTG ending this year
    vide: object  # EPCI of the Tarn without CTG
    renouvele: object  # EPCI of the Tarn: CTG ended, renewal in preparation
    narbonne: object  # EPCI of the Aude with its CTG
    straddling: object  # EPCI mostly in the Aude, one commune in the Tarn
    ctg_albi: object
    ctg_old: object
    ctg_renewal: object
    ctg_aude: object
    ctg_straddling: object
    users: dict


@pytest.fixture
def two(db):
    tarn = DepartementFactory(code="81", name="Tarn", type_liaison=2)
    aude = DepartementFactory(code="11", name="Aude", type_liaison=5, region=tarn.region)
    caf_tarn = OrganisationFactory(kind=Organisation.Kind.CAF, name="CAF du Tarn", departement=tarn)
    caf_aude = OrganisationFactory(kind=Organisation.Kind.CAF, name="CAF de l'Aude", departement=aude)

    albigeois = EpciFactory(name="CA de l'Albigeois", siren="248100737")
    for i, population in enumerate((40000, 5000, 3000)):
        CommuneFactory(code=f"8170{i}", epci=albigeois, departement=tarn, population=population)
    vide = EpciFactory(name="CC Sans Convention")
    for i in range(2):
        CommuneFactory(code=f"8171{i}", epci=vide, departement=tarn, population=1000)
    renouvele = EpciFactory(name="CC Renouvelée")
    for i in range(2):
        CommuneFactory(code=f"8172{i}", epci=renouvele, departement=tarn, population=2000)
    narbonne = EpciFactory(name="CA Grand Narbonne", siren="241100001")
    for i in range(2):
        CommuneFactory(code=f"1170{i}", epci=narbonne, departement=aude, population=30000)
    straddling = EpciFactory(name="CC À Cheval", siren="200000001")
    CommuneFactory(code="11720", epci=straddling, departement=aude, population=6000)
    CommuneFactory(code="11721", epci=straddling, departement=aude, population=5000)
    CommuneFactory(code="81730", epci=straddling, departement=tarn, population=400)

    ctg_albi = signed(
        CtgFactory(caf=caf_tarn, epci=albigeois, title="CTG de l'Albigeois", start_year=2023, end_year=YEAR)
    )
    ctg_old = signed(
        CtgFactory(caf=caf_tarn, epci=renouvele, title="CTG Renouvelée 2018", start_year=2018, end_year=2021),
        datetime.date(2018, 5, 1),
    )
    ctg_renewal = CtgFactory(
        caf=caf_tarn,
        epci=renouvele,
        title="CTG Renouvelée 2022",
        start_year=2022,
        end_year=YEAR + 3,
        previous=ctg_old,
        phase=Phase.DIAGNOSTIC,
    )
    SignatoryFactory(ctg=ctg_renewal, organisation=caf_tarn, signed_on=None)
    ctg_aude = signed(
        CtgFactory(
            caf=caf_aude,
            epci=narbonne,
            title="CTG secrète du Grand Narbonne",
            start_year=2024,
            end_year=YEAR + 2,
        )
    )
    ctg_straddling = signed(
        CtgFactory(caf=caf_aude, epci=straddling, title="CTG À Cheval", start_year=2024, end_year=YEAR + 3)
    )
    # Plans: fiches and budget lines in each département.
    fiche = FicheFactory(ctg=ctg_albi, fields=["petite_enfance", "parentalite"])
    BudgetLineFactory(fiche=fiche, year=2024, funder="caf", planned=Decimal("10000"))
    BudgetLineFactory(fiche=fiche, year=2025, funder="epci", planned=Decimal("2500"), spent=Decimal("1000"))
    FicheFactory(ctg=ctg_albi, fields=["jeunesse"])
    aude_fiche = FicheFactory(ctg=ctg_aude, fields=["seniors"])
    BudgetLineFactory(fiche=aude_fiche, year=2024, funder="msa", planned=Decimal("777777"))
    straddling_fiche = FicheFactory(ctg=ctg_straddling, fields=["mobilite"])
    BudgetLineFactory(fiche=straddling_fiche, year=2024, funder="etat", planned=Decimal("555555"))
    post = PostFactory(ctg=ctg_albi, employer=OrganisationFactory(name="Agglomération employeuse"))
    FundingFactory(post=post, year=YEAR, amount_agreed=Decimal("22500"))
    PostFactory(ctg=ctg_aude, employer=OrganisationFactory(name="Employeur audois"))

    users = {
        "caf_tarn": UserFactory(email="conseillere@caf-tarn.fr", organisation=caf_tarn),
        "caf_aude": UserFactory(email="conseiller@caf-aude.fr", organisation=caf_aude),
        "reader": UserFactory(
            email="pmi@tarn.fr",
            organisation=OrganisationFactory(
                kind=Organisation.Kind.SERVICE_DEPARTEMENT, name="PMI du Tarn", departement=tarn
            ),
        ),
        "coordination": UserFactory(email="coordination@albi.fr"),
        "manager": UserFactory(email="donnees@plateforme.fr", is_superuser=True, is_staff=True),
    }
    MembershipFactory(ctg=ctg_albi, user=users["coordination"], role=Role.COORDINATION)
    return Two(
        tarn,
        aude,
        caf_tarn,
        caf_aude,
        albigeois,
        vide,
        renouvele,
        narbonne,
        straddling,
        ctg_albi,
        ctg_old,
        ctg_renewal,
        ctg_aude,
        ctg_straddling,
        users,
    )


def page(client, user, code="81", query=""):
    client.force_login(user)
    return client.get(reverse("dashboard:departement", args=[code]) + query)


def rows_by_siren(data):
    return {r.siren: r for r in data["rows"]}


def test_each_caf_sees_only_its_departement(client, two):
    tarn = page(client, two.users["caf_tarn"]).content.decode()
    assert "CTG de l&#x27;Albigeois" in tarn
    assert reverse("conventions:detail", args=[two.ctg_albi.pk]) in tarn
    for secret in (
        "CTG secrète du Grand Narbonne",
        "Grand Narbonne",
        '<th scope="row">MSA</th>',
        "Employeur audois",
        '<th scope="row">Seniors</th>',
    ):
        assert secret not in tarn
    # The other CAF does not find the Tarn's dashboard, nor its exports.
    client.force_login(two.users["caf_aude"])
    for name in ("dashboard:departement", "dashboard:departement_csv", "dashboard:departement_xlsx"):
        response = client.get(reverse(name, args=["81"]))
        assert response.status_code == 404
        assert b"Albigeois" not in response.content
    aude = page(client, two.users["caf_aude"], "11").content.decode()
    assert "CTG secrète du Grand Narbonne" in aude
    assert "Albigeois" not in aude and "Agglomération employeuse" not in aude


def test_home_redirects_each_caf_to_its_departement_and_offers_a_choice_to_data_managers(client, two):
    client.force_login(two.users["caf_tarn"])
    assert client.get(reverse("dashboard:home")).url == reverse("dashboard:departement", args=["81"])
    client.force_login(two.users["reader"])
    assert client.get(reverse("dashboard:home")).url == reverse("dashboard:departement", args=["81"])
    client.force_login(two.users["manager"])
    response = client.get(reverse("dashboard:home"))
    assert response.status_code == 200
    assert reverse("dashboard:departement", args=["11"]) in response.content.decode()
    assert page(client, two.users["manager"], "11").status_code == 200
    client.force_login(two.users["coordination"])
    assert client.get(reverse("dashboard:home")).status_code == 403


def test_departement_reader_reads_without_writing(client, two):
    response = page(client, two.users["reader"])
    assert response.status_code == 200
    html = response.content.decode()
    assert "lecture seule" in html
    assert "CTG de l&#x27;Albigeois" in html
    # Not a member: no dossier link, and no link that writes.
    assert reverse("conventions:detail", args=[two.ctg_albi.pk]) not in html
    assert 'data-write="create"' not in html and reverse("conventions:create") not in html
    assert page(client, two.users["reader"], "11").status_code == 404
    # The CAF adviser is offered to open a dossier.
    assert reverse("conventions:create") in page(client, two.users["caf_tarn"]).content.decode()
    # The exports read alike.
    client.force_login(two.users["reader"])
    assert client.get(reverse("dashboard:departement_csv", args=["81"])).status_code == 200


def test_a_member_of_a_dossier_without_platform_role_is_refused(client, two):
    response = page(client, two.users["coordination"])
    assert response.status_code == 403
    assert b"Albigeois" not in response.content


def test_states_of_the_epci_rows(two):
    rows = rows_by_siren(build_dashboard("81"))
    assert rows[two.albigeois.siren].state == State.EXPIRING
    assert rows[two.vide.siren].state == State.NONE and rows[two.vide.siren].ctg is None
    # The ended CTG's renewal, in preparation (not every signatory signed), stands for the EPCI.
    renewed = rows[two.renouvele.siren]
    assert renewed.state == State.PREPARATION
    assert renewed.ctg.pk == two.ctg_renewal.pk and renewed.other_ctgs == 1
    assert two.narbonne.siren not in rows


def test_an_epci_across_departements_is_attached_to_one_and_flagged_in_the_other(client, two):
    tarn = build_dashboard("81")
    row = rows_by_siren(tarn)[two.straddling.siren]
    assert row.interdepartemental and row.flagged and row.home == "11"
    assert (row.communes_total, row.communes_here, row.population) == (3, 1, 11400)
    assert row.state == State.SIGNED
    # Its dossier is the Aude's: not among the Tarn's CTGs, fiches nor budget.
    assert two.ctg_straddling.pk not in tarn["ctg_ids"]
    assert "mobilite" not in {r["code"] for r in tarn["fiches"]["rows"]}
    assert "etat" not in {r["funder"] for r in tarn["budget"]["rows"]}
    aude = build_dashboard("11")
    row = rows_by_siren(aude)[two.straddling.siren]
    assert row.interdepartemental and not row.flagged
    assert two.ctg_straddling.pk in aude["ctg_ids"]
    assert "mobilite" in {r["code"] for r in aude["fiches"]["rows"]}
    # The Tarn's CAF sees the row flagged, its state, not the dossier's name nor a link.
    html = page(client, two.users["caf_tarn"]).content.decode()
    assert 'data-flag="interdepartemental"' in html
    assert "département de rattachement : Aude (11)" in html
    assert "CTG À Cheval" not in html
    assert reverse("conventions:detail", args=[two.ctg_straddling.pk]) not in html
    html = page(client, two.users["caf_aude"], "11").content.decode()
    assert "CTG À Cheval" in html and reverse("conventions:detail", args=[two.ctg_straddling.pk]) in html


def test_headline_figures(two):
    data = build_dashboard("81")
    coverage = data["coverage"]
    # Tarn: 3 + 2 + 2 + 1 communes; covered by a CTG in force: the Albigeois (3) and the Tarn commune of the
    # straddling EPCI (1).
    assert (coverage["communes"], coverage["communes_covered"]) == (8, 4)
    assert coverage["population"] == 48000 + 2000 + 4000 + 400
    assert coverage["population_covered"] == 48400
    assert coverage["communes_percent"] == 50.0 and coverage["without_population"] == 0
    assert [item["ctg"].pk for item in data["renewals"]["this_year"]] == [two.ctg_albi.pk]
    assert data["renewals"]["next_year"] == []
    posts = data["posts"]["rows"]
    assert [p["employer"] for p in posts] == ["Agglomération employeuse"]
    assert posts[0]["funding"].amount_agreed == Decimal("22500")
    fiches = {r["code"]: (r["fiches"], r["ctgs"]) for r in data["fiches"]["rows"]}
    assert fiches == {"petite_enfance": (1, 1), "parentalite": (1, 1), "jeunesse": (1, 1)}
    assert data["fiches"]["total"] == 2
    budget = data["budget"]
    assert budget["years"] == [2024, 2025]
    assert {r["funder"]: r["years"] for r in budget["rows"]} == {
        "caf": [Decimal("10000"), Decimal("0")],
        "epci": [Decimal("0"), Decimal("2500")],
    }
    assert budget["planned"] == Decimal("12500") and budget["spent"] == Decimal("1000")


def test_partial_population_is_said(client, two):
    CommuneFactory(code="81740", epci=two.vide, departement=two.tarn, population=None)
    data = build_dashboard("81")
    assert data["coverage"]["without_population"] == 1
    assert rows_by_siren(data)[two.vide.siren].population_partial
    html = page(client, two.users["caf_tarn"]).content.decode()
    assert "Chiffre partiel" in html and "sans population connue" in html


def test_post_funding_stages_absent_reads_no_information(client, two, monkeypatch):
    from ctg.dashboard import dashboard

    # Until the yearly funding convention is recorded, the contract's function answers {}.
    monkeypatch.setattr(dashboard, "funding_convention_stages", lambda ctgs, year: {})
    html = page(client, two.users["caf_tarn"]).content.decode()
    assert "Aucune information" in html

    post = two.ctg_albi.coordinator_post
    monkeypatch.setattr(
        dashboard,
        "funding_convention_stages",
        lambda ctgs, year: {
            two.ctg_albi.pk: [
                {
                    "post": post,
                    "stage": "requested",
                    "stage_label": "Demande reçue",
                    "next_step": "Signer",
                    "due": None,
                }
            ]
        },
    )
    html = page(client, two.users["caf_tarn"]).content.decode()
    assert "Demande reçue — Signer" in html


def test_filters_narrow_the_table_and_exports(client, two):
    data = build_dashboard("81", filters={"etat": "aucune"})
    assert [r.siren for r in data["table"]] == [two.vide.siren]
    assert len(data["rows"]) == 4  # the map keeps every EPCI
    data = build_dashboard("81", filters={"echeance": str(YEAR)})
    assert [r.siren for r in data["table"]] == [two.albigeois.siren]
    data = build_dashboard("81", filters={"champ": "jeunesse"})
    assert {r.siren for r in data["table"]} == {
        two.albigeois.siren,
        two.renouvele.siren,
        two.straddling.siren,
    }
    client.force_login(two.users["caf_tarn"])
    response = client.get(reverse("dashboard:departement_csv", args=["81"]) + "?etat=aucune")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert [r[0] for r in rows[1:]] == ["CC Sans Convention"]


def test_reference_year_reads_the_states_at_its_first_of_january(two):
    data = build_dashboard("81", year=YEAR + 1)
    assert rows_by_siren(data)[two.albigeois.siren].state == State.EXPIRED
    assert data["renewals"]["year"] == YEAR + 1


@pytest.mark.parametrize(
    "query",
    [
        "?etat=zz",
        "?etat=%3Cscript%3E",
        "?echeance=abc",
        "?echeance=1850",
        "?champ=cuisine",
        "?annee=1850",
        "?annee=3000",
        "?annee=20x6",
    ],
)
def test_bad_input_is_refused_without_figures(client, two, query):
    client.force_login(two.users["caf_tarn"])
    for name in ("dashboard:departement", "dashboard:departement_csv", "dashboard:departement_xlsx"):
        response = client.get(reverse(name, args=["81"]) + query)
        assert response.status_code == 400, (name, query)
        assert b"Albigeois" not in response.content and b"<script>" not in response.content


def test_unknown_departement_is_not_found(client, two):
    client.force_login(two.users["manager"])
    assert client.get("/caf/99/").status_code == 404  # a code of no département
    assert client.get("/caf/xx/").status_code == 404  # not a code
    assert client.get("/caf/811/").status_code == 404
    client.force_login(two.users["caf_tarn"])
    assert client.get("/caf/99/").status_code == 404


def test_links_to_the_other_caf_pages_only_when_they_exist(client, two):
    assert optional_url("dashboard:no-such-page", "81") is None
    assert optional_url("dashboard:departement", "81") == "/caf/81/"
    html = page(client, two.users["caf_tarn"]).content.decode()
    for name, text in (("dashboard:comparison", "Comparer les EPCI"), ("dashboard:axes", "Axes du schéma")):
        assert (text in html) == (optional_url(name, "81") is not None)


def test_fictitious_dossiers_are_labelled(client, two):
    type(two.ctg_albi).objects.filter(pk=two.ctg_albi.pk).update(is_fictitious=True)
    html = page(client, two.users["caf_tarn"]).content.decode()
    assert 'data-fictitious="1"' in html and "Fictif" in html


PAYLOAD = '=HYPERLINK("http://x")<script>alert(1)</script>'


def test_user_text_is_escaped_in_page_csv_and_xlsx(client, two):
    two.vide.name = f"{PAYLOAD} EPCI"
    two.vide.save()
    CtgFactory(caf=two.caf_tarn, epci=two.vide, title=PAYLOAD, start_year=2025, end_year=2028)
    html = page(client, two.users["caf_tarn"]).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    client.force_login(two.users["caf_tarn"])
    response = client.get(reverse("dashboard:departement_csv", args=["81"]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    cells = [cell for row in rows for cell in row]
    assert f"'{PAYLOAD} EPCI" in cells and f"'{PAYLOAD}" in cells
    assert not any(cell.startswith("=") for cell in cells)
    response = client.get(reverse("dashboard:departement_xlsx", args=["81"]))
    sheet = load_workbook(io.BytesIO(response.content))["EPCI"]
    found = [
        c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value
    ]
    assert {c.value for c in found} == {PAYLOAD, f"{PAYLOAD} EPCI"}
    assert all(c.data_type == "s" for c in found)


def test_exports_hold_the_table_and_the_figures(client, two):
    client.force_login(two.users["caf_tarn"])
    response = client.get(reverse("dashboard:departement_xlsx", args=["81"]))
    assert response.status_code == 200
    assert "caf-tableau-de-bord-81" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["EPCI", "Chiffres clés", "Fiches par champ", "Budget par financeur"]
    epci = list(workbook["EPCI"].iter_rows(values_only=True))
    header = epci[0]
    albi = next(r for r in epci if r[0] == "CA de l'Albigeois")
    assert albi[header.index("État")] == "Arrivant à échéance dans les 12 mois"
    assert albi[header.index("Lien du dossier")].endswith(f"/ctg/{two.ctg_albi.pk}/")
    cheval = next(r for r in epci if r[0] == "CC À Cheval")
    assert "CTG À Cheval" not in cheval and not cheval[header.index("Lien du dossier")]
    budget = list(workbook["Budget par financeur"].iter_rows(values_only=True))
    assert budget[0] == ("Financeur", "Prévu 2024 (€)", "Prévu 2025 (€)", "Total prévu (€)", "Réalisé (€)")
    assert budget[1][0] == "CAF" and budget[1][1] == 10000
