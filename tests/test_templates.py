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


def test_a_wide_table_scrolls_in_a_focusable_region_named_by_its_caption():
    from django.template import Context, Template
    from django.utils import translation

    page = Template(
        '{% load tables %}{% table_scroll "section-" n %}<table><caption id="section-{{ n }}">'
        "Rapport</caption></table>{% endtable_scroll %}"
        "{% table_scroll label=name %}<table></table>{% endtable_scroll %}"
    )
    with translation.override("da"):
        html = page.render(Context({"n": 1154, "name": "Værdier & enheder"}))
    # The region is named by the caption whatever the number (written alike: "section-1.154").
    caption = re.search(r'<caption id="([^"]+)"', html)
    assert caption is not None
    assert (
        f'<div class="table-scroll" role="region" aria-labelledby="{caption.group(1)}" '
        'tabindex="0"><table>'
    ) in html
    assert (
        'role="region" aria-label="Værdier &amp; enheder" tabindex="0"><table></table></div>'
        in html
    )
