"""The edits a person makes to a program, as operations on the model.

Each operation takes a Hypothesis ``draw``, a :class:`~_fuzz_program.Program` and a module index
and returns the edited program, or None when it does not apply (no function to change, nothing
unreferenced to remove). ``ADDS`` build the initial program; ``EDITS`` are what saves do:
change, add or remove functions, methods, properties, decorators, constants, classes, class
bases, factories and import-time statements; turn a function into a class; move functions;
shift everything down with comment lines; change how a module refers to another one
(``from m import x``, ``m.x``, ``from m import *``). :func:`edit` applies one that fits and
then removes what ``AVOID`` switches off.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import strategies as st

from _fuzz_program import (
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
    Program,
    Ref,
    Tail,
    entity_refs,
    sanitize,
)
from _fuzz_values import (
    AVOID,
    Draw,
    Env,
    Op,
    class_chain,
    drop,
    expression,
    fresh_name,
    method_env,
    next_serial,
    of,
    pick,
    put,
    referenced,
    refs,
    styled,
    with_module,
)


def add_const(draw: Draw, program: Program, index: int) -> Program | None:
    program, serial = next_serial(program)
    env = Env((), refs(draw, program, index, Const, serial))
    value = expression(draw, env, draw(st.integers(0, 1)))
    name = fresh_name(draw, program, index, "K", serial)
    return put(program, index, Const(name, serial, value))


def _func_body(draw: Draw, program: Program, index: int, serial: int, default: bool) -> Expr:
    params = ("x", "d") if default else ("x",)
    env = Env(
        params, refs(draw, program, index, Const), refs(draw, program, index, Func, serial)
    )
    return expression(draw, env)


def _decorators(draw: Draw, program: Program, index: int) -> tuple[Ref | None, ...]:
    options: list[Ref | None] = [None, *refs(draw, program, index, Deco)]
    if draw(st.integers(0, 3)) != 0:  # one function in four is decorated
        return ()
    chosen = pick(draw, options)
    return (chosen if chosen is None else styled(draw, chosen),)


def add_func(draw: Draw, program: Program, index: int) -> Program | None:
    program, serial = next_serial(program)
    default = None
    consts = refs(draw, program, index, Const)
    if draw(st.booleans()):
        default = expression(draw, Env((), consts), 0)
    body = _func_body(draw, program, index, serial, default is not None)
    doc = pick(draw, [None, f"doc {serial}"])
    name = fresh_name(draw, program, index, "f", serial)
    decorators = _decorators(draw, program, index)
    return put(program, index, Func(name, serial, body, default, decorators, doc))


def add_deco(draw: Draw, program: Program, index: int) -> Program | None:
    program, serial = next_serial(program)
    name = fresh_name(draw, program, index, "deco", serial)
    return put(program, index, Deco(name, serial, draw(st.integers(2, 4)), draw(st.booleans())))


def add_factory(draw: Draw, program: Program, index: int) -> Program | None:
    program, serial = next_serial(program)
    env = Env(("x", "k"), refs(draw, program, index, Const), refs(draw, program, index, Func))
    name = fresh_name(draw, program, index, "make", serial)
    return put(program, index, Factory(name, serial, expression(draw, env)))


def _method(
    draw: Draw, program: Program, index: int, cls: Klass, name: str, serial: int
) -> Method:
    kind: MethodKind = pick(draw, ["plain", "static", "class", "property", "cached"])
    env = method_env(draw, program, index, cls, name, kind)
    return Method(name, serial, kind, expression(draw, env))


def add_class(draw: Draw, program: Program, index: int) -> Program | None:
    program, serial = next_serial(program)
    bases: tuple[Ref, ...] = ()
    candidates = refs(draw, program, index, Klass, serial)
    if candidates and draw(st.booleans()):
        bases = (styled(draw, pick(draw, candidates)),)
    name = fresh_name(draw, program, index, "C", serial)
    cls = Klass(name, serial, bases)
    consts, funcs = refs(draw, program, index, Const), _attr_funcs(draw, program, index)
    for _ in range(draw(st.integers(0, 2))):
        program, attr_serial = next_serial(program)
        value = expression(draw, Env((), consts, funcs), 1)
        cls = replace(cls, attrs=(*cls.attrs, Attr(f"A{attr_serial}", value)))
    for _ in range(draw(st.integers(0, 3))):
        program, method_serial = next_serial(program)
        method = _method(draw, program, index, cls, f"m{method_serial}", method_serial)
        cls = replace(cls, methods=(*cls.methods, method))
    return put(program, index, cls)


def _attr_funcs(draw: Draw, program: Program, index: int) -> list[Ref]:
    """Functions a class attribute may call while the class body runs."""
    if "import-time calls" in AVOID:
        return []
    return refs(draw, program, index, Func)


def add_tail(draw: Draw, program: Program, index: int) -> Program | None:
    funcs = refs(draw, program, index, Func)
    kinds = [k for k, ok in (("call", funcs), ("registry", funcs)) if ok]
    if "import-time calls" in AVOID and "call" in kinds:
        kinds.remove("call")
    if refs(draw, program, index, Factory):
        kinds.append("closure")
    if refs(draw, program, index, Klass):
        kinds.append("instance")
    if not kinds:
        return None
    kind = pick(draw, kinds)
    program, serial = next_serial(program)
    pool = {
        "call": funcs,
        "registry": funcs,
        "closure": refs(draw, program, index, Factory),
        "instance": refs(draw, program, index, Klass),
    }[kind]
    count = draw(st.integers(1, 3)) if kind == "registry" else 1
    targets = tuple(styled(draw, pick(draw, pool)) for _ in range(count))
    prefix = {"call": "V", "registry": "REG", "closure": "ADD", "instance": "OBJ"}[kind]
    name = fresh_name(draw, program, index, prefix, serial)
    return put(program, index, Tail(name, serial, kind, targets, draw(st.integers(0, 5))))


ADDS: list[Op] = [add_func, add_const, add_class, add_deco, add_factory, add_tail]


def change_func(draw: Draw, program: Program, index: int) -> Program | None:
    funcs = of(program, index, Func)
    if not funcs:
        return None
    func = pick(draw, funcs)
    what = pick(draw, ["body", "default", "decorators", "doc"])
    if what == "body":
        new = replace(func, body=_func_body(draw, program, index, func.serial, bool(func.default)))
    elif what == "default":
        if "default changes" in AVOID:
            return None
        consts = refs(draw, program, index, Const)
        drop = func.default is not None and draw(st.booleans())
        default = None if drop else expression(draw, Env((), consts), 0)
        body = func.body if default is not None else sanitize_params(func.body, ("x",))
        new = replace(func, default=default, body=body)
    elif what == "decorators":
        if func.decorators and "decorator removal" in AVOID:
            return None
        new = replace(func, decorators=() if func.decorators else _decorators(draw, program, index))
    else:
        new = replace(func, doc=pick(draw, [None, "changed doc", f"doc {func.serial}"]))
    return put(program, index, new, func.name)


def sanitize_params(expr: Expr, params: tuple[str, ...]) -> Expr:
    """Replace uses of parameters a function no longer has by a literal."""
    tag = expr[0]
    if tag in ("x", "d", "k"):
        return expr if tag in params else ("lit", 7)
    parts = [sanitize_params(p, params) if isinstance(p, tuple) else p for p in expr[1:]]
    return (tag, *parts)


def change_const(draw: Draw, program: Program, index: int) -> Program | None:
    consts = of(program, index, Const)
    if not consts:
        return None
    const = pick(draw, consts)
    env = Env((), refs(draw, program, index, Const, const.serial))
    return put(program, index, replace(const, value=expression(draw, env, 1)), const.name)


def change_deco(draw: Draw, program: Program, index: int) -> Program | None:
    decos = of(program, index, Deco)
    if not decos:
        return None
    deco = pick(draw, decos)
    if draw(st.booleans()):
        new = replace(deco, factor=draw(st.integers(2, 5)))
    else:
        new = replace(deco, wraps=not deco.wraps)
    return put(program, index, new, deco.name)


def change_factory(draw: Draw, program: Program, index: int) -> Program | None:
    factories = of(program, index, Factory)
    if not factories:
        return None
    factory = pick(draw, factories)
    env = Env(("x", "k"), refs(draw, program, index, Const), refs(draw, program, index, Func))
    return put(program, index, replace(factory, inner=expression(draw, env)), factory.name)


def change_class(draw: Draw, program: Program, index: int) -> Program | None:
    classes = of(program, index, Klass)
    if not classes:
        return None
    cls = pick(draw, classes)
    what = pick(draw, ["method", "add method", "remove method", "kind", "attr", "bases"])
    if what == "method" and cls.methods:
        method = pick(draw, cls.methods)
        env = method_env(draw, program, index, cls, method.name, method.kind)
        new_method = replace(method, body=expression(draw, env))
        methods = tuple(new_method if m is method else m for m in cls.methods)
        new = replace(cls, methods=methods)
    elif what == "add method":
        chain = class_chain(program, cls, index)
        own = {m.name for m in cls.methods}
        inherited = sorted({m.name for c in chain[1:] for m in c.methods} - own)
        program, serial = next_serial(program)
        name = f"m{serial}"
        if inherited and draw(st.booleans()):
            name = pick(draw, inherited)  # an override
        method = _method(draw, program, index, cls, name, serial)
        new = replace(cls, methods=(*cls.methods, method))
    elif what == "remove method" and cls.methods:
        gone = pick(draw, cls.methods)
        if gone.kind == "cached" and "cached_property replaced" in AVOID:
            return None
        new = replace(cls, methods=tuple(m for m in cls.methods if m is not gone))
    elif what == "kind" and cls.methods:
        method = pick(draw, cls.methods)
        if method.kind == "cached" and "cached_property replaced" in AVOID:
            return None
        kinds: list[MethodKind] = ["plain", "static", "class", "property", "cached"]
        kind: MethodKind = pick(draw, [k for k in kinds if k != method.kind])
        program, serial = next_serial(program)
        new_method = Method(method.name, serial, kind, sanitize(method.body, kind))
        new = replace(cls, methods=tuple(new_method if m is method else m for m in cls.methods))
    elif what == "attr":
        consts, funcs = refs(draw, program, index, Const), _attr_funcs(draw, program, index)
        value = expression(draw, Env((), consts, funcs), 1)
        if cls.attrs and draw(st.booleans()):
            target = pick(draw, cls.attrs)
            attrs = tuple(Attr(a.name, value) if a is target else a for a in cls.attrs)
            if draw(st.booleans()):
                attrs = tuple(a for a in cls.attrs if a is not target)
        else:
            program, serial = next_serial(program)
            attrs = (*cls.attrs, Attr(f"A{serial}", value))
        new = replace(cls, attrs=attrs)
    elif what == "bases":
        candidates = refs(draw, program, index, Klass, cls.serial)
        options: list[tuple[Ref, ...]] = [()] + [(styled(draw, c),) for c in candidates]
        new = replace(cls, bases=pick(draw, options))
    else:
        return None
    return put(program, index, new, cls.name)


def change_tail(draw: Draw, program: Program, index: int) -> Program | None:
    tails = of(program, index, Tail)
    if not tails:
        return None
    tail = pick(draw, tails)
    if tail.kind == "registry" and draw(st.booleans()):
        funcs = refs(draw, program, index, Func)
        targets = tuple(styled(draw, pick(draw, funcs)) for _ in range(draw(st.integers(1, 3))))
        return put(program, index, replace(tail, targets=targets), tail.name)
    return put(program, index, replace(tail, arg=draw(st.integers(0, 9))), tail.name)


def remove(draw: Draw, program: Program, index: int) -> Program | None:
    free = [e for e in program.modules[index].entities if not referenced(program, index, e.name)]
    if not free:
        return None
    return drop(program, index, pick(draw, free).name)


def change_kind(draw: Draw, program: Program, index: int) -> Program | None:
    """A name that was a function becomes a class, or the other way round (unreferenced only)."""
    free = [
        e
        for e in program.modules[index].entities
        if isinstance(e, Func | Klass | Const) and not referenced(program, index, e.name)
    ]
    if not free:
        return None
    old = pick(draw, free)
    program = drop(program, index, old.name)
    program, serial = next_serial(program)
    entity: Entity
    if isinstance(old, Func):
        entity = Klass(old.name, serial)
    else:
        body = _func_body(draw, program, index, serial, False)
        entity = Func(old.name, serial, body)
    return put(program, index, entity)


def move(draw: Draw, program: Program, index: int) -> Program | None:
    """Swap two functions (their lines move; nothing else changes)."""
    module = program.modules[index]
    funcs = [i for i, e in enumerate(module.entities) if isinstance(e, Func)]
    if len(funcs) < 2:
        return None
    a, b = pick(draw, funcs), pick(draw, funcs)
    entities = list(module.entities)
    entities[a], entities[b] = entities[b], entities[a]
    return with_module(program, replace(module, entities=tuple(entities)))


def shift(draw: Draw, program: Program, index: int) -> Program | None:
    """Add or remove comment lines at the top: every line below moves."""
    module = program.modules[index]
    header = draw(st.integers(0, 3))
    return with_module(program, replace(module, header=header))


def restyle(draw: Draw, program: Program, index: int) -> Program | None:
    """``from fza import f`` becomes ``fza.f`` (or back), or an unused ``import`` comes/goes."""
    module = program.modules[index]
    if index == 0:
        return None
    if draw(st.booleans()):
        target = draw(st.integers(0, index - 1))
        extra = module.extra_imports ^ {target}
        return with_module(program, replace(module, extra_imports=frozenset(extra)))
    refs = [r for e in module.entities for r in entity_refs(e) if r.style != "local"]
    if not refs:
        return None
    chosen = pick(draw, refs)
    following = {"from": "attr", "attr": "star", "star": "from"}
    if "star imports" in AVOID:
        following["attr"] = "from"
    flipped = replace(chosen, style=following[chosen.style])
    entities = tuple(_map_refs(e, chosen, flipped) for e in module.entities)
    return with_module(program, replace(module, entities=entities))


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
        op = pick(draw, ops)
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
        entities = tuple(_entity_avoiding(entity) for entity in module.entities)
        modules.append(replace(module, entities=entities))
    return replace(program, modules=tuple(modules))


def _entity_avoiding(entity: Entity) -> Entity:
    """One entity without the features in ``AVOID`` (see :func:`_avoiding`)."""
    if "import-time attribute reads" in AVOID:
        entity = _import_time_from(entity)
    if "cache dependencies" not in AVOID:
        return entity
    if isinstance(entity, Func) and None in entity.decorators:
        return replace(entity, body=_self_contained(entity.body))
    if isinstance(entity, Klass):
        methods = tuple(
            replace(m, body=_self_contained(m.body)) if m.kind == "cached" else m
            for m in entity.methods
        )
        return replace(entity, methods=methods)
    return entity


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
