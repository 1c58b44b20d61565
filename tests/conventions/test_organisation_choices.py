"""The organisations a dossier's selects offer (`ctg.organisations.choices`, `conventions.selectors
.offer_organisations`): those of the territory, of its département and national ones, grouped by type, never
another département's nor a fictitious one in a real dossier; a POST naming one that is not offered is
refused with nothing changed, in every form that has such a select (convention parties, fiche, governance
body members, coordinator post). Two CAFs and two départements: the `world` fixture (Tarn, Aude)."""

import html

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ctg.conventions import selectors, services
from ctg.conventions.forms import PartnerForm, SignatoryForm
from ctg.conventions.models import Partner, Signatory
from ctg.core.models import Action, HistoryEntry
from ctg.governance.forms import MemberForm
from ctg.governance.models import Body, BodyMember
from ctg.organisations import choices
from ctg.organisations.models import Organisation
from ctg.post.forms import PostForm
from tests.factories import CommuneFactory, DepartementFactory, OrganisationFactory
from tests.test_permission_matrix import _drafted_signatory

Kind = Organisation.Kind


@pytest.fixture
def places(world):
    """Organisations here and elsewhere: the Tarn (the dossier's département) and the Aude (another CAF's)."""
    ctg = world.ctg
    tarn, aude = ctg.caf.departement, world.other_ctg.caf.departement
    commune = ctg.communes.order_by("code").first()
    elsewhere_in_tarn = CommuneFactory(departement=tarn, name="Albi")
    return {
        "ctg": ctg,
        "commune": commune,
        "cd81": OrganisationFactory(
            kind=Kind.DEPARTEMENT, name="Conseil départemental du Tarn", departement=tarn
        ),
        "cd11": OrganisationFactory(
            kind=Kind.DEPARTEMENT, name="Conseil départemental de l'Aude", departement=aude
        ),
        "pmi": OrganisationFactory(kind=Kind.SERVICE_DEPARTEMENT, name="PMI du Tarn", departement=tarn),
        "ase11": OrganisationFactory(kind=Kind.SERVICE_DEPARTEMENT, name="ASE de l'Aude", departement=aude),
        "epci": OrganisationFactory(kind=Kind.EPCI, name="CC du Test", epci=ctg.epci),
        "asso_here": OrganisationFactory(kind=Kind.ASSOCIATION, name="Éveil du Test", commune=commune),
        "asso_albi": OrganisationFactory(
            kind=Kind.ASSOCIATION, name="Ludothèque d'Albi", commune=elsewhere_in_tarn
        ),
        "asso_aude": OrganisationFactory(
            kind=Kind.ASSOCIATION, name="Centre social de Limoux", departement=aude
        ),
        "cnaf": OrganisationFactory(kind=Kind.AUTRE, name="Cnaf"),
        "compas": OrganisationFactory(kind=Kind.PRESTATAIRE, name="Compas"),
        "fictitious": OrganisationFactory(
            kind=Kind.ASSOCIATION, name="Association fictive", is_fictitious=True
        ),
        "other_caf": world.other_ctg.caf,
    }


OFFERED = ("cd81", "pmi", "epci", "asso_here", "asso_albi", "cnaf", "compas")
NOT_OFFERED = ("cd11", "ase11", "asso_aude", "fictitious", "other_caf")


def _values(field) -> set[str]:
    return {value for _, options in field.choices if isinstance(options, list) for value, _ in options}


def test_the_selects_offer_the_territory_its_departement_and_national_ones_only(places):
    field = SignatoryForm(ctg=places["ctg"]).fields["organisation"]
    values = _values(field)
    for name in OFFERED:
        assert str(places[name].pk) in values, name
    for name in NOT_OFFERED:
        assert str(places[name].pk) not in values, name
    assert str(places["ctg"].caf_id) in values


def test_options_are_grouped_by_type_with_labels_and_sorted_by_name(places):
    OrganisationFactory(kind=Kind.ASSOCIATION, name="Abeilles", departement=places["ctg"].caf.departement)
    field = SignatoryForm(ctg=places["ctg"]).fields["organisation"]
    groups = [label for label, options in field.choices if isinstance(options, list)]
    assert groups.index("CAF et MSA") < groups.index("Intercommunalités") < groups.index("Communes")
    assert "Services du Département" in groups and "Bureaux d'études et prestataires" in groups
    associations = dict(field.choices)["Associations"]
    # Accents ignored: « Éveil » between « Abeilles » and « Ludothèque ».
    assert [label for _, label in associations] == ["Abeilles", "Éveil du Test", "Ludothèque d'Albi"]
    assert dict(dict(field.choices)["Services du Département"]) == {str(places["pmi"].pk): "PMI du Tarn"}


