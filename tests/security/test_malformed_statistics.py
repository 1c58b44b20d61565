"""Malformed official statistics files, built from the headers of the real files (../shared/data, read at test
time; the formats without a real file there use the headers of their importer tests): every variant is
refused with a French message naming the file and the line (and the column when it is a cell's fault), and
the store (every file under stats/, hashed) and the journal of the imports are unchanged.

Formats: FiLoSoFi communes and IRIS, dossier complet du recensement, CAF par IRIS (Insee-Cnaf), BPE, taux de
couverture Cnaf par commune, EPCI et département (API names, and the French labels of data.caf.fr), fichiers
communaux data.caf.fr.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from ctg.diagnostics.importers import DatasetError, import_datasets
from ctg.diagnostics.models import DatasetImport
from tests.diagnostics.conftest import FILOSOFI_HEADER, SHARED_DATA, write
from tests.factories import EpciFactory

TARN = SHARED_DATA / "example-81-tarn"


def _real(path: Path, fallback: list[str]) -> list[str]:
    """The header and first data row of a real file (its first two lines), else the fallback."""
    if not path.is_file():
        return fallback
    with open(path, encoding="utf-8-sig") as handle:
        return [handle.readline().rstrip("\n"), handle.readline().rstrip("\n")]


@dataclass
class Format:
    name: str  # file name, which gives the vintage for some formats
    header: str
    row: str  # a valid data row, for Albi (81004) or its IRIS, EPCI, département
    second: str  # another valid row (another territory)
    code_column: str
    count_column: str  # a count: never negative
    count_index: int  # its index in the row


def _formats() -> list[Format]:
    filo = _real(TARN / "cc_filosofi_2021_COM_81.csv", [FILOSOFI_HEADER, "81001;100;200;20000;s;s"])
    filo_header = filo[0]
    filo_row = "81004;" + filo[1].split(";", 1)[1]
    caf = _real(TARN / "inseecaf2021_81.csv", ['"iris_code";"note";"a";"am"', '"810040101";"0";10;1'])
    rp = _real(TARN / "dossier_complet_light_81.csv", ["CODGEO;P22_POP0014;P16_POP", "81001;38.5;218.0"])
    rp_row = "81004;" + rp[1].split(";", 1)[1]
    filo_iris = _real(
        TARN / "BASE_TD_FILO_IRIS_2021_DEC_81.csv",
        ["IRIS;DEC_PIMP21;DEC_TP6021;DEC_MED21;DEC_NOTE21", "810040101;35,0;43,0;16230;0"],
    )
    labels = _real(
        SHARED_DATA / "cnaf-txcouv-pe" / "txcouv_pe_dep_hist.csv",
        [
            "Date référence;Numéro Département;Nom Département;Taux de couv EAJE PSU;Taux de couv global",
            "2017;01;AIN;12.6;66.4",
        ],
    )
    labels_row = "2022;81;TARN;" + labels[1].split(";", 3)[3]  # the real row of the Ain, made the Tarn's
    return [
        Format(
            "BASE_TD_FILO_IRIS_2021_DEC.csv",
            filo_iris[0],
            filo_iris[1],
            filo_iris[1].replace("810040101", "811400101", 1),
            "IRIS",
            "",
            0,
        ),
        Format(
            "txcouv_pe_dep_hist.csv",
            labels[0],
            labels_row,
            labels_row.replace("2022;81;TARN;", "2022;2A;CORSE DU SUD;", 1),
            "Numéro Département",
            "",
            0,
        ),
        Format(
            "cc_filosofi_2021_COM.csv",
            filo_header,
            filo_row,
            filo_row.replace("81004", "81140", 1),
            "CODGEO",
            "NBMENFISC21",
            1,
        ),
        Format(
            "inseecaf2021.csv",
            caf[0],
            caf[1],
            caf[1].replace('"810040101"', '"811400000"', 1),
            "iris_code",
            "a",
            2,
        ),
        Format(
            "dossier_complet.csv",
            rp[0],
            rp_row,
            rp_row.replace("81004", "81140", 1),
            "CODGEO",
            "P22_POP0014",
            1,
        ),
        Format(
            "BPE24.csv",
            "AN;NOMRS;CNOMRS;DEPCOM;DEP;TYPEQU;LATITUDE;LONGITUDE;QUALITE_XY",
            '2024;"Ecole";"";81004;81;C107;43.9;2.1;Bonne',
            '2024;"Creche";"";81140;81;D502;43.7;1.8;Bonne',
            "DEPCOM",
            "",
            0,
        ),
        Format(
            "txcouv_pe_com.csv",
            "annee;numcom;nomcom;txcouv_com;txcouv_eaje_com;pl_psu_col_com;nb_am_com",
            '2023;81004;"Albi";61,5;30,1;700;120',
            '2023;81140;"Lavaur";55,0;20,0;100;40',
            "numcom",
            "pl_psu_col_com",
            5,
        ),
        Format(
            "txcouv_pe_epci.csv",
            "annee;numepci;nomepci;txcouv_epci;pl_psu_col_epci;tot_offre_epci",
            '2023;248100737;"CA de l\'Albigeois";61,5;700;900',
            '2023;248100738;"CC Voisine";50,0;70;90',
            "numepci",
            "pl_psu_col_epci",
            4,
        ),
        Format(
            "txcouv_pe_dep.csv",
            "annee;numdep;nomdep;txcouv_dep;pl_hors_psu_col_dep",
            '2023;81;"Tarn";58,0;300',
            '2023;2A;"Corse-du-Sud";50,0;30',
            "numdep",
            "pl_hors_psu_col_dep",
            4,
        ),
        Format(
            "NivComTotal2014.csv",
            "Communes;Codes_Insee;NB_Pers_par_Foyer_Alloc;NB_Enfants",
            "ALBI;81004;25000;9000",
            "LAVAUR;81140;5000;2000",
            "Codes_Insee",
            "NB_Enfants",
            3,
        ),
    ]


FORMATS = _formats()


def _fields(text: str) -> list[str]:
    return text.split(";")


def _with_field(row: str, index: int, value: str) -> str:
    fields = _fields(row)
    fields[index] = value
    return ";".join(fields)


def _lines(fmt: Format, *rows: str) -> bytes:
    return ("\n".join([fmt.header, *rows]) + "\n").encode("utf-8")


def _code_index(fmt: Format) -> int:
    return [name.strip('"') for name in _fields(fmt.header)].index(fmt.code_column)


def _quoted(fmt: Format, value: str) -> str:
    return f'"{value}"' if fmt.code_column == "iris_code" else value


@dataclass
class Case:
    id: str
    fmt: Format
    content: bytes
    line: int | None  # the line the message must name (None: a fault of the whole file)
    column: str | None = None
    words: str = ""  # a part of the message


def _cases() -> list[Case]:
    cases = []
    for fmt in FORMATS:
        f, short = fmt, fmt.name.split(".")[0]
        code = _code_index(f)
        cases += [
            Case(
                f"{short}-separateur-virgule",
                f,
                _lines(f, f.row, f.second).replace(b";", b","),
                1,
                words="séparateur « , »",
            ),
            Case(
                f"{short}-separateur-tabulation",
                f,
                _lines(f, f.row).replace(b";", b"\t"),
                1,
                words="tabulation",
            ),
            Case(
                f"{short}-latin1",
                f,
                _lines(f, f.row) + "Bézier;é\n".encode("latin-1"),
                3,
                words="encodage invalide",
            ),
            Case(f"{short}-utf16-bom", f, _lines(f, f.row).decode().encode("utf-16"), 1, words="encodage"),
            Case(
                f"{short}-ligne-tronquee",
                f,
                _lines(f, f.row, ";".join(_fields(f.second)[:-2])),
                3,
                words="champs au lieu de",
            ),
            Case(
                f"{short}-colonne-en-trop",
                f,
                _lines(f, f.row, f.second + ";42"),
                3,
                words="champs au lieu de",
            ),
            Case(f"{short}-nul", f, _lines(f, f.row, f.second.replace(";", ";\x00", 1)), 3),
            Case(f"{short}-ligne-vide-au-milieu", f, _lines(f, f.row, "", f.second), 3, words="ligne vide"),
            Case(f"{short}-guillemet-non-ferme", f, _lines(f, f.row) + b'"8114', 3, words="guillemets"),
            Case(
                f"{short}-ligne-enorme",
                f,
                _lines(f, f.row, _with_field(f.second, 1, '"' + "9" * 200_000 + '"')),
                3,
            ),
            Case(
                f"{short}-code-mal-forme",
                f,
                _lines(f, f.row, _with_field(f.second, code, _quoted(f, "8A1X"))),
                3,
                f.code_column,
                "code invalide",
            ),
            Case(
                f"{short}-code-en-double",
                f,
                _lines(f, f.row, f.row),
                3,
                None if short == "BPE24" else f.code_column,
            ),
        ]
    return cases


CASES = [case for case in _cases() if not (case.fmt.name == "BPE24.csv" and case.id.endswith("en-double"))]


def _specific_cases() -> list[Case]:
    by_name = {fmt.name: fmt for fmt in FORMATS}
    filo, caf, rp = (
        by_name["cc_filosofi_2021_COM.csv"],
        by_name["inseecaf2021.csv"],
        by_name["dossier_complet.csv"],
    )
    bpe, com, epci = by_name["BPE24.csv"], by_name["txcouv_pe_com.csv"], by_name["txcouv_pe_epci.csv"]
    dep, bca = by_name["txcouv_pe_dep.csv"], by_name["NivComTotal2014.csv"]
    cases = []
    for fmt in (filo, caf, rp, com, epci, dep, bca):
        cases += [
            Case(
                f"{fmt.name}-negatif",
                fmt,
                _lines(fmt, fmt.row, _with_field(fmt.second, fmt.count_index, "-12")),
                3,
                fmt.count_column,
                "effectif négatif",
            ),
            Case(
                f"{fmt.name}-non-numerique",
                fmt,
                _lines(fmt, fmt.row, _with_field(fmt.second, fmt.count_index, "douze")),
                3,
                fmt.count_column,
                "valeur non numérique",
            ),
        ]
    iris, labels = by_name["BASE_TD_FILO_IRIS_2021_DEC.csv"], by_name["txcouv_pe_dep_hist.csv"]
    rate = _fields(labels.header).index("Taux de couv global")
    cases += [
        Case(
            "filosofi-iris-non-numerique",
            iris,
            _lines(iris, iris.row, _with_field(iris.second, 1, "beaucoup")),
            3,
            _fields(iris.header)[1],
            "valeur non numérique",
        ),
        Case(
            "filosofi-iris-point-decimal",
            iris,
            _lines(iris, _with_field(iris.row, 2, "43.0")),
            2,
            _fields(iris.header)[2],
            "valeur non numérique",
        ),
        Case(
            "filosofi-iris-code-commune",
            iris,
            _lines(iris, _with_field(iris.row, 0, "81004")),
            2,
            "IRIS",
            "code IRIS à 9 caractères",
        ),
        Case(
            "txcouv-libelles-annee-illisible",
            labels,
            _lines(labels, labels.row.replace("2022;", "deux mille;", 1)),
            2,
            "Date référence",
            "année invalide",
        ),
        Case(
            "txcouv-libelles-taux-non-numerique",
            labels,
            _lines(labels, labels.row, _with_field(labels.second, rate, "n/a")),
            3,
            "Taux de couv global",
            "valeur non numérique",
        ),
        Case(
            "txcouv-libelles-colonne-en-double",
            labels,
            _lines(
                Format(
                    **{
                        **labels.__dict__,
                        "header": labels.header.replace("Nom Département", "Numéro Département"),
                    }
                ),
                labels.row,
            ),
            1,
            words="en double",
        ),
    ]
    header = _fields(filo.header)
    cases += [
        Case(
            "filosofi-colonne-en-double",
            filo,
            _lines(Format(**{**filo.__dict__, "header": filo.header + ";MED21"}), filo.row + ";1"),
            1,
            words="en double",
        ),
        Case(
            "filosofi-colonne-absente",
            filo,
            (
                "\n".join(
                    [
                        ";".join(h for h in header if h != "MED21"),
                        ";".join(v for h, v in zip(header, _fields(filo.row), strict=True) if h != "MED21"),
                    ]
                )
                + "\n"
            ).encode(),
            1,
            words="colonne obligatoire « MED21 » absente",
        ),
        Case(
            "filosofi-colonne-renommee",
            filo,
            _lines(
                Format(**{**filo.__dict__, "header": filo.header.replace("CODGEO", "CODE_GEO")}), filo.row
            ),
            1,
            words="CODGEO",
        ),
        Case(
            "filosofi-virgule-decimale-en-point",
            filo,
            _lines(filo, _with_field(filo.row, 3, "21650.5")),
            2,
            "MED21",
            "valeur non numérique",
        ),
        Case("filosofi-double-bom", filo, b"\xef\xbb\xbf" + b"\xef\xbb\xbf" + _lines(filo, filo.row), 1),
        Case(
            "filosofi-millesimes-melanges",
            filo,
            _lines(Format(**{**filo.__dict__, "header": filo.header.replace("D121", "D120")}), filo.row),
            1,
            words="millésime de la colonne",
        ),
        Case(
            "rp-point-decimal-en-virgule",
            rp,
            _lines(rp, _with_field(rp.row, 1, "38,5")),
            2,
            "P22_POP0014",
            "valeur non numérique",
        ),
        Case(
            "caf-note-invalide",
            caf,
            _lines(caf, caf.row.replace('"0"', '"x"', 1)),
            2,
            "note",
            "note de diffusion",
        ),
        Case("bpe-type-invalide", bpe, _lines(bpe, bpe.row.replace("C107", "CRECHE")), 2, "TYPEQU"),
        Case(
            "bpe-annee-hors-limites",
            bpe,
            _lines(bpe, bpe.row.replace("2024;", "1850;", 1)),
            2,
            "AN",
            "année hors limites",
        ),
        Case(
            "bpe-annees-differentes",
            bpe,
            _lines(bpe, bpe.row, bpe.second.replace("2024;", "2023;", 1)),
            3,
            "AN",
        ),
        Case(
            "txcouv-com-annee-hors-limites",
            com,
            _lines(com, com.row.replace("2023;", "2999;", 1)),
            2,
            "annee",
            "année hors limites",
        ),
        Case(
            "txcouv-com-annee-illisible",
            com,
            _lines(com, com.row.replace("2023;", "deux mille;", 1)),
            2,
            "annee",
            "année invalide",
        ),
        Case(
            "txcouv-epci-siren-mal-forme",
            epci,
            _lines(epci, epci.row.replace("248100737", "24810073")),
            2,
            "numepci",
            "code invalide",
        ),
        Case(
            "txcouv-dep-code-mal-forme",
            dep,
            _lines(dep, dep.row.replace("2023;81;", "2023;8;", 1)),
            2,
            "numdep",
            "code invalide",
        ),
        Case("bca-code-mal-forme", bca, _lines(bca, bca.row.replace("81004", "ALB")), 2, "Codes_Insee"),
        Case("binaire", filo, bytes(range(256)) * 40, 1, words="octet nul"),
        Case("binaire-sans-nul", filo, bytes(range(128, 256)) * 40, 1, words="encodage invalide"),
        Case("vide", filo, b"", None, words="fichier vide"),
        Case("blancs-seulement", filo, b"  \n\n \n", None, words="fichier vide"),
        Case("en-tete-seul", filo, (filo.header + "\n").encode(), None, words="aucune ligne de données"),
        Case("format-inconnu", filo, b"A;B;C\n1;2;3\n", 1, words="format non reconnu"),
        Case(
            "codes-inconnus-seulement",
            filo,
            _lines(filo, filo.row.replace("81004", "99999", 1)),
            None,
            words="aucun code ne correspond",
        ),
    ]
    return cases


ALL_CASES = CASES + _specific_cases()


def _store_hashes(stats_dir: Path) -> dict[str, str]:
    if not stats_dir.exists():
        return {}
    return {
        str(p.relative_to(stats_dir)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in stats_dir.rglob("*")
        if p.is_file()
    }


@pytest.fixture
def national(stats_dir, referential, tmp_path):
    """A vintage already in the store (two départements), that no malformed file may touch."""
    EpciFactory(siren="248100737", name="CA de l'Albigeois")
    import_datasets(
        write(
            tmp_path,
            "cc_filosofi_2021_COM.csv",
            [FILOSOFI_HEADER, "81004;23612;45331;21650;20,0;7,4", "2A004;30000;60000;21000;18,0;8,0"],
        )
    )
    return stats_dir


def test_at_least_forty_variants_over_every_format():
    assert len(ALL_CASES) >= 40
    assert {case.fmt.name for case in ALL_CASES} == {fmt.name for fmt in FORMATS}


@pytest.mark.parametrize("case", ALL_CASES, ids=[case.id for case in ALL_CASES])
def test_a_malformed_file_is_refused_with_file_line_and_column(national, tmp_path, case):
    folder = tmp_path / "depot"
    folder.mkdir()
    path = folder / case.fmt.name
    path.write_bytes(case.content)
    before, records = _store_hashes(national), list(DatasetImport.objects.values_list("pk", "stored_sha256"))

    with pytest.raises(DatasetError) as raised:
        import_datasets(path)

    message = str(raised.value)
    assert message.startswith(f"{case.fmt.name}"), message
    if case.line is not None:
        assert f"ligne {case.line}" in message, message
    if case.column is not None:
        assert f"colonne {case.column}" in message, message
    assert case.words in message, message
    assert _store_hashes(national) == before
    assert list(DatasetImport.objects.values_list("pk", "stored_sha256")) == records


def test_a_negative_figure_that_is_no_count_is_read(national, tmp_path):
    """Not counts: a FiLoSoFi share of taxes (PIMPOT, negative by nature), a census-file income or evolution
    column, a childcare coverage rate. Only counts are refused when negative."""
    filo = write(
        tmp_path,
        "cc_filosofi_2021_COM.csv",
        [FILOSOFI_HEADER + ";PIMPOT21", "81004;23612;45331;21650;20,0;7,4;-14,2"],
    )
    rp = write(
        tmp_path,
        "dossier_complet.csv",
        ["CODGEO;P22_POP0014;DISP_PIMPOT21;EVOL_POP", "81004;38.5;-14.2;-0.3"],
    )
    com = write(
        tmp_path, "txcouv_pe_com.csv", ["annee;numcom;txcouv_com;pl_psu_col_com", "2023;81004;-1,0;700"]
    )
    for path in (filo, rp, com):
        import_datasets(path)
    assert DatasetImport.objects.count() == 4
