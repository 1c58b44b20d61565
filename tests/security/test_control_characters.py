"""Control characters in typed text: one cleaning (`ctg.text.clean_text`) used by every form
(`ctg.forms.DsfrForm`), by the services that take text without a form, and by the writers of files and
emails for the data stored before.

Findings of the audit, kept as tests:
- a form feed (\\x0c) in a dossier's title made the activity report's DOCX answer 500 (python-docx refuses
  XML-invalid characters): the forms strip it, and the DOCX writers drop such characters from legacy data;
- a line break in a meeting's title made its reminder email fail on every run (BadHeaderError): the forms
  turn line breaks of single-line fields into spaces, and the subject is built on one line.
"""

import datetime
import importlib
import importlib.util
import inspect
import io
import pkgutil
import re

import pytest
from django import forms
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

import ctg
from ctg.conventions.forms import MonthField
from ctg.conventions.models import Ctg, Membership, Milestone
from ctg.evaluation.models import BilanAnnuel
from ctg.forms import CleanTextMixin, _cleaning
from ctg.governance.models import Body, Decision, Meeting
from ctg.notifications.models import Notification
from ctg.notifications.reminders import send_reminders
from ctg.plans.models import Comment, Enjeu, FicheAction
from ctg.post.models import ActivityReport
from ctg.text import clean_text, css_string, single_line, xml_text
from tests.evaluation.factories import BilanFactory
from tests.factories import SignatoryFactory
from tests.governance.factories import (
    BodyFactory,
    DecisionFactory,
    HeldMeetingFactory,
    MeetingFactory,
)
from tests.plans.factories import FicheFactory
from tests.post.factories import PostFactory, ReportFactory

# Typed in a single-line field: NUL, form feed, ESC, NEL (U+0085), a C1 control, DEL, CRLF, a tab, U+2028.
DIRTY_LINE = "Titre\x00 avec\x0c saut\x1b\u0085 fin\x9b\x7f\r\nsuite\tet\u2028fin"
CLEAN_LINE = "Titre avec saut fin suite et fin"
# Typed in a multi-line field.
DIRTY_TEXT = "Ligne 1\x0c\r\nLigne 2\x00\u0085\x1b\rLigne 3\u2029\tretrait"
CLEAN_TEXT = "Ligne 1\nLigne 2\nLigne 3\n\tretrait"
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


# --- the function ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "multiline", "expected"),
    [
        (DIRTY_LINE, False, CLEAN_LINE),
        (DIRTY_TEXT, True, CLEAN_TEXT),
        ("a\r\nb\rc\nd", True, "a\nb\nc\nd"),
        ("a\r\nb\rc\nd", False, "a b c d"),
        ("l'Étang — « guillemets » € ½ 😀", False, "l'Étang — « guillemets » € ½ 😀"),
        ("\ufeffBOM\ufffe\uffff", False, "\ufeffBOM"),
        (None, False, None),
        (12, True, 12),
    ],
)
def test_clean_text(value, multiline, expected):
    assert clean_text(value, multiline=multiline) == expected


def test_single_line_xml_text_and_css_string():
    assert single_line("Réunion\r\n  du COPIL\x0c\n") == "Réunion du COPIL"
    assert xml_text("a\x0cb\x00c\x1bd\te\nf") == "abcd\te\nf"
    assert css_string('Titre "cité" \\ </style><script>x</script> l\'Étang\n\x0c') == (
        'Titre \\"cité\\" \\\\ \\3c /style\\3e \\3c script\\3e x\\3c /script\\3e  l\'Étang '
    )


# --- every form cleans every text field -------------------------------------------------------------------


