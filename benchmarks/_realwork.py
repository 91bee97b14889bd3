"""The real-projects measurements, inside one fresh worker process (see ``_worker.py``).

A project's package lies in a temporary directory put first on ``sys.path``: it is the user's
own code to both tools. Its module list (every non-test module that imports in a fresh
interpreter) and its edit targets come from :func:`probe`, run once per benchmark run, which
also warms ``__pycache__`` (a user's project has cached bytecode).

Edits are made on the text of one file and checked after the cell that reloads them: the
edited function is *called* (through the class, or through every module that imported it by
name) and must return the edit's value; a constant must have the new value in every importer.
The tool is loaded before the project is imported, as a profile or a notebook's first cell
does (IPython 9.19's autoreload gets a method's line wrong, line 2, when it reloads a module
imported before it was loaded). A probe line, ``if type(x) is str ...: return N``, is put in
the edited function before the project is imported (so the first timed save only changes
``N``: a body edit that keeps the line count). Normal calls never take it.
"""

from __future__ import annotations

import ast
import dis
import gc
import hashlib
import importlib
import json
import os
import re
import statistics
import sys
import time
import types
import warnings
import weakref
from pathlib import Path
from typing import Any

import _synth
from _worker import Session, per_call, quiet

Spec = dict[str, Any]
PROBE = "hotswap-bench-probe"
MARK = "# hotswap-bench"
LINE = "_hotswap_bench_line = {value}  " + MARK + " (inserted)\n"


def import_modules(root: str, names: list[str]) -> list[str]:
    """Import ``names`` from ``root`` (first on ``sys.path``); the names that failed."""
    sys.path.insert(0, root)
    importlib.invalidate_caches()
    failed = []
    with quiet(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in names:
            try:
                importlib.import_module(name)
            except BaseException:  # a project module may raise anything at import
                failed.append(name)
    return failed


# -- the probe: module list and edit targets -------------------------------------------------


def probe(spec: Spec) -> dict[str, Any]:
    """Which candidates import, and the project's edit targets (unless the spec names them)."""
    root, candidates = spec["root"], spec["candidates"]
    failed = set(import_modules(root, candidates))
    modules = [n for n in candidates if n not in failed and n in sys.modules]
    out: dict[str, Any] = {"modules": modules, "failed": sorted(failed)}
    if spec.get("analyse", True):
        trees = {n: _tree(n) for n in modules}
        trees = {n: t for n, t in trees.items() if t is not None}
        out["method"] = largest_class(trees, spec.get("klass"))
        out["helper"], out["constant"] = most_imported(trees, spec.get("helper"))
    return out


def _tree(name: str) -> ast.Module | None:
    path = getattr(sys.modules[name], "__file__", None)
    if not path or not path.endswith(".py"):
        return None
    try:
        return ast.parse(Path(path).read_text(encoding="utf-8"))
    except (SyntaxError, UnicodeDecodeError, OSError):
        return None


def _plain(node: ast.stmt, first: str | None) -> bool:
    """A plain ``def`` (no decorators): only its first parameter lacks a default."""
    if not isinstance(node, ast.FunctionDef) or node.decorator_list:
        return False
    params = node.args.posonlyargs + node.args.args
    if not params or (first is not None and params[0].arg != first):
        return False
    required = len(params) - len(node.args.defaults)
    kwonly_ok = all(d is not None for d in node.args.kw_defaults)
    one_line = node.lineno == node.body[0].lineno
    return required == 1 and kwonly_ok and not one_line and not _generator(node)


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _generator(node: ast.FunctionDef) -> bool:
    """Whether the function yields (a probe's ``return N`` would not return ``N``)."""
    todo: list[ast.AST] = list(node.body)
    while todo:
        child = todo.pop()
        if isinstance(child, ast.Yield | ast.YieldFrom):
            return True
        if not isinstance(
            child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef
        ):
            todo.extend(ast.iter_child_nodes(child))
    return False


def largest_class(trees: dict[str, ast.Module], wanted: list[str] | None) -> dict[str, Any] | None:
    """The longest top-level class (or ``wanted`` = [module, class]) and a plain method in
    its middle."""
    best: tuple[int, str, ast.ClassDef] | None = None
    for name, tree in trees.items():
        for node in tree.body:
            if not isinstance(node, ast.ClassDef):
                continue
            if wanted and [name, node.name] != wanted:
                continue
            span = (node.end_lineno or node.lineno) - node.lineno
            if best is None or span > best[0]:
                best = (span, name, node)
    if best is None:
        return None
    span, module, klass = best
    methods = [n for n in klass.body if _plain(n, "self")]
    if not methods:
        return None
    middle = (klass.lineno + (klass.end_lineno or klass.lineno)) / 2
    method = min(methods, key=lambda n: abs(n.lineno - middle))
    assert isinstance(method, ast.FunctionDef)
    return {
        "module": module,
        "klass": klass.name,
        "name": method.name,
        "lines": span + 1,
        "methods": sum(isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) for n in klass.body),
    }


