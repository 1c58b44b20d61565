"""Issue 13, « Done when », in Chromium: the coordination of a Limoges Métropole-like dossier (an EPCI of
several communes, a communal referent for one of them) runs the Limoges sequence from the UI only: the
restitution of the portrait to the Comité de coordination (11 March 2024), four ateliers on the chosen
themes (one dated by its month only) with the communal referent registered and present and the participants'
contributions, findings from an atelier and from a portrait indicator, a dot vote, an enjeu proposed from the
atelier's findings; a questionnaire to families alongside, answered by anonymous visitors through its
« école » link; then the « Document du diagnostic » handed to the committee, whose PDF holds all of it.

Item 5: full-page screenshots of the portrait, the questionnaire, its results and an atelier are saved under
the test's tmp_path (their paths are printed and recorded), and every chart of the portrait and the results
has drawn. The new pages (atelier, results, document) pass axe-core.

Set-up only by factories: the dossier, its two members and the statistics import (`portrait_data`)."""

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from ctg.ateliers.models import Atelier
from ctg.conventions.models import DatePrecision, Phase
from ctg.findings.models import Finding
from ctg.organisations.permissions import Role
from ctg.plans.models import Enjeu
from ctg.surveys.models import Questionnaire, Response
from tests.conftest import PASSWORD
from tests.diagnostics.conftest import referential, stats_dir  # noqa: F401
from tests.diagnostics.test_portrait_views import portrait_data  # noqa: F401
from tests.factories import CtgFactory, MembershipFactory, UserFactory

from .axe import assert_accessible
from .conftest import JOB_TIMEOUT_MS
from .test_portrait_reading import CHART_STATE

TITLE = "CTG Limoges Métropole 2023-2026"
VIEWPORT = {"width": 1280, "height": 900}
ATELIERS = (
    # title, theme label, day or month
    ("Petite enfance", "Petite enfance (0-3 ans)", {"date": "2024-04-16"}),
    ("Parentalité", "Parentalité", {"month": "mai 2024"}),
    ("Jeunesse", "Jeunesse (11-25 ans)", {"date": "2024-06-04"}),
    ("Accès aux droits", "Accès aux droits et inclusion numérique", {"date": "2024-06-18"}),
)
QUESTIONNAIRE = "Les familles et l'accueil de leurs enfants"
ANSWERS = 6
# The multiple choice: what each anonymous visitor ticks.
MODES = ("Crèche", "Assistante maternelle", "Famille")


@pytest.fixture
def dossier(portrait_data):  # noqa: F811
    """The portrait's EPCI (three communes, census and FiLoSoFi imported) as a dossier in diagnostic; its
    coordination and the communal referent of its first commune."""
    epci = portrait_data
    communes = list(epci.communes.order_by("name"))
    ctg = CtgFactory(
        epci=epci,
        communes=communes,
        title=TITLE,
        start_year=2023,
        end_year=2026,
        phase=Phase.DIAGNOSTIC,
    )
    coordination = UserFactory(
        email="coordination@limoges-metropole.fr", first_name="Claire", last_name="Noël"
    )
    MembershipFactory(ctg=ctg, user=coordination, role=Role.COORDINATION)
    referent = UserFactory(email="referent@panazol.fr", first_name="Régis", last_name="Aubin")
    membership = MembershipFactory(ctg=ctg, user=referent, role=Role.REFERENT_COMMUNAL)
    membership.communes.set(communes[:1])
    return ctg, coordination, referent, communes


def wait_charts_drawn(page) -> int:
    """Every dsfr-chart web component of the page has a canvas of non-zero size with painted pixels
    (`test_portrait_reading.CHART_STATE`); returns how many."""
    charts = page.locator("bar-chart")
    count = charts.count()
    for index in range(count):
        chart = charts.nth(index)
        chart.scroll_into_view_if_needed()
        page.wait_for_function(
            f"chart => {{ const s = ({CHART_STATE})(chart); return s && s.width > 0 && s.height > 0 "
            "&& s.painted > 200; }",
            arg=chart.element_handle(),
        )
    return count


