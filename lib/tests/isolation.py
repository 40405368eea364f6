"""For tests of pages that show user text: is each place a text appears isolated, in an element of its own
with `dir="auto"` or a `<bdi>`, holding nothing else of the page (lib/text.py)?"""

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    parent: "Element | None" = None
    parts: list["str | Element"] = field(default_factory=list)

    def text(self) -> str:
        return "".join(part if isinstance(part, str) else part.text() for part in self.parts)

    def isolates(self) -> bool:
        return self.tag == "bdi" or self.attrs.get("dir") == "auto"


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root
        self.texts: list[tuple[str, Element]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs), self.current)
        self.current.parts.append(element)
        if tag not in VOID:
            self.current = element

    def handle_endtag(self, tag: str) -> None:
        # Close up to the matching open element (browsers forgive a missing </p> or </li>; so does this).
        node: Element | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.parts.append(data)
        self.texts.append((data, self.current))


def squeeze(text: str) -> str:
    return " ".join(text.split())


def placements(html: str, text: str) -> list[tuple[str, Element | None]]:
    """Each element whose own text contains `text`, with the nearest isolating element around it (or None)."""
    tree = _Tree()
    tree.feed(html)
    found: list[tuple[str, Element | None]] = []
    for data, parent in tree.texts:
        if text not in data or parent.tag == "title":  # a title holds no markup; the tab shows it alone
            continue
        node: Element | None = parent
        while node is not None and not node.isolates():
            node = node.parent
        found.append((parent.tag, node))
    return found


def assert_isolated(html: str, text: str, *, at_least: int = 1) -> None:
    """`text` appears on the page, and every time inside an isolating element that holds only that text."""
    found = placements(html, text)
    assert len(found) >= at_least, f"{text!r} is shown {len(found)} times, expected at least {at_least}"
    for tag, isolating in found:
        assert isolating is not None, f"{text!r} in <{tag}> is not inside dir=auto or <bdi>"
        assert squeeze(isolating.text()) == squeeze(text), (
            f"{text!r} shares its isolating <{isolating.tag}> with other text: {squeeze(isolating.text())[:200]!r}"
        )