def test_a_fictitious_dossier_is_offered_fictitious_organisations(places):
    ctg = places["ctg"]
    ctg.is_fictitious = True
    ctg.save()
    labels = dict(dict(SignatoryForm(ctg=ctg).fields["organisation"].choices)["Associations"])
    assert labels[str(places["fictitious"].pk)] == "Association fictive (fictive)"


def test_a_select_with_many_options_is_searchable_and_a_short_one_is_not(places):
    widget = SignatoryForm(ctg=places["ctg"]).fields["organisation"].widget
    assert widget.attrs.get("data-ctg-filter") == "true"
    field = choices.OrganisationChoiceField(label="x").offer([places["cnaf"]])
    assert "data-ctg-filter" not in field.widget.attrs


def test_the_page_has_the_search_script_and_the_grouped_select(client, world, places):
    client.force_login(world.users["pilote_caf"])
    html = client.get(reverse("conventions:parties", args=[world.ctg.pk])).content.decode()
    assert 'data-ctg-filter="true"' in html and "ctg/select_filter.js" in html
    assert '<optgroup label="Services du Département">' in html


@pytest.mark.parametrize("name", NOT_OFFERED)
def test_a_signatory_of_another_departement_is_refused_and_nothing_changes(client, world, places, name):
    client.force_login(world.users["pilote_caf"])
    history = HistoryEntry.objects.count()
    response = client.post(
        reverse("conventions:signatory_add", args=[world.ctg.pk]),
        {"organisation": places[name].pk, "signer_name": "Dominique", "signer_capacity": "Présidente"},
    )
    assert response.status_code == 400
    # The message of the one rule the services apply (`selectors.check_dossier_organisations`), naming it.
    page = html.unescape(response.content.decode())
    reason = "est une organisation fictive" if name == "fictitious" else "ni du territoire du dossier"
    assert f"« {places[name].name} »" in page and reason in page
    assert not Signatory.objects.filter(ctg=world.ctg).exists()
    assert HistoryEntry.objects.count() == history


def test_the_service_refuses_an_organisation_not_offered(world, places):
    with pytest.raises(ValidationError, match="ni du territoire"):
        services.signatory_add(
            ctg=world.ctg,
            actor=world.users["pilote_caf"],
            organisation=places["cd11"],
            signer_name="Dominique",
            signer_capacity="Président",
        )
    assert not Signatory.objects.filter(ctg=world.ctg).exists()


def test_a_commune_of_the_territory_signs_directly(client, world, places):
    """Without an organisation yet, the commune is offered as « commune:<code> »; choosing it creates its
    organisation and the signatory (one history line)."""
    ctg = world.ctg
    commune = ctg.communes.exclude(pk=places["commune"].pk).order_by("code").first()
    assert not Organisation.objects.filter(commune=commune).exists()
    field = SignatoryForm(ctg=ctg).fields["organisation"]
    communes = dict(dict(field.choices)["Communes"])
    assert f"commune:{commune.code}" in communes
    client.force_login(world.users["pilote_caf"])
    response = client.post(
        reverse("conventions:signatory_add", args=[ctg.pk]),
        {
            "organisation": f"commune:{commune.code}",
            "signer_name": "Camille Maire",
            "signer_capacity": "Maire",
        },
    )
    assert response.status_code == 302
    signatory = Signatory.objects.get(ctg=ctg)
    assert signatory.organisation.kind == Kind.COMMUNE and signatory.organisation.commune == commune
    assert signatory.organisation.name == communes[f"commune:{commune.code}"]
    assert HistoryEntry.objects.filter(ctg=ctg, action=Action.SIGNATORY).count() == 1
    # Now the commune is an organisation: offered by its id, once.
    values = _values(SignatoryForm(ctg=ctg).fields["organisation"])
    assert f"commune:{commune.code}" not in values and str(signatory.organisation.pk) not in values


def test_a_commune_outside_the_territory_cannot_sign(client, world, places):
    outside = world.other_ctg.communes.first()
    client.force_login(world.users["pilote_caf"])
    response = client.post(
        reverse("conventions:signatory_add", args=[world.ctg.pk]),
        {"organisation": f"commune:{outside.code}", "signer_name": "X", "signer_capacity": "Maire"},
    )
    assert response.status_code == 400
    assert not Signatory.objects.filter(ctg=world.ctg).exists()
    assert not Organisation.objects.filter(commune=outside).exists()
    with pytest.raises(ValidationError, match="pas une commune du territoire"):
        services.signatory_add(
            ctg=world.ctg, actor=None, organisation=outside, signer_name="X", signer_capacity="Maire"
        )
    assert not Organisation.objects.filter(commune=outside).exists()


