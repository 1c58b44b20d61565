"""Hand-built responses for the tests of the results (counts, masking, cross-tabs, tags, exports)."""

from dataclasses import dataclass, field

from ctg.surveys import services
from ctg.surveys.models import Link, Question, Questionnaire


@dataclass
class Small:
    questionnaire: Questionnaire
    link: Link
    q: dict = field(default_factory=dict)

    def opt(self, key, label) -> str:
        return str(self.q[key].options.get(label=label).pk)

    def answer(self, link=None, **values):
        data = {}
        for key, value in values.items():
            if key.endswith("_autre"):
                data[f"q{self.q[key[:-6]].pk}-autre"] = value
            else:
                data[f"q{self.q[key].pk}"] = value
        return services.response_submit(questionnaire=self.questionnaire, link=link or self.link, data=data)


def small_questionnaire(ctg, *, actor=None, title="Accueil des enfants", open_it=True) -> Small:
    questionnaire = services.questionnaire_create(ctg=ctg, actor=actor, title=title, audience="familles")
    section = services.section_create(questionnaire=questionnaire, actor=actor, title="Questions")
    sample = Small(questionnaire=questionnaire, link=None)

    def add(key, kind, label, **values):
        sample.q[key] = services.question_create(
            questionnaire=questionnaire, actor=actor, section=section, kind=kind, label=label, **values
        )

    add("commune", Question.Kind.COMMUNE, "Votre commune")
    add("yesno", Question.Kind.SINGLE_CHOICE, "Travaillez-vous ?", options_text="Oui\nNon")
    add(
        "modes",
        Question.Kind.MULTIPLE_CHOICE,
        "Modes de garde",
        options_text="Crèche\nAssistante maternelle\nFamille",
        allow_other=True,
    )
    add("satisfaction", Question.Kind.SCALE, "Satisfaction", min_value="1", max_value="5")
    add("count", Question.Kind.NUMBER, "Nombre d'enfants")
    add("priorities", Question.Kind.RANKING, "Priorités", options_text="Places\nHoraires\nTarifs")
    add("schedule", Question.Kind.SCHEDULE, "Besoins de garde")
    add("comment", Question.Kind.LONG_TEXT, "Un commentaire ?")
    sample.link = services.link_create(questionnaire=questionnaire, actor=actor, channel="école")
    if open_it:
        services.questionnaire_open(questionnaire=questionnaire, actor=actor)
        questionnaire.refresh_from_db()
    return sample