def _project_form_classes():
    for module_info in pkgutil.walk_packages(ctg.__path__, "ctg."):
        if ".migrations" in module_info.name or module_info.name.endswith(("wsgi", "manage", "settings")):
            continue
        # Only the modules that declare a form are imported: importing every module of the project (commands,
        # settings) from inside a test run has side effects.
        spec = importlib.util.find_spec(module_info.name)
        if spec is None or not spec.origin or not spec.origin.endswith(".py"):
            continue
        with open(spec.origin, encoding="utf-8") as source:
            if "Form" not in source.read():
                continue
        module = importlib.import_module(module_info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield cls


# Forms that do not derive from DsfrForm, and why their text needs no cleaning.
NOT_CLEANED = {
    "ctg.conventions.forms.PeriodFieldsMixin": "mixin of years and choices (no text), used with DsfrForm",
    "ctg.conventions.forms.TerritoryFieldsMixin": "mixin of the territory choice, used with DsfrForm "
    "(its text "
    "fields are checked through CtgCreateForm and the territory form)",
    "ctg.conventions.forms.StatusForm": "a status code, checked against the transitions",
    "ctg.organisations.forms.EmailAuthenticationForm": "email and password (never altered)",
    "ctg.organisations.forms.DsfrPasswordResetForm": "an email address",
    "ctg.organisations.forms.DsfrSetPasswordForm": "passwords (never altered)",
}


def test_every_form_of_the_project_cleans_its_text_fields():
    classes = list(_project_form_classes())
    assert len(classes) >= 25
    names = {f"{c.__module__}.{c.__qualname__}" for c in classes}
    assert set(NOT_CLEANED) <= names, set(NOT_CLEANED) - names
    checked = 0
    for cls in classes:
        name = f"{cls.__module__}.{cls.__qualname__}"
        if name in NOT_CLEANED:
            continue
        assert issubclass(cls, CleanTextMixin), f"{name} ne dérive pas de ctg.forms.DsfrForm"
        for field_name, field in cls.base_fields.items():
            if not isinstance(field, forms.CharField) or isinstance(
                field, forms.EmailField | forms.URLField | MonthField
            ):
                continue  # an address, or a month parsed strictly (tested with its form)
            field = field.__deepcopy__({})
            _cleaning(field)
            multiline = isinstance(field.widget, forms.Textarea)
            field.max_length, field.validators = None, []
            value = field.to_python(DIRTY_TEXT if multiline else DIRTY_LINE)
            expected = CLEAN_TEXT if multiline else CLEAN_LINE
            assert value == expected, (name, field_name, value)
            checked += 1
    assert checked >= 40


# --- the forms of the application, posted --------------------------------------------------------------


def _post(client, name, data, **kwargs):
    return client.post(reverse(name, kwargs=kwargs), data)


def _no_controls(*values):
    for value in values:
        assert not CONTROLS.search(value), repr(value)


@pytest.fixture
def pilot(client, world):
    client.force_login(world.users["pilote_caf"])
    return client


def test_dossier_forms_save_cleaned_text(pilot, world):
    ctg = world.ctg
    pk = ctg.pk
    response = _post(
        pilot,
        "conventions:edit",
        {"title": DIRTY_LINE, "start_year": 2025, "end_year": 2028, "fields": ["jeunesse"]},
        pk=pk,
    )
    assert response.status_code == 302, response
    ctg.refresh_from_db()
    assert ctg.title == CLEAN_LINE

    response = _post(
        pilot,
        "conventions:milestones",
        {"kind": "atelier", "title": DIRTY_LINE, "date": "2026-05-12", "notes": DIRTY_TEXT},
        pk=pk,
    )
    assert response.status_code == 302
    milestone = Milestone.objects.get(ctg=ctg)
    assert (milestone.title, milestone.notes) == (CLEAN_LINE, CLEAN_TEXT)

    response = _post(
        pilot,
        "conventions:signatory_add",
        {"organisation": ctg.caf_id, "signer_name": DIRTY_LINE, "signer_capacity": DIRTY_LINE},
        pk=pk,
    )
    assert response.status_code == 302
    signatory = ctg.signatories.get()
    assert (signatory.signer_name, signatory.signer_capacity) == (CLEAN_LINE, CLEAN_LINE)

    response = _post(
        pilot, "conventions:partner_add", {"new_name": DIRTY_LINE, "new_kind": "association"}, pk=pk
    )
    assert response.status_code == 302
    assert ctg.partners.get().name == CLEAN_LINE

    response = _post(
        pilot,
        "conventions:members",
        {
            "email": "nouvelle@exemple.fr",
            "role": "partenaire",
            "first_name": DIRTY_LINE,
            "last_name": "\x0cNom",
        },
        pk=pk,
    )
    assert response.status_code == 302
    user = Membership.objects.get(ctg=ctg, user__email="nouvelle@exemple.fr").user
    assert (user.first_name, user.last_name) == (CLEAN_LINE, "Nom")


def test_plan_forms_save_cleaned_text(pilot, world):
    ctg = world.ctg
    pk = ctg.pk
    response = _post(
        pilot,
        "plans:enjeu_create",
        {"title": DIRTY_LINE, "description": DIRTY_TEXT},
        pk=pk,
    )
    assert response.status_code == 302
    enjeu = Enjeu.objects.get(ctg=ctg)
    assert (enjeu.title, enjeu.description) == (CLEAN_LINE, CLEAN_TEXT)

    fiche = FicheFactory(ctg=ctg)
    objective = fiche.objectives.get()
    response = _post(
        pilot,
        "plans:fiche_create",
        {
            "title": DIRTY_LINE,
            "objectives": [objective.pk],
            "all_communes": "toutes",
            "status": "a_venir",
            "priority": "moyenne",
            "context": DIRTY_TEXT,
            "pilot_person": DIRTY_LINE,
        },
        pk=pk,
    )
    assert response.status_code == 302
    created = FicheAction.objects.exclude(pk=fiche.pk).get(ctg=ctg)
    assert (created.title, created.context, created.pilot_person) == (CLEAN_LINE, CLEAN_TEXT, CLEAN_LINE)

    response = _post(pilot, "plans:fiche_comment", {"text": DIRTY_TEXT}, pk=pk, fiche_pk=fiche.pk)
    assert response.status_code == 302
    assert Comment.objects.get(fiche=fiche).text == CLEAN_TEXT

    response = _post(
        pilot,
        "plans:fiche_indicator_create",
        {
            "indicateur-label": DIRTY_LINE,
            "indicateur-unit": "\x1bplaces",
            "indicateur-direction": "up",
            "indicateur-nature": "result",
        },
        pk=pk,
        fiche_pk=fiche.pk,
    )
    assert response.status_code == 302
    indicator = fiche.indicators.get()
    assert (indicator.label, indicator.unit) == (CLEAN_LINE, "places")

    # Without a form: the bilan's highlights go through the plan's services (ctg.text too).
    response = _post(pilot, "evaluation:bilan_highlights", {"highlights": DIRTY_TEXT}, pk=pk, year=2025)
    assert response.status_code == 302
    assert BilanAnnuel.objects.get(ctg=ctg, year=2025).highlights == CLEAN_TEXT


def test_governance_forms_save_cleaned_text(pilot, world):
    ctg = world.ctg
    pk = ctg.pk
    response = _post(
        pilot, "governance:body_add", {"kind": "copil", "name": DIRTY_LINE, "role": DIRTY_TEXT}, pk=pk
    )
    assert response.status_code == 302
    body = Body.objects.get(ctg=ctg)
    assert (body.name, body.role) == (CLEAN_LINE, CLEAN_TEXT)

    response = _post(
        pilot,
        "governance:member_add",
        {"organisation": ctg.caf_id, "person_name": DIRTY_LINE, "capacity": DIRTY_LINE},
        pk=pk,
        body_pk=body.pk,
    )
    assert response.status_code == 302
    member = body.members.get()
    assert (member.person_name, member.capacity) == (CLEAN_LINE, CLEAN_LINE)

    data = {
        "body": body.pk,
        "title": DIRTY_LINE,
        "starts_at": "2026-05-12T14:00",
        "place": DIRTY_LINE,
        "agenda": DIRTY_TEXT,
    }
    response = _post(pilot, "governance:meeting_add", data, pk=pk)
    assert response.status_code == 302
    meeting = Meeting.objects.get(ctg=ctg)
    assert (meeting.title, meeting.place, meeting.agenda) == (CLEAN_LINE, CLEAN_LINE, CLEAN_TEXT)

    response = _post(
        pilot,
        "governance:guest_add",
        {"person_name": DIRTY_LINE, "organisation_name": DIRTY_LINE},
        pk=pk,
        meeting_pk=meeting.pk,
    )
    assert response.status_code == 302
    guest = meeting.participants.get(member=None)
    assert (guest.person_name, guest.organisation_name) == (CLEAN_LINE, CLEAN_LINE)

    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)
    assert (
        _post(pilot, "governance:minutes", {"minutes": DIRTY_TEXT}, pk=pk, meeting_pk=meeting.pk).status_code
        == 302
    )
    meeting.refresh_from_db()
    assert meeting.minutes == CLEAN_TEXT
    response = _post(
        pilot, "governance:decision_add", {"text": DIRTY_TEXT, "kind": "note"}, pk=pk, meeting_pk=meeting.pk
    )
    assert response.status_code == 302
    assert Decision.objects.get(meeting=meeting).text == CLEAN_TEXT

    response = _post(
        pilot,
        "post:edit",
        {
            "person_name": DIRTY_LINE,
            "employer": ctg.caf_id,
            "fte": "0,8",
            "start_date": "2025-01-06",
            "missions": DIRTY_TEXT,
        },
        pk=pk,
    )
    assert response.status_code == 302
    post = ctg.coordinator_post
    assert (post.person_name, post.missions) == (CLEAN_LINE, CLEAN_TEXT)
    response = _post(
        pilot,
        "post:report_update",
        {"comments": DIRTY_TEXT, "priorities": DIRTY_TEXT},
        pk=pk,
        year=2025,
    )
    assert response.status_code == 302
    report = ActivityReport.objects.get(post=post, year=2025)
    assert (report.comments, report.priorities) == (CLEAN_TEXT, CLEAN_TEXT)


