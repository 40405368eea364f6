"""The floors of docs/architecture.md: an app imports only the apps below it in that list, lib imports no app,
and no views module imports another app's views. Every import in a file counts, inside functions too."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOORS = re.findall(r"^\d+\. \*\*`(\w+)`\*\*", (ROOT / "docs/architecture.md").read_text(), re.M)


def imports(path: Path) -> set[tuple[int, str, str]]:
    """(line, what is imported, the module named there) for every absolute import in the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {(node.lineno, alias.name, alias.name) for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found |= {(node.lineno, f"{node.module}.{alias.name}", node.module) for alias in node.names}
    return found


def test_every_app_imports_only_the_floors_below_it() -> None:
    assert FLOORS[0] == "lib" and FLOORS[-1] == "config" and len(FLOORS) > 10  # the list was read
    wrong = set()
    for floor, app in enumerate(FLOORS):
        for path in sorted((ROOT / app).rglob("*.py")):
            where = path.relative_to(ROOT)
            if {"tests", "migrations"} & set(where.parts):
                continue
            views = "views" in where.parts or path.stem == "views"
            for line, module, named in imports(path):
                top = module.split(".")[0]
                below = top in FLOORS[:floor] and app != "lib"
                if top in FLOORS and top != app and (not below or (views and ".views" in module)):
                    wrong.add(f"{where}:{line} imports {named}")
    assert not wrong, "imports against the floors (docs/architecture.md):\n" + "\n".join(sorted(wrong))


def test_test_modules_import_no_other_test_module_and_no_conftest() -> None:
    """Shared test code lives in tests/support (helpers) and the root conftest.py (fixtures): a test module
    that imports another one, or a conftest, runs that module's fixtures and tests where nobody looks."""
    wrong = set()
    for path in sorted(ROOT.rglob("*.py")):
        where = path.relative_to(ROOT)
        if where.parts[0] in {".venv", "node_modules"} or not ({"tests"} & set(where.parts) or path.stem == "conftest"):
            continue
        for line, _module, named in imports(path):
            if any(part.startswith("test_") or part == "conftest" for part in named.split(".")):
                wrong.add(f"{where}:{line} imports {named}")
    assert not wrong, "test code importing test modules (move what is shared to tests/support):\n" + "\n".join(
        sorted(wrong)
    )
