"""Stored XSS and template injection, surface by surface (the audit kept as tests).

One dossier where every free-text field a person can type holds every payload (PAYLOADS, joined in one
text that starts with the formula): the dossier's title, milestones, signatories, partner organisations,
members' names, the plan (enjeux, objectives, fiches and their texts, steps, comments, attachments,
indicators), the bilan, the governance (bodies, members, meetings, participants, minutes, decisions), the
coordinator post and its activity report, the CAF's convention model, the notifications. The budget's
funder is a choice (no free text) and is not a surface.

Then every surface that shows them is fetched as the CAF pilot:

- every GET URL of the permission matrix (tests/test_permission_matrix.py::MATRIX) — a URL added there is
  added here (the test fails for a URL name whose parameters it cannot fill);
- the flash messages of the actions that echo a typed value (POST, follow=True);
- the CSV, xlsx and JSON exports; the PDFs (pypdf text; the footer CSS string holds the title); the DOCX
  (python-docx text); the .ics invitation; the reminder and invitation emails.

HTML: the payloads appear escaped (`&lt;script&gt;`), never raw, never escaped twice (`l&amp;#x27;`);
`{{ 7*7 }}` and `{% load x %}` stay literal (never run as templates). Files: the payload as literal text.

The figure « payloads × surfaces tried » is counted as the tests run and printed by `test_summary` (the
last test of the module, `-s` to see it). On 2 December 2026: 710 payload checks over 106 surfaces (73 HTML
pages — 60 GET URLs of the matrix, 10 pages after an action with its flash message, 3 after typing in
forms —, 10 flash messages, 3 CSV, 1 xlsx, 1 JSON, 4 PDF, 3 DOCX, 3 .ics, 4 emails, 2 download names,
2 refusals of template syntax in the convention model); pages that show only a part of the payloads
(the convention model's page: 5 of 7) count what they were checked for. On 5 December 2026, with the offer
of services (its pages, its CSV and data·inclusion exports): 843 payload checks over 125 surfaces.
"""

import csv
import datetime
import io
import json
import re
from collections import Counter

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.html import escape

from ctg.conventions.models import Avenant, Ctg, Membership, Phase
from ctg.documents import services as document_services
from ctg.documents.models import ConventionArticle
from ctg.governance import ics
from ctg.governance.models import Meeting
from ctg.notifications.models import Notification
from ctg.notifications.reminders import send_reminders
from ctg.offer.services import structure_create
from ctg.plans.models import Attachment, Comment, FicheAction, FicheStep, IndicatorValue
from tests.evaluation.factories import BilanFactory
from tests.factories import MilestoneFactory, OrganisationFactory, SignatoryFactory
from tests.governance.factories import (
    BodyFactory,
    BodyMemberFactory,
    DecisionFactory,
    HeldMeetingFactory,
    MeetingFactory,
    ParticipantFactory,
    PresentParticipantFactory,
)
from tests.plans.factories import (
    BudgetLineFactory,
    EnjeuFactory,
    FicheFactory,
    OperationalObjectiveFactory,
    PlanIndicatorFactory,
    StrategicObjectiveFactory,
)
from tests.post.factories import FundingFactory, PostFactory, ReportFactory

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
STYLE = "</style><script>x</script>"
TEMPLATE_VAR = "{{ 7*7 }}"
TEMPLATE_TAG = "{% load x %}"
FORMULA = '=HYPERLINK("http://x")'
APOSTROPHE = "l'Étang"
PAYLOADS = [FORMULA, SCRIPT, IMG, STYLE, TEMPLATE_VAR, TEMPLATE_TAG, APOSTROPHE]
# Every field gets them all, formula first (a spreadsheet cell then starts with "=").
P = " ".join(PAYLOADS)
# The convention model refuses template tags and unknown placeholders (tested below): its articles get
# the other payloads.
ARTICLE_PAYLOADS = [p for p in PAYLOADS if p not in (TEMPLATE_VAR, TEMPLATE_TAG)]
ARTICLE = " ".join(ARTICLE_PAYLOADS)

RAW_FORBIDDEN = [SCRIPT, "<img src=x onerror", STYLE, "<script>x</script>"]
DOUBLE_ESCAPED = ["&amp;lt;", "&amp;gt;", "&amp;quot;", "&amp;#x27;", "&amp;#39;"]
YEAR = 2025

TRIED: Counter = Counter()  # surface family → payloads × surfaces tried
SURFACES: Counter = Counter()  # surface family → surfaces tried


def tried(family: str, payloads=PAYLOADS) -> None:
    TRIED[family] += len(payloads)
    SURFACES[family] += 1


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- the dossier -----------------------------------------------------------------------------------------


class Dossier:
    pass