def test_convention_model_and_avenant_save_cleaned_text(pilot, world):
    from ctg.documents import defaults

    data = {"key": [a.key for a in defaults.ARTICLES], "new-title": "", "new-body": ""}
    for a in defaults.ARTICLES:
        data[f"title-{a.key}"] = a.title
        data[f"body-{a.key}"] = a.body
    first = defaults.ARTICLES[0].key
    data[f"title-{first}"] = DIRTY_LINE
    data[f"body-{first}"] = DIRTY_TEXT
    response = pilot.post(reverse("documents:template"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    article = world.ctg.caf.convention_template.articles.get(key=first)
    assert (article.title, article.body) == (CLEAN_LINE, CLEAN_TEXT)

    pk = world.ctg.pk
    assert _post(pilot, "documents:generate", {}, pk=pk).status_code == 302
    # The avenant's document takes the subject of the avenant recorded on the dossier (signed first).
    if not world.ctg.signatories.exists():
        SignatoryFactory(ctg=world.ctg, organisation=world.ctg.caf, signed_on=datetime.date(2024, 11, 21))
    assert _post(pilot, "conventions:avenant_add", {"title": DIRTY_LINE}, pk=pk).status_code == 302
    recorded = world.ctg.avenants.get()
    assert _post(pilot, "documents:avenant_generate", {}, pk=pk, avenant_pk=recorded.pk).status_code == 302
    avenant = world.ctg.convention_versions.get(number=2)
    assert avenant.subject == recorded.title == CLEAN_LINE


def test_a_title_of_control_characters_only_is_refused_and_nothing_is_saved(pilot, world):
    ctg = world.ctg
    before = ctg.title
    response = _post(
        pilot,
        "conventions:edit",
        {"title": "\x00\x0c\x1b\u0085\n", "start_year": 2025, "end_year": 2030, "fields": ["jeunesse"]},
        pk=ctg.pk,
    )
    assert response.status_code in (200, 400)  # the form again, with its error
    assert "Ce champ est obligatoire." in response.content.decode()
    ctg.refresh_from_db()
    assert (ctg.title, ctg.end_year) == (before, 2028)  # nothing half-saved (the years neither)

    response = _post(
        pilot, "plans:enjeu_create", {"title": "\x0c\x00", "description": "Une description"}, pk=ctg.pk
    )
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in response.content.decode()
    assert not Enjeu.objects.filter(ctg=ctg).exists()


# --- legacy data: written with .update(), as stored before the forms cleaned it --------------------------

# Legacy data: what forms stored before they cleaned text (PostgreSQL refuses NUL in text, SQLite keeps it).
FORM_FEED = (
    "Rapport\x0c 2025\x00 \x1bfin" if connection.vendor == "sqlite" else "Rapport\x0c 2025\x01 \x1bfin"
)


def _docx_text(content: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(content))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        texts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(texts)


def _content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_docx_of_legacy_text_with_control_characters(pilot, world):
    ctg = world.ctg
    Ctg.objects.filter(pk=ctg.pk).update(title=f"CTG {FORM_FEED}")
    fiche = FicheFactory(ctg=ctg, start_date=datetime.date(2025, 3, 1))
    FicheAction.objects.filter(pk=fiche.pk).update(title=f"Fiche {FORM_FEED}", description=FORM_FEED)
    BilanFactory(ctg=ctg, year=2025)
    BilanAnnuel.objects.filter(ctg=ctg).update(highlights=FORM_FEED)
    post = PostFactory(ctg=ctg)
    ReportFactory(post=post, year=2025)
    ActivityReport.objects.filter(post=post).update(comments=FORM_FEED, priorities=FORM_FEED)
    held = HeldMeetingFactory(body=BodyFactory(ctg=ctg))
    DecisionFactory(meeting=held)
    Decision.objects.filter(meeting=held).update(text=FORM_FEED)
    from ctg.governance.models import Body as BodyModel

    BodyModel.objects.filter(ctg=ctg).update(name=f"COPIL {FORM_FEED}")

    for name, kwargs in (
        ("post:report_docx", {"year": 2025}),
        ("evaluation:bilan_docx", {"year": 2025}),
        ("post:report_pdf", {"year": 2025}),
        ("evaluation:bilan_pdf", {"year": 2025}),
        ("governance:meeting_minutes_pdf", {"meeting_pk": held.pk}),
    ):
        response = pilot.get(reverse(name, kwargs={"pk": ctg.pk, **kwargs}))
        assert response.status_code == 200, name
        if name.endswith("docx"):
            text = _docx_text(_content(response))
            assert "CTG Rapport 2025 fin" in text, name
            _no_controls(text.replace("\n", " ").replace("\t", " "))

    response = pilot.post(reverse("documents:generate", kwargs={"pk": ctg.pk}))
    assert response.status_code == 302
    response = pilot.get(reverse("documents:version_docx", kwargs={"pk": ctg.pk, "number": 1}))
    assert response.status_code == 200
    assert "CTG Rapport 2025 fin" in _docx_text(_content(response))


def test_reminder_of_a_meeting_whose_title_holds_a_line_break(world):
    meeting = MeetingFactory(
        body=BodyFactory(ctg=world.ctg), starts_at=timezone.now() + datetime.timedelta(days=7)
    )
    Meeting.objects.filter(pk=meeting.pk).update(title="COPIL\nBcc: pirate@exemple.fr\r\nsuite")
    mail.outbox.clear()
    today = timezone.localdate()
    counts = send_reminders(today)
    assert counts["failed"] == 0 and counts["emailed"] >= 1, counts
    sent = [m for m in mail.outbox if "COPIL" in m.subject]
    assert len(sent) == 1, [m.subject for m in mail.outbox]
    subject = sent[0].subject
    assert "\n" not in subject and "\r" not in subject
    assert "COPIL Bcc: pirate@exemple.fr suite" in subject
    assert sent[0].bcc == [] and sent[0].to == [world.users["coordination"].email]
    # Sent once: the next run finds it emailed.
    counts = send_reminders(today)
    assert counts["emailed"] == 0 and counts["failed"] == 0, counts
    assert len([m for m in mail.outbox if "COPIL" in m.subject]) == 1
    assert (
        Notification.objects.filter(
            emailed_at__isnull=False, key__startswith=f"reunion:{meeting.pk}:"
        ).count()
        == 1
    )


def test_invitation_to_a_meeting_whose_title_holds_a_line_break(pilot, world):
    from tests.governance.factories import ParticipantFactory

    meeting = MeetingFactory(
        body=BodyFactory(ctg=world.ctg), starts_at=timezone.now() + datetime.timedelta(days=3)
    )
    ParticipantFactory(meeting=meeting, email="invitee@exemple.fr")
    Meeting.objects.filter(pk=meeting.pk).update(title="COPIL\nBcc: pirate@exemple.fr")
    mail.outbox.clear()
    response = pilot.post(
        reverse("governance:meeting_invite", kwargs={"pk": world.ctg.pk, "meeting_pk": meeting.pk})
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "\n" not in mail.outbox[0].subject and "COPIL Bcc: pirate@exemple.fr" in mail.outbox[0].subject
