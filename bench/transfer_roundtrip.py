"""The whole-dossier archive across databases: SQLite → PostgreSQL → SQLite gives the same export, ids aside.

In one run, three throwaway instances (each its own CTG_DATA_DIR; the middle one on PostgreSQL):
  A (SQLite): migrate, the Albigeois' territories, the demo (`ctg load_demo`: the current dossier and the
    previous CTG it renews), `ctg export_dossier` of both;
  B (PostgreSQL: DATABASE_URL when given, else a throwaway cluster as in bench/survey.py): migrate, the same
    territories, `ctg import_dossier --create-people --create-organisations --create-schema-axes` of A's
    previous CTG, then of A's current dossier (linked to it again as its renewal), both exported again;
  C (SQLite): the same from B's archives.
Then compares the `dossier.json` of each dossier: equal but for `exported_at` and the history lines « Dossier
importé depuis une autre instance » each import adds (one in B, two in C). Prints the differences and exits 1
if any.

Needs the PostgreSQL server binaries (Debian `postgresql`) unless DATABASE_URL is given.
Usage: .venv/bin/python bench/transfer_roundtrip.py
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

IMPORT_SUMMARY = "Dossier importé depuis une autre instance"


def step(phase: str, data_dir: Path, database_url: str | None, *arguments: str) -> None:
    env = {**os.environ, "CTG_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "ctg.settings"}
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    subprocess.run([sys.executable, __file__, "--phase", phase, *arguments], env=env, check=True, cwd=ROOT)


def phase(name: str, arguments: list[str]) -> None:
    """Run inside one instance (its environment set by `step`)."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from tests.factories import CommuneFactory, DepartementFactory, EpciFactory

    tarn = DepartementFactory(code="81", name="Tarn")
    epci = EpciFactory(siren="248100737", name="CA de l'Albigeois (C2A)", nature="CA")
    CommuneFactory(code="81004", name="Albi", epci=epci, departement=tarn, population=51290)
    CommuneFactory(code="81257", name="Saint-Juéry", epci=epci, departement=tarn, population=6564)
    from ctg.demo.loader import demo_dossier

    if name == "seed":
        call_command("load_demo")
    else:
        for archive in arguments[2:]:  # the previous CTG first, then its renewal
            call_command(
                "import_dossier", archive, "--create-people", "--create-organisations", "--create-schema-axes"
            )
    current = demo_dossier()
    call_command("export_dossier", current.previous.pk, "--out", arguments[0])
    call_command("export_dossier", current.pk, "--out", arguments[1])


def read(path: Path, imports: int) -> dict:
    with zipfile.ZipFile(path) as archive:
        data = json.loads(archive.read("dossier.json"))
    history = data["objects"]["core.historyentry"]
    added = [line for line in history if line["summary"].startswith(IMPORT_SUMMARY)]
    assert len(added) == imports, f"{path.name}: {len(added)} lignes d'import, {imports} attendues"
    data["objects"]["core.historyentry"] = [line for line in history if line not in added]
    data["exported_at"] = ""
    return data


def differences(a, b, path="$"):
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted(set(a) | set(b)) for d in differences(a.get(k), b.get(k), f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        pairs = enumerate(zip(a, b, strict=True))
        return [d for i, (x, y) in pairs for d in differences(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"[:300]]


def main() -> int:
    from survey import Postgres  # the throwaway cluster of bench/survey.py

    scratch = Path(tempfile.mkdtemp(prefix="ctg-bench-transfer-"))
    postgres = None
    url = os.environ.get("DATABASE_URL")
    if not url:
        postgres = Postgres(scratch)
        url = postgres.start()
    try:
        kinds = ("previous", "current")
        archives = {name: [str(scratch / f"{name}-{kind}.zip") for kind in kinds] for name in "abc"}
        for name in "abc":
            (scratch / name).mkdir()
        step("seed", scratch / "a", None, *archives["a"])
        step("import", scratch / "b", url, *archives["b"], *archives["a"])
        step("import", scratch / "c", None, *archives["c"], *archives["b"])
        found = []
        for index, dossier in enumerate(("CTG précédente", "dossier courant")):
            first, second, third = (read(Path(archives[n][index]), i) for i, n in enumerate("abc"))
            found += differences(first, second) + differences(first, third)
            counts = {name: len(rows) for name, rows in first["objects"].items() if rows}
            print(f"{dossier} — objets par modèle : {counts}")
            print(f"{dossier} — fichiers : {len(first['files'])}")
        if found:
            print("Différences :", *found[:20], sep="\n- ")
            return 1
        print("SQLite → PostgreSQL → SQLite : exports identiques (ids, date et lignes d'import à part).")
        return 0
    finally:
        if postgres is not None:
            postgres.stop()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--phase":
        phase(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(main())
