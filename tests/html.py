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