def _source_module(importer: str, node: ast.ImportFrom, is_package: bool) -> str | None:
    if not node.level:
        return node.module
    parts = importer.split(".")
    base = parts if is_package else parts[:-1]
    if node.level > 1:
        base = base[: len(base) - (node.level - 1)]
    if not base:
        return None
    return ".".join(base + ([node.module] if node.module else []))


def _definitions(
    trees: dict[str, ast.Module],
) -> tuple[dict[tuple[str, str], ast.Assign], dict[tuple[str, str], ast.FunctionDef]]:
    """The one-line literal constants and the plain functions each module defines at top level."""
    literal: dict[tuple[str, str], ast.Assign] = {}
    defs: dict[tuple[str, str], ast.FunctionDef] = {}
    for name, tree in trees.items():
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if isinstance(target, ast.Name) and _literal(node):
                    literal[(name, target.id)] = node
            elif isinstance(node, ast.FunctionDef) and _plain(node, None):
                defs[(name, node.name)] = node
    return literal, defs


def _literal(node: ast.Assign) -> bool:
    """A one-line int, str or float, or a dict literal of them with str keys (a table such as
    sympy's ``PRECEDENCE``): a value a save can change with one line's edit."""
    value = node.value
    if isinstance(value, ast.Constant):
        return type(value.value) in (int, str, float) and node.lineno == node.end_lineno
    if not isinstance(value, ast.Dict) or not value.keys:
        return False
    try:
        table = ast.literal_eval(value)
    except ValueError:
        return False
    return all(type(k) is str and type(v) in (int, str, float) for k, v in table.items())


def _pick(
    found: dict[tuple[str, str], set[str]], need: int, named: list[str] | None
) -> dict[str, Any] | None:
    """The named one, else the one with the fewest importers that still has ``need``
    (bounded run time), else the one with the most."""
    if named and tuple(named) in found:
        key = (named[0], named[1])
    elif not found:
        return None
    else:
        enough = [k for k, v in found.items() if len(v) >= need]
        key = min(enough, key=lambda k: (len(found[k]), k)) if enough else None
        if key is None:
            key = max(found, key=lambda k: (len(found[k]), k))
    return {"module": key[0], "name": key[1], "importers": sorted(found[key])}


def most_imported(
    trees: dict[str, ast.Module], helper: list[str] | None
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """A plain function imported by name (a top-level ``from m import f``) in 40 or more
    loaded modules, and a literal constant imported by name in 10 or more (what they executed,
    read back from the AST; see ``_pick``)."""
    functions: dict[tuple[str, str], set[str]] = {}
    constants: dict[tuple[str, str], set[str]] = {}
    literal, defs = _definitions(trees)
    for name, tree in trees.items():
        module = sys.modules[name]
        is_package = hasattr(module, "__path__")
        for node in tree.body:
            if not isinstance(node, ast.ImportFrom):
                continue
            source = _source_module(name, node, is_package)
            for alias in node.names:
                bound = module.__dict__.get(alias.asname or alias.name)
                if isinstance(bound, types.FunctionType):
                    key = (bound.__module__, bound.__name__)
                    if key in defs and bound.__qualname__ == bound.__name__:
                        functions.setdefault(key, set()).add(name)
                elif source is not None and (source, alias.name) in literal:
                    constants.setdefault((source, alias.name), set()).add(name)

    # A scalar first; a table only with enough importers (sympy's PRECEDENCE): the fallback,
    # the most imported, is a scalar, as a 3,600-line table with 2 importers (rich's EMOJI)
    # is another edit than this row's.
    scalars = {k: v for k, v in constants.items() if isinstance(literal[k].value, ast.Constant)}
    tables = {k: v for k, v in constants.items() if k not in scalars and len(v) >= 10}
    enough = {k: v for k, v in scalars.items() if len(v) >= 10}
    return _pick(functions, 40, helper), _pick(enough or tables or scalars, 10, None)


# -- edits -------------------------------------------------------------------------------------


def _file(module: str) -> Path:
    return Path(sys.modules[module].__file__ or "")


def _find_function(tree: ast.Module, klass: str | None, name: str) -> ast.FunctionDef:
    body = tree.body
    if klass is not None:
        body = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == klass).body
    return next(n for n in body if isinstance(n, ast.FunctionDef) and n.name == name)


