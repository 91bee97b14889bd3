"""A small model of multi-module Python programs and their source text, and the fuzz story.

The differential fuzzer (``tests/test_fuzz.py``) edits *models*, not text: a :class:`Program` is
2-4 modules ``fza``, ``fzb``, ... where module ``i`` may import only modules before it (so a
fresh import never fails on a cycle). Every module-level definition has a ``serial`` that grows
with each creation; a function body may call only definitions with a lower serial and a method may
call only methods with a lower number, so no generated program recurses forever. References to
another module are written ``from fza import f1``, ``fza.f1`` or ``f1`` after
``from fza import *`` (the reference's ``style``); the import lines are derived from the
references, so a model always renders to importable source. The session and its probes are in
``tests/_fuzz_probes.py``; a :class:`Story` (files, session, saves) is what the fuzzer runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

MODULES = ("fza", "fzb", "fzc", "fzd")

Style = Literal["local", "from", "attr", "star"]
MethodKind = Literal["plain", "static", "class", "property", "cached"]
TailKind = Literal["call", "registry", "closure", "instance"]


@dataclass(frozen=True)
class Ref:
    """A use of module-level name ``name`` of module ``module`` (``local`` in its own module)."""

    module: int
    name: str
    style: Style


# Expressions are nested tuples (hashable, printable, easy to shrink):
#   ("x",) ("d",) ("k",)            the parameter, the default-valued parameter, a factory's k
#   ("lit", int)                    a literal
#   ("const", Ref)                  a module-level constant
#   ("call", Ref, expr)             a module-level function called with one argument
#   ("self", method, expr)          self.method(expr) (cls.method(expr) in a classmethod)
#   ("attr", name)                  self.NAME / cls.NAME (a class attribute)
#   ("super", method, expr)         super().method(expr)
#   ("bin", op, expr, expr)         op in "+", "-", "*"
Expr = tuple[object, ...]


@dataclass(frozen=True)
class Const:
    name: str
    serial: int
    value: Expr


@dataclass(frozen=True)
class Deco:
    """``def deco(fn)`` returning a wrapper that scales the result (``functools.wraps`` or not)."""

    name: str
    serial: int
    factor: int
    wraps: bool


@dataclass(frozen=True)
class Func:
    name: str
    serial: int
    body: Expr
    default: Expr | None = None  # ``def f(x, d=<default>)``
    decorators: tuple[Ref | None, ...] = ()  # None: ``@functools.lru_cache(maxsize=None)``
    doc: str | None = None


@dataclass(frozen=True)
class Method:
    name: str
    serial: int
    kind: MethodKind
    body: Expr


@dataclass(frozen=True)
class Attr:
    name: str
    value: Expr


@dataclass(frozen=True)
class Klass:
    name: str
    serial: int
    bases: tuple[Ref, ...] = ()
    attrs: tuple[Attr, ...] = ()
    methods: tuple[Method, ...] = ()


@dataclass(frozen=True)
class Factory:
    """``def make(k): def add(x): return <inner>; return add`` (closures made by old code)."""

    name: str
    serial: int
    inner: Expr


@dataclass(frozen=True)
class Tail:
    """A statement at the end of the module that uses definitions at import time."""

    name: str
    serial: int
    kind: TailKind
    targets: tuple[Ref, ...]
    arg: int = 2


Entity = Const | Deco | Func | Klass | Factory | Tail
_SECTION = {Const: 0, Deco: 1, Func: 2, Factory: 3, Klass: 4, Tail: 5}


@dataclass(frozen=True)
class Module:
    index: int
    entities: tuple[Entity, ...] = ()
    header: int = 0  # comment lines at the top (moves every line below)
    extra_imports: frozenset[int] = frozenset()  # ``import fzX`` nobody uses

    @property
    def name(self) -> str:
        return MODULES[self.index]

    @property
    def path(self) -> str:
        return f"{self.name}.py"

    def get(self, name: str) -> Entity | None:
        for entity in self.entities:
            if entity.name == name:
                return entity
        return None


@dataclass(frozen=True)
class Program:
    modules: tuple[Module, ...]
    counter: int = 0
    removed: tuple[tuple[int, str], ...] = ()  # names that existed once (re-adding them is a case)

    @staticmethod
    def empty(count: int) -> Program:
        return Program(tuple(Module(i) for i in range(count)))

    def lineage(self) -> dict[str, int]:
        """Serials of everything holders can refer to: ``mod.name`` and ``mod.Class.method``."""
        out: dict[str, int] = {}
        for module in self.modules:
            for entity in module.entities:
                out[f"{module.name}.{entity.name}"] = entity.serial
                if isinstance(entity, Klass):
                    for method in entity.methods:
                        out[f"{module.name}.{entity.name}.{method.name}"] = method.serial
        return out


# -- rendering ---------------------------------------------------------------------------------


@dataclass
class Rendered:
    """A module's source and where each top-level statement starts (for inserting faults)."""

    blocks: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.blocks) + "\n" if self.blocks else ""

    def line_of_block(self, index: int) -> int:
        """1-based first line of block ``index`` (``len(blocks)``: just after the last one)."""
        return sum(block.count("\n") + 1 for block in self.blocks[:index]) + 1


