"""A questionnaire of every kind of question, built through the services (shared by the tests of the app,
the permission matrix, the XSS sweep and the browser tests)."""

import time
from dataclasses import dataclass, field

from ctg.surveys import services
from ctg.surveys.answering import HONEYPOT, STAMP, form_stamp
from ctg.surveys.models import Link, Question, Questionnaire


@dataclass
class Sample:
    questionnaire: Questionnaire
    q: dict = field(default_factory=dict)
    link: Link | None = None

    def option(self, key: str, label: str) -> int:
        return self.q[key].options.get(label=label).pk


def build(
    ctg, *, actor=None, title="Garde des jeunes enfants", text="", open_it=True, anonymous=True
) -> Sample:
    """Two sections and ten questions; `text` is added to every label (the XSS payloads)."""
    questionnaire = services.questionnaire_create(
        ctg=ctg,
        actor=actor,
        title=f"{title}{text}"[:200],
        audience="familles",
        introduction=f"Merci de votre aide.{text}",
        anonymous=anonymous,
    )
    family = services.section_create(questionnaire=questionnaire, actor=actor, title=f"Votre famille{text}")
    needs = services.section_create(
        questionnaire=questionnaire, actor=actor, title=f"Vos besoins{text}", description=f"Détails{text}"
    )
    sample = Sample(questionnaire=questionnaire)

    def add(key, section, kind, label, **values):
        sample.q[key] = services.question_create(
            questionnaire=questionnaire,
            actor=actor,
            section=section,
            kind=kind,
            label=f"{label}{text}",
            **values,
        )
        return sample.q[key]

    add("commune", family, Question.Kind.COMMUNE, "Votre commune", required=True)
    add(
        "children",
        family,
        Question.Kind.SINGLE_CHOICE,
        "Avez-vous un enfant de moins de 3 ans ?",
        options_text=f"Oui{text}\nNon",
        required=True,
    )
    yes = sample.q["children"].options.order_by("order").first()
    add(
        "modes",
        family,
        Question.Kind.MULTIPLE_CHOICE,
        "Modes de garde utilisés",
        allow_other=True,
        options_text=f"Crèche{text}\nAssistante maternelle\nFamille",
        condition_question=sample.q["children"],
        condition_operator="est",
        condition_option=yes,
    )
    add("count", family, Question.Kind.NUMBER, "Nombre d'enfants", min_value="0", max_value="15")
    add(
        "satisfaction",
        needs,
        Question.Kind.SCALE,
        "Satisfaction",
        min_value="1",
        max_value="5",
        min_label=f"Pas du tout{text}"[:100],
        max_label="Tout à fait",
    )
    add("priorities", needs, Question.Kind.RANKING, "Vos priorités", options_text="Places\nHoraires\nTarifs")
    add("schedule", needs, Question.Kind.SCHEDULE, "Vos besoins de garde", help=f"Cochez{text}")
    add("since", needs, Question.Kind.DATE, "Depuis quand ?")
    add("job", needs, Question.Kind.SHORT_TEXT, "Votre métier")
    add("comment", needs, Question.Kind.LONG_TEXT, "Un commentaire ?")
    sample.link = services.link_create(questionnaire=questionnaire, actor=actor, channel=f"école{text}"[:100])
    if open_it:
        services.questionnaire_open(questionnaire=questionnaire, actor=actor)
        questionnaire.refresh_from_db()
    return sample


def valid_data(sample: Sample, ctg, **extra) -> dict:
    """A complete valid submission, with an old enough stamp and an empty honeypot."""
    data = {
        f"q{sample.q['commune'].pk}": ctg.communes.order_by("code").first().code,
        f"q{sample.q['children'].pk}": str(sample.q["children"].options.order_by("order").first().pk),
        f"q{sample.q['modes'].pk}": [str(sample.q["modes"].options.order_by("order").first().pk), "autre"],
        f"q{sample.q['modes'].pk}-autre": "Voisine",
        f"q{sample.q['count'].pk}": "2",
        f"q{sample.q['satisfaction'].pk}": "4",
        f"q{sample.q['priorities'].pk}": [
            str(o.pk) for o in sample.q["priorities"].options.order_by("-order")
        ],
        f"q{sample.q['schedule'].pk}": ["lun-matin", "mer-apres_midi"],
        f"q{sample.q['since'].pk}": "2025-09-01",
        f"q{sample.q['job'].pk}": "Infirmière",
        f"q{sample.q['comment'].pk}": "Plus de places le mercredi.",
        STAMP: form_stamp(time.time() - 60),
        HONEYPOT: "",
    }
    data.update(extra)
    return data