def add_probe(path: Path, klass: str | None, name: str) -> None:
    """Put the probe line (value 0) at the start of the function's body, before the import."""
    text = path.read_text(encoding="utf-8")
    node = _find_function(ast.parse(text), klass, name)
    first = node.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and len(node.body) > 1:
        first = node.body[1]  # after the docstring
    lines = text.splitlines(keepends=True)
    param = (node.args.posonlyargs + node.args.args)[0].arg
    indent = " " * first.col_offset
    probe_line = f"{indent}if type({param}) is str and {param} == {PROBE!r}: return 0  {MARK}\n"
    lines.insert(first.lineno - 1, probe_line)
    stat = path.stat()
    path.write_text("".join(lines), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


_PROBE_LINE = re.compile(r"(: return )-?\d+(  " + re.escape(MARK) + r")\n")


def edited(text: str, value: int, insert: bool) -> str:
    """The text with the probe's value set to ``value``, and a line inserted near the top of
    the file when ``insert`` (removed again when not)."""
    text, count = _PROBE_LINE.subn(rf"\g<1>{value}\g<2>\n", text, count=1)
    assert count == 1, "probe line not found"
    lines = [ln for ln in text.splitlines(keepends=True) if not ln.endswith("(inserted)\n")]
    if insert:
        lines.insert(_top(lines), LINE.format(value=value))
    return "".join(lines)


def _top(lines: list[str]) -> int:
    """The index of the first top-level statement after the docstring and future imports."""
    tree = ast.parse("".join(lines))
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            continue
        return node.lineno - 1
    return len(lines)


def measure_edit(spec: Spec) -> dict[str, Any]:
    """Edits of one function (a method of the largest class, or a helper imported by name in
    many modules), or of one constant imported by name: the first cell after each save."""
    target, what = spec["target"], spec["what"]
    module, name = target["module"], target["name"]
    klass = target.get("klass")
    root = spec["root"]
    if what != "constant":
        path = Path(root, *module.split(".")).with_suffix(".py")
        if not path.exists():
            path = Path(root, *module.split("."), "__init__.py")
        add_probe(path, klass, name)
    session = Session(spec["tool"])
    session.load()  # first, as a profile or a notebook's first cell loads it
    failed = import_modules(root, spec["modules"])
    session.settle()
    path = _file(module)
    stamps = _synth.Stamps()
    text = path.read_text(encoding="utf-8")
    importers = [m for m in target.get("importers", []) if m in sys.modules]
    samples, cpu, problems = [], [], []
    constant = _constant_edits(text, target) if what == "constant" else None
    gc.collect()
    for r in range(spec["edits"]):
        value = r + 1
        if constant is not None:
            new_text, expected = constant(value)
        else:
            insert = spec.get("insert", False) and r % 2 == 0
            new_text, expected = edited(text, value, insert), value
        stamps.write(path, new_text)
        time.sleep(spec.get("pause", 0.0))  # the "paced" row: a person switching windows
        with quiet():
            start, start_cpu = time.perf_counter(), time.process_time()
            session.cell()
            samples.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        problems += _check(what, target, importers, expected, new_text)
    return {
        "first_ms": samples[0] * 1e3,
        "ms": statistics.median(samples[1:] or samples) * 1e3,
        "samples_ms": [s * 1e3 for s in samples],
        "cpu_ms": statistics.median(cpu[1:] or cpu) * 1e3,
        "importers": len(importers),
        "lines": text.count("\n"),
        "failed_imports": len(failed),
        "verified": not problems,
        "problems": problems[:5],
    }


def _constant_edits(text: str, target: dict[str, Any]) -> Any:
    tree = ast.parse(text)
    node = next(
        n
        for n in tree.body
        if isinstance(n, ast.Assign)
        and isinstance(n.targets[0], ast.Name)
        and n.targets[0].id == target["name"]
        and isinstance(n.value, ast.Constant | ast.Dict)
    )
    lines = text.splitlines(keepends=True)
    if isinstance(node.value, ast.Dict):  # a key added after the brace: no line moves
        table = ast.literal_eval(node.value)

        def add(value: int) -> tuple[str, Any]:
            line, at = lines[node.value.lineno - 1], node.value.col_offset + 1
            changed = [*lines]
            changed[node.value.lineno - 1] = f"{line[:at]}'_hotswap_bench': {value}, {line[at:]}"
            return "".join(changed), {"_hotswap_bench": value, **table}

        return add
    assert isinstance(node.value, ast.Constant)
    old = node.value.value

    def make(value: int) -> tuple[str, Any]:
        new: Any = old + 1000 + value if not isinstance(old, str) else f"{old}-hotswap{value}"
        line = lines[node.lineno - 1]
        before, after = line[: node.value.col_offset], line[node.value.end_col_offset or 0 :]
        changed = [*lines]
        changed[node.lineno - 1] = before + repr(new) + after
        return "".join(changed), new

    return make


def _check(
    what: str, target: dict[str, Any], importers: list[str], expected: Any, text: str
) -> list[str]:
    """What is not as a fresh run of ``text`` would have it (empty when all is right)."""
    module, name = target["module"], target["name"]
    problems = []
    try:
        if what == "method":
            method = getattr(getattr(sys.modules[module], target["klass"]), name)
            got = method(PROBE)
            if got != expected:
                problems.append(f"{target['klass']}.{name}() returned {got!r}, not {expected!r}")
            line = _find_function(ast.parse(text), target["klass"], name).lineno
            if method.__code__.co_firstlineno != line:
                problems.append(f"{name} reports line {method.__code__.co_firstlineno}, not {line}")
            return problems
        for holder in [module, *importers]:
            bound = getattr(sys.modules[holder], name, None)
            got = bound if what == "constant" else bound(PROBE)  # type: ignore[misc]
            if got != expected:
                problems.append(f"{holder}.{name}: {_short(got)}, not {_short(expected)}")
    except Exception as exc:  # the check itself failing is a failed row
        problems.append(f"check raised {type(exc).__name__}: {exc}")
    return problems


def _short(value: Any) -> str:
    """``repr(value)``, cut to a line (a table's is thousands of characters)."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


# -- whole project: import, per cell -----------------------------------------------------------


def measure_load(spec: Spec) -> dict[str, Any]:
    """Import the whole project with the tool loaded first (as a profile loads it), or with no
    reloader; then (unless ``import_only``) the per-cell cost with everything loaded and nothing
    changed."""
    tool = spec["tool"]
    session = Session("ipython" if tool == "none" else tool)
    if tool != "none":
        session.load()
    gc.collect()
    start, start_cpu = time.perf_counter(), time.process_time()
    failed = import_modules(spec["root"], spec["modules"])
    import_s, import_cpu = time.perf_counter() - start, time.process_time() - start_cpu
    if spec.get("import_only"):
        return {"import_ms": import_s * 1e3, "import_cpu_ms": import_cpu * 1e3}
    if tool != "none":
        session.settle()
    gc.collect()
    out: dict[str, Any] = {
        "held_kib": held_bytes(session) / 1024 if tool != "none" else None,
        "import_ms": import_s * 1e3,
        "import_cpu_ms": import_cpu * 1e3,
        "failed_imports": len(failed),
        "modules": len(sys.modules),
        "gc_objects": len(gc.get_objects()),
    }
    budget, repeats = spec.get("budget", 1.0), spec.get("repeats", 7)
    if tool != "none":
        samples, _ = per_call(session.cell, budget, repeats)
        out["callbacks_us"] = statistics.median(samples) * 1e6
    for key, source in (("", "pass"), ("import_", "from os import path")):
        on, off = cell_share(session, source, budget, 3 * repeats, tool != "none")
        out[f"{key}run_cell_us"] = statistics.median(on) * 1e6
        if off:
            out[f"{key}run_cell_off_us"] = statistics.median(off) * 1e6
            out[f"{key}us"] = paired(on, off) * 1e6
            out[f"samples_{key}us"] = [(a - b) * 1e6 for a, b in zip(on, off, strict=True)]
    return out


def held_bytes(session: Session) -> int:
    """What the tool keeps about the project: the objects its callbacks are bound to (and, for
    hotswap, the tracker they share), followed through containers and instance attributes,
    not into the program's own modules, functions, classes and code, nor into the shell."""
    from traitlets import HasTraits

    roots = [c.__self__ for cs in session.added.values() for c in cs if hasattr(c, "__self__")]
    if session.tool.startswith("hotswap"):
        from hotswap._detect.tracker import TRACKER

        roots.append(TRACKER)
        # and the tables its modules keep (class records, analyses, parsed sources' bases)
        for name, module in list(sys.modules.items()):
            if name.startswith("hotswap."):
                roots.extend(
                    v
                    for k, v in vars(module).items()
                    if type(v) in (dict, list, set) and not k.startswith("__")
                )
    stop = (types.ModuleType, types.FunctionType, type, types.CodeType, types.MethodType, HasTraits)
    seen = {id(r) for r in roots}
    stack: list[Any] = [attribute for r in roots for attribute in _parts(r)]
    total = sum(sys.getsizeof(r) for r in roots)
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, stop):
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj)
        stack.extend(_parts(obj))
    return total


