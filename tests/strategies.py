"""Hypothesis strategies: small module sets and the edit sequences a person makes to them.

``stories()`` draws 2-4 modules built by random *add* edits, a session that holds references to
what they define, then a sequence of saves. A save applies one or two edits (change, add or
remove a function, method, property, decorator, constant, class, class base, import, docstring;
move functions; shift everything down with comment lines), or is a *broken* save (a syntax
error, an exception at import, ``SystemExit``, ``KeyboardInterrupt``, a ``RecursionError``, a
missing import, undecodable bytes, a null byte) of one module, always followed by a save that
fixes it. Every edit keeps the program importable in a fresh process: a definition is removed or
changes kind only when nothing refers to it, calls go only to definitions with a lower serial.

Draws are ordered simplest first (``sampled_from`` shrinks towards its first element), so a
failing story shrinks to few modules, few definitions and few saves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

from hypothesis import strategies as st

from _fuzz_program import (
    MODULES,
    Attr,
    Const,
    Deco,
    Entity,
    Expr,
    Factory,
    Func,
    Klass,
    Method,
    MethodKind,
    Module,
    Program,
    Ref,
    Rendered,
    Step,
    Story,
    Tail,
    entity_refs,
    probes,
    render,
    sanitize,
    setup_code,
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


def _pick(draw: Draw, items: list[T] | tuple[T, ...]) -> T:
    return draw(st.sampled_from(list(items)))  # type: ignore[no-any-return]


# -- program surgery ---------------------------------------------------------------------------


def _serial(program: Program) -> tuple[Program, int]:
    return replace(program, counter=program.counter + 1), program.counter + 1


def _name(draw: Draw, program: Program, index: int, prefix: str, serial: int) -> str:
    """A fresh name, or (sometimes) one that was removed from this module before."""
    gone = [n for i, n in program.removed if i == index and n.startswith(prefix)]
    gone = [n for n in gone if program.modules[index].get(n) is None and n[len(prefix) :].isdigit()]
    if gone and draw(st.booleans()):
        return _pick(draw, gone)
    return f"{prefix}{serial}"


def _with_module(program: Program, module: Module) -> Program:
    modules = list(program.modules)
    modules[module.index] = module
    return replace(program, modules=tuple(modules))


def _put(program: Program, index: int, entity: Entity, old: str | None = None) -> Program:
    """Replace entity ``old`` (in place) or append ``entity`` to module ``index``."""
    module = program.modules[index]
    if old is None:
        entities = (*module.entities, entity)
    else:
        entities = tuple(entity if e.name == old else e for e in module.entities)
    return _with_module(program, replace(module, entities=entities))


def _drop(program: Program, index: int, name: str) -> Program:
    module = program.modules[index]
    entities = tuple(e for e in module.entities if e.name != name)
    program = _with_module(program, replace(module, entities=entities))
    return replace(program, removed=(*program.removed, (index, name)))


def _referenced(program: Program, index: int, name: str) -> bool:
    return any(
        r.module == index and r.name == name
        for module in program.modules
        for entity in module.entities
        for r in entity_refs(entity)
    )


def _of(program: Program, index: int, kind: type[T]) -> list[T]:
    return [e for e in program.modules[index].entities if isinstance(e, kind)]


def _refs(
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


def _styled(draw: Draw, ref: Ref) -> Ref:
    if ref.style == "local":
        return ref
    styles = ["from", "attr"] if "star imports" in AVOID else ["from", "attr", "star"]
    return replace(ref, style=_pick(draw, styles))


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
    tag = _pick(draw, leaves + nodes)
    if tag == "lit":
        return ("lit", draw(st.integers(0, 9)))
    if tag in ("x", "d", "k"):
        return (tag,)
    if tag == "const":
        return ("const", _styled(draw, _pick(draw, env.consts)))
    if tag == "attr":
        return ("attr", _pick(draw, env.attrs))
    if tag == "bin":
        op = _pick(draw, ["+", "-", "*"])
        return ("bin", op, expression(draw, env, depth - 1), expression(draw, env, depth - 1))
    inner = expression(draw, env, depth - 1)
    if tag == "call":
        return ("call", _styled(draw, _pick(draw, env.funcs)), inner)
    if tag == "self":
        return ("self", _pick(draw, env.methods), inner)
    return ("super", _pick(draw, env.supers), inner)


def _number(name: str) -> int:
    digits = "".join(c for c in name if c.isdigit())
    return int(digits) if digits else 0


def _class_chain(program: Program, cls: Klass, index: int) -> list[Klass]:
    """``cls`` and its bases up the chain (single inheritance), as the model has them now."""
    out = [cls]
    while out[-1].bases:
        ref = out[-1].bases[0]
        base = program.modules[ref.module].get(ref.name)
        if not isinstance(base, Klass) or base in out:
            break
        out.append(base)
    return out


def _method_env(
    draw: Draw, program: Program, index: int, cls: Klass, name: str, kind: MethodKind
) -> Env:
    chain = _class_chain(program, cls, index)
    own = _number(name)
    names = sorted({m.name for c in chain for m in c.methods if _number(m.name) < own})
    supers = sorted({m.name for c in chain[1:] for m in c.methods if m.name == name})
    attrs = sorted({a.name for c in chain for a in c.attrs})
    params = ("x",)
    env = Env(
        params,
        _refs(draw, program, index, Const),
        _refs(draw, program, index, Func),
        names,
        attrs,
        supers,
    )
    if kind == "static":
        env.methods, env.attrs, env.supers = [], [], []
    elif kind == "class":
        env.supers = []
    return env


# -- edits -------------------------------------------------------------------------------------


def add_const(draw: Draw, program: Program, index: int) -> Program | None:
    program, serial = _serial(program)
    env = Env((), _refs(draw, program, index, Const, serial))
    value = expression(draw, env, draw(st.integers(0, 1)))
    name = _name(draw, program, index, "K", serial)
    return _put(program, index, Const(name, serial, value))


def _func_body(draw: Draw, program: Program, index: int, serial: int, default: bool) -> Expr:
    params = ("x", "d") if default else ("x",)
    env = Env(
        params, _refs(draw, program, index, Const), _refs(draw, program, index, Func, serial)
    )
    return expression(draw, env)


def _decorators(draw: Draw, program: Program, index: int) -> tuple[Ref | None, ...]:
    options: list[Ref | None] = [None, *_refs(draw, program, index, Deco)]
    if draw(st.integers(0, 3)) != 0:  # one function in four is decorated
        return ()
    chosen = _pick(draw, options)
    return (chosen if chosen is None else _styled(draw, chosen),)


def add_func(draw: Draw, program: Program, index: int) -> Program | None:
    program, serial = _serial(program)
    default = None
    consts = _refs(draw, program, index, Const)
    if draw(st.booleans()):
        default = expression(draw, Env((), consts), 0)
    body = _func_body(draw, program, index, serial, default is not None)
    doc = _pick(draw, [None, f"doc {serial}"])
    name = _name(draw, program, index, "f", serial)
    decorators = _decorators(draw, program, index)
    return _put(program, index, Func(name, serial, body, default, decorators, doc))


def add_deco(draw: Draw, program: Program, index: int) -> Program | None:
    program, serial = _serial(program)
    name = _name(draw, program, index, "deco", serial)
    return _put(program, index, Deco(name, serial, draw(st.integers(2, 4)), draw(st.booleans())))


def add_factory(draw: Draw, program: Program, index: int) -> Program | None:
    program, serial = _serial(program)
    env = Env(("x", "k"), _refs(draw, program, index, Const), _refs(draw, program, index, Func))
    name = _name(draw, program, index, "make", serial)
    return _put(program, index, Factory(name, serial, expression(draw, env)))


def _method(
    draw: Draw, program: Program, index: int, cls: Klass, name: str, serial: int
) -> Method:
    kind: MethodKind = _pick(draw, ["plain", "static", "class", "property", "cached"])
    env = _method_env(draw, program, index, cls, name, kind)
    return Method(name, serial, kind, expression(draw, env))


def add_class(draw: Draw, program: Program, index: int) -> Program | None:
    program, serial = _serial(program)
    bases: tuple[Ref, ...] = ()
    candidates = _refs(draw, program, index, Klass, serial)
    if candidates and draw(st.booleans()):
        bases = (_styled(draw, _pick(draw, candidates)),)
    name = _name(draw, program, index, "C", serial)
    cls = Klass(name, serial, bases)
    consts, funcs = _refs(draw, program, index, Const), _attr_funcs(draw, program, index)
    for _ in range(draw(st.integers(0, 2))):
        program, attr_serial = _serial(program)
        value = expression(draw, Env((), consts, funcs), 1)
        cls = replace(cls, attrs=(*cls.attrs, Attr(f"A{attr_serial}", value)))
    for _ in range(draw(st.integers(0, 3))):
        program, method_serial = _serial(program)
        method = _method(draw, program, index, cls, f"m{method_serial}", method_serial)
        cls = replace(cls, methods=(*cls.methods, method))
    return _put(program, index, cls)


def _attr_funcs(draw: Draw, program: Program, index: int) -> list[Ref]:
    """Functions a class attribute may call while the class body runs."""
    if "import-time calls" in AVOID:
        return []
    return _refs(draw, program, index, Func)


def add_tail(draw: Draw, program: Program, index: int) -> Program | None:
    funcs = _refs(draw, program, index, Func)
    kinds = [k for k, ok in (("call", funcs), ("registry", funcs)) if ok]
    if "import-time calls" in AVOID and "call" in kinds:
        kinds.remove("call")
    if _refs(draw, program, index, Factory):
        kinds.append("closure")
    if _refs(draw, program, index, Klass):
        kinds.append("instance")
    if not kinds:
        return None
    kind = _pick(draw, kinds)
    program, serial = _serial(program)
    pool = {
        "call": funcs,
        "registry": funcs,
        "closure": _refs(draw, program, index, Factory),
        "instance": _refs(draw, program, index, Klass),
    }[kind]
    count = draw(st.integers(1, 3)) if kind == "registry" else 1
    targets = tuple(_styled(draw, _pick(draw, pool)) for _ in range(count))
    prefix = {"call": "V", "registry": "REG", "closure": "ADD", "instance": "OBJ"}[kind]
    name = _name(draw, program, index, prefix, serial)
    return _put(program, index, Tail(name, serial, kind, targets, draw(st.integers(0, 5))))


ADDS: list[Op] = [add_func, add_const, add_class, add_deco, add_factory, add_tail]


def change_func(draw: Draw, program: Program, index: int) -> Program | None:
    funcs = _of(program, index, Func)
    if not funcs:
        return None
    func = _pick(draw, funcs)
    what = _pick(draw, ["body", "default", "decorators", "doc"])
    if what == "body":
        new = replace(func, body=_func_body(draw, program, index, func.serial, bool(func.default)))
    elif what == "default":
        if "default changes" in AVOID:
            return None
        consts = _refs(draw, program, index, Const)
        drop = func.default is not None and draw(st.booleans())
        default = None if drop else expression(draw, Env((), consts), 0)
        body = func.body if default is not None else sanitize_params(func.body, ("x",))
        new = replace(func, default=default, body=body)
    elif what == "decorators":
        if func.decorators and "decorator removal" in AVOID:
            return None
        new = replace(func, decorators=() if func.decorators else _decorators(draw, program, index))
    else:
        new = replace(func, doc=_pick(draw, [None, "changed doc", f"doc {func.serial}"]))
    return _put(program, index, new, func.name)


def sanitize_params(expr: Expr, params: tuple[str, ...]) -> Expr:
    """Replace uses of parameters a function no longer has by a literal."""
    tag = expr[0]
    if tag in ("x", "d", "k"):
        return expr if tag in params else ("lit", 7)
    parts = [sanitize_params(p, params) if isinstance(p, tuple) else p for p in expr[1:]]
    return (tag, *parts)


def change_const(draw: Draw, program: Program, index: int) -> Program | None:
    consts = _of(program, index, Const)
    if not consts:
        return None
    const = _pick(draw, consts)
    env = Env((), _refs(draw, program, index, Const, const.serial))
    return _put(program, index, replace(const, value=expression(draw, env, 1)), const.name)


def change_deco(draw: Draw, program: Program, index: int) -> Program | None:
    decos = _of(program, index, Deco)
    if not decos:
        return None
    deco = _pick(draw, decos)
    if draw(st.booleans()):
        new = replace(deco, factor=draw(st.integers(2, 5)))
    else:
        new = replace(deco, wraps=not deco.wraps)
    return _put(program, index, new, deco.name)


def change_factory(draw: Draw, program: Program, index: int) -> Program | None:
    factories = _of(program, index, Factory)
    if not factories:
        return None
    factory = _pick(draw, factories)
    env = Env(("x", "k"), _refs(draw, program, index, Const), _refs(draw, program, index, Func))
    return _put(program, index, replace(factory, inner=expression(draw, env)), factory.name)


def change_class(draw: Draw, program: Program, index: int) -> Program | None:
    classes = _of(program, index, Klass)
    if not classes:
        return None
    cls = _pick(draw, classes)
    what = _pick(draw, ["method", "add method", "remove method", "kind", "attr", "bases"])
    if what == "method" and cls.methods:
        method = _pick(draw, cls.methods)
        env = _method_env(draw, program, index, cls, method.name, method.kind)
        new_method = replace(method, body=expression(draw, env))
        methods = tuple(new_method if m is method else m for m in cls.methods)
        new = replace(cls, methods=methods)
    elif what == "add method":
        chain = _class_chain(program, cls, index)
        own = {m.name for m in cls.methods}
        inherited = sorted({m.name for c in chain[1:] for m in c.methods} - own)
        program, serial = _serial(program)
        name = f"m{serial}"
        if inherited and draw(st.booleans()):
            name = _pick(draw, inherited)  # an override
        method = _method(draw, program, index, cls, name, serial)
        new = replace(cls, methods=(*cls.methods, method))
    elif what == "remove method" and cls.methods:
        gone = _pick(draw, cls.methods)
        if gone.kind == "cached" and "cached_property replaced" in AVOID:
            return None
        new = replace(cls, methods=tuple(m for m in cls.methods if m is not gone))
    elif what == "kind" and cls.methods:
        method = _pick(draw, cls.methods)
        if method.kind == "cached" and "cached_property replaced" in AVOID:
            return None
        kinds: list[MethodKind] = ["plain", "static", "class", "property", "cached"]
        kind: MethodKind = _pick(draw, [k for k in kinds if k != method.kind])
        program, serial = _serial(program)
        new_method = Method(method.name, serial, kind, sanitize(method.body, kind))
        new = replace(cls, methods=tuple(new_method if m is method else m for m in cls.methods))
    elif what == "attr":
        consts, funcs = _refs(draw, program, index, Const), _attr_funcs(draw, program, index)
        value = expression(draw, Env((), consts, funcs), 1)
        if cls.attrs and draw(st.booleans()):
            target = _pick(draw, cls.attrs)
            attrs = tuple(Attr(a.name, value) if a is target else a for a in cls.attrs)
            if draw(st.booleans()):
                attrs = tuple(a for a in cls.attrs if a is not target)
        else:
            program, serial = _serial(program)
            attrs = (*cls.attrs, Attr(f"A{serial}", value))
        new = replace(cls, attrs=attrs)
    elif what == "bases":
        candidates = _refs(draw, program, index, Klass, cls.serial)
        options: list[tuple[Ref, ...]] = [()] + [(_styled(draw, c),) for c in candidates]
        new = replace(cls, bases=_pick(draw, options))
    else:
        return None
    return _put(program, index, new, cls.name)


def change_tail(draw: Draw, program: Program, index: int) -> Program | None:
    tails = _of(program, index, Tail)
    if not tails:
        return None
    tail = _pick(draw, tails)
    if tail.kind == "registry" and draw(st.booleans()):
        funcs = _refs(draw, program, index, Func)
        targets = tuple(_styled(draw, _pick(draw, funcs)) for _ in range(draw(st.integers(1, 3))))
        return _put(program, index, replace(tail, targets=targets), tail.name)
    return _put(program, index, replace(tail, arg=draw(st.integers(0, 9))), tail.name)


def remove(draw: Draw, program: Program, index: int) -> Program | None:
    free = [e for e in program.modules[index].entities if not _referenced(program, index, e.name)]
    if not free:
        return None
    return _drop(program, index, _pick(draw, free).name)


def change_kind(draw: Draw, program: Program, index: int) -> Program | None:
    """A name that was a function becomes a class, or the other way round (unreferenced only)."""
    free = [
        e
        for e in program.modules[index].entities
        if isinstance(e, Func | Klass | Const) and not _referenced(program, index, e.name)
    ]
    if not free:
        return None
    old = _pick(draw, free)
    program = _drop(program, index, old.name)
    program, serial = _serial(program)
    entity: Entity
    if isinstance(old, Func):
        entity = Klass(old.name, serial)
    else:
        body = _func_body(draw, program, index, serial, False)
        entity = Func(old.name, serial, body)
    return _put(program, index, entity)


def move(draw: Draw, program: Program, index: int) -> Program | None:
    """Swap two functions (their lines move; nothing else changes)."""
    module = program.modules[index]
    funcs = [i for i, e in enumerate(module.entities) if isinstance(e, Func)]
    if len(funcs) < 2:
        return None
    a, b = _pick(draw, funcs), _pick(draw, funcs)
    entities = list(module.entities)
    entities[a], entities[b] = entities[b], entities[a]
    return _with_module(program, replace(module, entities=tuple(entities)))


def shift(draw: Draw, program: Program, index: int) -> Program | None:
    """Add or remove comment lines at the top: every line below moves."""
    module = program.modules[index]
    header = draw(st.integers(0, 3))
    return _with_module(program, replace(module, header=header))


def restyle(draw: Draw, program: Program, index: int) -> Program | None:
    """``from fza import f`` becomes ``fza.f`` (or back), or an unused ``import`` comes/goes."""
    module = program.modules[index]
    if index == 0:
        return None
    if draw(st.booleans()):
        target = draw(st.integers(0, index - 1))
        extra = module.extra_imports ^ {target}
        return _with_module(program, replace(module, extra_imports=frozenset(extra)))
    refs = [r for e in module.entities for r in entity_refs(e) if r.style != "local"]
    if not refs:
        return None
    chosen = _pick(draw, refs)
    following = {"from": "attr", "attr": "star", "star": "from"}
    if "star imports" in AVOID:
        following["attr"] = "from"
    flipped = replace(chosen, style=following[chosen.style])
    entities = tuple(_map_refs(e, chosen, flipped) for e in module.entities)
    return _with_module(program, replace(module, entities=entities))


def _map_refs(entity: Entity, old: Ref, new: Ref) -> Entity:
    def expr(value: Expr) -> Expr:
        return tuple(
            new if part == old else expr(part) if isinstance(part, tuple) else part
            for part in value
        )

    if isinstance(entity, Const):
        return replace(entity, value=expr(entity.value))
    if isinstance(entity, Func):
        decorators = tuple(new if d == old else d for d in entity.decorators)
        default = expr(entity.default) if entity.default is not None else None
        return replace(entity, body=expr(entity.body), default=default, decorators=decorators)
    if isinstance(entity, Klass):
        return replace(
            entity,
            bases=tuple(new if b == old else b for b in entity.bases),
            attrs=tuple(Attr(a.name, expr(a.value)) for a in entity.attrs),
            methods=tuple(replace(m, body=expr(m.body)) for m in entity.methods),
        )
    if isinstance(entity, Factory):
        return replace(entity, inner=expr(entity.inner))
    if isinstance(entity, Tail):
        return replace(entity, targets=tuple(new if t == old else t for t in entity.targets))
    return entity


EDITS: list[Op] = [
    change_func,
    change_const,
    change_class,
    add_func,
    remove,
    change_deco,
    change_factory,
    change_tail,
    add_class,
    add_const,
    add_tail,
    add_deco,
    add_factory,
    change_kind,
    move,
    shift,
    restyle,
]


def edit(draw: Draw, program: Program, index: int, ops: list[Op]) -> tuple[Program, str]:
    """Apply one applicable edit to module ``index``; its name for the story's notes."""
    for _ in range(8):
        op = _pick(draw, ops)
        result = op(draw, program, index)
        if result is not None:
            return _avoiding(result), op.__name__
    result = add_func(draw, program, index)
    assert result is not None
    return _avoiding(result), "add_func"


