"""The import-layers contract: no module imports a layer above its own, and packages import each other without cycles.

Layers, from the top: faces (the CLI, the web workbench, the package's public API) → the case and the reports →
the pipeline, search and web capture → the archive → the store → the pure cores (text, extract, analysis and the
cores of claims, resolve and papers) → the model (records, errors, settings, version). The graph is read from the
source with ``ast``: every import counts, including those inside functions and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
ROOT = "organwatch"

LAYERS: list[tuple[str, tuple[str, ...]]] = [  # top first; a module takes the first layer with a matching prefix
    ("faces", ("organwatch.cli", "organwatch.web", "organwatch.__main__")),
    ("case", ("organwatch.case", "organwatch.report", "organwatch.claims.service", "organwatch.claims.entities",
              "organwatch.resolve.service",
              "organwatch.papers.workflow", "organwatch.analysis.case_sources",
              # The stages over a Dask cluster drive a case (its store, blobs and stages) like Case.add does.
              "organwatch.distributed",
              # `organwatch migrate` moves a whole case between stores and verifies it against its log.
              "organwatch.store.postgres.transfer")),
    # Search indexes and queries documents through the store (FTS5 tables, embeddings): a stage over it.
    ("pipeline", ("organwatch.stages", "organwatch.webcapture", "organwatch.search")),
    ("archive", ("organwatch.archive",)),
    ("store", ("organwatch.store",)),
    ("cores", ("organwatch.text", "organwatch.extract", "organwatch.analysis",
               "organwatch.claims", "organwatch.resolve", "organwatch.papers")),
    ("model", ("organwatch.model", "organwatch.errors", "organwatch.settings", "organwatch.version")),
]
RANK = {name: len(LAYERS) - i for i, (name, _) in enumerate(LAYERS)}

#: Imports that go up a layer on purpose: (importer prefix, imported prefix) -> why.
EXCEPTIONS: dict[tuple[str, str], str] = {
    ("organwatch.webcapture", "organwatch.case"):
        "web capture records capture sets through the Case facade (lock, log writer, store and blobs together); "
        "taking those parts one by one is a larger change to a package under active work",
    ("organwatch.archive.rebuild", "organwatch.case"):
        "rebuild-index re-runs every stage over a rebuilt index, which is what the Case wires; the function "
        "belongs to the case layer but lives beside the archive code it drives",
    ("organwatch.archive.verify", "organwatch.case"):
        "verify checks the case as a whole (index, documents, capture sets); it reads through the Case it is given",
    ("organwatch.archive.bundle", "organwatch.case"):
        "bundle exports from an open case; it reads captures and proofs through the Case it is given",
    ("organwatch.archive.verify", "organwatch.webcapture"):
        "capture-set checks are a verification of web captures; until checks are registered they are imported "
        "when verify runs",
    ("organwatch.archive.heads", "organwatch.case"):
        "witness heads are checked against the case's log and tree heads, read through the Case it is given",
    ("organwatch.store.postgres.fulltext", "organwatch.search.folding"):
        "PostgreSQL's trigram search must fold queries exactly as the search layer folds the indexed text "
        "(simplified script, lower case, no accents); the folding is a pure function with no store access",
    ("organwatch.papers.affiliations", "organwatch.store.base"):
        "affiliation counts read stored mentions through a read view (a type only)",
}


def layer_of(module: str) -> str:
    if module == ROOT:
        return "faces"
    for name, prefixes in LAYERS:
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return name
    raise AssertionError(f"{module}: in no layer; add it to LAYERS in tests/test_layers.py")


def _modules() -> dict[str, Path]:
    found = {}
    for path in (SRC / ROOT).rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imports(module: str, path: Path, known: set[str]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            names = [f"{origin}.{alias.name}" if f"{origin}.{alias.name}" in known else origin
                     for alias in node.names]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module:
                found.add(name)
    return found


def graph() -> dict[str, set[str]]:
    modules = _modules()
    return {module: _imports(module, path, set(modules)) for module, path in modules.items()}


def _excepted(importer: str, imported: str) -> bool:
    return any((importer == a or importer.startswith(a + ".")) and (imported == b or imported.startswith(b + "."))
               for a, b in EXCEPTIONS)


def test_no_module_imports_a_layer_above_its_own() -> None:
    upward = sorted(f"{importer} ({layer_of(importer)}) imports {imported} ({layer_of(imported)})"
                    for importer, targets in graph().items() for imported in targets
                    if RANK[layer_of(imported)] > RANK[layer_of(importer)] and not _excepted(importer, imported))
    assert upward == []


def test_every_exception_is_still_needed() -> None:
    edges = graph()
    for (a, b), reason in EXCEPTIONS.items():
        assert reason
        assert any((importer == a or importer.startswith(a + ".")) and (t == b or t.startswith(b + "."))
                   and RANK[layer_of(t)] > RANK[layer_of(importer)]
                   for importer, targets in edges.items() for t in targets), f"{a} -> {b} is no longer used"


def _package(module: str) -> str:
    """The package of a module, with its layer: a package split across layers (claims, resolve, papers keep a
    pure core and a service over the case) is one node per layer."""
    parts = module.split(".")
    return (".".join(parts[:2]) if len(parts) > 1 else module) + "@" + layer_of(module)


def test_no_import_cycle_between_packages() -> None:
    """Tarjan's strongly connected components over the package graph; the explained exceptions are left out."""
    edges: dict[str, set[str]] = defaultdict(set)
    for importer, targets in graph().items():
        for imported in targets:
            a, b = _package(importer), _package(imported)
            if a != b and imported != ROOT and not _excepted(importer, imported):
                edges[a].add(b)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(edges[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(list(edges)):
        if node not in index:
            visit(node)
    assert cycles == [], [sorted((a, b) for a in c for b in edges[a] if b in c) for c in cycles]


def test_the_graph_is_read() -> None:
    edges = graph()
    assert "organwatch.cli.archive" in edges and "organwatch.case" in edges["organwatch.cli.archive"]
    assert layer_of("organwatch.cli.common") == "faces" and layer_of("organwatch.model.refs") == "model"
