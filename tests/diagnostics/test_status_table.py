"""The statuses of every commune (counted, partly published, secret, blank, absent from the file and why) are
computed once per dataset vintage for all communes, in DuckDB, and every grouping reads them (all EPCI,
départements, regions, France); `engine.reset()` (called by every import) forgets them. The same counts give
the same account of completeness, computed once."""

import pytest

from ctg.diagnostics import engine
from ctg.diagnostics.catalogue import BY_ID
from ctg.diagnostics.engine import Sums, values_from_sums
from ctg.diagnostics.portrait import build_portrait, resolve_territory

from .test_honest_statuses import (  # noqa: F401
    LIMOGES,
    LIMOGES_METROPOLE,
    caf,
    caf_with_published_parts,
    france,
    import_cut,
    plain,
)


def _indicators():
    return [BY_ID[i] for i in ("allocataires", "allocataires_rsa") if BY_ID[i].dataset == "caf_iris"]


@pytest.mark.shared_data
@pytest.mark.django_db
def test_every_grouping_reads_the_statuses_computed_once(caf_with_published_parts):  # noqa: F811
    indicators = _indicators()
    assert indicators
    engine.refresh()
    results = {
        group: engine.aggregate("caf_iris", 2021, indicators, group=group)
        for group in ("epci", "departement", "region", "france", "commune")
    }
    assert len(engine._state["statuses"]) == 1  # one table of statuses for the vintage, read five times
    # The figures are those of the territory's own read, commune by commune and for the EPCI.
    portrait = build_portrait(resolve_territory(LIMOGES_METROPOLE))
    whole = results["epci"][LIMOGES_METROPOLE]["allocataires"]
    assert whole == portrait.result("allocataires").value
    assert "13 communes absentes du fichier (communes non découpées en IRIS)" in plain(whole.caveat)
    assert results["commune"][LIMOGES]["allocataires"] == portrait.communes.column("allocataires")[LIMOGES]
    france_value = results["france"]["FR"]["allocataires"]
    assert france_value.communes == sum(v["allocataires"].communes for v in results["region"].values())
    engine.reset()
    assert engine._state["statuses"] == {}


@pytest.mark.shared_data
@pytest.mark.django_db
def test_a_new_import_is_read_with_its_own_statuses(france, stats_dir, tmp_path):  # noqa: F811
    indicators = _indicators()
    import_cut(tmp_path, ("81",))
    before = engine.aggregate("caf_iris", 2021, indicators, group="epci")[LIMOGES_METROPOLE]["allocataires"]
    assert (before.status, plain(before.caveat)) == (
        "absent",
        "absent du fichier : 20 communes absentes du fichier (leur département n'est pas dans le fichier "
        "importé)",
    )
    import_cut(tmp_path, ("87",))  # merged into the vintage; the import resets the engine
    after = engine.aggregate("caf_iris", 2021, indicators, group="epci")[LIMOGES_METROPOLE]["allocataires"]
    assert after.status == "partiel"
    assert "13 communes absentes du fichier (communes non découpées en IRIS)" in plain(after.caveat)
    assert "département" not in after.caveat


def test_the_same_counts_give_one_account_for_every_indicator():
    empty = Sums(None, None, None, 5000.0, 0, 4, True, None, (((engine.NOT_SPLIT), 3),), 1)
    a = values_from_sums(BY_ID["allocataires"], empty, 2021)
    b = values_from_sums(BY_ID["allocataires_rsa"], empty, 2021)
    assert a is b  # frozen, shared
    assert (a.status, a.caveat) == (
        "non_disponible",
        "non disponible : 3 communes absentes du fichier (communes non découpées en IRIS) ; "
        "1 commune soumise au secret statistique",
    )
    engine.reset()
    again = values_from_sums(BY_ID["allocataires"], empty, 2021)
    assert again == a and again is not a