def _avoiding(program: Program) -> Program:
    """The program without the features in ``AVOID`` that a rewrite can remove."""
    if "cache dependencies" not in AVOID and "import-time attribute reads" not in AVOID:
        return program
    modules = []
    for module in program.modules:
        entities: list[Entity] = []
        for entity in module.entities:
            if "import-time attribute reads" in AVOID:
                entity = _import_time_from(entity)
            if "cache dependencies" not in AVOID:
                pass
            elif isinstance(entity, Func) and None in entity.decorators:
                entity = replace(entity, body=_self_contained(entity.body))
            elif isinstance(entity, Klass):
                methods = tuple(
                    replace(m, body=_self_contained(m.body)) if m.kind == "cached" else m
                    for m in entity.methods
                )
                entity = replace(entity, methods=methods)
            entities.append(entity)
        modules.append(replace(module, entities=tuple(entities)))
    return replace(program, modules=tuple(modules))


def _import_time_from(entity: Entity) -> Entity:
    """Constants read while the module runs are read through ``from m import K``."""

    def fix(expr: Expr) -> Expr:
        if expr[0] == "const":
            ref = expr[1]
            assert isinstance(ref, Ref)
            return ("const", replace(ref, style="from") if ref.style == "attr" else ref)
        return tuple(fix(p) if isinstance(p, tuple) else p for p in expr)

    if isinstance(entity, Const):
        return replace(entity, value=fix(entity.value))
    if isinstance(entity, Func) and entity.default is not None:
        return replace(entity, default=fix(entity.default))
    if isinstance(entity, Klass):
        return replace(entity, attrs=tuple(Attr(a.name, fix(a.value)) for a in entity.attrs))
    return entity


