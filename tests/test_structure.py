"""The map of the house holds: imports go one way (features → messaging/core → models), requests commit once."""
import ast
import pathlib
from collections import defaultdict

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "watch"
# Everything below the features. None of these may import a feature package.
FOUNDATION = {"config", "extensions", "models", "core", "jobs", "messaging", "audit"}
# The composition roots: they wire features together, so they may import any of them.
ROOTS = {"__init__", "cli", "demo"}
# Capabilities whose services are split into sub-domain modules instead of one services.py.
SPLIT_SERVICES = {"groups"}


def _part_of(module: str) -> str | None:
    """watch.alerts.sending → alerts; watch.config → config; anything outside watch → None."""
    parts = module.split(".")
    return parts[1] if parts[0] == "watch" and len(parts) > 1 else None


def _imports() -> dict[str, dict[str, str]]:
    """{part: {imported part: one file that imports it}} for every module of the package."""
    graph: dict[str, dict[str, str]] = defaultdict(dict)
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        part = relative.parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                modules = [f"{node.module}.{alias.name}" for alias in node.names] if node.module == "watch" \
                    else [node.module]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            else:
                continue
            for module in modules:
                target = _part_of(module)
                if target and target != part:
                    graph[part].setdefault(target, str(relative))
    return graph


def test_lower_layers_import_no_feature():
    graph = _imports()
    wrong = {(part, target, path) for part in FOUNDATION for target, path in graph.get(part, {}).items()
             if target not in FOUNDATION}
    assert not wrong, f"a lower layer imports a feature: {sorted(wrong)}"


def test_no_two_packages_import_each_other():
    graph = {part: set(targets) - ROOTS for part, targets in _imports().items() if part not in ROOTS}

    def cycle_from(start, node, seen):
        for target in graph.get(node, ()):
            if target == start:
                return [node, target]
            if target not in seen:
                seen.add(target)
                if path := cycle_from(start, target, seen):
                    return [node, *path]
        return None

    cycles = [cycle for part in graph if (cycle := cycle_from(part, part, set()))]
    assert not cycles, f"packages that import each other, directly or round about: {cycles}"


@pytest.mark.parametrize("path", sorted(p for p in PACKAGE.rglob("*.py") if p.name in ("routes.py", "services.py")
                                        or p.parent.name in SPLIT_SERVICES),
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_routes_and_services_never_commit(path):
    """The request commits once at its end (watch.core.transaction); a service only flushes."""
    commits = [node.lineno for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
               if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "commit"]
    assert not commits, f"{path.name} commits on lines {commits}"


def test_no_file_holds_a_merge_conflict_marker():
    root = PACKAGE.parent
    suffixes = {".py", ".html", ".txt", ".md", ".css", ".js", ".po", ".cfg", ".toml", ".sh"}
    folders = ("watch", "templates", "static/css", "static/js", "translations", "tests", "docs", "benchmarks",
               "deploy", "migrations")
    files = [root / "README.md", root / "Makefile", *(path for folder in folders for path in (root / folder).rglob("*")
                                                    if path.suffix in suffixes)]
    marked = [str(path.relative_to(root)) for path in files if path.is_file() and any(
        line.startswith(("<<<<<<< ", ">>>>>>> ")) for line in path.read_text(encoding="utf-8").splitlines())]
    assert not marked, f"merge conflict markers in {marked}"
