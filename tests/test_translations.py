"""The committed Danish catalogue is compiled: every translation in django.po is in django.mo, so a
fresh machine needs no gettext tools."""

import ast
import gettext
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[1] / "locale"


def read_po(path: Path) -> dict[str, str]:
    """msgid → msgstr; a msgid with a context is keyed as gettext keys it ("context\x04msgid")."""
    entries: dict[str, str] = {}
    msgid, msgstr, current, fuzzy, context = None, None, None, False, None

    def flush():
        if msgid and msgstr and not fuzzy:
            entries[f"{context}\x04{msgid}" if context else msgid] = msgstr

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#,") and "fuzzy" in line:
            flush()
            msgid, msgstr, current, fuzzy = None, None, None, True
        elif line.startswith("msgctxt "):
            if current == "msgstr":
                flush()
                fuzzy = False
            context, msgid, msgstr, current = ast.literal_eval(line[8:]), None, None, "msgctxt"
        elif line.startswith("msgid "):
            if current == "msgstr" or (msgid is not None and current != "msgctxt"):
                flush()
                fuzzy = fuzzy and msgid is None
                context = None
            msgid, msgstr, current = ast.literal_eval(line[6:]), None, "msgid"
        elif line.startswith("msgstr "):
            msgstr, current = ast.literal_eval(line[7:]), "msgstr"
        elif line.startswith('"'):
            if current == "msgid":
                msgid += ast.literal_eval(line)
            elif current == "msgstr":
                msgstr += ast.literal_eval(line)
        elif not line.strip():
            flush()
            msgid, msgstr, current, fuzzy, context = None, None, None, False, None
    flush()
    return entries


def test_danish_catalogue_is_compiled_and_complete():
    po = read_po(LOCALE / "da/LC_MESSAGES/django.po")
    assert len(po) > 50
    with open(LOCALE / "da/LC_MESSAGES/django.mo", "rb") as handle:
        mo = gettext.GNUTranslations(handle)
    stale = {k: v for k, v in po.items() if mo.gettext(k) != v}
    assert not stale, f"django.mo is out of date; run ./dev manage compilemessages: {stale}"


def test_no_danish_translation_is_missing():
    import re

    text = (LOCALE / "da/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    untranslated = re.findall(r'^msgid "(.+)"\nmsgstr ""\n(?!")', text, flags=re.M)
    assert not untranslated, f"untranslated strings: {untranslated}"