def _self_contained(expr: Expr) -> Expr:
    """The expression with every use of other definitions (which a cache would not notice
    changing) replaced: calls keep only their argument, names become literals."""
    tag = expr[0]
    if tag in ("const", "attr"):
        return ("lit", 5)
    if tag in ("call", "self", "super"):
        return _self_contained(expr[2])  # type: ignore[arg-type]
    if tag == "bin":
        return ("bin", expr[1], _self_contained(expr[2]), _self_contained(expr[3]))  # type: ignore[arg-type]
    return expr


# -- broken saves ------------------------------------------------------------------------------

# (kind, source block, line offset of the error inside the block)
FAULTS: list[tuple[str, str, int]] = [
    ("syntax", "def broken(:\n    pass", 0),
    ("raise", 'raise RuntimeError("broken at import")', 0),
    ("name", "_broken = undefined_name_zz", 0),
    ("zero", "_broken = 1 // 0", 0),
    ("class body", "class _Broken:\n    value = 1 // 0", 1),
    ("missing module", "import fz_missing_module_zz", 0),
    ("missing name", "from functools import missing_name_zz", 0),
    ("default", "def _broken(x, d=1 // 0):\n    return x", 0),
    ("SystemExit", "raise SystemExit(3)", 0),
    ("KeyboardInterrupt", "raise KeyboardInterrupt", 0),
    ("RecursionError", "def _deep(n):\n    return _deep(n + 1)\n\n_deep(0)", 1),
    ("bytes", "_text = '\udcff'", 0),
    ("null byte", "# \0", 0),
]


