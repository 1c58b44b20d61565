"""The questionnaires' part of the XSS sweep (tests/security/test_xss_surfaces.py): a questionnaire whose
every label holds the payloads, open, with one answer typed with the payloads, and the URL values of its
pages (builder, preview, paper entry, links, public notice, form and thank-you page). Two of its questions
bear on the petite enfance: the diagnostic document shows them in that field's part."""

from ctg.surveys import services
from tests.surveys.helpers import build, valid_data


def survey_surfaces(d, text):
    sample = build(d.ctg, actor=d.pilot, text=text, anonymous=False)
    data = valid_data(sample, d.ctg)
    data[f"q{sample.q['comment'].pk}"] = text
    data[f"q{sample.q['modes'].pk}-autre"] = text[:500]
    services.response_submit(
        questionnaire=sample.questionnaire, link=sample.link, data=data, respondent_key="alice@exemple.fr"
    )
    # Two questions bear on a field: their labels reach the diagnostic document's parts.
    for key in ("children", "comment"):
        services.question_field_set(question=sample.q[key], actor=d.pilot, field="petite_enfance")
    return sample


def survey_url_values(d, name: str) -> dict:
    sample = getattr(d, "survey", None)
    if sample is None or not name.startswith(("surveys:", "answer:")):
        return {}
    priorities = sample.q["priorities"]
    return {
        "questionnaire_pk": sample.questionnaire.pk,
        "section_pk": sample.q["job"].section_id,
        "question_pk": (priorities if name == "surveys:question_edit" else sample.q["job"]).pk,
        "option_pk": priorities.options.first().pk,
        "link_pk": sample.link.pk,
        "token": sample.link.token,
    }