@pytest.fixture
def dossier(world, client):
    d = Dossier()
    d.world = world
    d.ctg = ctg = world.ctg
    d.pilot = world.users["pilote_caf"]
    Ctg.objects.filter(pk=ctg.pk).update(title=P, phase=Phase.PLAN_ACTION)
    ctg.refresh_from_db()
    today = timezone.localdate()

    # People (members' names) and organisations.
    d.coordination = world.users["coordination"]
    d.coordination.first_name, d.coordination.last_name = P, APOSTROPHE
    d.coordination.save()
    d.partenaire = world.users["partenaire"]
    d.partenaire.first_name, d.partenaire.last_name = "Camille", P
    d.partenaire.save()
    d.partner = OrganisationFactory(name=f"{P} partenaire")
    d.partner_to_remove = OrganisationFactory(name=f"{P} partenaire retiré")
    ctg.partners.add(d.partner, d.partner_to_remove)
    d.signatory = SignatoryFactory(
        ctg=ctg,
        organisation=OrganisationFactory(name=f"{P} signataire"),
        signer_name=P,
        signer_capacity=P,
        signed_on=datetime.date(2025, 2, 8),
        signed_scan=ContentFile(b"%PDF-1.4\n%%EOF\n", name=f"{IMG}.pdf"),
    )
    d.milestone = MilestoneFactory(ctg=ctg, title=P, notes=P, date=today + datetime.timedelta(days=14))
    d.avenant = Avenant.objects.create(
        ctg=ctg, number=1, title=P, notes=P, signed_on=datetime.date(2025, 3, 1)
    )

    # The plan.
    # A finding of the diagnostic, every text a payload, cited by the enjeu.
    from ctg.findings.models import Finding

    d.finding = Finding.objects.create(
        ctg=ctg, title=P, evidence=P, public=P, source_label=P, kind=Finding.Kind.BESOIN
    )
    # A questionnaire of the diagnostic, every label and an answer holding the payloads
    # (tests/surveys/xss.py).
    from tests.surveys.xss import survey_surfaces

    d.survey = survey_surfaces(d, P)
    # An atelier of the diagnostic, every typed text a payload (tests/ateliers/xss.py).
    from tests.ateliers.xss import atelier_surfaces

    d.atelier = atelier_surfaces(d, P)
    d.enjeu = EnjeuFactory(ctg=ctg, title=P, description=P)
    d.enjeu.findings.add(d.finding)
    d.enjeu_to_delete = EnjeuFactory(ctg=ctg, title=f"{P} à supprimer")
    d.strategic = StrategicObjectiveFactory(enjeu=d.enjeu, title=P, description=P)
    d.operational = OperationalObjectiveFactory(strategic=d.strategic, title=P, description=P)
    d.fiche = FicheFactory(
        ctg=ctg,
        title=P,
        context=P,
        description=P,
        target_public=P,
        pilot_person=P,
        pilot_organisation=d.partner,
        notes=P,
        status=FicheAction.Status.EN_COURS,
        start_date=datetime.date(2025, 2, 1),
        end_date=datetime.date(2025, 11, 30),
        objectives=[d.operational],
    )
    d.fiche.partners.add(d.partner)
    d.fiche_to_delete = FicheFactory(ctg=ctg, title=f"{P} à supprimer", objectives=[d.operational])
    FicheStep.objects.create(fiche=d.fiche, year=YEAR, description=P)
    Comment.objects.create(fiche=d.fiche, text=P, created_by=d.coordination, updated_by=d.coordination)
    d.attachment = Attachment.objects.create(
        fiche=d.fiche, title=P, file=ContentFile(b"%PDF-1.4", name=f"{APOSTROPHE}.pdf")
    )
    d.budget_line = BudgetLineFactory(fiche=d.fiche, year=YEAR, planned=1000, spent=400)
    d.indicator = PlanIndicatorFactory(fiche=d.fiche, label=P, unit=SCRIPT)
    d.indicator_to_delete = PlanIndicatorFactory(fiche=d.fiche, label=f"{P} à supprimer")
    for kind, value in (("target", 10), ("realised", 6)):
        IndicatorValue.objects.create(indicator=d.indicator, year=YEAR, kind=kind, value=value, source=P)
    BilanFactory(ctg=ctg, year=YEAR, highlights=P)

    # The governance.
    d.body = BodyFactory(ctg=ctg, name=P, role=P)
    d.member = BodyMemberFactory(
        body=d.body,
        organisation=OrganisationFactory(name=f"{P} membre"),
        person_name=P,
        capacity=P,
        email="membre-xss@exemple.fr",
        user=d.coordination,
    )
    d.member_to_remove = BodyMemberFactory(body=d.body, person_name=f"{P} retiré")
    d.meeting = MeetingFactory(
        body=d.body,
        title=P,
        place=P,
        agenda=P,
        starts_at=timezone.now() + datetime.timedelta(days=7),
        link="https://visio.exemple.fr/ctg",
    )
    ParticipantFactory(meeting=d.meeting, person_name=P, organisation_name=P, member=d.member)
    d.held = HeldMeetingFactory(body=d.body, title=P, place=P, agenda=P, minutes=P)
    PresentParticipantFactory(meeting=d.held, person_name=P, organisation_name=P)
    DecisionFactory(meeting=d.held, text=P)
    d.post = PostFactory(ctg=ctg, person_name=P, missions=P, employer=ctg.caf)
    d.funding = FundingFactory(post=d.post, year=YEAR)
    ReportFactory(post=d.post, year=YEAR, priorities=P, comments=P)

    # The CAF's convention model: every article holds the payloads, one also the dossier's title.
    template = document_services.template_reset(caf=ctg.caf, actor=d.pilot)
    articles = list(template.articles.all())
    ConventionArticle.objects.filter(pk=articles[0].pk).update(
        title=ARTICLE, body=f"{ARTICLE} {{{{ intitule }}}}"
    )

    # The offer of services: a structure of the territory, every text a payload (list, map, exports, its
    # page with the notes on its CAF funding and accessibility).
    d.structure = structure_create(
        actor=d.pilot,
        values={
            "type": "centre_social",
            "name": P,
            "address": P,
            "public": P,
            "caf_funding_note": P,
            "accessibility_note": P,
            "commune": ctg.communes.first(),
            "latitude": 43.9,
            "longitude": 2.1,
            "source": "saisie",
        },
    )

    # The public page (and its embeddable version): published, its introduction a payload; the titles of
    # the plan and the signatories' organisations reach it.
    from ctg.public import services as public_services

    public_services.publication_set(ctg=ctg, actor=d.pilot, show_budgets=True, introduction=P)
    d.publication = public_services.publish(ctg=ctg, actor=d.pilot)

    # Notifications.
    d.notification = Notification.objects.create(
        user=d.pilot, ctg=ctg, kind=Notification.Kind.MILESTONE, key="xss:1", title=P, message=P, url="/"
    )

    client.force_login(d.pilot)
    d.client = client
    # The convention, generated from all of this (its DOCX and PDF are surfaces).
    response = client.post(reverse("documents:generate", kwargs={"pk": ctg.pk}))
    assert response.status_code == 302, response
    # The diagnostic partagé document, its texts the payloads (tests/documents/xss.py).
    from tests.documents.xss import diagnostic_surfaces

    d.diagnostic_version = diagnostic_surfaces(d, P)
    return d