def full_page_shot(page, tmp_path, name: str, record_property) -> None:
    shot = tmp_path / f"{name}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000, shot
    print(f"Capture « {name} » : {shot}")
    record_property(f"screenshot_{name}", str(shot))


def submit(page, button: str, **role) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button, **role).click()


def test_limoges_qualitative_diagnostic_through_the_ui(
    transactional_db, dossier, page, browser, live_server, login, settings, tmp_path, record_property
):
    settings.CTG_SURVEY_MIN_SECONDS = 0
    ctg, coordination, referent, communes = dossier
    login(coordination.email, PASSWORD)
    page.set_viewport_size(VIEWPORT)
    base = live_server.url

    # 0. The portrait: every chart drawn; its screenshot.
    assert page.goto(f"{base}/portrait/ctg/{ctg.pk}/").ok
    portrait_charts = wait_charts_drawn(page)
    assert portrait_charts >= 3
    full_page_shot(page, tmp_path, "portrait", record_property)

    # 1. The restitution of the portrait to the Comité de coordination, 11 March 2024, held, with a decision.
    page.goto(f"{base}/ctg/{ctg.pk}/")
    page.get_by_role("link", name="Gouvernance", exact=True).click()
    page.get_by_role("link", name="Ajouter une instance").click()
    page.locator("#id_kind").select_option(label="Comité de coordination")
    page.locator("#id_name").fill("Comité de coordination")
    page.get_by_role("button", name="Enregistrer l'instance").click()
    expect(page.get_by_text("L'instance « Comité de coordination » est créée.")).to_be_visible()
    page.get_by_role("link", name="Planifier une réunion de l'instance « Comité de coordination »").click()
    page.locator("#id_title").fill("Restitution du portrait")
    page.locator("#id_starts_at").fill("2024-03-11T14:00")
    page.locator("#id_place").fill("Limoges Métropole, salle du conseil")
    submit(page, "Enregistrer la réunion")
    expect(
        page.get_by_text(re.compile(r"La réunion « .*Restitution du portrait.* » est planifiée"))
    ).to_be_visible()
    page.get_by_role("button", name="Marquer comme tenue").click()
    expect(page.get_by_text("La réunion est marquée comme tenue.")).to_be_visible()
    page.locator("#id_text").fill("Le comité valide le portrait et retient quatre thèmes d'ateliers.")
    page.get_by_role("button", name="Ajouter la décision").click()
    expect(page.get_by_text("La décision est ajoutée.")).to_be_visible()
    meeting = ctg.bodies.get(name="Comité de coordination").meetings.get(title="Restitution du portrait")
    assert meeting.status == meeting.Status.HELD and meeting.starts_at.date().isoformat() == "2024-03-11"

    # 2. Four ateliers on the chosen themes; the second dated by its month only.
    ateliers_url = f"{base}/diagnostic/ctg/{ctg.pk}/ateliers/"
    for title, theme, when in ATELIERS:
        page.goto(ateliers_url)
        page.get_by_role("link", name="Organiser un atelier").click()
        page.get_by_label("Intitulé").fill(title)
        page.get_by_role("checkbox", name=theme, exact=True).check(force=True)
        if "date" in when:
            page.locator("#id_date").fill(when["date"])
        else:
            page.locator("#id_month").fill(when["month"])
        page.locator("#id_commune").select_option(label=f"{communes[0].name} ({communes[0].code})")
        page.locator("#id_status").select_option(label="Tenu")
        submit(page, "Enregistrer l'atelier")
        expect(page.get_by_text("L'atelier est créé.")).to_be_visible()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Atelier « {title} »")
    assert Atelier.objects.filter(ctg=ctg).count() == 4
    parentalite = Atelier.objects.get(ctg=ctg, title="Parentalité")
    assert parentalite.date_precision == DatePrecision.MONTH and parentalite.date.month == 5
    page.goto(ateliers_url)
    expect(page.get_by_text("mai 2024").first).to_be_visible()

    # The petite enfance atelier: the communal referent registered and present, contributions.
    page.get_by_role("link", name="Petite enfance", exact=True).click()
    atelier = Atelier.objects.get(ctg=ctg, title="Petite enfance")
    atelier_url = f"{ateliers_url}{atelier.pk}/"
    page.get_by_label("Nom de la personne", exact=True).fill("Régis Aubin")
    page.get_by_label("Qualité").fill("référent communal")
    page.locator("#id_inscription-commune").select_option(label=f"{communes[0].name} ({communes[0].code})")
    page.locator("#id_inscription-status").select_option(label="Inscrit·e")
    page.locator("label[for='id_inscription-consent_listed']").click()
    submit(page, "Ajouter la personne", exact=True)
    expect(page.get_by_text("Régis Aubin est ajouté·e à l'atelier.")).to_be_visible()
    attendance = page.locator("form").filter(has=page.get_by_role("button", name="Enregistrer les présences"))
    attendance.locator("label", has_text="Régis Aubin — Référent").first.click()
    attendance.locator("label", has_text="Régis Aubin").last.click()
    submit(page, "Enregistrer les présences")
    expect(page.get_by_text("Les présences sont enregistrées.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"2 personnes présentes|1 personne présente"))).to_be_visible()
    contributions = (
        ("Trop peu de places d'accueil le mercredi", "Petite enfance (0-3 ans)"),
        ("Les assistantes maternelles sont loin des gares", "Petite enfance (0-3 ans)"),
    )
    for text, theme in contributions:
        page.get_by_label("Contribution", exact=True).fill(text)
        page.locator("#id_contribution-theme").select_option(label=theme)
        submit(page, "Ajouter la contribution")
        expect(page.get_by_text("La contribution est ajoutée.")).to_be_visible()
    assert atelier.contributions.count() == 2
    assert atelier.attendances.filter(user=referent).exists()

    # 3. Findings: one from a contribution of the atelier, one from a portrait indicator; a dot vote.
    page.get_by_role("link", name="Créer un constat à partir de la contribution 1").click()
    page.get_by_label("Type de constat").select_option(label="Besoin")
    page.get_by_label("Constat", exact=True).fill("Places d'accueil du mercredi insuffisantes")
    submit(page, "Créer le constat")
    expect(page.get_by_text("Le constat est créé.")).to_be_visible()
    from_atelier = Finding.objects.get(ctg=ctg, title="Places d'accueil du mercredi insuffisantes")

    page.goto(f"{base}/diagnostic/ctg/{ctg.pk}/constats/")
    page.get_by_label("Indicateur du portrait").select_option("part_moins_15_ans")
    page.get_by_role("button", name="Partir de cet indicateur").click()
    page.wait_for_url(re.compile(r"/constats/nouveau/\?indicateur=part_moins_15_ans"))
    expect(page.locator("#id_title")).to_have_value("Part des moins de 15 ans")
    assert "Part des moins de 15 ans" in page.locator("#id_evidence").input_value()
    page.get_by_label("Type de constat").select_option(label="Atout")
    submit(page, "Ajouter le constat")
    expect(page.get_by_text("Le constat est ajouté.")).to_be_visible()
    from_indicator = Finding.objects.get(ctg=ctg, title="Part des moins de 15 ans")
    assert from_indicator.source_kind == Finding.SourceKind.INDICATOR

    page.goto(atelier_url)
    for finding, dots in ((from_atelier, 9), (from_indicator, 4)):
        page.locator("#id_vote-finding").select_option(str(finding.pk))
        page.locator("#id_vote-dots").fill(str(dots))
        submit(page, "Enregistrer le vote")
        expect(page.get_by_text("Le vote est enregistré.")).to_be_visible()
    ranking = page.get_by_role("table", name="Constats classés par nombre de gommettes")
    expect(ranking.locator("tbody tr").first).to_contain_text("Places d'accueil du mercredi insuffisantes")
    expect(ranking.locator("tbody tr").first).to_contain_text("9")
    assert_accessible(page, "Page de l'atelier (inscription, présences, contributions, vote, constats)")
    full_page_shot(page, tmp_path, "atelier", record_property)

    # 4. The enjeu proposed from the atelier's findings, citing the indicator's finding too.
    page.get_by_role("link", name="Proposer un enjeu à partir des constats de l'atelier").click()
    page.wait_for_url(re.compile(r"/enjeux/depuis-constats/\?constats="))
    expect(page.get_by_label(f"Besoin — {from_atelier.title}")).to_be_checked()
    page.locator("label", has_text=f"Atout — {from_indicator.title}").click()
    page.locator("#id_title").fill("Accueillir les jeunes enfants au plus près des familles")
    submit(page, "Créer l'enjeu")
    expect(
        page.get_by_text("L'enjeu est créé à partir des constats ; ajoutez-lui ses objectifs.")
    ).to_be_visible()
    enjeu = Enjeu.objects.get(ctg=ctg, title="Accueillir les jeunes enfants au plus près des familles")
    assert set(enjeu.findings.values_list("pk", flat=True)) == {from_atelier.pk, from_indicator.pk}
    cited = page.locator("#constats-diagnostic")
    expect(cited).to_contain_text(from_atelier.title)
    expect(cited).to_contain_text(from_indicator.title)

    # 5. A questionnaire to families, built, opened, spread through an « école » link.
    page.goto(f"{base}/diagnostic/ctg/{ctg.pk}/questionnaires/")
    page.get_by_role("link", name="Nouveau questionnaire").click()
    page.get_by_label("Titre", exact=True).fill(QUESTIONNAIRE)
    page.get_by_label("Public visé").select_option(label="Familles")
    submit(page, "Créer le questionnaire")
    questionnaire = Questionnaire.objects.get(ctg=ctg, title=QUESTIONNAIRE)
    page.get_by_role("link", name="Ajouter une section").click()
    page.get_by_label("Titre de la section").fill("Votre famille")
    submit(page, "Ajouter la section")
    questions = (
        ("Votre commune", "Commune", ""),
        ("Avez-vous un enfant de moins de 3 ans ?", "Choix unique", "Oui\nNon"),
        ("Quels modes d'accueil utilisez-vous ?", "Choix multiple", "\n".join(MODES)),
        ("Que faudrait-il améliorer ?", "Texte long", ""),
    )
    for label, kind, options in questions:
        page.get_by_role("link", name="Ajouter une question à « Votre famille »").click()
        page.get_by_label("Type de question").select_option(label=kind)
        page.locator("#id_label").fill(label)
        if options:
            page.get_by_label("Réponses proposées (une par ligne)").fill(options)
        submit(page, "Ajouter la question")
        expect(page.get_by_text(label).first).to_be_visible()
    assert questionnaire.questions.count() == 4
    submit(page, "Ouvrir le questionnaire")
    questionnaire.refresh_from_db()
    assert questionnaire.status == Questionnaire.Status.OPEN
    full_page_shot(page, tmp_path, "questionnaire", record_property)
    page.get_by_role("link", name="Diffusion (liens)").click()
    page.get_by_label("Canal de diffusion").fill("école")
    submit(page, "Créer le lien public")
    link = questionnaire.links.get(channel="école")
    expect(page.get_by_role("rowheader", name="école")).to_be_visible()

    # Anonymous families, in a context of their own (no session, no cookie of the coordination).
    q = {question.label: question for question in questionnaire.questions.all()}
    option = {o.label: o.pk for question in q.values() for o in question.options.all()}
    families = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    families.set_default_timeout(15_000)
    try:
        visitor = families.new_page()
        for index in range(ANSWERS):
            assert visitor.goto(f"{base}/questionnaire/{link.token}/").ok
            visitor.get_by_role("link", name="Je commence").click()
            visitor.wait_for_url(f"{base}/questionnaire/{link.token}/repondre/")
            visitor.get_by_label("Votre commune").select_option(communes[index % len(communes)].code)
            child = q["Avez-vous un enfant de moins de 3 ans ?"]
            yes = "Oui" if index < 4 else "Non"
            visitor.locator(f"label[for='q{child.pk}-{option[yes]}']").click()
            modes = q["Quels modes d'accueil utilisez-vous ?"]
            for mode in MODES[: 1 + index % 3]:
                visitor.locator(f"label[for='q{modes.pk}-{option[mode]}']").click()
            visitor.get_by_label("Que faudrait-il améliorer ?").fill(
                f"Des places le mercredi (famille {index})"
            )
            with visitor.expect_navigation():
                visitor.get_by_role("button", name="Envoyer mes réponses").click()
            assert visitor.url == f"{base}/questionnaire/{link.token}/merci/"
            expect(visitor.get_by_role("heading", name="Merci pour vos réponses")).to_be_visible()
    finally:
        families.close()
    assert (
        Response.objects.filter(questionnaire=questionnaire, is_test=False, channel="école").count()
        == ANSWERS
    )

    # The results: the counts, every chart drawn.
    page.goto(f"{base}/diagnostic/ctg/{ctg.pk}/questionnaires/{questionnaire.pk}/")
    page.get_by_role("link", name="Résultats", exact=True).click()
    page.wait_for_url(f"{base}/diagnostic/ctg/{ctg.pk}/questionnaires/{questionnaire.pk}/resultats/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Résultats du questionnaire « {QUESTIONNAIRE} »"
    )
    expect(
        page.get_by_text(f"{ANSWERS} réponses (les réponses de test ne sont pas comptées)")
    ).to_be_visible()
    results_charts = wait_charts_drawn(page)
    assert results_charts >= 3  # commune, yes/no, modes
    assert page.locator("figure bar-chart").count() == results_charts
    yes_row = page.locator("tr").filter(has=page.get_by_role("rowheader", name="Oui", exact=True)).first
    expect(yes_row).to_contain_text("4")
    creche_row = page.locator("tr").filter(has=page.get_by_role("rowheader", name="Crèche", exact=True)).first
    expect(creche_row).to_contain_text(str(ANSWERS))
    assert_accessible(page, "Résultats du questionnaire aux familles")
    full_page_shot(page, tmp_path, "resultats", record_property)

    # 6. The « Document du diagnostic », generated, its PDF downloaded and read.
    page.goto(f"{base}/ctg/{ctg.pk}/")
    page.get_by_role("link", name="Diagnostic", exact=True).click()
    page.get_by_role("link", name="Document du diagnostic").first.click()
    page.wait_for_url(f"{base}/convention/ctg/{ctg.pk}/diagnostic/")
    assert_accessible(page, "Document du diagnostic (avant génération)")
    page.locator("#id_introduction").fill("Le diagnostic partagé a été restitué au comité le 11 mars 2024.")
    page.locator("#id_conclusions").fill("Un enjeu retenu pour la petite enfance.")
    submit(page, "Enregistrer les textes")
    expect(page.get_by_text("L'introduction et les conclusions sont enregistrées.")).to_be_visible()
    page.get_by_role("button", name="Générer le document du diagnostic").click()  # a job, shown in place
    job_area = page.locator("#job-area")
    expect(job_area).to_contain_text(
        "Document du diagnostic, version 1 : télécharger le PDF", timeout=JOB_TIMEOUT_MS
    )
    assert_accessible(page, "Document du diagnostic (après génération)")
    page.reload()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF de la version 1").click()
    pdf = tmp_path / "diagnostic.pdf"
    download_info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf.read_bytes()))
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() or "" for p in reader.pages))
    for expected in (
        "Petite enfance",
        "Parentalité",
        "mai 2024",
        "Places d'accueil du mercredi insuffisantes",
        "Part des moins de 15 ans",
        "Accueillir les jeunes enfants au plus près des familles",
        QUESTIONNAIRE,
    ):
        assert expected.replace("'", "’") in text.replace("'", "’"), (expected, text[:3000])
    questionnaire_row = re.search(rf"{re.escape(QUESTIONNAIRE)}.{{0,120}}", text)
    assert questionnaire_row and re.search(rf"\b{ANSWERS}\b", questionnaire_row.group(0)), (
        questionnaire_row and questionnaire_row.group(0)
    )
    record_property("portrait_charts", portrait_charts)
    record_property("results_charts", results_charts)
