"""Insee, base permanente des équipements (BPE): one row per equipment, counted per commune and type."""

from io import StringIO

import pytest
from django.core.management import call_command

from ctg.diagnostics import reader
from ctg.diagnostics.importers import FORMATS, DatasetError, detect_format, import_dataset, prepare_dataset
from ctg.diagnostics.models import DatasetImport

from .conftest import CAF_HEADER, FILOSOFI_HEADER, RP_HEADER, store_snapshot, write

BPE = "BPE24.csv"
BPE_HEADER = "AN;NOMRS;CNOMRS;DEPCOM;DEP;TYPEQU;LATITUDE;LONGITUDE;QUALITE_XY"


def equipment(code, kind, *, year="2024", name="EQUIPEMENT"):
    return f'{year};"{name}";"";{code};{code[:2]};{kind};43.92;2.14;"Bonne"'


@pytest.fixture
def bpe(tmp_path):
    """Albi and its former déléguée Cambon, Lavaur through its ancien code, an arrondissement, an unknown
    commune; Saint-Juéry has no equipment at all."""
    return write(
        tmp_path,
        BPE,
        [
            BPE_HEADER,
            equipment("81004", "D502", name="CRECHE LES LUTINS"),
            equipment("81004", "C107", name="ECOLE MATERNELLE; JEAN JAURES"),  # a quoted separator
            equipment("81004", "D502"),
            equipment("81050", "D502"),
            equipment("81321", "A101"),
            equipment("2A004", "C107"),
            equipment("75101", "A101"),
            equipment("75101", "A101"),
            equipment("81888", "D502"),
        ],
    )


def by_code(year=2024):
    return {row["code"]: row for row in reader.read_dataset("bpe", year)}


def test_counts_per_commune_and_type(stats_dir, referential, bpe):
    record = import_dataset(bpe)

    assert (record.kind, record.year, record.source_name) == ("bpe", 2024, BPE)
    assert record.get_kind_display() == "Insee, base permanente des équipements"
    assert reader.available_vintages("bpe") == [2024]
    assert reader.dataset_columns("bpe", 2024) == [
        "code",
        "plm_commune",
        "source_codes",
        "source_rows",
        "A101",
        "A101_secret",
        "C107",
        "C107_secret",
        "D502",
        "D502_secret",
    ]
    rows = by_code()
    # Communes absent from the file get no row: Saint-Juéry (81271) has no equipment listed.
    assert list(rows) == ["2A004", "75101", "81004", "81140"]
    albi = rows["81004"]
    # Counts of a merged commune add up: Cambon's crèche is counted in Albi.
    assert (albi["D502"], albi["C107"], albi["A101"]) == (3, 1, 0)
    assert (albi["source_codes"], albi["source_rows"]) == ("81004 81050", 2)
    assert not any(albi[f"{kind}_secret"] for kind in ("A101", "C107", "D502"))
    lavaur = rows["81140"]
    assert (lavaur["source_codes"], lavaur["A101"], lavaur["D502"]) == ("81321", 1, 0)
    paris_1er = rows["75101"]
    assert (paris_1er["plm_commune"], paris_1er["A101"]) == ("75056", 2)
    assert rows["2A004"]["C107"] == 1
    assert (record.rows_read, record.communes_matched, record.codes_mapped, record.arrondissements) == (
        9,
        3,
        2,
        1,
    )
    assert record.unknown_codes == ["81888"]


def test_read_only_some_types(stats_dir, referential, bpe):
    import_dataset(bpe)

    rows = reader.read_dataset("bpe", 2024, codes=["81004"], columns=["D502"])

    assert rows == [
        {
            "code": "81004",
            "plm_commune": None,
            "source_codes": "81004 81050",
            "source_rows": 2,
            "D502": 3,
            "D502_secret": False,
        }
    ]


def test_year_from_the_file_name_then_the_option(stats_dir, referential, tmp_path):
    header = BPE_HEADER.replace("AN;", "")
    line = equipment("81004", "D502").split(";", 1)[1]
    named = write(tmp_path, "bpe21_ensemble_xy.csv", [header, line])
    anonymous = write(tmp_path, "equipements.csv", [header, line])

    assert prepare_dataset(named).year == 2021
    assert prepare_dataset(write(tmp_path, "BPE23.csv", [header, line])).year == 2023
    with pytest.raises(DatasetError, match="millésime introuvable dans le nom du fichier : précisez --year"):
        prepare_dataset(anonymous)
    assert prepare_dataset(anonymous, year=2022).year == 2022


def test_the_year_column_wins_over_the_file_name(stats_dir, referential, tmp_path):
    path = write(tmp_path, "BPE23.csv", [BPE_HEADER, equipment("81004", "D502", year="2024")])

    assert prepare_dataset(path).year == 2024
    with pytest.raises(DatasetError, match="millésime 2023 demandé, mais le fichier est de 2024"):
        prepare_dataset(path, year=2023)


def test_recognised_from_its_header_only(stats_dir, referential, tmp_path):
    assert detect_format(BPE_HEADER.split(";"), BPE).kind == "bpe"
    assert detect_format(["DEPCOM", "TYPEQU"], BPE).kind == "bpe"
    # Other formats are not taken for the BPE, nor the BPE for them.
    for header, kind in ((FILOSOFI_HEADER, "filosofi_com"), (RP_HEADER, "rp_dossier_complet")):
        assert detect_format(header.split(";"), "x.csv").kind == kind
    assert detect_format(CAF_HEADER.replace('"', "").split(";"), "x.csv").kind == "caf_iris"
    assert not FORMATS["bpe"].matches(["CODGEO", "TYPEQU"])


