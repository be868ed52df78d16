"""The package's layout: kinds own the kind branches, few loose modules, the CLI alone
raises UsageError, the remote client does not need the local server's manager (issue 9);
imports only point down, leaves import nothing above them, no cycles (issue 18)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOOLKIT = ROOT / "toolkit"
KIND_BRANCH = re.compile(r"kind (==|!=|in|not in) |\.kind (==|!=|in|not in)")


def _sources(folder: Path = TOOLKIT):
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def test_no_branch_on_a_kind_name_outside_the_kinds_package():
    found = [f"{path.relative_to(ROOT)}:{number}"
             for path in _sources() if "kinds" not in path.relative_to(TOOLKIT).parts[:1]
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if KIND_BRANCH.search(line)]
    assert len(found) <= 3, found


def test_at_most_ten_modules_at_the_package_root():
    assert len(list(TOOLKIT.glob("*.py"))) <= 10


def test_only_the_cli_raises_usage_error():
    found = [str(path.relative_to(ROOT)) for path in _sources()
             if "cli" not in path.relative_to(TOOLKIT).parts[:1]
             and "raise UsageError" in path.read_text(encoding="utf-8")]
    assert found == []


def test_the_remote_client_does_not_import_the_local_server_manager():
    code = ("import sys, toolkit.studio.connection; "
            "print('toolkit.studio.server' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


# -- direction: imports only point down (issue 18) ------------------------------------------

#: the function-local imports of toolkit modules allowed: lazy loads of modules that pull a
#: heavy third-party library (datasets, numpy) into a command or a schema load that does not
#: need it. module -> the toolkit modules it may import inside a function.
LAZY_ALLOWED = {
    "toolkit.rules.label_model": {"toolkit.rules.dawid_skene"},  # numpy, when fitting
    "toolkit.rules.model_vote": {"toolkit.rules.crowdlab"},  # numpy, when deciding
    "toolkit.cli.report": {"toolkit.html_report"},  # numpy, datasets
    "toolkit.cli.build": {"toolkit.dataset"},  # datasets
    "toolkit.cli.pipeline": {"toolkit.workflows.sync", "toolkit.workflows.demo"},  # datasets
}
#: packages that are leaves: what they may import of the toolkit
LEAVES = {
    "toolkit.kinds": ("toolkit.kinds", "toolkit.schema", "toolkit.errors", "toolkit.provenance",
                      "toolkit.registry"),
    "toolkit.rules": ("toolkit.rules", "toolkit.kinds", "toolkit.schema", "toolkit.provenance",
                      "toolkit.findings", "toolkit.registry"),
    "toolkit.columns": ("toolkit.columns",),
    "toolkit.runtime": ("toolkit.runtime",),
}


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> tuple[list[str], list[tuple[int, str]]]:
    """(toolkit modules imported at module level, [(line, module)] imported in functions);
    imports under ``if TYPE_CHECKING:`` are not imports at run time."""
    import ast

    module = _module(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))

    def targets(node: ast.AST) -> list[str]:
        if isinstance(node, ast.Import):
            return [a.name for a in node.names if a.name.startswith("toolkit")]
        assert isinstance(node, ast.ImportFrom)
        if node.level:
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            name = ".".join(base + ([node.module] if node.module else []))
        else:
            name = node.module or ""
        if not name.startswith("toolkit"):
            return []
        out = []
        for alias in node.names:  # `from . import x` imports the module toolkit.x
            sub = f"{name}.{alias.name}"
            is_module = (ROOT / Path(*sub.split("."))).with_suffix(".py").exists() or \
                (ROOT / Path(*sub.split("."))).is_dir()
            out.append(sub if is_module else name)
        return out

    top: list[str] = []
    local: list[tuple[int, str]] = []

    def walk(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and getattr(child.test, "id", None) == "TYPE_CHECKING":
                continue
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                names = targets(child)
                if in_function:
                    local.extend((child.lineno, name) for name in names)
                else:
                    top.extend(names)
            walk(child, in_function or isinstance(child, (ast.FunctionDef,
                                                          ast.AsyncFunctionDef)))

    walk(tree, False)
    return top, local


def _graph() -> dict[str, set[str]]:
    return {_module(path): set(_imports(path)[0]) for path in _sources()}


def test_function_local_imports_of_toolkit_modules_are_only_the_allowed_lazy_loads():
    found = [(_module(path), line, name) for path in _sources()
             for line, name in _imports(path)[1]]
    unexpected = [f"{module}:{line} imports {name}" for module, line, name in found
                  if name not in LAZY_ALLOWED.get(module, set())]
    assert unexpected == []
    statements = {(module, line) for module, line, _ in found}
    assert len(statements) <= 6, sorted(statements)


def test_leaf_packages_import_nothing_above_them():
    wrong = [f"{module} imports {name}" for module, names in _graph().items()
             for leaf, allowed in LEAVES.items() if module.startswith(leaf)
             for name in sorted(names) if not name.startswith(allowed)]
    assert wrong == []


def test_no_import_cycle_among_module_level_imports():
    graph = _graph()
    modules = set(graph)

    def resolve(name: str) -> str:  # `from toolkit.x import name` -> the module toolkit.x
        while name not in modules and "." in name:
            name = name.rpartition(".")[0]
        return name

    edges = {m: {resolve(n) for n in names} - {m} for m, names in graph.items()}
    # a package imports its own submodules by design (its __init__); a submodule importing
    # its package's __init__ while the __init__ imports it back is a real cycle
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module, [])
    assert cycles == []


def test_the_package_exports_every_stage_and_importing_it_loads_no_heavy_library():
    code = ("import sys, toolkit; "
            "heavy = sorted(m for m in ('datasets', 'label_studio_sdk', 'numpy') "
            "if m in sys.modules); "
            "names = [n for n in ('ingest', 'connect', 'push', 'pull', 'review_snapshot', "
            "'build_dataset', 'write_report', 'adjudicate', 'publish_folder', 'sync') "
            "if not callable(getattr(toolkit, n))]; "
            "print(heavy, names, sorted(set(toolkit.__all__) - set(dir(toolkit)) - "
            "set(toolkit._LAZY)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert out.stdout.strip() == "[] [] []"
