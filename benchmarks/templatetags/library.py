from dataclasses import dataclass, field

from django import template

register = template.Library()


@dataclass
class Block:
    text: str = ""
    items: list[str] = field(default_factory=list)


@register.filter
def paragraphs(text: str) -> list[Block]:
    """Split stored library text into paragraphs and lists, in order.

    Paragraphs are separated by blank lines; inside one, lines starting with "- " form a list
    (see benchmarks.library.normalise_paragraphs).
    """
    blocks: list[Block] = []
    for chunk in (text or "").split("\n\n"):
        current: Block | None = None
        for line in chunk.split("\n"):
            if not line.strip():
                continue
            is_item = line.startswith("- ")
            if current is None or bool(current.items) != is_item:
                current = Block()
                blocks.append(current)
            if is_item:
                current.items.append(line[2:])
            else:
                current.text = f"{current.text} {line}".strip()
    return blocks
