"""The package's rooms and layers (docs/development.md): imports point down, never up, never in a circle."""

from __future__ import annotations

from cytokg.docs import LAYERS, architecture_diagram, layer, module_imports, read_block, room

from .conftest import ROOT

PACKAGE = ROOT / "src" / "cytokg"


def upward_imports(edges: dict[str, set[str]]) -> list[str]:
    """Imports from a module into another room of the same or a higher layer."""
    return sorted(
        f"{module} imports {target}"
        for module, targets in edges.items()
        for target in targets
        if room(target) != room(module) and layer(room(target)) <= layer(room(module))
    )


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Import cycles between modules, each as the path that closes it."""
    found: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(edges.get(module, ())):
            if state.get(target) == 1:
                found.append([*path[path.index(target) :], target] if target in path else [module, target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    return found


def test_imports_point_down() -> None:
    edges = module_imports(PACKAGE)
    assert {room(module) for module in edges} <= {name for rooms in LAYERS for name in rooms}
    assert upward_imports(edges) == [], "move the helper down a layer, or the importing code up"


def test_no_import_cycles() -> None:
    assert cycles(module_imports(PACKAGE)) == []


def test_the_checks_catch_an_upward_import_and_a_cycle() -> None:
    """The rules themselves fail on a bad graph: compile importing the web app, and two modules in a circle."""
    bad = {"compile.catalog": {"web.app"}, "web.app": set(), "queries": {"docs"}, "docs": {"queries"}}
    assert "compile.catalog imports web.app" in upward_imports(bad)
    assert "queries imports docs" in upward_imports(bad)
    assert cycles(bad) == [["docs", "queries", "docs"]]


def test_the_architecture_diagram_matches_the_code() -> None:
    expected = f"```mermaid\n{architecture_diagram(PACKAGE)}```\n"
    assert read_block(ROOT / "docs" / "development.md", "architecture") == expected, (
        "run `cytokg diagram --architecture --update docs/development.md`"
    )


#: The table steps of compile/: each turns some curated tables into statements, beside the others.
STEPS = {"catalog", "cells", "claims", "effects", "diseases", "drugs", "sources", "imports", "links"}


def test_compile_steps_are_peers() -> None:
    """No table step imports another: shared helpers (IRIs, provenance, subjects) live below them."""
    edges = module_imports(PACKAGE)
    crossing = sorted(
        f"{module} imports {target}"
        for module, targets in edges.items()
        if module.removeprefix("compile.") in STEPS and module.startswith("compile.")
        for target in targets
        if target.startswith("compile.") and target.removeprefix("compile.") in STEPS
    )
    assert crossing == []
    assert {f"compile.{step}" for step in STEPS} <= set(edges), "a step was renamed: update STEPS"
