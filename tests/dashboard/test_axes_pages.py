"""The pages of the axes of the Schéma départemental des services aux familles (issue 14), /caf/81/axes/: the
CAF's list and the coverage table CTG × axis (enjeux and fiches under them, the axes no CTG covers named in
text), its CSV (formulas neutralised), the edits with bad input (nothing changed), the Département's services
reading without edit buttons, two CAFs in one département each seeing its own, another département 404."""

import pytest
from django.urls import reverse

from ctg.organisations.models import Organisation, SchemaAxis
from ctg.organisations.schema_axes import axis_create
from ctg.plans.services.schema_axes import enjeu_axes_set
from tests.factories import (
    CommuneFactory,
    CtgFactory,
    DepartementFactory,
    EpciFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.plans.factories import (
    EnjeuFactory,
    FicheFactory,
    OperationalObjectiveFactory,
    StrategicObjectiveFactory,
)


def _snapshot():
    return list(SchemaAxis.objects.order_by("pk").values_list("pk", "code", "title", "position", "is_active"))


@pytest.fixture
def tarn(world):
    caf = world.ctg.caf
    axes = [
        axis_create(actor=None, caf=caf, departement="81", code="1", title="Accueil du jeune enfant"),
        axis_create(actor=None, caf=caf, departement="81", code="2", title="Parentalité"),
        axis_create(actor=None, caf=caf, departement="81", code="3", title="Jeunesse"),
    ]
    enjeu = EnjeuFactory(ctg=world.ctg, title="Petite enfance")
    operational = OperationalObjectiveFactory(strategic=StrategicObjectiveFactory(enjeu=enjeu))
    for _ in range(2):
        FicheFactory(ctg=world.ctg, objectives=[operational])
    enjeu_axes_set(enjeu=enjeu, axes=axes[:2], actor=None)
    enjeu_axes_set(enjeu=EnjeuFactory(ctg=world.ctg, title="Parents"), axes=[axes[1]], actor=None)
    second = CtgFactory(caf=caf, title="CTG du Nord", communes=[CommuneFactory(departement=caf.departement)])
    return caf, axes, second


def _reader(departement, kind=Organisation.Kind.SERVICE_DEPARTEMENT):
    return UserFactory(
        organisation=OrganisationFactory(kind=kind, name="Direction enfance", departement=departement)
    )


def test_the_coverage_table(client, world, tarn):
    _caf, axes, second = tarn
    client.force_login(world.users["pilote_caf"])
    response = client.get(reverse("dashboard:axes", args=["81"]))
    assert response.status_code == 200
    section = response.context["sections"][0]
    rows = {row["ctg"].title: [(c["enjeux"], c["fiches"]) for c in row["cells"]] for row in section["rows"]}
    assert rows == {
        "CTG du Test 2025-2028": [(1, 2), (2, 2), (0, 0)],
        "CTG du Nord": [(0, 0), (0, 0), (0, 0)],
    }
    assert section["uncovered"] == [axes[2]]
    page = response.content.decode()
    assert "Axe en vigueur qu'aucune CTG ne couvre : axe 3 — Jeunesse." in page
    assert "aucune CTG ne le couvre" in page
    assert "1 enjeu, 2 fiches" in page and "2 enjeux, 2 fiches" in page
    assert "Ajouter un axe" in page and "Supprimer<span" in page
    assert 'scope="col"' in page and 'scope="row"' in page and "<caption>" in page
    assert "CTG voisine" not in page  # the Aude's dossier


def test_a_dossier_across_two_departements_is_in_both(client, world, tarn):
    caf = tarn[0]
    herault = DepartementFactory(code="34", name="Hérault", region=caf.departement.region)
    epci = EpciFactory(name="CC à cheval")
    CtgFactory(
        caf=caf,
        epci=epci,
        title="CTG à cheval",
        communes=[
            CommuneFactory(epci=epci, departement=herault),
            CommuneFactory(epci=epci, departement=caf.departement),
        ],
    )
    client.force_login(world.users["pilote_caf"])
    assert "CTG à cheval" in client.get(reverse("dashboard:axes", args=["81"])).content.decode()


def test_the_departements_services_read_without_editing(client, world, tarn):
    reader = _reader(tarn[0].departement)
    client.force_login(reader)
    page = client.get(reverse("dashboard:axes", args=["81"]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Accueil du jeune enfant" in text
    assert "Ajouter un axe" not in text and "Modifier<span" not in text and "Supprimer<span" not in text
    assert reverse("conventions:detail", args=[world.ctg.pk]) not in text  # the dossiers are not theirs
    assert client.get(reverse("dashboard:axes_csv", args=["81"])).status_code == 200
    before = _snapshot()
    axis = tarn[1][0]
    assert (
        client.post(reverse("dashboard:axis_create", args=["81"]), {"code": "9", "title": "x"}).status_code
        == 403
    )
    assert (
        client.post(
            reverse("dashboard:axis_edit", args=["81", axis.pk]), {"code": "1", "title": "x"}
        ).status_code
        == 403
    )
    assert client.post(reverse("dashboard:axis_delete", args=["81", axis.pk])).status_code == 403
    assert _snapshot() == before
    # Another département's services: 404.
    client.force_login(_reader(world.other_ctg.caf.departement, Organisation.Kind.DEPARTEMENT))
    assert client.get(reverse("dashboard:axes", args=["81"])).status_code == 404


def test_two_cafs_in_one_departement_each_see_their_own(client, world, tarn):
    caf, axes, _second = tarn
    other = OrganisationFactory(
        kind=Organisation.Kind.CAF, name="Autre CAF du Tarn", departement=caf.departement
    )
    theirs = axis_create(actor=None, caf=other, departement="81", code="1", title="Schéma de l'autre CAF")
    adviser = UserFactory(organisation=other)
    client.force_login(adviser)
    text = client.get(reverse("dashboard:axes", args=["81"])).content.decode()
    assert "Schéma de l&#x27;autre CAF" in text and "Accueil du jeune enfant" not in text
    before = _snapshot()
    for name in ("axis_edit", "axis_delete"):
        assert client.get(reverse(f"dashboard:{name}", args=["81", axes[0].pk])).status_code == 404
        assert (
            client.post(
                reverse(f"dashboard:{name}", args=["81", axes[0].pk]), {"code": "1", "title": "x"}
            ).status_code
            == 404
        )
    for name, data in (("axis_active", {"is_active": "0"}), ("axis_move", {"direction": "down"})):
        assert client.post(reverse(f"dashboard:{name}", args=["81", axes[0].pk]), data).status_code == 404
    assert _snapshot() == before
    # The Département's services read both CAFs' axes.
    client.force_login(_reader(caf.departement))
    text = client.get(reverse("dashboard:axes", args=["81"])).content.decode()
    assert "Schéma de l&#x27;autre CAF" in text and "Accueil du jeune enfant" in text
    assert theirs.caf_id == other.pk


def test_bad_input_changes_nothing(client, world, tarn):
    caf, axes, _second = tarn
    enjeu = EnjeuFactory(ctg=world.ctg)
    client.force_login(world.users["pilote_caf"])
    before = _snapshot()
    create = reverse("dashboard:axis_create", args=["81"])
    response = client.post(create, {"code": "4", "title": "  "})
    assert response.status_code == 400
    assert "L&#x27;intitulé de l&#x27;axe est obligatoire." in response.content.decode()
    response = client.post(create, {"code": "1", "title": "Doublon"})
    assert response.status_code == 400
    assert "déjà un axe numéro « 1 »" in response.content.decode()
    edit = reverse("dashboard:axis_edit", args=["81", axes[1].pk])
    assert client.post(edit, {"code": "1", "title": "Parentalité"}).status_code == 400
    # Deleting an axis enjeux cite: refused, the axis stays.
    response = client.post(reverse("dashboard:axis_delete", args=["81", axes[0].pk]), follow=True)
    assert "ne peut pas être supprimé" in response.content.decode()
    page = client.get(reverse("dashboard:axis_delete", args=["81", axes[0].pk])).content.decode()
    assert "Retirer l'axe du schéma en vigueur" in page
    for name, data in (("axis_active", {"is_active": "peut-être"}), ("axis_move", {"direction": "ailleurs"})):
        client.post(reverse(f"dashboard:{name}", args=["81", axes[0].pk]), data)
    # Junk ids, another département.
    assert client.get(reverse("dashboard:axis_edit", args=["81", 999999])).status_code == 404
    assert client.get(reverse("dashboard:axes", args=["99"])).status_code == 404
    aude = axis_create(actor=None, caf=world.other_ctg.caf, departement="11", code="1", title="Aude")
    assert client.get(reverse("dashboard:axis_edit", args=["81", aude.pk])).status_code == 404
    assert client.get(reverse("dashboard:axis_edit", args=["11", aude.pk])).status_code == 404
    assert _snapshot()[: len(before)] == before and len(_snapshot()) == len(before) + 1
    assert list(enjeu.schema_axes.all()) == []


def test_edits_from_the_pages(client, world, tarn):
    caf, axes, _second = tarn
    client.force_login(world.users["pilote_caf"])
    response = client.post(
        reverse("dashboard:axis_create", args=["81"]),
        {
            "code": "4",
            "title": "Animation de la vie sociale",
            "schema_period": "2020-2024",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    new = SchemaAxis.objects.get(caf=caf, code="4")
    assert (new.position, new.is_active, new.created_by) == (3, True, world.users["pilote_caf"])
    client.post(reverse("dashboard:axis_move", args=["81", new.pk]), {"direction": "up"})
    assert list(SchemaAxis.objects.filter(caf=caf).values_list("code", flat=True)) == ["1", "2", "4", "3"]
    client.post(reverse("dashboard:axis_active", args=["81", axes[0].pk]), {"is_active": "0"})
    axes[0].refresh_from_db()
    assert axes[0].is_active is False
    client.post(reverse("dashboard:axis_delete", args=["81", new.pk]))
    assert not SchemaAxis.objects.filter(pk=new.pk).exists()


def test_user_text_is_escaped_and_the_csv_runs_no_formula(client, world, tarn):
    caf = tarn[0]
    axis = axis_create(actor=None, caf=caf, departement="81", code="=1+1", title="<script>alert(1)</script>")
    enjeu_axes_set(enjeu=EnjeuFactory(ctg=world.ctg), axes=[axis], actor=None)
    world.ctg.title = '=HYPERLINK("http://x")'
    world.ctg.save(update_fields=["title"])
    client.force_login(world.users["pilote_caf"])
    page = client.get(reverse("dashboard:axes", args=["81"])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    response = client.get(reverse("dashboard:axes_csv", args=["81"]))
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("CAF;Département;CTG;")
    assert "'=1+1" in text and "'=HYPERLINK" in text
    assert not any(cell.startswith("=") for line in lines for cell in line.split(";"))
    assert "CTG voisine" not in text
    assert len(lines) == 1 + 2 * 4  # two dossiers × four axes


def test_a_data_manager_chooses_the_caf_among_the_departements(client, world, tarn, admin_user):
    caf = tarn[0]
    client.force_login(admin_user)
    create = reverse("dashboard:axis_create", args=["81"])
    form = client.get(create).context["form"]
    assert list(form.fields["caf"].queryset) == [caf]
    before = _snapshot()
    response = client.post(create, {"caf": world.other_ctg.caf.pk, "code": "9", "title": "Dans l'Aude"})
    assert response.status_code == 400
    assert _snapshot() == before
    response = client.post(create, {"caf": caf.pk, "code": "9", "title": "Familles vulnérables"})
    assert response.status_code == 302
    assert SchemaAxis.objects.get(code="9").caf == caf
    # Every département is theirs to read.
    assert client.get(reverse("dashboard:axes", args=["11"])).status_code == 200