def test_a_commune_signatory_with_a_missing_name_creates_nothing(world, places):
    commune = world.ctg.communes.exclude(pk=places["commune"].pk).first()
    with pytest.raises(ValidationError):
        services.signatory_add(
            ctg=world.ctg, actor=None, organisation=commune, signer_name="", signer_capacity="Maire"
        )
    assert not Organisation.objects.filter(commune=commune).exists()


# --- partners and their role ---------------------------------------------------------------------------


def test_a_partner_with_its_role_is_listed_and_its_role_edited(client, world, places):
    ctg = world.ctg
    client.force_login(world.users["coordination"])
    response = client.post(
        reverse("conventions:partner_add", args=[ctg.pk]),
        {"organisation": places["pmi"].pk, "role": "Accompagne les assistantes maternelles"},
    )
    assert response.status_code == 302
    partner = Partner.objects.get(ctg=ctg)
    assert (partner.organisation, partner.role) == (places["pmi"], "Accompagne les assistantes maternelles")
    html = client.get(reverse("conventions:parties", args=[ctg.pk])).content.decode()
    assert "Accompagne les assistantes maternelles" in html and "Service du Département (PMI, ASE…)" in html

    url = reverse("conventions:partner_edit", args=[ctg.pk, places["pmi"].pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"role": "Porte la PMI sur le territoire"})
    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.role == "Porte la PMI sur le territoire"
    entry = HistoryEntry.objects.filter(ctg=ctg, action=Action.PARTNER).latest("at")
    assert entry.changes == {
        "role": ["Accompagne les assistantes maternelles", "Porte la PMI sur le territoire"]
    }


def test_a_too_long_role_is_refused_and_nothing_changes(client, world, places):
    ctg = world.ctg
    services.partner_add(ctg=ctg, actor=None, organisation=places["compas"], role="Diagnostic")
    client.force_login(world.users["coordination"])
    history = HistoryEntry.objects.count()
    response = client.post(
        reverse("conventions:partner_edit", args=[ctg.pk, places["compas"].pk]), {"role": "x" * 301}
    )
    assert response.status_code == 400
    assert Partner.objects.get(ctg=ctg).role == "Diagnostic"
    assert HistoryEntry.objects.count() == history


def test_a_new_partner_is_a_consultancy_of_the_cafs_departement(client, world, places):
    client.force_login(world.users["coordination"])
    response = client.post(
        reverse("conventions:partner_add", args=[world.ctg.pk]),
        {
            "new_name": "Bureau Études & Territoires",
            "new_kind": "prestataire",
            "role": "Réalise le diagnostic",
        },
    )
    assert response.status_code == 302
    partner = Partner.objects.select_related("organisation").get(ctg=world.ctg)
    assert partner.organisation.kind == Kind.PRESTATAIRE
    assert partner.organisation.departement == world.ctg.caf.departement
    assert partner.role == "Réalise le diagnostic"
    # The other CAF's dossier is not offered it.
    assert str(partner.organisation.pk) not in _values(
        PartnerForm(ctg=world.other_ctg).fields["organisation"]
    )


def test_a_partner_of_another_departement_is_refused(client, world, places):
    client.force_login(world.users["coordination"])
    response = client.post(
        reverse("conventions:partner_add", args=[world.ctg.pk]), {"organisation": places["asso_aude"].pk}
    )
    assert response.status_code == 400
    assert not Partner.objects.filter(ctg=world.ctg).exists()


# --- the other apps' selects go through the same function -----------------------------------------------


def test_governance_member_select_is_scoped_and_a_foreign_id_refused(client, world, places):
    form = MemberForm(ctg=world.ctg)
    values = _values(form.fields["organisation"])
    assert str(places["pmi"].pk) in values and str(places["cd11"].pk) not in values
    body = Body.objects.create(ctg=world.ctg, kind=Body.Kind.COPIL, name="COPIL")
    client.force_login(world.users["coordination"])
    response = client.post(
        reverse("governance:member_add", args=[world.ctg.pk, body.pk]),
        {"organisation": places["cd11"].pk, "person_name": "Alex"},
    )
    assert response.status_code == 400
    assert not BodyMember.objects.filter(body=body).exists()


def test_post_employer_select_is_scoped(world, places):
    services.partner_add(ctg=world.ctg, actor=None, organisation=places["asso_here"])
    values = _values(PostForm(ctg=world.ctg).fields["employer"])
    assert str(places["asso_here"].pk) in values and str(world.ctg.caf_id) in values
    assert str(places["asso_aude"].pk) not in values and str(places["other_caf"].pk) not in values


