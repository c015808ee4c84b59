"""Dependencies point one way: the domain apps import core, core imports no
app (docs/architecture.md). Shared mechanisms that need to know about the
modules learn it from the module registry (core/modules.py), filled by each
app's AppConfig.ready()."""

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[1]
APPS = {
    path.name
    for path in CORE.parent.iterdir()
    if path.is_dir() and (path / "apps.py").exists() and path.name != "core"
}


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_core_imports_no_app():
    found = []
    for path in sorted(CORE.rglob("*.py")):
        if "tests" in path.relative_to(CORE).parts:
            continue  # tests may build records of every module
        for module in _imports(path):
            parts = module.split(".")
            if parts[0] == "tromeja" and len(parts) > 1 and parts[1] in APPS:
                found.append(f"{path.relative_to(CORE.parent)}: {module}")
    assert not found, "core must not import an app:\n" + "\n".join(found)


WRITERS = {
    "services.py",
    "reference_services.py",
    "duty.py",
    "consult.py",
    "audit.py",
    "signals.py",
}


def test_audit_entries_are_written_by_the_mechanisms_not_by_views():
    # Services (and the exchange's duty services) write their entries, reads
    # and disclosures go through core/consult.py, sign-ins through the
    # accounts signals: a view, endpoint or query never calls the trail itself.
    found = []
    for path in sorted(CORE.parent.rglob("*.py")):
        parts = path.relative_to(CORE.parent).parts
        if "tests" in parts or "migrations" in parts or path.name in WRITERS:
            continue
        text = path.read_text(encoding="utf-8")
        if "audit.log(" in text or "audit.log_many(" in text:
            found.append(str(path.relative_to(CORE.parent)))
    assert not found, f"write audit entries through a service or core/consult.py: {found}"