def broken(draw: Draw, rendered: Rendered) -> tuple[bytes, int, str]:
    """The module's source with a fault inserted between two statements: bytes, line, kind."""
    kind, block, offset = _pick(draw, FAULTS)
    position = draw(st.integers(0, len(rendered.blocks)))
    line = rendered.line_of_block(position) + offset
    blocks = [*rendered.blocks[:position], block, *rendered.blocks[position:]]
    text = "\n".join(blocks) + "\n"
    return text.encode("utf-8", "surrogateescape"), line, kind


# -- stories -----------------------------------------------------------------------------------


def _files(before: Program, after: Program) -> dict[str, str | bytes]:
    out: dict[str, str | bytes] = {}
    for old, new in zip(before.modules, after.modules, strict=True):
        if old != new:
            out[new.path] = render(new).text
    return out


@st.composite
def stories(draw: Draw, max_steps: int = 8) -> Story:
    """A program, a session holding references into it, and a sequence of saves."""
    count = draw(st.integers(2, len(MODULES)))
    program = Program.empty(count)
    for _ in range(draw(st.integers(count, 3 * count))):
        program, _note = edit(draw, program, draw(st.integers(0, count - 1)), ADDS)
    initial = program
    held = program.lineage()
    before = {m.path: render(m).text for m in program.modules}
    steps: list[Step] = []
    for _ in range(draw(st.integers(1, max_steps))):
        what = _pick(draw, ["edit", "edit", "edit", "two edits", "broken"])
        if what == "broken":
            index = draw(st.integers(0, count - 1))
            intended = program
            if draw(st.booleans()):
                intended, _note = edit(draw, program, index, EDITS)
            module = intended.modules[index]
            data, line, kind = broken(draw, render(module))
            steps.append(
                Step({module.path: data}, probes(program, held), False, module.path, line, kind)
            )
            program_after = intended
            files = {module.path: render(program_after.modules[index]).text}
            files.update(_files(program, program_after))
            program = program_after
            steps.append(Step(files, probes(program, held), note="fix"))
            continue
        after = program
        notes = []
        for _ in range(2 if what == "two edits" else 1):
            after, note = edit(draw, after, draw(st.integers(0, count - 1)), EDITS)
            notes.append(note)
        files = _files(program, after)
        if not files:  # the edit rendered the same text: save it anyway (a touch)
            touched = program.modules[draw(st.integers(0, count - 1))]
            files = {touched.path: render(touched).text}
        program = after
        steps.append(Step(files, probes(program, held), note=" + ".join(notes)))
    return Story(
        before=before,
        setup=setup_code(initial),
        steps=steps,
        reloader=_pick(draw, ["before", "after"]),
        strategy=_pick(draw, ["incremental", "full"]),
    )