def _parts(obj: Any) -> list[Any]:
    if isinstance(obj, dict):
        return [*obj.keys(), *obj.values()]
    if isinstance(obj, list | tuple | set | frozenset):
        return list(obj)
    if isinstance(obj, str | bytes | int | float | weakref.ref):
        return []  # (a weak reference is counted, not what it refers to)
    parts = list(vars(obj).values()) if hasattr(obj, "__dict__") else []
    for klass in type(obj).__mro__:
        for slot in getattr(klass, "__slots__", ()):
            if hasattr(obj, slot):
                parts.append(getattr(obj, slot))
    return parts


def cell_share(
    session: Session, source: str, budget: float, repeats: int, tool: bool
) -> tuple[list[float], list[float]]:
    """Seconds per ``run_cell(source)``: batches with the tool's callbacks registered and with
    them taken off the shell (same process, same heap), in alternation."""
    shell = session.shell

    def cell() -> None:
        shell.run_cell(source, store_history=True)

    on: list[float] = []
    off: list[float] = []
    with quiet():
        cell()
        for _ in range(repeats):
            on += per_call(cell, budget / repeats / 4, 1)[0]
            if tool:
                _detach(session, True)
                off += per_call(cell, budget / repeats / 4, 1)[0]
                _detach(session, False)
    return on, off