def test_the_scope_of_a_dossier_on_two_departements(world, places):
    """A territory across two départements is offered the organisations of both."""
    ctg = world.ctg
    herault = DepartementFactory(code="34", name="Hérault", region=ctg.caf.departement.region)
    ctg.communes.add(CommuneFactory(departement=herault, epci=ctg.epci))
    cd34 = OrganisationFactory(
        kind=Kind.DEPARTEMENT, name="Conseil départemental de l'Hérault", departement=herault
    )
    offered = selectors.dossier_organisations(ctg)
    assert offered.filter(pk=cd34.pk).exists() and not offered.filter(pk=places["cd11"].pk).exists()


# --- one signature date for several parties ----------------------------------------------------------------


@pytest.fixture
def parties(world, places):
    """Three signatories of a dossier whose signatures may be recorded (the matrix's own set-up)."""
    ctg = world.ctg
    _drafted_signatory(world)
    Signatory.objects.filter(ctg=ctg).delete()
    signatories = [
        services.signatory_add(
            ctg=ctg, actor=None, organisation=organisation, signer_name=name, signer_capacity="Président·e"
        )
        for organisation, name in ((ctg.caf, "Alix"), (places["epci"], "Bastien"), (places["cd81"], "Chloé"))
    ]
    return signatories


def _signatures(client, ctg, **data):
    return client.post(
        reverse("conventions:signatures_record", args=[ctg.pk]),
        {f"signatures-{key}": value for key, value in data.items()},
    )


def test_one_date_for_several_parties_one_history_line_each(client, world, parties):
    client.force_login(world.users["pilote_caf"])
    html = client.get(reverse("conventions:parties", args=[world.ctg.pk])).content.decode()
    assert "Enregistrer une date de signature pour plusieurs parties" in html
    response = _signatures(
        client, world.ctg, signatories=[parties[0].pk, parties[1].pk], signed_on="2024-11-21"
    )
    assert response.status_code == 302
    dates = {s.pk: s.signed_on for s in Signatory.objects.filter(ctg=world.ctg)}
    assert str(dates[parties[0].pk]) == str(dates[parties[1].pk]) == "2024-11-21"
    assert dates[parties[2].pk] is None
    entries = HistoryEntry.objects.filter(ctg=world.ctg, action=Action.SIGNATURE)
    assert sorted(e.item_id for e in entries) == sorted([parties[0].pk, parties[1].pk])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"signed_on": "2999-01-01"}, "ne peut pas être dans le futur"),
        ({"signed_on": ""}, "Ce champ est obligatoire"),
        ({"signed_on": "21/13/2022"}, "Saisissez une date valide"),
        ({"signatories": []}, "Cochez au moins une partie signataire"),
        ({"other": True}, "pas toutes signataires de ce dossier"),
    ],
)
def test_bad_signature_input_is_refused_and_nothing_changes(client, world, parties, data, message):
    other = services.signatory_add(
        ctg=world.other_ctg,
        actor=None,
        organisation=world.other_ctg.caf,
        signer_name="Dominique",
        signer_capacity="Directrice",
    )
    chosen = [parties[0].pk, parties[1].pk] + ([other.pk] if data.pop("other", False) else [])
    payload = {"signatories": chosen, "signed_on": "2024-11-21", **data}
    client.force_login(world.users["pilote_caf"])
    history = HistoryEntry.objects.count()
    response = _signatures(client, world.ctg, **payload)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Signatory.objects.exclude(signed_on=None).exists()
    assert HistoryEntry.objects.count() == history


def test_the_service_is_all_or_nothing(world, parties):
    """A party of another dossier among them: nobody's signature is recorded."""
    import datetime

    other = services.signatory_add(
        ctg=world.other_ctg,
        actor=None,
        organisation=world.other_ctg.caf,
        signer_name="D",
        signer_capacity="D",
    )
    with pytest.raises(ValidationError):
        services.signatures_record(
            ctg=world.ctg, actor=None, signatories=[parties[0], other], signed_on=datetime.date(2024, 11, 21)
        )
    assert not Signatory.objects.exclude(signed_on=None).exists()


def test_the_convention_names_each_partner_with_its_role(world, places):
    from ctg.documents.content import placeholder_values

    services.partner_add(
        ctg=world.ctg, actor=None, organisation=places["pmi"], role="suivi des assistantes maternelles"
    )
    services.partner_add(ctg=world.ctg, actor=None, organisation=places["cnaf"])
    assert (
        placeholder_values(world.ctg)["partenaires"]
        == "Cnaf, PMI du Tarn (suivi des assistantes maternelles)"
    )
