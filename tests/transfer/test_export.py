"""What the export carries and what it keeps back (docs/dossier_archive.md)."""

from ctg.surveys.models import Questionnaire, Response
from ctg.transfer import export


def test_an_anonymous_questionnaire_never_exports_an_address(world):
    """RGPD: the respondent's address leaves only with a questionnaire that asked for it (right of access)."""
    for anonymous in (True, False):
        questionnaire = Questionnaire.objects.create(
            ctg=world.ctg, title=f"Familles {anonymous}", anonymous=anonymous
        )
        Response.objects.create(questionnaire=questionnaire, respondent_key="parent@exemple.fr")
    data, _files = export.export_data(world.ctg)
    keys = [row["respondent_key"] for row in data["objects"]["surveys.response"]]
    assert keys == ["", "parent@exemple.fr"]


def test_every_model_reached_from_the_dossier_is_carried(world):
    """Walked, not listed: a model added later by an app travels; a person's notifications stay."""
    data, _files = export.export_data(world.ctg)
    assert {"conventions.ctg", "core.historyentry", "plans.indicatorvalue", "surveys.answer"} <= set(
        data["models"]
    )
    assert "notifications.notification" not in data["models"] and data["models"][0] == "conventions.ctg"
    assert set(data["objects"]) == set(data["models"])
