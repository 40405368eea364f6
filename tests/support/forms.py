"""Reads the forms of a page as a browser would submit them: field names and their current values."""

from html.parser import HTMLParser


class FormReader(HTMLParser):
    """What each form of a page would send as it is: inputs, checked boxes, selected options, text."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self.values: dict[str, str] | None = None
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.values = {}
            self.forms.append(self.values)
        if self.values is None:
            return
        if tag == "input" and a.get("name"):
            if a.get("type") != "checkbox" or "checked" in a:
                self.values[a["name"]] = a.get("value", "on" if a.get("type") == "checkbox" else "")
        elif tag == "select":
            self.select = a["name"]
            self.values.setdefault(a["name"], "")
        elif tag == "option" and self.select and "selected" in a:
            self.values[self.select] = a.get("value", "")
        elif tag == "textarea":
            self.textarea = a["name"]
            self.values[a["name"]] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.values = None

    def handle_data(self, data: str) -> None:
        if self.textarea and self.values is not None:
            # Django writes a newline after <textarea>, which browsers drop.
            text = self.values[self.textarea] + data
            self.values[self.textarea] = text[1:] if text.startswith("\n") else text