# --- checks ----------------------------------------------------------------------------------------------


def check_html(html: str, where: str, payloads=PAYLOADS, expect=True) -> None:
    for raw in RAW_FORBIDDEN:
        assert raw not in html, f"{where} : {raw!r} non échappé"
    for twice in DOUBLE_ESCAPED:
        assert twice not in html, f"{where} : échappé deux fois ({twice})"
    assert f"{escape(STYLE)} 49" not in html, f"{where} : « {TEMPLATE_VAR} » exécuté"
    if expect:
        for payload in payloads:
            assert escape(payload) in html, f"{where} : {payload!r} absent (échappé)"
    tried("html", payloads)


def check_pdf(content: bytes, where: str, footer_prefix: str | None, payloads=PAYLOADS) -> None:
    from pypdf import PdfReader

    assert content.startswith(b"%PDF"), where
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) >= 1
    text = flat("\n".join(page.extract_text() or "" for page in reader.pages))
    for payload in payloads:
        assert flat(payload) in text, f"{where} : {payload!r} absent du texte du PDF"
    if footer_prefix is not None:
        # The footer's CSS string (`content: "…"`) holds the whole title on every page but the cover:
        # "</style>" broke nothing. The footer is the text drawn in the bottom margin (20 mm = 56.7 pt).
        with_footer = 0
        for number, page in enumerate(reader.pages, start=1):
            footer = []

            def bottom(text, cm, tm, font, size, footer=footer):
                if text.strip() and cm[3] * tm[5] + cm[5] < 57:
                    footer.append(text)

            page.extract_text(visitor_text=bottom)
            if flat(footer_prefix + P) in flat("".join(footer)):
                with_footer += 1
            else:
                assert number == 1, (where, number, "".join(footer))
        assert with_footer >= 1, f"{where} : pied de page sans l'intitulé"
    tried("pdf", payloads)


def docx_texts(content: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(content))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        texts += [cell.text for row in table.rows for cell in row.cells]
    texts.append(document.core_properties.title or "")
    return "\n".join(texts)


def check_docx(content: bytes, where: str, payloads=PAYLOADS) -> None:
    text = docx_texts(content)
    for payload in payloads:
        assert payload in text, f"{where} : {payload!r} absent du DOCX"
    assert "&lt;" not in text and "&#x27;" not in text, f"{where} : texte échappé pour HTML dans le DOCX"
    tried("docx", payloads)


def check_csv(content: bytes, where: str, expect=True, delimiter=";") -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=delimiter))
    text = "\n".join(";".join(row) for row in rows)
    assert "&lt;" not in text and "&#x27;" not in text, where
    if expect:
        for payload in PAYLOADS:
            assert payload in text, f"{where} : {payload!r} absent du CSV"
    tried("csv")
    return rows


# --- every GET URL of the permission matrix -------------------------------------------------------------


def _patterns(resolver=None, namespace="", params=()):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, inner, (*params, *entry.pattern.regex.groupindex))
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", (*params, *entry.pattern.regex.groupindex)


