"""The pieces the fuzzer's edits are made of: program surgery, references and expressions.

Helpers shared by the edit operations (``tests/_fuzz_edits.py``): replacing, adding and dropping
definitions in an immutable :class:`~_fuzz_program.Program`, the references a module may make
(only to modules before it, only to older definitions where calls could recurse), and random
integer expressions over what a body may use (:class:`Env`). ``AVOID`` switches generator
features off while a known engine bug in them waits for a fix.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

from hypothesis import strategies as st

from _fuzz_program import (
    Const,
    Entity,
    Expr,
    Func,
    Klass,
    MethodKind,
    Module,
    Program,
    Ref,
    entity_refs,
)

T = TypeVar("T")

# Generator features switched off while a known engine bug in them waits for a fix (the fuzzer
# sets this from ``tests/test_fuzz.py::KNOWN``): "import-time calls" (class attributes and
# module constants computed by calling a function), "decorator removal", "cache dependencies"
# (``lru_cache`` functions and ``cached_property`` getters that use other definitions),
# "import-time attribute reads" (``K = m.K0`` while the module runs), "cached_property
# replaced" (a cached_property removed or turned into another kind of member), "star imports",
# "default changes" (a function's default argument edited).
AVOID: set[str] = set()
Draw = Callable[[st.SearchStrategy[Any]], Any]
Op = Callable[[Draw, Program, int], Program | None]


def pick(draw: Draw, items: list[T] | tuple[T, ...]) -> T:
    return draw(st.sampled_from(list(items)))  # type: ignore[no-any-return]


# -- program surgery ---------------------------------------------------------------------------


def next_serial(program: Program) -> tuple[Program, int]:
    return replace(program, counter=program.counter + 1), program.counter + 1


def fresh_name(draw: Draw, program: Program, index: int, prefix: str, serial: int) -> str:
    """A fresh name, or (sometimes) one that was removed from this module before."""
    gone = [n for i, n in program.removed if i == index and n.startswith(prefix)]
    gone = [n for n in gone if program.modules[index].get(n) is None and n[len(prefix) :].isdigit()]
    if gone and draw(st.booleans()):
        return pick(draw, gone)
    return f"{prefix}{serial}"


def with_module(program: Program, module: Module) -> Program:
    modules = list(program.modules)
    modules[module.index] = module
    return replace(program, modules=tuple(modules))


def put(program: Program, index: int, entity: Entity, old: str | None = None) -> Program:
    """Replace entity ``old`` (in place) or append ``entity`` to module ``index``."""
    module = program.modules[index]
    if old is None:
        entities = (*module.entities, entity)
    else:
        entities = tuple(entity if e.name == old else e for e in module.entities)
    return with_module(program, replace(module, entities=entities))


def drop(program: Program, index: int, name: str) -> Program:
    module = program.modules[index]
    entities = tuple(e for e in module.entities if e.name != name)
    program = with_module(program, replace(module, entities=entities))
    return replace(program, removed=(*program.removed, (index, name)))


def referenced(program: Program, index: int, name: str) -> bool:
    return any(
        r.module == index and r.name == name
        for module in program.modules
        for entity in module.entities
        for r in entity_refs(entity)
    )


def of(program: Program, index: int, kind: type[T]) -> list[T]:
    return [e for e in program.modules[index].entities if isinstance(e, kind)]


def refs(
    draw: Draw, program: Program, index: int, kind: type, below: int | None = None
) -> list[Ref]:
    """References module ``index`` may make to ``kind`` definitions (optionally older ones)."""
    out = []
    for module in program.modules[: index + 1]:
        for entity in module.entities:
            if isinstance(entity, kind) and (below is None or entity.serial < below):
                style = "local" if module.index == index else "from"
                out.append(Ref(module.index, entity.name, style))
    return out


def styled(draw: Draw, ref: Ref) -> Ref:
    if ref.style == "local":
        return ref
    styles = ["from", "attr"] if "star imports" in AVOID else ["from", "attr", "star"]
    return replace(ref, style=pick(draw, styles))


# -- expressions -------------------------------------------------------------------------------


class Env:
    """What an expression may use where it is written."""

    def __init__(
        self,
        params: tuple[str, ...] = (),
        consts: list[Ref] | None = None,
        funcs: list[Ref] | None = None,
        methods: list[str] | None = None,
        attrs: list[str] | None = None,
        supers: list[str] | None = None,
    ) -> None:
        self.params = params
        self.consts = consts or []
        self.funcs = funcs or []
        self.methods = methods or []
        self.attrs = attrs or []
        self.supers = supers or []


def expression(draw: Draw, env: Env, depth: int = 2) -> Expr:
    leaves = ["lit", *env.params]
    if env.consts:
        leaves.append("const")
    if env.attrs:
        leaves.append("attr")
    nodes = ["bin"] if depth > 0 else []
    if depth > 0 and env.funcs:
        nodes.append("call")
    if depth > 0 and env.methods:
        nodes.append("self")
    if depth > 0 and env.supers:
        nodes.append("super")
    tag = pick(draw, leaves + nodes)
    if tag == "lit":
        return ("lit", draw(st.integers(0, 9)))
    if tag in ("x", "d", "k"):
        return (tag,)
    if tag == "const":
        return ("const", styled(draw, pick(draw, env.consts)))
    if tag == "attr":
        return ("attr", pick(draw, env.attrs))
    if tag == "bin":
        op = pick(draw, ["+", "-", "*"])
        return ("bin", op, expression(draw, env, depth - 1), expression(draw, env, depth - 1))
    inner = expression(draw, env, depth - 1)
    if tag == "call":
        return ("call", styled(draw, pick(draw, env.funcs)), inner)
    if tag == "self":
        return ("self", pick(draw, env.methods), inner)
    return ("super", pick(draw, env.supers), inner)


def number(name: str) -> int:
    digits = "".join(c for c in name if c.isdigit())
    return int(digits) if digits else 0


def class_chain(program: Program, cls: Klass, index: int) -> list[Klass]:
    """``cls`` and its bases up the chain (single inheritance), as the model has them now."""
    out = [cls]
    while out[-1].bases:
        ref = out[-1].bases[0]
        base = program.modules[ref.module].get(ref.name)
        if not isinstance(base, Klass) or base in out:
            break
        out.append(base)
    return out


def method_env(
    draw: Draw, program: Program, index: int, cls: Klass, name: str, kind: MethodKind
) -> Env:
    chain = class_chain(program, cls, index)
    own = number(name)
    names = sorted({m.name for c in chain for m in c.methods if number(m.name) < own})
    supers = sorted({m.name for c in chain[1:] for m in c.methods if m.name == name})
    attrs = sorted({a.name for c in chain for a in c.attrs})
    params = ("x",)
    env = Env(
        params,
        refs(draw, program, index, Const),
        refs(draw, program, index, Func),
        names,
        attrs,
        supers,
    )
    if kind == "static":
        env.methods, env.attrs, env.supers = [], [], []
    elif kind == "class":
        env.supers = []
    return env
