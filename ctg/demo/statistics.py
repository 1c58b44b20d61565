"""Fictitious statistics for the demo, written in the official formats and imported like real files.

Used only when the store holds no vintage of a dataset: the demo then shows a filled diagnostic on a machine
without the official files. The imports are flagged `is_fictitious` and every portrait built on them says so.
Importing a real file of the same vintage (`ctg import_data`) replaces them.
"""

import random
import tempfile
from pathlib import Path

from ctg.diagnostics import reader
from ctg.diagnostics.importers import import_dataset
from ctg.territories.models import Commune

RP_YEAR, FILOSOFI_YEAR, CAF_YEAR = 2022, 2021, 2021
AGE_SHARES = {
    "0014": 0.155,
    "1529": 0.15,
    "3044": 0.17,
    "4559": 0.19,
    "6074": 0.19,
    "7589": 0.12,
    "90P": 0.025,
}
BPE = {"B105": 7000, "B201": 4000, "C201": 9000, "C301": 20000, "D307": 3500, "D502": 5000}


def _rng(code: str) -> random.Random:
    return random.Random(f"ctg-demo-{code}")


def _jitter(rng: random.Random, spread: float = 0.15) -> float:
    return 1 + rng.uniform(-spread, spread)


def _rp_lines(communes) -> list[str]:
    yy = RP_YEAR % 100
    bands = [f"P{yy}_POP{b}" for b in AGE_SHARES]
    header = ["CODGEO", *bands, "P16_POP", "P11_POP", f"C{yy}_MENPSEUL", f"C{yy}_MENFAM", f"C{yy}_COUPAENF"]
    header += [f"C{yy}_FAMMONO", f"C{yy}_COUPSENF"]
    header += [f"P{yy}_ACT1524", f"P{yy}_ACT2554", f"P{yy}_ACT5564"]
    header += [f"P{yy}_CHOM1524", f"P{yy}_CHOM2554", f"P{yy}_CHOM5564"]
    header += [f"BPE_2024_{code}" for code in BPE]
    # The detail columns of base-cc-evol-struct-pop: children under 3 (the coverage rate's denominator) and
    # the 11-17 year-olds; drawn last, so that the other columns keep their values.
    header += [f"P{yy}_POP0002", f"P{yy}_POP1117"]
    lines = [";".join(header)]
    for commune in communes:
        rng = _rng(commune.code)
        population = float(commune.population or 0)
        weights = {b: share * _jitter(rng, 0.25) for b, share in AGE_SHARES.items()}
        total = sum(weights.values())
        ages = [population * w / total for w in weights.values()]
        couples = population * 0.11 * _jitter(rng)
        mono = population * 0.045 * _jitter(rng, 0.4)
        act = [
            population * 0.045 * _jitter(rng),
            population * 0.37 * _jitter(rng),
            population * 0.06 * _jitter(rng),
        ]
        chom = [
            act[0] * 0.2 * _jitter(rng, 0.4),
            act[1] * 0.09 * _jitter(rng, 0.4),
            act[2] * 0.07 * _jitter(rng),
        ]
        values = [
            *ages,
            population * 0.97 * _jitter(rng, 0.03),
            population * 0.94 * _jitter(rng, 0.04),
            population * 0.17 * _jitter(rng),
            population * 0.27 * _jitter(rng),
            couples,
            mono,
            population * 0.13 * _jitter(rng),
            *act,
            *chom,
            *[float(round(population / per * _jitter(rng, 0.5))) for per in BPE.values()],
        ]
        values += [ages[0] * 0.19 * _jitter(rng, 0.1), (ages[0] * 4 + ages[1] * 3) / 15 * _jitter(rng, 0.1)]
        lines.append(";".join([commune.code, *(repr(round(v, 6)) for v in values)]))
    return lines


def _filosofi_lines(communes) -> list[str]:
    yy = FILOSOFI_YEAR % 100
    lines = [f"CODGEO;NBMENFISC{yy};NBPERSMENFISC{yy};MED{yy};TP60{yy};PPSOC{yy}"]
    for commune in communes:
        rng = _rng(commune.code + "-filo")
        population = commune.population or 0
        households = round(population / 2.2)
        median = "s" if households < 50 else str(round(22500 * _jitter(rng, 0.12), -1)).replace(".0", "")
        secret_rates = households < 1000  # as Insee: rates published from about 1 000 households
        poverty = "s" if secret_rates else f"{12 * _jitter(rng, 0.5):.1f}".replace(".", ",")
        benefits = "s" if secret_rates else f"{6 * _jitter(rng, 0.4):.1f}".replace(".", ",")
        lines.append(f"{commune.code};{households};{round(population * 0.98)};{median};{poverty};{benefits}")
    return lines


def _caf_lines(communes) -> list[str]:
    columns = ["a", "percou", "am", "aaah", "aal", "appa", "arsas"]
    lines = [";".join(['"iris_code"', '"note"', *columns])]
    for commune in communes:
        population = commune.population or 0
        if population < 5000:  # like the real file: only communes split into IRIS
            continue
        rng = _rng(commune.code + "-caf")
        for index in range(1, max(2, population // 4000) + 1):
            share = population / max(2, population // 4000)
            a = round(share * 0.27 * _jitter(rng, 0.2))
            cells = [a, round(a * 2.1), round(a * 0.14), round(a * 0.06), round(a * 0.45), round(a * 0.3)]
            cells.append(round(a * 0.1))
            lines.append(";".join([f'"{commune.code}{index:04d}"', '"0"', *map(str, cells)]))
    return lines


def load_fictitious_statistics(codes: list[str]) -> list[str]:
    """Imports fictitious vintages for the datasets of which the store holds none; returns what it loaded."""
    communes = list(Commune.objects.filter(code__in=codes).order_by("code"))
    loaded = []
    plans = [
        ("rp_dossier_complet", RP_YEAR, "dossier_complet_demo.csv", _rp_lines),
        ("filosofi_com", FILOSOFI_YEAR, f"cc_filosofi_{FILOSOFI_YEAR}_COM_demo.csv", _filosofi_lines),
        ("caf_iris", CAF_YEAR, f"inseecaf{CAF_YEAR}_demo.csv", _caf_lines),
    ]
    with tempfile.TemporaryDirectory() as folder:
        for kind, year, name, build in plans:
            if reader.available_vintages(kind):
                continue
            path = Path(folder) / name
            path.write_text("\n".join(build(communes)) + "\n", encoding="utf-8")
            record = import_dataset(path, kind=kind, year=year, is_fictitious=True)
            loaded.append(f"{record.get_kind_display()} {year}")
    return loaded
