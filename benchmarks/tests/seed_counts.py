"""Count key factors and guide questions directly in the toolkit texts, independently of data/.

Each toolkit was converted from PDF differently, so each has its own rule; every rule reads only
the seed file.
"""

import re


def count_marked_lists(text: str) -> list[int]:
    """Toolkits where each factor has a GUIDE QUESTIONS heading, one "- " line per question, then EXAMPLES."""
    counts: list[int] = []
    inside = False
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped == "GUIDE QUESTIONS":
            counts.append(0)
            inside = True
        elif stripped == "EXAMPLES":
            inside = False
        elif inside and line.startswith("- "):
            counts[-1] += 1
    return counts


def count_values(text: str) -> list[int]:
    """VALUES: numbered factor headings; questions are the lines ending in "?" after "Guided questions"."""
    counts: list[int] = []
    inside = False
    for line in text.split("\n"):
        stripped = line.strip()
        if re.match(r"^\d+\. \S", stripped):
            counts.append(0)
            inside = False
        elif stripped.startswith(("Theme A:", "Case studies")):
            inside = False
        elif stripped == "Guided questions":
            inside = True
        elif inside and counts and stripped.endswith("?"):
            counts[-1] += 1
    return counts


def count_ocr_two_columns(text: str) -> list[int]:
    """The OCR'd entrepreneurs toolkit: capitalised factor titles, questions by their opening words."""
    lines = text.split("\n")
    end = next(i for i, line in enumerate(lines) if line.strip() == "Context factors")
    title = re.compile(r"^[A-Z][A-Z ,’‘-]+$")
    question = re.compile(r"^(?:»\s*)?(Does|Do|Is|Are|Was|What|To what|How|Where|Looking|As part of this)\b")
    counts: list[int] = []
    previous = ""
    for line in lines[:end]:
        stripped = line.strip()
        if not stripped:
            continue
        if (
            title.match(stripped)
            and len(stripped.split()) >= 3
            and not title.match(previous)
            and not stripped.startswith(("GUIDE", "NOTE ON", "CONTEXT", "CITIES"))
        ):
            counts.append(0)
        elif counts and question.match(stripped):
            counts[-1] += 1
        previous = stripped
    return counts


RULES = {
    "000_8f7a755f338524f6.txt": count_values,
    "001_9a289f0e97318068.txt": count_marked_lists,
    "002_a7b51db2756bb203.txt": count_marked_lists,
    "003_7ca3137cd4b0de1b.txt": count_marked_lists,
    "004_4b547b947fdb7c14.txt": count_ocr_two_columns,
}
