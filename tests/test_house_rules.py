"""House rules that a grep can check (docs/style.md "Time": never the server's zone; "Tests": no
test imports another test module)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "needlepoint"
ALLOWED = {ROOT / "core" / "dates.py"}
SERVER_TODAY = re.compile(
    r"\btimezone\.localdate\(|\bdate\.today\(|\.astimezone\([^)]*\)\.date\(\)"
)


def test_today_comes_from_core_dates_in_a_named_zone():
    """`timezone.localdate()` and `date.today()` give the server's date, and a day worked out
    inline is a rule written twice; use `needlepoint.core.dates.local_today(zone)` and
    `local_day(moment, zone)` with the location's or organization's zone."""
    offences = [
        f"{path.relative_to(ROOT.parent)}:{number}: {line.strip()}"
        for path in sorted(ROOT.rglob("*.py"))
        if "migrations" not in path.parts and path not in ALLOWED
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SERVER_TODAY.search(line)
    ]
    assert not offences, (
        "Use core.dates.local_today(zone) or local_day(moment, zone) instead:\n"
        + "\n".join(offences)
    )


TESTS = Path(__file__).resolve().parent
OTHER_TEST_MODULE = re.compile(
    r"^\s*(?:from\s+tests(?:\.\w+)*\.test_\w*|import\s+tests(?:\.\w+)*\.test_\w*"
    r"|from\s+tests(?:\.\w+)*\s+import\s+\(?\s*test_\w*)",
    re.M,
)


def test_no_test_imports_another_test_module():
    """Shared personas, factories, worlds and helpers live in `tests/support/` (docs/style.md
    "Tests"); a test module never imports from another one."""
    offences = [
        f"{path.relative_to(TESTS.parent)}: {match.group(0).strip()}"
        for folder in (TESTS, TESTS.parent / "e2e")
        for path in sorted(folder.rglob("*.py"))
        for match in OTHER_TEST_MODULE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not offences, "Move the helper into tests/support/:\n" + "\n".join(offences)


def _hidden_imports(path: Path) -> list[str]:
    """Imports of our own modules placed inside a function, other than an `AppConfig.ready()`
    (where Django wants them) and `if TYPE_CHECKING:` blocks (never run)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if function.name == "ready" and path.name == "apps.py":
            continue
        for node in ast.walk(function):
            module = ""
            if isinstance(node, ast.ImportFrom):
                module = node.module or ""
            elif isinstance(node, ast.Import):
                module = node.names[0].name
            if module.startswith("needlepoint"):
                found.append(f"{path.relative_to(ROOT.parent)}:{node.lineno}: {module}")
    return found


def test_no_function_level_import_hides_a_cycle():
    """Our own modules are imported at the top, so the import contract in `make lint` sees
    every dependency; a lower app reacts to a higher one through a registered seam
    (docs/architecture.md)."""
    offences = [
        line
        for path in sorted(ROOT.rglob("*.py"))
        if "migrations" not in path.parts
        for line in _hidden_imports(path)
    ]
    assert not offences, "Import at the top of the module:\n" + "\n".join(offences)


REPOSITORY = ROOT.parent
OUTSIDE_DOCUMENT = re.compile(r"\b(?:DOMAIN|SECURITY|API|BENCHMARK|STYLE)\.md\b|\.\./shared\b")


def test_no_reference_points_outside_the_repository():
    """What the code cites lives in `docs/` and `bench/` (docs/architecture.md, "Other
    documents"), so a reader never needs a file the repository does not have."""
    offences = [
        f"{path.relative_to(REPOSITORY)}:{number}"
        for folder in ("needlepoint", "tests", "e2e", "bench", "docs", "templates", "scripts")
        for path in sorted((REPOSITORY / folder).rglob("*"))
        if path.suffix in {".py", ".md", ".html", ".json", ".txt", ".toml"}
        and "results" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if OUTSIDE_DOCUMENT.search(line)
    ]
    offences += [
        f"{name}:{number}"
        for name in ("README.md", "Makefile", "pyproject.toml")
        for number, line in enumerate((REPOSITORY / name).read_text().splitlines(), 1)
        if OUTSIDE_DOCUMENT.search(line)
    ]
    assert not offences, "Cite the repository's own document instead:\n" + "\n".join(offences)
