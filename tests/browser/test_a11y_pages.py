"""Every main page renders in Chromium and passes axe-core (no serious or critical violation)."""

import datetime

from ctg.conventions import services
from ctg.conventions.models import Avenant, Ctg
from ctg.diagnostics.importers import import_datasets
from ctg.offer.services import structure_create
from tests.conftest import PASSWORD
from tests.factories import CtgFactory, MilestoneFactory, OrganisationFactory, SignatoryFactory
from tests.governance.factories import BodyFactory, MeetingFactory

from .axe import assert_accessible


def test_main_pages_are_accessible(transactional_db, world, page, live_server, login, settings, tmp_path):
    ctg = world.ctg
    settings.DATA_DIR = tmp_path / "data"
    commune = ctg.communes.first()
    source = tmp_path / "cc_filosofi_2021_COM.csv"
    source.write_text(f"CODGEO;NBMENFISC21;MED21\n{commune.code};120;21000\n", encoding="utf-8")
    record = import_datasets(source, imported_by=world.users["pilote_caf"])[0]
    milestone = MilestoneFactory(ctg=ctg)
    SignatoryFactory(ctg=ctg, organisation=ctg.caf)
    # Enough organisations for a searchable, grouped select; a partner with its role.
    for kind, name in [("service_departement", "PMI du Tarn"), ("prestataire", "Compas")] + [
        ("association", f"Association {n}") for n in range(8)
    ]:
        OrganisationFactory(kind=kind, name=name, departement=ctg.caf.departement)
    partner = OrganisationFactory(kind="mission_locale", name="Mission locale du Tarn")
    services.partner_add(ctg=ctg, actor=None, organisation=partner, role="Accueille les jeunes")
    meeting = MeetingFactory(body=BodyFactory(ctg=ctg))
    draft = CtgFactory(caf=ctg.caf, title="CTG en préparation")
    # An accord-cadre signed in préparation, with its avenant (the lifecycle's pages).
    signed = CtgFactory(caf=ctg.caf, title="CTG signée", agreement="accord_cadre")
    SignatoryFactory(ctg=signed, organisation=ctg.caf, signed_on=datetime.date(2022, 11, 21))
    avenant = Avenant.objects.create(ctg=signed, number=1, title="Ajout du plan d'action")
    MilestoneFactory(ctg=signed, date=datetime.date(2023, 10, 1), date_precision="month", done=True)
    Ctg.objects.filter(pk=ctg.pk).update(phase="evaluation")
    # The offer of services: a structure with its hours, one absent from its source.
    structure = structure_create(
        actor=None,
        values={
            "type": "france_services",
            "name": "France services du Test",
            "commune": commune,
            "opening_hours": "Mo-Fr 09:00-12:00,13:30-17:00",
            "source": "anct-france-services",
            "source_id": "1",
        },
    )
    structure_create(
        actor=None,
        values={
            "type": "centre_social",
            "name": "Centre social du Test",
            "commune": commune,
            "source": "saisie",
            "missing_from_source": True,
        },
    )
    public = [
        ("/territoires/", "Recherche de territoires"),
        ("/territoires/?q=commune", "Résultats de recherche"),
        (f"/territoires/commune/{commune.code}/", "Page d'une commune"),
        (f"/territoires/epci/{ctg.epci_id}/", "Page d'un EPCI"),
        ("/territoires/departement/81/", "Page d'un département"),
        (f"/portrait/{ctg.epci_id}/", "Portrait social d'un EPCI"),
        (f"/portrait/{commune.code}/", "Portrait social d'une commune"),
        ("/mot-de-passe/oubli/", "Mot de passe oublié"),
    ]
    for path, label in public:
        response = page.goto(f"{live_server.url}{path}")
        assert response.ok, f"{label} : {response.status}"
        assert_accessible(page, label)

    login(world.users["pilote_caf"].email, PASSWORD)
    private = [
        ("/", "Accueil connecté"),
        ("/ctg/", "Liste des dossiers"),
        ("/ctg/nouveau/", "Nouveau dossier"),
        (f"/ctg/{ctg.pk}/", "Synthèse"),
        (f"/ctg/{ctg.pk}/modifier/", "Modifier le dossier"),
        (f"/ctg/{ctg.pk}/territoire/", "Modifier le territoire"),
        (f"/ctg/{ctg.pk}/supprimer/", "Supprimer le dossier (refusé hors préparation)"),
        (f"/ctg/{draft.pk}/supprimer/", "Supprimer le dossier (confirmation)"),
        (f"/ctg/{ctg.pk}/parties/", "Signataires et partenaires"),
        (f"/ctg/{signed.pk}/", "Synthèse d'un accord-cadre signé (phase et signature)"),
        (f"/ctg/{signed.pk}/parties/", "Signataires et avenants"),
        (f"/ctg/{signed.pk}/avenants/{avenant.pk}/modifier/", "Modifier un avenant"),
        (f"/ctg/{signed.pk}/calendrier/", "Calendrier avec un jalon au mois"),
        (f"/ctg/{ctg.pk}/partenaires/{partner.pk}/role/", "Rôle d'un partenaire"),
        (f"/ctg/{ctg.pk}/membres/", "Membres"),
        (f"/ctg/{ctg.pk}/calendrier/", "Calendrier"),
        (f"/ctg/{ctg.pk}/calendrier/{milestone.pk}/modifier/", "Modifier un jalon"),
        (f"/ctg/{ctg.pk}/historique/", "Historique"),
        (f"/portrait/ctg/{ctg.pk}/", "Diagnostic"),
        (f"/portrait/ctg/{ctg.pk}/offre/", "Offre de services"),
        (f"/portrait/ctg/{ctg.pk}/offre/?type=mam", "Offre de services filtrée, sans résultat"),
        (f"/portrait/ctg/{ctg.pk}/offre/structures/{structure.pk}/", "Page d'une structure"),
        (f"/diagnostic/ctg/{ctg.pk}/constats/", "Constats du diagnostic (aucun)"),
        (f"/diagnostic/ctg/{ctg.pk}/constats/nouveau/", "Ajouter un constat"),
        (f"/ctg/{ctg.pk}/renouveler/", "Renouveler"),
        ("/statistiques/import/", "Importer des statistiques"),
        ("/statistiques/imports/", "Journal des imports"),
        (f"/statistiques/imports/{record.pk}/annuler/", "Annuler un import"),
        (f"/plan/ctg/{ctg.pk}/", "Plan d'action (arborescence)"),
        (f"/plan/ctg/{ctg.pk}/enjeux/nouveau/", "Nouvel enjeu"),
        (f"/plan/ctg/{ctg.pk}/enjeux/depuis-constats/", "Créer un enjeu depuis des constats (aucun constat)"),
        (f"/plan/ctg/{ctg.pk}/fiches/nouvelle/", "Nouvelle fiche action"),
        (f"/convention/ctg/{ctg.pk}/", "Convention"),
        ("/convention/modele/", "Modèle de convention de la CAF"),
        (f"/gouvernance/ctg/{ctg.pk}/", "Gouvernance"),
        (f"/gouvernance/ctg/{ctg.pk}/reunions/{meeting.pk}/", "Réunion"),
        (f"/gouvernance/ctg/{ctg.pk}/reunions/ajouter/", "Planifier une réunion (lieu ou lien)"),
        (f"/gouvernance/ctg/{ctg.pk}/poste/", "Poste de coordination"),
        ("/notifications/", "Notifications"),
        ("/ctg/999999/", "Page introuvable"),
    ]
    for path, label in private:
        page.goto(f"{live_server.url}{path}")
        assert_accessible(page, label)

    # The HTMX suggestions under the search field, once typed.
    page.goto(f"{live_server.url}/territoires/")
    page.get_by_role("searchbox").first.fill("Comm")
    page.locator("#territory-suggestions li").first.wait_for()
    assert_accessible(page, "Suggestions de territoires")