def paired(on: list[float], off: list[float]) -> float:
    """The tool's share of a cell: the median of the differences of batches run one after the
    other (with its callbacks, then without), which a slow drift of the machine's speed moves
    less than the difference of the two medians (runs of this bench: 5 to 45 us for the same
    share, where the callbacks alone measure 5 to 7)."""
    return statistics.median(a - b for a, b in zip(on, off, strict=True))


def _detach(session: Session, off: bool) -> None:
    events = session.shell.events
    for name, callbacks in session.added.items():
        for callback in callbacks:
            if off:
                events.unregister(name, callback)
            else:
                events.register(name, callback)


# -- a branch checkout -------------------------------------------------------------------------


def fingerprints(modules: list[str], root: str) -> dict[str, dict[str, str]]:
    """What each module defines, as a fresh run would: its functions and classes (code,
    constants, names and first line, recursively), its simple values (repr) and the type of
    the others. The tree's directory reads ``<root>`` (the session and the fresh run import
    the same files from two copies: ``here = os.path.dirname(__file__)``)."""
    out = {}
    where = os.path.realpath(root)
    for name in modules:
        module = sys.modules.get(name)
        if module is None:
            continue
        values = {}
        for key, value in list(vars(module).items()):
            if key.startswith("__") and key != "__all__":
                continue
            values[key] = _fingerprint(value, name).replace(where, "<root>")
        out[name] = values
    return out


_IGNORED_OPS = frozenset({"PUSH_NULL", "PRECALL", "CACHE", "NOP", "EXTENDED_ARG"})
_SAME_OPS = {"LOAD_METHOD": "LOAD_ATTR"}
_SIMPLE = (int, float, str, bytes, bool, type(None), complex)


def _fingerprint(value: Any, module: str, depth: int = 0) -> str:
    if isinstance(value, _SIMPLE):
        return repr(value)[:200]
    if isinstance(value, tuple | frozenset) and all(isinstance(v, _SIMPLE) for v in value):
        return repr(sorted(map(repr, value)) if isinstance(value, frozenset) else value)[:200]
    if isinstance(value, types.FunctionType) and value.__module__ == module:
        return "def " + _code(value.__code__)
    if isinstance(value, type) and value.__module__ == module and depth == 0:
        members = [f"{key}={print_}" for key, print_ in class_members(value, module).items()]
        return "class " + hashlib.sha1("\n".join(members).encode()).hexdigest()[:16]
    if isinstance(value, types.ModuleType):
        return "module " + value.__name__
    return "a " + type(value).__qualname__