def test_kind_given_explicitly(stats_dir, referential, tmp_path):
    path = write(tmp_path, "equipements.csv", ["DEPCOM;TYPEQU;AN", "81004;D502;2024"])

    assert prepare_dataset(path, kind="bpe").kind == "bpe"


def test_large_file_is_streamed(stats_dir, referential, tmp_path):
    path = tmp_path / BPE
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(BPE_HEADER + "\n")
        for number in range(30000):
            handle.write(equipment("81004" if number % 3 else "81271", f"D{number % 7:03d}") + "\n")

    record = import_dataset(path)

    rows = by_code()
    assert record.rows_read == 30000
    assert sum(rows["81004"][f"D{n:03d}"] for n in range(7)) == 20000
    assert sum(rows["81271"][f"D{n:03d}"] for n in range(7)) == 10000


def test_command_report(stats_dir, referential, bpe):
    out = StringIO()

    call_command("import_data", str(bpe), stdout=out, stderr=StringIO())

    report = out.getvalue()
    assert f"{BPE} : Insee, base permanente des équipements, millésime 2024" in report
    assert "lignes lues : 9\n" in report
    assert "communes reconnues : 3\n" in report
    assert "codes d'anciennes communes rattachés à une commune actuelle : 2\n" in report
    assert "codes inconnus, ignorés : 1 (81888)" in report
    assert "enregistré dans stats/bpe/2024.parquet" in report


# --- Bad input: refused whole, the store and the history unchanged ----------------------------------------


@pytest.fixture
def rejected(stats_dir, previous_import):
    def check(path, **options):
        with pytest.raises(DatasetError) as raised:
            import_dataset(path, **options)
        assert store_snapshot(stats_dir) == previous_import
        assert DatasetImport.objects.count() == 1
        return str(raised.value)

    return check


def test_wrong_separator(tmp_path, rejected):
    path = write(tmp_path, BPE, [BPE_HEADER.replace(";", ","), equipment("81004", "D502").replace(";", ",")])

    assert rejected(path) == f"{BPE}, ligne 1 : séparateur « , » trouvé dans l'en-tête, « ; » attendu."


def test_missing_required_column(tmp_path, rejected):
    path = write(tmp_path, BPE, ["AN;DEPCOM;DEP", "2024;81004;81"])

    assert rejected(path, kind="bpe") == (
        f"{BPE}, ligne 1 : colonne obligatoire « TYPEQU » absente (Insee, base permanente des équipements)."
    )


def test_malformed_commune_code(tmp_path, rejected):
    path = write(tmp_path, BPE, [BPE_HEADER, equipment("81004", "D502"), equipment("8104", "D502")])

    assert rejected(path) == (
        f"{BPE}, ligne 3, colonne DEPCOM : code invalide « 8104 » "
        "(code commune à 5 caractères attendu, par exemple 81004 ou 2A004)."
    )


def test_malformed_equipment_type(tmp_path, rejected):
    path = write(tmp_path, BPE, [BPE_HEADER, equipment("81004", "D502"), equipment("81004", "D50")])

    assert rejected(path) == (
        f"{BPE}, ligne 3, colonne TYPEQU : type d'équipement invalide « D50 » "
        "(une lettre et trois chiffres attendus, par exemple D502)."
    )


def test_non_numeric_year(tmp_path, rejected):
    path = write(tmp_path, BPE, [BPE_HEADER, equipment("81004", "D502", year="deux mille")])

    assert rejected(path) == (
        f"{BPE}, ligne 2, colonne AN : année invalide « deux mille » (par exemple 2023 attendu)."
    )


def test_row_of_another_year(tmp_path, rejected):
    path = write(
        tmp_path,
        BPE,
        [
            BPE_HEADER,
            equipment("81004", "D502"),
            equipment("81004", "C107"),
            equipment("81271", "D502", year="2023"),
        ],
    )

    assert rejected(path) == (
        f"{BPE}, ligne 4, colonne AN : année 2023 différente de celle des lignes précédentes (2024, ligne 2)."
    )


def test_truncated_line(tmp_path, rejected):
    path = tmp_path / BPE
    path.write_text(f'{BPE_HEADER}\n{equipment("81004", "D502")}\n2024;"CRECHE";"";81', encoding="utf-8")

    assert rejected(path) == f"{BPE}, ligne 3 : 4 champs au lieu de 9 comme l'en-tête (ligne tronquée ?)."


def test_truncated_inside_quotes(tmp_path, rejected):
    path = tmp_path / BPE
    path.write_text(f'{BPE_HEADER}\n{equipment("81004", "D502")}\n2024;"CRECH', encoding="utf-8")

    assert rejected(path) == (
        f"{BPE}, ligne 3 : fin du fichier au milieu d'un champ entre guillemets (fichier tronqué ?)."
    )


def test_wrong_encoding_deep_in_the_file(tmp_path, rejected):
    path = tmp_path / BPE
    lines = [BPE_HEADER] + [equipment("81004", "D502")] * 5 + [equipment("81004", "D502", name="CRÈCHE")]
    path.write_bytes("\n".join(lines).encode("latin-1"))

    assert rejected(path).startswith(f"{BPE}, ligne 7 : encodage invalide (octet 0xC8 non UTF-8)")


def test_empty_file(tmp_path, rejected):
    path = tmp_path / BPE
    path.write_bytes(b"")

    assert rejected(path) == f"{BPE} : fichier vide."


def test_header_only(tmp_path, rejected):
    path = write(tmp_path, BPE, [BPE_HEADER])

    assert rejected(path) == f"{BPE} : aucune ligne de données après l'en-tête."


def test_no_commune_of_the_referential(tmp_path, rejected):
    path = write(tmp_path, BPE, [BPE_HEADER, equipment("33063", "D502")])

    assert rejected(path) == f"{BPE} : aucun code ne correspond à une commune du référentiel territorial."