def _scenario(d):
    from ctg.offer.scenarios import scenario_create

    found = d.ctg.offer_scenarios.filter(name=P).first()
    if found is not None:
        return found
    line = {"type": "eaje_micro_creche", "places": 12, "commune": d.ctg.communes.first(), "year": 2026}
    return scenario_create(ctg=d.ctg, actor=d.pilot, name=P, description=P, lines=[line])


def url_kwargs(name: str, params, d) -> dict:
    ctg = d.ctg
    if name.startswith("jobs:"):  # a job of the dossier (issue 15), its texts the payloads
        from ctg.jobs.models import Job

        job = Job.objects.create(
            kind="convention",
            label=P,
            message=P,
            error=P,
            status="failed",
            ctg=ctg,
            requested_by=d.pilot,
            function="ctg.documents.jobs:convention_job",
        )
        return {"pk": job.pk}
    commune = ctg.communes.first().code
    objective = d.operational.pk if name == "plans:operational_edit" else d.strategic.pk
    meeting = d.held.pk if name.endswith("minutes_pdf") else d.meeting.pk
    by_name = {
        "territories:departement": {"code": "81"},
        "dashboard:comparison": {"code": "81"},
        "dashboard:comparison_csv": {"code": "81"},
        "dashboard:comparison_xlsx": {"code": "81"},
    }
    code = ctg.epci_id if name in ("diagnostics:territory", "diagnostics:communes_csv") else commune
    values = {
        "pk": ctg.pk,
        "code": code,
        "siren": ctg.epci_id,
        "uidb64": "MQ",
        "token": "jeton-invalide",
        "signatory_pk": d.signatory.pk,
        "milestone_pk": d.milestone.pk,
        "avenant_pk": d.avenant.pk,
        "membership_pk": ctg.memberships.get(user=d.partenaire).pk,
        "organisation_pk": d.partner.pk,
        "enjeu_pk": d.enjeu.pk,
        "objective_pk": objective,
        "fiche_pk": d.fiche.pk,
        "attachment_pk": d.attachment.pk,
        "line_pk": d.budget_line.pk,
        "indicator_pk": d.indicator.pk,
        "year": YEAR,
        "number": 1,
        "body_pk": d.body.pk,
        "member_pk": d.member.pk,
        "meeting_pk": meeting,
        "funding_pk": d.funding.pk,
        "notification_pk": d.notification.pk,
        "structure_pk": d.structure.pk,
        "slug": d.publication.slug,
        "finding_pk": d.finding.pk,
        "step": "acompte",  # post:convention_cancel (the yearly funding convention)
    } | by_name.get(name, {})
    if "import_pk" in params:  # a journal line of the pilot's CAF, the file named with the payloads
        from ctg.diagnostics.models import DatasetImport

        values["import_pk"] = DatasetImport.objects.get_or_create(
            source_name=P[:255],
            defaults={
                "kind": "filosofi_com",
                "year": 2021,
                "path": "stats/filosofi_com/2021.parquet",
                "rows_read": 1,
                "communes_matched": 1,
                "codes_mapped": 0,
                "imported_by": d.pilot,
                "departements": [d.pilot.organisation.departement_id],
            },
        )[0].pk
    if "scenario_pk" in params:  # a scenario of the offer named and described with the payloads, one line
        scenario = _scenario(d)
        values["scenario_pk"] = scenario.pk
        if "line_pk" in params and name.startswith("offer:scenario_line"):
            values["line_pk"] = scenario.lines.order_by("pk").first().pk
    from tests.surveys.xss import survey_url_values

    values |= survey_url_values(d, name)
    from tests.ateliers.xss import atelier_url_values

    values |= atelier_url_values(d, name)
    from tests.funding.xss import funding_url_values

    values |= funding_url_values(d, name)
    if "departement" in params:  # the CAF's view (issue 14): its département, an axis titled with them
        from ctg.organisations.models import SchemaAxis

        caf = d.ctg.caf
        axis, _ = SchemaAxis.objects.get_or_create(
            caf=caf, departement_id=caf.departement_id, code="1", defaults={"title": P, "description": P}
        )
        values |= {"departement": caf.departement_id, "axis_pk": axis.pk}
    missing = [p for p in params if p not in values]
    assert not missing, f"{name} : paramètres inconnus de ce test {missing} (ajoutez-les à url_kwargs)"
    return {p: values[p] for p in params}