def ref_text(ref: Ref) -> str:
    return f"{MODULES[ref.module]}.{ref.name}" if ref.style == "attr" else ref.name


def expr_text(expr: Expr, owner: str = "self") -> str:
    tag = expr[0]
    if tag in ("x", "d", "k"):
        return str(tag)
    if tag == "lit":
        return str(expr[1])
    if tag == "const":
        return ref_text(expr[1])  # type: ignore[arg-type]
    if tag == "call":
        return f"{ref_text(expr[1])}({expr_text(expr[2], owner)})"  # type: ignore[arg-type]
    if tag == "self":
        return f"{owner}.{expr[1]}({expr_text(expr[2], owner)})"  # type: ignore[arg-type]
    if tag == "attr":
        return f"{owner}.{expr[1]}"
    if tag == "super":
        return f"super().{expr[1]}({expr_text(expr[2], owner)})"  # type: ignore[arg-type]
    if tag == "bin":
        left = expr_text(expr[2], owner)  # type: ignore[arg-type]
        right = expr_text(expr[3], owner)  # type: ignore[arg-type]
        return f"({left} {expr[1]} {right})"
    raise ValueError(f"unknown expression {expr!r}")


def refs_in(expr: Expr) -> list[Ref]:
    out: list[Ref] = []
    for part in expr[1:]:
        if isinstance(part, Ref):
            out.append(part)
        elif isinstance(part, tuple):
            out.extend(refs_in(part))
    return out


def entity_refs(entity: Entity) -> list[Ref]:
    """Every module-level name an entity uses."""
    if isinstance(entity, Const):
        return refs_in(entity.value)
    if isinstance(entity, Func):
        out = refs_in(entity.body) + [d for d in entity.decorators if d is not None]
        return out + (refs_in(entity.default) if entity.default is not None else [])
    if isinstance(entity, Klass):
        out = list(entity.bases)
        for attr in entity.attrs:
            out += refs_in(attr.value)
        for method in entity.methods:
            out += refs_in(method.body)
        return out
    if isinstance(entity, Factory):
        return refs_in(entity.inner)
    if isinstance(entity, Tail):
        return list(entity.targets)
    return []


def uses_functools(module: Module) -> bool:
    for entity in module.entities:
        if isinstance(entity, Deco) and entity.wraps:
            return True
        if isinstance(entity, Func) and None in entity.decorators:
            return True
        if isinstance(entity, Klass) and any(m.kind == "cached" for m in entity.methods):
            return True
    return False


def render(module: Module) -> Rendered:
    out = Rendered()
    for _ in range(module.header):
        out.blocks.append("# (edited)")
    refs = [r for e in module.entities for r in entity_refs(e)]
    if uses_functools(module):
        out.blocks.append("import functools")
    for index in sorted({r.module for r in refs if r.style == "attr"} | module.extra_imports):
        out.blocks.append(f"import {MODULES[index]}")
    by_module: dict[int, set[str]] = {}
    for ref in refs:
        if ref.style == "from":
            by_module.setdefault(ref.module, set()).add(ref.name)
    for index, names in sorted(by_module.items()):
        out.blocks.append(f"from {MODULES[index]} import {', '.join(sorted(names))}")
    for index in sorted({r.module for r in refs if r.style == "star"}):
        out.blocks.append(f"from {MODULES[index]} import *")
    ordered = sorted(module.entities, key=lambda e: _SECTION[type(e)])
    out.blocks.extend(_entity_text(e) for e in ordered)
    return out


