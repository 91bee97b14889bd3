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
failing story shrinks to few modules, few definitions and few saves. The model is in
``_fuzz_program.py``, the edits in ``_fuzz_edits.py`` (built from ``_fuzz_values.py``), the
session and probes in ``_fuzz_probes.py``.
"""


from __future__ import annotations

from hypothesis import strategies as st

from _fuzz_edits import ADDS, EDITS, edit
from _fuzz_probes import probes, setup_code
from _fuzz_program import MODULES, Program, Rendered, Step, Story, render
from _fuzz_values import AVOID, Draw, pick

__all__ = ["AVOID", "FAULTS", "broken", "stories"]

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
    kind, block, offset = pick(draw, FAULTS)
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
        what = pick(draw, ["edit", "edit", "edit", "two edits", "broken"])
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
        reloader=pick(draw, ["before", "after"]),
        strategy=pick(draw, ["incremental", "full"]),
    )


# -- sources with a large class, and edits inside it (the nested re-parse) ----------------------

# Members of a class body at column 4, including the shapes that carry tokenizer state across
# lines (brackets, continuations, triple-quoted strings with lines at column 0, decorators).
MEMBERS = [
    "    def m(self):\n        return 1\n",
    "    x = 1\n",
    "    @property\n    def p(self):\n        return self.x\n",
    "    @staticmethod\n    def s(a,\n          b):\n        return a\n",
    '    """doc\nat column 0\n    """\n',
    "    def q(self):\n        s = '''\ndef fake():\n    pass\n'''\n        return s\n",
    "    t = (1,\n2)\n",
    "    y = x \\\n        + 1\n",
    "    a = 1; b = 2\n",
    "    # comment\n",
    "\n",
    "    class Inner:\n        z = 3\n",
    "    async def g(self):\n        await h()\n",
    "    def k(self, v: T = D) -> R:\n        return v\n",
    "    if x:\n        w = 1\n    else:\n        w = 2\n",
]
# Lines an edit inserts into a class: some complete, some that open or close something, some
# that leave the class (column 0) or indent oddly.
MEMBER_PIECES = [
    *MEMBERS,
    "    @dec\n",
    "        u = 5\n",
    "      v = 6\n",
    "def outside():\n    pass\n",
    "x = 0\n",
    '    """\n',
    "'''\n",
    "    t = (\n",
    ")\n",
    "    y = 1 \\\n",
    "        return 5\n",
    "    else:\n",
]


@st.composite
def class_sources(draw: st.DrawFn) -> str:
    """A module with statements around a class of many members."""
    members = draw(st.lists(st.sampled_from(MEMBERS), min_size=1, max_size=20))
    before = draw(st.sampled_from(["", "import os\n\n", "@deco\n", "x = 1\n\n\n"]))
    after = draw(st.sampled_from(["", "\n\ny = 2\n", "\n# tail\n", "\n\nclass D:\n    pass\n"]))
    return before + "class C(B):\n" + "".join(members) + after


TYPED = ["x", " ", "\n", "(", ")", '"', "#", ":", "@", "\\"]  # characters an edit may type


def edit_lines(
    draw: st.DrawFn, text: str, pieces: list[str] = MEMBER_PIECES, typed: list[str] = TYPED
) -> str:
    """One edit: lines of ``pieces`` inserted, lines deleted or replaced, or one character of
    ``typed`` typed."""
    lines = text.splitlines(keepends=True)
    at = draw(st.integers(0, len(lines)))
    kind = draw(st.sampled_from(["insert", "delete", "replace", "character"]))
    if kind == "insert":
        lines[at:at] = draw(st.lists(st.sampled_from(pieces), min_size=1, max_size=3))
    elif kind == "delete":
        del lines[at : at + draw(st.integers(1, 3))]
    elif kind == "replace" and lines:
        lines[min(at, len(lines) - 1)] = draw(st.sampled_from(pieces))
    else:
        position = draw(st.integers(0, len(text)))
        char = draw(st.sampled_from(typed))
        return text[:position] + char + text[position:]
    return "".join(lines)


@st.composite
def class_edit_chains(draw: st.DrawFn) -> list[str]:
    """A module with a large class, then 1-6 saves each editing the one before."""
    texts = [draw(class_sources())]
    for _ in range(draw(st.integers(1, 6))):
        text = texts[-1]
        for _place in range(draw(st.integers(1, 3))):  # one save may edit several places
            text = edit_lines(draw, text)
        texts.append(text)
    return texts