# Pages outside the dossier that show none of its texts (the payloads are only checked absent raw).
NO_DOSSIER_TEXT = {
    "home",
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "territories:search",
    "territories:suggestions",
    "territories:commune",
    "territories:epci",
    "territories:departement",
    "conventions:create",
    "statistics_import",
    "statistics_imports",
    "diagnostics:territory",
    "plans:fiche_create",
    "plans:enjeu_create",
    "plans:import_xlsx",
    "governance:body_add",
    "governance:meeting_add",
    "post:funding_add",
    "documents:post_convention_template",  # the CAF's model of the post's funding convention
    "dashboard:axis_create",  # the CAF's schema axes (issue 14): an empty form
    "dashboard:comparable_search",  # territories' statistics, no dossier text
    "dashboard:comparable",
    "dashboard:comparison",
    "api:tokens",  # the person's API tokens (issue 15): no dossier text
    "api:docs",  # the API's documentation page
    "funding:index",  # the CAF's funding parameters and simulator (issue 14): no dossier text
    "funding:parameters",
    "funding:parameter",
    "funding:simulator",
}
# Non-HTML answers, checked by the tests of their format below (here: answered, and no HTML type).
FILES = {
    "conventions:signature_scan",
    "diagnostics:communes_csv",
    "diagnostics:pdf",
    "diagnostics:ctg_communes_csv",
    "diagnostics:ctg_pdf",
    "plans:fiche_attachment_download",
    "plans:fiches_csv",
    "evaluation:bilan_pdf",
    "evaluation:bilan_docx",
    "evaluation:final_version_pdf",  # checked by tests/evaluation/test_final_views.py
    "evaluation:final_version_docx",
    "jobs:file",  # a job's result file (tests/jobs)
    "plans:export_xlsx",
    "plans:export_json",
    "documents:version_docx",
    "documents:version_pdf",
    "documents:diagnostic_version_pdf",
    "documents:diagnostic_version_docx",
    "governance:meeting_ics",
    "governance:meeting_minutes_pdf",
    "post:report_pdf",
    "post:report_docx",
    "offer:csv",
    "offer:xlsx",
    "offer:template_csv",
    "offer:template_xlsx",
    "offer:datainclusion_json",
    "offer:datainclusion_csv",
    "ateliers:report_pdf",
    "ateliers:attachment_download",
    "findings:csv",
    "dashboard:axes_csv",
    "surveys:results_csv",
    "surveys:results_xlsx",
    "surveys:results_aggregate",
    "documents:post_convention_docx",  # checked by tests/documents/test_post_convention_xss.py
    "documents:post_convention_pdf",
    "health",  # JSON for the reverse proxy
    "dashboard:comparison_csv",
    "dashboard:comparison_xlsx",
    "dashboard:departement_csv",  # the CAF's dashboard exports (formula-safe through ctg.datafiles)
    "dashboard:departement_xlsx",
    "offer:scenario_compare_csv",  # the scenarios' comparison (tests/offer/test_scenario_funding_pages.py)
    "offer:scenario_compare_xlsx",
    "transfer:archive",  # the whole-dossier ZIP (tests/transfer)
    "api:v1:openapi-json",  # the API's schema (tests/api)
}


def test_every_page_escapes_every_payload(dossier):
    from tests.test_permission_matrix import MATRIX

    params = dict(_patterns())
    client = dossier.client
    pages = 0
    for (name, method), case in MATRIX.items():
        if method != "GET" or name in FILES or name.startswith("api:v1:"):  # the API answers JSON (tests/api)
            continue
        url = reverse(name, kwargs=url_kwargs(name, params[name], dossier))
        if case.query:
            url = f"{url}?{case.query}"
        if name == "login":
            client.logout()
        response = client.get(url, headers=case.headers, follow=True)
        if name == "login":
            client.force_login(dossier.pilot)
        assert response.status_code == 200, (name, response.status_code)
        html = response.content.decode()
        if name == "documents:template":
            check_html(html, name, ARTICLE_PAYLOADS)
        else:
            check_html(html, name, expect=name not in NO_DOSSIER_TEXT)
        pages += 1
    assert pages >= 60


