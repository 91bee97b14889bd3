"""The shape of an edit scenario: files before, a session setup, then edit steps with probes.

A scenario is what a user does: write some modules, import them in a session the way people do
(``import m``, ``from m import f``, ``obj = m.C()``, callbacks in lists, partials, bound
methods, subclasses), then save edits. After each save the live session (hotswap's
``Reloader.check()``) must agree with an *oracle*: a fresh Python process that writes the files
as they stand after the step, runs the same setup and evaluates the same probes.

- ``probes`` are expressions compared by ``repr()`` (or by exception type name when they raise)
  between the live session and the oracle: they must produce address-free values.
- ``expect`` maps expressions to Python values checked on the live side only: state that must
  *survive* a reload (a cache filled before the edit, an old instance's data, identities), where
  a fresh process is not the claim.
- ``reloaded`` names modules the report must list as reloaded; ``says`` are fragments that
  ``str(report)`` must contain (what the user reads); ``quiet`` means the report lists nothing;
  ``warns`` allows warnings (a report warning or a Python warning during ``check()``), which
  are otherwise a failure: a warning says something could not be done exactly.
- ``mode`` is the Reloader's mode (``"all"`` by default; ``"complete"`` also brings names a
  module gains into the session where the user's own star or from-import would put them).
- ``requires`` names third-party modules a scenario needs (``("pydantic",)``); the runner skips
  the scenario, saying which module is missing, when one cannot be found.
- ``oracle=False`` marks a step that applies while another file is still broken: a fresh
  process could not even import the files, so such a step checks ``expect`` values only.
- A step with ``ok=False`` must fail and roll back: the report names ``error_path`` and
  ``error_line``, the module keeps its ``__dict__`` (same keys, same objects, same code), and the
  probes give the values they gave before the step. No oracle runs for such a step.

Sources are written as indented triple-quoted strings; they are dedented and a leading newline is
dropped, so line 1 of a file is the first line after the opening quotes.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

When = Literal["before", "after"]
Strategy = Literal["incremental", "full"]
Mode = Literal["all", "complete"]


def src(text: str) -> str:
    """Dedent a source literal and drop the newline right after the opening quotes."""
    text = textwrap.dedent(text)
    return text[1:] if text.startswith("\n") else text


@dataclass(frozen=True)
class Step:
    """One save (one or more files written or deleted) followed by one checkpoint."""

    files: Mapping[str, str] = field(default_factory=dict)
    delete: tuple[str, ...] = ()
    pre: str = ""
    probes: tuple[str, ...] | None = None
    expect: Mapping[str, Any] = field(default_factory=dict)
    ok: bool = True
    error_path: str | None = None
    error_line: int | None = None
    quiet: bool = False
    reloaded: tuple[str, ...] = ()
    says: tuple[str, ...] = ()
    warns: bool = False
    oracle: bool = True
    doc: str = ""


@dataclass(frozen=True)
class Scenario:
    """A named before/after story with a docstring-like ``doc`` saying what a user sees."""

    name: str
    doc: str
    before: Mapping[str, str]
    setup: str
    steps: tuple[Step, ...]
    probes: tuple[str, ...] = ()
    reloader: When = "before"
    strategy: Strategy = "incremental"
    requires: tuple[str, ...] = ()  # importable modules the scenario needs (else it is skipped)
    mode: Mode = "all"  # the Reloader's mode; "complete" also brings new names to the session

    def probes_of(self, step: Step) -> tuple[str, ...]:
        """A step's probes, or the scenario's default probes when the step names none."""
        return self.probes if step.probes is None else step.probes

    def files_after(self, index: int) -> dict[str, str]:
        """Every file as it stands on disk after step ``index`` (cumulative writes/deletes)."""
        files = dict(self.before)
        for step in self.steps[: index + 1]:
            files.update(step.files)
            for path in step.delete:
                files.pop(path, None)
        return files


def step(
    files: Mapping[str, str] | None = None,
    *,
    delete: Iterable[str] = (),
    pre: str = "",
    probes: Iterable[str] | None = None,
    expect: Mapping[str, Any] | None = None,
    ok: bool = True,
    error_path: str | None = None,
    error_line: int | None = None,
    quiet: bool = False,
    reloaded: Iterable[str] = (),
    says: Iterable[str] = (),
    warns: bool = False,
    oracle: bool = True,
    doc: str = "",
) -> Step:
    """Build a :class:`Step`, dedenting every file source."""
    if not ok and (error_path is None or error_line is None):
        raise ValueError("a failing step must name error_path and error_line")
    if not oracle and probes:
        raise ValueError("a step without an oracle checks expect values only")
    return Step(
        files={path: src(text) for path, text in (files or {}).items()},
        delete=tuple(delete),
        pre=src(pre),
        probes=None if probes is None else tuple(probes),
        expect=dict(expect or {}),
        ok=ok,
        error_path=error_path,
        error_line=error_line,
        quiet=quiet,
        reloaded=tuple(reloaded),
        says=tuple(says),
        warns=warns,
        oracle=oracle,
        doc=doc,
    )


def scenario(
    name: str,
    doc: str,
    *,
    before: Mapping[str, str],
    setup: str,
    steps: Iterable[Step],
    probes: Iterable[str] = (),
    reloader: When = "before",
    strategy: Strategy = "incremental",
    requires: Iterable[str] = (),
    mode: Mode = "all",
) -> Scenario:
    """Build a :class:`Scenario`, dedenting sources and the setup snippet."""
    return Scenario(
        name=name,
        doc=" ".join(doc.split()),
        before={path: src(text) for path, text in before.items()},
        setup=src(setup),
        steps=tuple(steps),
        probes=tuple(probes),
        reloader=reloader,
        strategy=strategy,
        requires=tuple(requires),
        mode=mode,
    )


def variant(base: Scenario, suffix: str, **changes: Any) -> Scenario:
    """The same story under another setting, e.g. the Reloader created after the imports."""
    if "doc" in changes:
        changes["doc"] = " ".join(str(changes["doc"]).split())
    return replace(base, name=f"{base.name}[{suffix}]", **changes)