def class_members(cls: type, module: str) -> dict[str, str]:
    """The fingerprint of each member of a class of ``module`` (methods by their function,
    properties by their getter), in name order."""
    out = {}
    for key, member in sorted(vars(cls).items()):
        if key in ("__dict__", "__weakref__", "__doc__", "__module__"):
            continue
        inner = getattr(member, "__func__", None) or getattr(member, "fget", None) or member
        out[key] = _fingerprint(inner, module, 1)
    return out


def _code(code: types.CodeType) -> str:
    """A code object's fingerprint, equal for equal source however it was compiled: CPython
    3.11 compiles ``module.attr(...)`` to ``LOAD_ATTR`` when ``module`` is imported in the same
    compilation unit and to ``LOAD_METHOD`` otherwise (a statement compiled alone), so the
    instructions are compared by name and argument, without those details and jump offsets."""
    ops = []
    for ins in dis.get_instructions(code):
        if ins.opname in _IGNORED_OPS:
            continue
        name = _SAME_OPS.get(ins.opname, ins.opname)
        arg = "" if ins.opcode in dis.hasjrel or ins.opcode in dis.hasjabs else repr(ins.argval)
        if isinstance(ins.argval, types.CodeType):
            arg = ""
        elif isinstance(ins.argval, frozenset):
            arg = _sorted_repr(ins.argval)
        ops.append(f"{name} {arg}")
    parts = ["\n".join(ops), repr(code.co_names), str(code.co_firstlineno)]
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            parts.append(_code(const))
        elif isinstance(const, frozenset):  # ``x in {"a", "b"}``
            parts.append(_sorted_repr(const)[:200])
        else:
            parts.append(repr(const)[:200])
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]


def _sorted_repr(value: frozenset[Any]) -> str:
    """A ``frozenset``'s repr in an order that does not follow the per-process string hash."""
    return repr(sorted(map(repr, value)))


def oracle(spec: Spec) -> dict[str, Any]:
    """A fresh interpreter's view of the checked-out tree."""
    failed = import_modules(spec["root"], spec["modules"])
    return {"fingerprints": fingerprints(spec["modules"], spec["root"]), "failed": failed}


def measure_checkout(spec: Spec) -> dict[str, Any]:
    """Swap the files of a branch checkout at once; the first cell after; then every module
    compared with a fresh interpreter's import of the new tree."""
    root, new_root = Path(spec["root"]), Path(spec["new_root"])
    session = Session(spec["tool"])
    session.load()
    failed = import_modules(str(root), spec["modules"])
    loaded = {n for n in spec["modules"] if n in sys.modules}
    session.settle()
    stamp = time.time_ns() + 1_000_000_000
    loaded_files = {os.path.realpath(getattr(sys.modules[n], "__file__", "") or "") for n in loaded}
    touched_loaded = 0
    for rel in spec["changed"]:
        src, dst = new_root / rel, root / rel
        if src.exists():
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_bytes(src.read_bytes())
            os.utime(dst, ns=(stamp, stamp))
        elif dst.exists():
            dst.unlink()
        touched_loaded += os.path.realpath(dst) in loaded_files
    gc.collect()
    with quiet():
        start, start_cpu = time.perf_counter(), time.process_time()
        session.cell()
        seconds, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    oracle = json.loads(Path(spec["expected"]).read_text(encoding="utf-8"))
    expected, undecided = oracle["agreed"], set(oracle["undecided"])
    got = fingerprints(sorted(loaded), str(root))
    wrong = []
    for name, values in expected.items():
        mine = got.get(name)
        if mine is None:
            continue
        keys = set(values) | {k for k in mine if f"{name}.{k}" not in undecided}
        bad = sorted(k for k in keys if values.get(k) != mine.get(k))
        if bad:
            first = bad[0]
            wrong.append(
                f"{name}: {len(bad)} names ({', '.join(bad[:4])}); {first}: fresh "
                f"{values.get(first, 'missing')!r}, session {mine.get(first, 'missing')!r}"
            )
    return {
        "ms": seconds * 1e3,
        "cpu_ms": cpu * 1e3,
        "files": len(spec["changed"]),
        "loaded_files": touched_loaded,
        "compared": len([n for n in expected if n in got]),
        "mismatched": len(wrong),
        "mismatches": wrong[:20],
        "failed_imports": len(failed),
        "verified": not wrong,
    }
