"""Reading rendered pages the way an assistive technology would: language, headings, landmarks."""

from html.parser import HTMLParser

LANDMARK_TAGS = {"header": "banner", "nav": "navigation", "main": "main", "footer": "contentinfo"}


class PageStructure(HTMLParser):
    def __init__(self):
        super().__init__()
        self.lang = None
        self.h1_count = 0
        self.landmarks = set()
        self.ids = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "h1":
            self.h1_count += 1
        if tag in LANDMARK_TAGS:
            self.landmarks.add(attrs.get("role") or LANDMARK_TAGS[tag])
        elif attrs.get("role") in LANDMARK_TAGS.values():
            self.landmarks.add(attrs["role"])
        if "id" in attrs:
            self.ids.append(attrs["id"])


def structure(html: str) -> PageStructure:
    parser = PageStructure()
    parser.feed(html)
    return parser


# What a reader sees: text nodes and the attributes that are read out or shown.
_HIDDEN_TAGS = {"script", "style", "template"}
# Literal text: what a user types (a file's column names) or the system stored verbatim (the audit
# log's old and new values); not prose, so neither translated nor formatted.
_LITERAL_TAGS = {"code", "kbd", "samp"}
_SHOWN_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder"}
_VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class VisibleText(HTMLParser):
    """Text in the page's own language: an element marked with another ``lang`` (the language
    switch's "English") is left out."""

    def __init__(self, language: str):
        super().__init__()
        self.language = language
        self.texts: list[str] = []
        self._open: list[tuple[str, bool]] = []  # (tag, hidden: in a script or another language)

    def _hidden(self) -> bool:
        return bool(self._open) and self._open[-1][1]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        lang = attrs.get("lang")
        hidden = (
            self._hidden()
            or tag in _HIDDEN_TAGS
            or tag in _LITERAL_TAGS
            or (bool(lang) and not lang.startswith(self.language) and tag != "html")
        )
        if not hidden:
            for name in _SHOWN_ATTRIBUTES:
                if attrs.get(name):
                    self.texts.append(" ".join(attrs[name].split()))
            button = tag == "input" and attrs.get("type") in {"submit", "button", "reset"}
            if button and attrs.get("value"):
                self.texts.append(attrs["value"])
        if tag not in _VOID_TAGS:
            self._open.append((tag, hidden))

    def handle_endtag(self, tag):
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                del self._open[index:]
                break

    def handle_data(self, data):
        if not self._hidden() and data.strip():
            self.texts.append(" ".join(data.split()))


def visible_texts(html: str, language: str = "da") -> list[str]:
    """Each text node (whitespace collapsed) and each shown attribute, outside scripts and styles,
    literal text (code) and elements in another language than ``language``."""
    parser = VisibleText(language)
    parser.feed(html)
    return parser.texts
