"""Layers point down: every import inside the package follows docs/architecture.md.

The test reads every module's source with :mod:`ast` (imports inside functions
count too: a lazy import is still a dependency) and checks each import of
``logistic_neuron.X`` against the table below.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "logistic_neuron"

#: room -> rooms it may import (besides itself). Leaves first, the top last.
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "version": set(),
    "neuron": {"errors"},
    "data": {"errors", "neuron"},
    "engines": {"errors", "neuron", "data"},
    "storage": {"errors", "version", "neuron", "data"},
    "lesson": {"errors", "neuron", "storage"},
    "pictures": {"errors", "version", "neuron", "data", "engines", "storage", "lesson"},
    "estimator": {"errors", "version", "neuron", "data", "engines", "storage"},
    "web": {"errors", "version", "neuron", "data", "engines", "storage", "pictures"},
    "cli": {
        "errors",
        "version",
        "neuron",
        "data",
        "engines",
        "storage",
        "lesson",
        "pictures",
        "estimator",
        "web",
    },
    # The package's front door re-exports the public API; __main__ starts the CLI.
    "__init__": {"errors", "version", "neuron", "engines", "estimator"},
    "__main__": {"cli"},
}


def room_of(path: Path, package: Path = PACKAGE) -> str:
    """The room a module file belongs to: its subpackage, or its own name at the top."""
    parts = path.relative_to(package).with_suffix("").parts
    return parts[0]


def imported_rooms(path: Path) -> list[tuple[int, str]]:
    """(line, room) for every import of the package in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "logistic_neuron":
                # ``from logistic_neuron import x``: x is the room.
                names = [f"logistic_neuron.{alias.name}" for alias in node.names]
            else:
                names = [node.module]
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            raise AssertionError(f"{path}: use absolute imports (line {node.lineno})")
        for name in names:
            parts = name.split(".")
            if parts[0] == "logistic_neuron" and len(parts) > 1:
                found.append((node.lineno, parts[1]))
    return found


def violations(package: Path = PACKAGE) -> list[str]:
    """Every import that points up or sideways against :data:`ALLOWED`."""
    wrong = []
    for path in sorted(package.rglob("*.py")):
        room = room_of(path, package)
        allowed = ALLOWED.get(room)
        if allowed is None:
            wrong.append(f"{path.relative_to(package)}: room {room!r} is not in the layer table")
            continue
        for line, target in imported_rooms(path):
            if target != room and target not in allowed:
                wrong.append(f"{path.relative_to(package)}:{line}: {room} may not import {target}")
    return wrong


def test_every_import_points_down():
    assert violations() == []


def test_every_room_has_a_docstring_saying_what_it_may_import():
    for init in sorted(PACKAGE.glob("*/__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text()))
        assert doc, f"{init.parent.name}/__init__.py has no docstring"
        assert "May import" in doc, f"{init.parent.name}: the docstring must say what it may import"


@pytest.mark.parametrize(
    ("room", "module", "statement"),
    [
        ("neuron", "activation.py", "from logistic_neuron.engines import fit"),
        ("data", "images.py", "import logistic_neuron.cli.main"),
        ("storage", "atomic.py", "def f():\n    from logistic_neuron.pictures import plots\n"),
        ("engines", "resolver.py", "from logistic_neuron import estimator"),
    ],
)
def test_a_wrong_import_is_caught(tmp_path, room, module, statement):
    # A copy of the package with one import pointing up must fail the check.
    import shutil

    copy = tmp_path / "logistic_neuron"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    target = copy / room / module
    target.write_text(target.read_text() + "\n" + statement + "\n")
    found = violations(copy)
    assert len(found) == 1
    assert found[0].startswith(f"{room}/{module}:")
    assert "may not import" in found[0]
