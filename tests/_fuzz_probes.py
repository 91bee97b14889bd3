"""The session a fuzz story runs in, and the probes that call into the program.

``setup_code`` imports every module and makes the holders users make: from-imports, a callback
dict, partials, instances, subclasses defined in the session, bound methods (one ``try`` block
each: in a fresh process at a later state some of them may no longer exist). ``probes`` lists
expressions for the program as it stands: through module attributes always, and through a
holder only where the definition has lived without a break since the session made it (same
``serial``). Every probe value is address-free (ints, strings, lists).
"""

from __future__ import annotations

from _fuzz_program import Const, Deco, Entity, Factory, Func, Klass, Method, Program, Tail

PRELUDE = '''\
import functools, inspect


def _line(obj):
    """First line of the function behind a descriptor or a wrapper."""
    for attr in ("fget", "func", "__func__"):
        obj = getattr(obj, attr, obj)
    return inspect.unwrap(obj).__code__.co_firstlineno
'''


def setup_code(program: Program) -> str:
    """The session: import every module, then make holders of everything that exists now."""
    lines = [PRELUDE, f"import {', '.join(m.name for m in program.modules)}", "CB = {}"]
    for module in program.modules:
        mod = module.name
        for entity in module.entities:
            body: list[str] = []
            if isinstance(entity, Func):
                body = [
                    f"from {mod} import {entity.name}",
                    f"CB[{entity.name!r}] = {mod}.{entity.name}",
                    f"P_{entity.name} = functools.partial({mod}.{entity.name}, 3)",
                ]
            elif isinstance(entity, Const):
                body = [f"from {mod} import {entity.name}"]
            elif isinstance(entity, Factory):
                body = [f"H_{entity.name} = {mod}.{entity.name}(1)"]
            elif isinstance(entity, Klass):
                body = [
                    f"from {mod} import {entity.name}",
                    f"I_{entity.name} = {mod}.{entity.name}()",
                    f"class S_{entity.name}({mod}.{entity.name}):",
                    "    pass",
                ]
            blocks = [body]
            if isinstance(entity, Klass):
                # One block per bound method: a method that is gone must not stop the others.
                for method in entity.methods:
                    if method.kind == "plain":
                        bound = f"I_{entity.name}.{method.name}"
                        blocks.append([f"B_{entity.name}_{method.name} = {bound}"])
            for block in blocks:
                if block:
                    lines.append("try:")
                    lines += ["    " + line for line in block]
                    lines += ["except Exception:", "    pass"]
    return "\n".join(lines) + "\n"


def probes(program: Program, held: dict[str, int]) -> list[str]:
    """Every probe of the program as it stands; holders only where the lineage is unbroken."""
    out: list[str] = []
    for module in program.modules:
        mod = module.name
        out.append(f"sorted(k for k in vars({mod}) if not k.startswith('__'))")
        for entity in module.entities:
            key = f"{mod}.{entity.name}"
            kept = held.get(key) == entity.serial
            out += _entity_probes(mod, entity, kept, held)
            if kept and isinstance(entity, Func | Klass):
                out.append(f"{entity.name} is {key}")
    return out


def _entity_probes(mod: str, entity: Entity, kept: bool, held: dict[str, int]) -> list[str]:
    key = f"{mod}.{entity.name}"
    name = entity.name
    if isinstance(entity, Const):
        return [key] + ([name] if kept else [])
    if isinstance(entity, Deco):
        return [f"{key}(abs)(-3)", f"{key}(abs).__name__"]
    if isinstance(entity, Func):
        out = [f"{key}(3)", f"{key}.__name__", f"{key}.__doc__", f"_line({key})"]
        out.append(f"inspect.getsource({key})")
        if kept:
            out += [f"{name}(4)", f"CB[{name!r}](5)", f"P_{name}()"]
        return out
    if isinstance(entity, Factory):
        out = [f"{key}(2)(3)", f"_line({key})"]
        return out + ([f"H_{name}(3)"] if kept else [])
    if isinstance(entity, Tail):
        if entity.kind == "call":
            return [key]
        if entity.kind == "registry":
            return [f"[h(1) for h in {key}]", f"[h.__name__ for h in {key}]"]
        if entity.kind == "closure":
            return [f"{key}(3)", f"_line({key})"]
        return [f"type({key}).__name__", f"sorted(k for k in dir({key}) if not k.startswith('_'))"]
    assert isinstance(entity, Klass)
    out = [
        f"[c.__name__ for c in {key}.__mro__]",
        f"sorted(k for k in vars({key}) if not k.startswith('__'))",
    ]
    out += [f"{key}.{attr.name}" for attr in entity.attrs]
    for method in entity.methods:
        out += _method_probes(mod, entity, method, kept, held)
    if kept:
        out += [f"isinstance(I_{name}, {key})", f"[c.__name__ for c in S_{name}.__mro__]"]
    return out


def _method_probes(
    mod: str, cls: Klass, method: Method, kept: bool, held: dict[str, int]
) -> list[str]:
    key = f"{mod}.{cls.name}"
    attr = f"{key}.{method.name}"
    raw = f"vars({key})[{method.name!r}]"
    out = [f"_line({raw})"]
    if method.kind in ("property", "cached"):
        out.append(f"{key}().{method.name}")
        holders = [f"I_{cls.name}.{method.name}", f"S_{cls.name}().{method.name}"]
    else:
        out.append(f"{key}().{method.name}(3)")
        if method.kind != "plain":
            out.append(f"{attr}(4)")
        holders = [f"I_{cls.name}.{method.name}(5)", f"S_{cls.name}().{method.name}(6)"]
    if kept:
        out += holders
        bound = held.get(f"{attr}") == method.serial and method.kind == "plain"
        if bound:
            out.append(f"B_{cls.name}_{method.name}(7)")
    return out