def test_pages_after_typing_the_payloads_in_the_forms(dossier):
    """The same payloads typed in forms (the form path, cleaned by DsfrForm) come back escaped."""
    client, ctg = dossier.client, dossier.ctg
    response = client.post(
        reverse("conventions:milestones", kwargs={"pk": ctg.pk}),
        {"kind": "atelier", "title": P, "date": "2026-05-12", "notes": P},
        follow=True,
    )
    assert response.status_code == 200
    check_html(response.content.decode(), "jalon saisi")
    response = client.post(
        reverse("plans:fiche_comment", kwargs={"pk": ctg.pk, "fiche_pk": dossier.fiche.pk}),
        {"text": f"{P} (commentaire saisi)"},
        follow=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    check_html(html, "commentaire saisi")
    assert escape(f"{P} (commentaire saisi)") in html


# --- flash messages -----------------------------------------------------------------------------------------


def _message_actions(d):
    ctg = d.ctg
    pk = ctg.pk
    partenaire = ctg.memberships.get(user=d.partenaire)
    upload = f"{IMG} {APOSTROPHE} {TEMPLATE_VAR}.pdf"
    return [
        (
            "plans:fiche_delete",
            {"pk": pk, "fiche_pk": d.fiche_to_delete.pk},
            {},
            f"La fiche action « {d.fiche_to_delete.title} » est supprimée.",
        ),
        (
            "plans:enjeu_delete",
            {"pk": pk, "enjeu_pk": d.enjeu_to_delete.pk},
            {},
            f"L'enjeu « {d.enjeu_to_delete.title} » est supprimé.",
        ),
        (
            "plans:fiche_indicator_delete",
            {"pk": pk, "fiche_pk": d.fiche.pk, "indicator_pk": d.indicator_to_delete.pk},
            {},
            f"L'indicateur « {d.indicator_to_delete.label} » est supprimé.",
        ),
        (
            "plans:fiche_attachment",
            {"pk": pk, "fiche_pk": d.fiche.pk},
            {"piece-file": SimpleUploadedFile(upload, b"%PDF-1.4 test"), "piece-title": ""},
            upload,
        ),
        (
            "conventions:member_remove",
            {"pk": pk, "membership_pk": partenaire.pk},
            {},
            f"{str(d.partenaire)} ne fait plus partie du dossier.",
        ),
        (
            "conventions:partner_remove",
            {"pk": pk, "organisation_pk": d.partner_to_remove.pk},
            {},
            f"{d.partner_to_remove.name} n'est plus partenaire associé.",
        ),
        (
            "governance:member_remove",
            {"pk": pk, "body_pk": d.body.pk, "member_pk": d.member_to_remove.pk},
            {},
            f"{d.member_to_remove.person_name} ne fait plus partie de « {d.body.name} ».",
        ),
        (
            "governance:body_add",
            {"pk": pk},
            {"kind": "cotech", "name": f"{P} COTECH"},
            f"L'instance « {P} COTECH » est créée.",
        ),
        (
            "governance:meeting_add",
            {"pk": pk},
            {
                "body": d.body.pk,
                "title": f"{P} saisie",
                "starts_at": "2026-05-12T14:00",
                "ends_at": "2026-05-12T16:00",
                "place": P,
            },
            f"La réunion « {P} saisie » est planifiée.",
        ),
        (
            "notifications:read",
            {"notification_pk": d.notification.pk},
            {},
            f"Notification « {P} » marquée comme lue.",
        ),
    ]


def test_flash_messages_escape_the_values_they_echo(dossier):
    client = dossier.client
    for name, kwargs, data, expected in _message_actions(dossier):
        response = client.post(reverse(name, kwargs=kwargs), data, follow=True)
        assert response.status_code == 200, (name, response.status_code)
        html = response.content.decode()
        assert escape(expected) in html, f"{name} : message attendu absent : {expected}"
        check_html(html, f"message de {name}", expect=False)
        tried("messages")  # the message itself (the page around it is counted by check_html)


# --- exports ----------------------------------------------------------------------------------------------


def _get(d, name, **kwargs):
    response = d.client.get(reverse(name, kwargs={"pk": d.ctg.pk, **kwargs}))
    assert response.status_code == 200, (name, response.status_code)
    return response


def _body(d, name, **kwargs) -> bytes:
    response = _get(d, name, **kwargs)
    if response.streaming:  # a FileResponse (stored files)
        return b"".join(response.streaming_content)
    return response.content


def test_csv_exports_hold_the_payloads_as_text(dossier):
    response = _get(dossier, "plans:fiches_csv")
    assert response["Content-Type"].startswith("text/csv")
    check_csv(response.content, "plans:fiches_csv")
    response = _get(dossier, "diagnostics:ctg_communes_csv")
    check_csv(response.content, "diagnostics:ctg_communes_csv", expect=False)
    # The data·inclusion format separates with commas.
    for name, delimiter in (("offer:csv", ";"), ("offer:datainclusion_csv", ","), ("findings:csv", ";")):
        response = _get(dossier, name)
        assert response["Content-Type"].startswith("text/csv"), name
        check_csv(response.content, name, delimiter=delimiter)


def test_csv_export_never_starts_a_cell_with_a_formula(dossier):
    csvs = (
        ("plans:fiches_csv", ";"),
        ("offer:csv", ";"),
        ("offer:datainclusion_csv", ","),
        ("findings:csv", ";"),
    )
    for name, delimiter in csvs:
        rows = check_csv(_body(dossier, name), f"{name} (formules)", delimiter=delimiter)
        cells = [cell for row in rows for cell in row]
        assert [c for c in cells if c.startswith("=")] == [], name
        assert any(c.startswith("'=HYPERLINK") for c in cells), name


def _workbook(d):
    from openpyxl import load_workbook

    response = _get(d, "plans:export_xlsx")
    return load_workbook(io.BytesIO(response.content))


def test_xlsx_export_holds_the_payloads_as_text(dossier):
    workbook = _workbook(dossier)
    values = [str(c.value) for sheet in workbook for row in sheet.iter_rows() for c in row if c.value]
    text = "\n".join(values)
    for payload in PAYLOADS[1:]:
        assert payload in text, payload
    assert "HYPERLINK" in text and "&lt;" not in text
    tried("xlsx")


def test_xlsx_export_writes_formula_like_text_as_string_cells(dossier):
    workbook = _workbook(dossier)
    cells = [c for sheet in workbook for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    formula_like = [c for c in cells if "HYPERLINK" in c.value]
    assert formula_like
    assert [c.coordinate for c in formula_like if c.data_type != "s"] == []


def test_json_export_holds_the_payloads_as_strings(dossier):
    response = _get(dossier, "plans:export_json")
    assert response["Content-Type"].startswith("application/json")
    payload = json.loads(response.content)
    strings = []

    def walk(value):
        if isinstance(value, str):
            strings.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(payload)
    assert P in strings
    tried("json")
    response = _get(dossier, "offer:datainclusion_json")
    strings = []
    walk(json.loads(response.content))
    assert P in strings  # the structure's name, read back exactly
    tried("json")


# --- PDF and DOCX ----------------------------------------------------------------------------------------


def test_pdfs_hold_the_payloads_as_literal_text(dossier):
    d = dossier
    check_pdf(_body(d, "evaluation:bilan_pdf", year=YEAR), "bilan PDF", f"Bilan annuel {YEAR} — ")
    check_pdf(_body(d, "post:report_pdf", year=YEAR), "rapport PDF", f"Rapport d'activité {YEAR} — ")
    check_pdf(
        _body(d, "governance:meeting_minutes_pdf", meeting_pk=d.held.pk),
        "compte rendu PDF",
        "Compte rendu — ",
    )
    check_pdf(_body(d, "documents:version_pdf", number=1), "convention PDF", "CTG — ")
    # The portrait PDF shows statistics and territory names only (no typed text): it renders, not counted.
    assert _body(d, "diagnostics:ctg_pdf").startswith(b"%PDF")


def test_atelier_report_pdf_holds_the_payloads_as_literal_text(dossier):
    d = dossier
    check_pdf(
        _body(d, "ateliers:report_pdf", atelier_pk=d.atelier.pk), "compte rendu d'atelier PDF", "Atelier — "
    )
    response = _get(
        d,
        "ateliers:attachment_download",
        atelier_pk=d.atelier.pk,
        attachment_pk=d.atelier.attachments.get().pk,
    )
    assert not response["Content-Type"].startswith("text/html")
    tried("downloads", [IMG])


def test_docx_hold_the_payloads_as_literal_text(dossier):
    d = dossier
    check_docx(_body(d, "evaluation:bilan_docx", year=YEAR), "bilan DOCX")
    check_docx(_body(d, "post:report_docx", year=YEAR), "rapport DOCX")
    check_docx(_body(d, "documents:version_docx", number=1), "convention DOCX")


def test_downloads_keep_a_safe_file_name(dossier):
    d = dossier
    for name, kwargs in (
        ("plans:fiche_attachment_download", {"fiche_pk": d.fiche.pk, "attachment_pk": d.attachment.pk}),
        ("conventions:signature_scan", {"signatory_pk": d.signatory.pk}),
    ):
        response = _get(d, name, **kwargs)
        disposition = response["Content-Disposition"]
        assert "\n" not in disposition and "\r" not in disposition and "<" not in disposition, disposition
        assert not response["Content-Type"].startswith("text/html"), name
        tried("downloads", [IMG])


def test_convention_model_refuses_template_syntax(dossier):
    """The CAF's articles never run as templates: tags and unknown placeholders are refused on save."""
    template = dossier.ctg.caf.convention_template
    rows = [
        {"key": a.key, "title": a.title, "body": a.body, "delete": False} for a in template.articles.all()
    ]
    for payload in (TEMPLATE_VAR, TEMPLATE_TAG):
        rows[0]["body"] = f"Texte {payload}"
        with pytest.raises(Exception) as error:
            document_services.template_save(caf=dossier.ctg.caf, actor=dossier.pilot, articles=rows)
        assert "ValidationError" in type(error.value).__name__
        tried("convention model", [payload])


# --- .ics --------------------------------------------------------------------------------------------------


def _ics_value(lines, name):
    found = [line for line in lines if line.startswith(f"{name}:")]
    assert len(found) == 1, (name, lines)
    return found[0][len(name) + 1 :]


def _unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def test_ics_escapes_texts(dossier):
    d = dossier
    response = _get(d, "governance:meeting_ics", meeting_pk=d.meeting.pk)
    text = response.content.decode()
    lines = ics.unfold(text)
    assert _unescape(_ics_value(lines, "SUMMARY")) == f"{P} — {P}"
    assert P in _unescape(_ics_value(lines, "DESCRIPTION")) and _unescape(_ics_value(lines, "LOCATION")) == P
    tried("ics")

    # Legacy data: a title with commas, semicolons and a line break that tries to add a property.
    Meeting.objects.filter(pk=d.meeting.pk).update(
        title="Budget, bilan; suite\nATTENDEE:mailto:pirate@exemple.fr\r\nX-INJ:1"
    )
    lines = ics.unfold(_body(d, "governance:meeting_ics", meeting_pk=d.meeting.pk).decode())
    summary = _ics_value(lines, "SUMMARY")
    assert "Budget\\, bilan\\; suite\\nATTENDEE:mailto:pirate@exemple.fr\\nX-INJ:1" in summary
    assert not any(line.startswith(("ATTENDEE:mailto:pirate", "X-INJ")) for line in lines)
    assert all("\n" not in line and "\r" not in line for line in lines)
    tried("ics", ["virgules, points-virgules, saut de ligne"])


# --- emails ------------------------------------------------------------------------------------------------


def check_email(message, where: str) -> None:
    assert "\n" not in message.subject and "\r" not in message.subject, where
    for payload in PAYLOADS:
        assert payload in message.body, f"{where} : {payload!r} absent du texte"
    assert "&lt;" not in message.body and "&#x27;" not in message.body, where
    for content, mimetype in getattr(message, "alternatives", []) or []:
        if mimetype == "text/html":
            check_html(content, f"{where} (HTML)")
    tried("emails")


def test_reminder_email_holds_the_literal_payload(dossier):
    mail.outbox.clear()
    counts = send_reminders(timezone.localdate())
    assert counts["failed"] == 0, counts
    meeting_mails = [m for m in mail.outbox if "Réunion" in m.subject]
    assert meeting_mails, [m.subject for m in mail.outbox]
    for message in meeting_mails:
        assert P in message.subject
        check_email(message, "rappel de réunion")
    milestone_mails = [m for m in mail.outbox if "Jalon" in m.subject or "jalon" in m.subject]
    for message in milestone_mails:
        check_email(message, "rappel de jalon")


def test_meeting_invitation_email_and_its_ics(dossier):
    d = dossier
    mail.outbox.clear()
    response = d.client.post(
        reverse("governance:meeting_invite", kwargs={"pk": d.ctg.pk, "meeting_pk": d.meeting.pk}), follow=True
    )
    assert response.status_code == 200
    assert mail.outbox
    message = mail.outbox[0]
    assert APOSTROPHE in message.subject and "&#x27;" not in message.subject
    check_email(message, "invitation à la réunion")
    (_name, calendar, _mimetype) = message.attachments[0]
    lines = ics.unfold(calendar)
    assert _unescape(_ics_value(lines, "SUMMARY")) == f"{P} — {P}"
    tried("ics")


def test_membership_invitation_email_is_not_html_escaped(dossier):
    d = dossier
    mail.outbox.clear()
    response = d.client.post(
        reverse("conventions:members", kwargs={"pk": d.ctg.pk}),
        {"email": "invitee-xss@exemple.fr", "role": "partenaire", "first_name": P, "last_name": APOSTROPHE},
        follow=True,
    )
    assert response.status_code == 200
    check_html(response.content.decode(), "membres après invitation")
    assert Membership.objects.filter(ctg=d.ctg, user__email="invitee-xss@exemple.fr").exists()
    message = mail.outbox[-1]
    assert "\n" not in message.subject
    assert f"« {P} »" in message.subject, message.subject  # « l'Étang », never « l&#x27;Étang »
    assert f"« {P} »" in message.body
    tried("emails")


# --- the figure ------------------------------------------------------------------------------------------

# At least (a URL added to the permission matrix adds a surface).
EXPECTED_TOTAL = 843


def test_survey_results_exports_hold_the_payloads_as_text(dossier):
    """The raw answers of a questionnaire whose labels and answers hold the payloads (zip of the answers and
    their codebook, xlsx) and its aggregate: text, never a formula."""
    import zipfile

    from openpyxl import load_workbook

    d = dossier
    q = {"questionnaire_pk": d.survey.questionnaire.pk}
    archive = zipfile.ZipFile(io.BytesIO(_body(d, "surveys:results_csv", **q)))
    answers = check_csv(archive.read("reponses.csv"), "surveys:results_csv (réponses)")
    check_csv(archive.read("dictionnaire.csv"), "surveys:results_csv (dictionnaire)")
    aggregate = check_csv(_body(d, "surveys:results_aggregate", **q), "surveys:results_aggregate")
    for rows in (answers, aggregate):
        cells = [cell for row in rows for cell in row]
        assert [c for c in cells if c.startswith("=")] == []
    assert any(c.startswith("'=HYPERLINK") for row in answers for c in row)
    book = load_workbook(io.BytesIO(_body(d, "surveys:results_xlsx", **q)))
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    text = "\n".join(c.value for c in cells)
    for payload in PAYLOADS:
        assert payload in text, payload
    assert [c.coordinate for c in cells if "HYPERLINK" in c.value and c.data_type != "s"] == []
    tried("xlsx")


def test_summary():
    """payloads × surfaces tried, by family (printed with -s); the whole module gives EXPECTED_TOTAL at
    least."""
    total = sum(TRIED.values())
    print(f"\npayloads × surfaces tried: {total} ({sum(SURFACES.values())} surfaces) — {dict(TRIED)}")
    print(f"surfaces: {dict(SURFACES)}")
    if len(TRIED) < 10:
        pytest.skip("part of the module only: the figure counts the whole module")
    assert total >= EXPECTED_TOTAL, dict(TRIED)
