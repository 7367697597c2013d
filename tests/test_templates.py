"""Numbers in templates are localised (1.154 in Danish). An id printed into an address, a form value
or an attribute must not be: "?scenario=1.154" or data-recommendation="1.154" points at nothing."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BARE_ID = re.compile(r"\{\{\s*[\w.]+\.(pk|id)\s*\}\}")


def test_no_template_prints_an_id_without_unlocalize():
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if BARE_ID.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert not offenders, "use {{ x.pk|unlocalize }}:\n" + "\n".join(offenders)
