"""Build `src/greffier/calls/data/communes.tsv.gz`, the offline French communes gazetteer.

    python scripts/build_communes.py            # npm pack @etalab/decoupage-administratif@6.0.0, checked
    python scripts/build_communes.py PKG.tgz    # from a tarball fetched before

The source is the npm package `@etalab/decoupage-administratif` (MIT; its data is INSEE's Code officiel
géographique, Licence Ouverte). Kept: every current commune (code INSEE, name, département, postcodes,
population), and the delegated or associated communes that people still name, under their own name
with the code of the commune they belong to. Run once at build time: nothing downloads at run time.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "@etalab/decoupage-administratif@6.0.0"
SHA256 = "c189ffd5b33fe40c2f19e1a923ce557f190622f39228745d3195d746dfe00c4a"
OUT = Path(__file__).resolve().parents[1] / "src" / "greffier" / "calls" / "data" / "communes.tsv.gz"


def _tarball(argv: list[str], tmp: Path) -> Path:
    if argv:
        return Path(argv[0])
    subprocess.run(["npm", "pack", PACKAGE, "--pack-destination", str(tmp)], check=True)
    return next(tmp.glob("*.tgz"))


def main(argv: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tgz = _tarball(argv, Path(tmp))
        digest = hashlib.sha256(tgz.read_bytes()).hexdigest()
        if digest != SHA256:
            sys.exit(f"{tgz}: SHA-256 {digest}, expected {SHA256} for {PACKAGE}")
        with tarfile.open(tgz) as tar:
            member = tar.extractfile("package/data/communes.json")
            assert member is not None
            communes = json.load(member)
    current = {c["code"]: c for c in communes if c["type"] == "commune-actuelle"}
    rows = []
    for c in communes:
        parent = current.get(c.get("chefLieu") or c["code"]) if c["type"] != "commune-actuelle" else c
        if c["type"] == "arrondissement-municipal" or parent is None:
            continue
        if c["type"] != "commune-actuelle" and c["nom"] == parent["nom"]:
            continue
        postcodes = ",".join(parent.get("codesPostaux", []))
        population = parent.get("population", 0) if c is parent else 0
        rows.append(f"{parent['code']}\t{c['nom']}\t{parent['departement']}\t{postcodes}\t{population}\n")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(OUT, "wt", encoding="utf-8", compresslevel=9) as out:
        out.write("insee\tname\tdepartement\tpostcodes\tpopulation\n")
        out.writelines(sorted(rows))
    print(f"{len(rows)} names -> {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main(sys.argv[1:])
