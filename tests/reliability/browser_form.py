"""What a browser would post from a rendered form: every named field with its current value, as the
page shows it (localised numbers and dates included), so a test edits one field and submits the rest
unchanged, like a person would."""

from html.parser import HTMLParser

SKIPPED_INPUTS = {"submit", "button", "image", "reset", "file"}


class _FormReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.inside = False
        self.forms: list[tuple[str | None, list[tuple[str, str]]]] = []  # (id, fields)
        self.fields: list[tuple[str, str]] = []
        self._select: dict | None = None
        self._option: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = (attrs.get("method") or "").lower() == "post"
            if self.inside:
                self.fields = []
                self.forms.append((attrs.get("id"), self.fields))
            return
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and "__prefix__" not in name:
            kind = (attrs.get("type") or "text").lower()
            if kind in SKIPPED_INPUTS:
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields.append((name, attrs.get("value") or "on"))
                return
            self.fields.append((name, attrs.get("value") or ""))
        elif tag == "select" and name and "__prefix__" not in name:
            self._select = {"name": name, "multiple": "multiple" in attrs, "options": []}
        elif tag == "option" and self._select is not None:
            self._option = {
                "value": attrs.get("value"),
                "selected": "selected" in attrs,
                "text": "",
            }
            self._select["options"].append(self._option)
        elif tag == "textarea" and name and "__prefix__" not in name:
            self._textarea = {"name": name, "text": ""}

    def handle_data(self, data):
        if self._option is not None:
            self._option["text"] += data
        if self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None:
            options = self._select["options"]
            chosen = [o for o in options if o["selected"]]
            if not chosen and options and not self._select["multiple"]:
                chosen = options[:1]
            for option in chosen:
                value = option["value"] if option["value"] is not None else option["text"].strip()
                self.fields.append((self._select["name"], value))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # A browser drops the one newline that follows <textarea>.
            text = self._textarea["text"]
            self.fields.append((self._textarea["name"], text[1:] if text[:1] == "\n" else text))
            self._textarea = None


def form_data(
    html: str, *, form_id: str | None = None, containing: str | None = None
) -> dict[str, str | list[str]]:
    """The fields of the POST form with ``form_id``, or the first one with a field named
    ``containing``, as the test client wants them: one value as a string, several as a list."""
    reader = _FormReader()
    reader.feed(html)
    matches = [
        fields
        for identifier, fields in reader.forms
        if (form_id is None or identifier == form_id)
        and (containing is None or any(name == containing for name, _ in fields))
    ]
    if not matches:
        raise AssertionError(f"No POST form with id={form_id!r} containing {containing!r}.")
    data: dict[str, list[str]] = {}
    for name, value in matches[0]:
        data.setdefault(name, []).append(value)
    return {name: values[0] if len(values) == 1 else values for name, values in data.items()}