def _entity_text(entity: Entity) -> str:
    if isinstance(entity, Const):
        return f"{entity.name} = {expr_text(entity.value)}"
    if isinstance(entity, Deco):
        lines = [f"def {entity.name}(fn):"]
        if entity.wraps:
            lines.append("    @functools.wraps(fn)")
        lines += [
            "    def inner(*args, **kwargs):",
            f"        return fn(*args, **kwargs) * {entity.factor}",
            "    return inner",
        ]
        return "\n".join(lines)
    if isinstance(entity, Func):
        lines = []
        for deco in entity.decorators:
            text = "functools.lru_cache(maxsize=None)" if deco is None else ref_text(deco)
            lines.append("@" + text)
        params = "x" if entity.default is None else f"x, d={expr_text(entity.default)}"
        lines.append(f"def {entity.name}({params}):")
        if entity.doc is not None:
            lines.append(f'    """{entity.doc}"""')
        lines.append(f"    return {expr_text(entity.body)}")
        return "\n".join(lines)
    if isinstance(entity, Factory):
        # The inner function always reads ``k``: a closure made before an edit cannot take code
        # with other free variables (the runtime fixes a closure's cells when it is made; see
        # the Limits section of docs/safety.md), so the fuzzer keeps the free variables stable.
        return "\n".join(
            [
                f"def {entity.name}(k):",
                "    def add(x):",
                f"        return k + {expr_text(entity.inner)}",
                "    return add",
            ]
        )
    if isinstance(entity, Klass):
        bases = ", ".join(ref_text(b) for b in entity.bases)
        lines = [f"class {entity.name}({bases}):" if bases else f"class {entity.name}:"]
        for attr in entity.attrs:
            lines.append(f"    {attr.name} = {expr_text(attr.value)}")
        for method in entity.methods:
            lines += _method_lines(method)
        if len(lines) == 1:
            lines.append("    pass")
        return "\n".join(lines)
    assert isinstance(entity, Tail)
    targets = [ref_text(t) for t in entity.targets]
    if entity.kind == "call":
        return f"{entity.name} = {targets[0]}({entity.arg})"
    if entity.kind == "registry":
        return f"{entity.name} = [{', '.join(targets)}]"
    if entity.kind == "closure":
        return f"{entity.name} = {targets[0]}({entity.arg})"
    return f"{entity.name} = {targets[0]}()"


def _method_lines(method: Method) -> list[str]:
    owner = "cls" if method.kind == "class" else "self"
    body = expr_text(method.body, owner)
    if method.kind == "plain":
        return [f"    def {method.name}(self, x):", f"        return {body}"]
    if method.kind == "static":
        return ["    @staticmethod", f"    def {method.name}(x):", f"        return {body}"]
    if method.kind == "class":
        return ["    @classmethod", f"    def {method.name}(cls, x):", f"        return {body}"]
    decorator = "property" if method.kind == "property" else "functools.cached_property"
    return [
        f"    @{decorator}",
        f"    def {method.name}(self):",
        "        x = 2",
        f"        return {body}",
    ]


def sanitize(expr: Expr, kind: MethodKind | None) -> Expr:
    """Drop what a body of this kind cannot say (``self`` in a staticmethod, ...)."""
    tag = expr[0]
    if tag in ("self", "attr", "super"):
        allowed = {
            None: (),
            "static": (),
            "class": ("self", "attr"),
            "plain": ("self", "attr", "super"),
            "property": ("self", "attr", "super"),
            "cached": ("self", "attr", "super"),
        }[kind]
        if tag not in allowed:
            return ("lit", 1)
    if tag in ("call", "self", "super"):
        return (tag, expr[1], sanitize(expr[2], kind))  # type: ignore[arg-type]
    if tag == "bin":
        return ("bin", expr[1], sanitize(expr[2], kind), sanitize(expr[3], kind))  # type: ignore[arg-type]
    return expr


# -- stories: what the fuzzer runs ------------------------------------------------------------


@dataclass
class Step:
    """One save: files written (bytes where the fault needs them) and what must follow."""

    files: dict[str, str | bytes]
    probes: list[str]
    ok: bool = True
    error_path: str | None = None
    error_line: int | None = None
    note: str = ""


@dataclass
class Story:
    """Files, a session that holds references, then saves; the unit the fuzzer checks."""

    before: dict[str, str]
    setup: str
    steps: list[Step]
    reloader: Literal["before", "after"] = "before"
    strategy: Literal["incremental", "full"] = "incremental"

    def files_after(self, index: int) -> dict[str, str | bytes]:
        files: dict[str, str | bytes] = dict(self.before)
        for step in self.steps[: index + 1]:
            files.update(step.files)
        return files

    @property
    def edits(self) -> int:
        return len(self.steps)
