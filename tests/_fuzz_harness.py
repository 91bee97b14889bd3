"""Run a fuzz story on both sides, judge the results, and write a failing story as a test.

:class:`Sides` keeps one fork server per side (``tests/_fuzz_driver.py``): the *live* side runs
the whole story against ``hotswap.Reloader``; the *oracle* side imports the files as they stand
after each good save in a pristine process. :func:`judge` lists every disagreement:

- a good save: ``report.ok``, no errors, nothing left in ``r.failures``, every probe equal to
  the oracle's;
- a broken save: the report is not ok, an error names the broken file and the line of the
  fault, ``r.failures`` lists the module, every probe gives what it gave before the save, and
  the module's dict, function code and class members are the same objects as before.

:func:`reproducer` turns a (shrunk) failing story into a standalone test file for
``tests/regressions/``; it runs through :func:`check_story`, the same path the fuzzer uses.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from _fuzz_program import Step, Story
from _oracle import child_environ, end_server

DRIVER = Path(__file__).with_name("_fuzz_driver.py")
ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
LIVE_TIMEOUT = 90
ORACLE_TIMEOUT = 30


def _latin1(files: dict[str, str | bytes]) -> dict[str, str]:
    out = {}
    for rel, data in files.items():
        raw = data if isinstance(data, bytes) else data.encode("utf-8")
        out[rel] = raw.decode("latin-1")
    return out


class Server:
    """One fork server process (``live`` or ``oracle``)."""

    def __init__(self, side: str) -> None:
        # Set reprs must agree between the two sides.
        env = child_environ(PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1")
        self.side = side
        self.proc = subprocess.Popen(
            [sys.executable, str(DRIVER), side],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        self._next = 0

    def send(self, spec: dict[str, Any], out: Path, timeout: int) -> int:
        self._next += 1
        request = {"id": self._next, "spec": spec, "out": str(out), "timeout": timeout}
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        return self._next

    def answer(self, wanted: int) -> int:
        """The wait status of request ``wanted`` (answers come in request order)."""
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the {self.side} fork server died")
        answer = json.loads(line)
        if answer["id"] != wanted:
            raise RuntimeError(f"the {self.side} fork server answered {answer} for {wanted}")
        return int(answer["status"])

    def close(self) -> None:
        end_server(self.proc)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


class Sides:
    """The two fork servers; ``run`` gives the live records and the oracle records of a story."""

    def __init__(self) -> None:
        self.live = Server("live")
        self.oracle = Server("oracle")

    def close(self) -> None:
        self.live.close()
        self.oracle.close()

    def __enter__(self) -> Sides:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, story: Story, work: Path) -> Result:
        """Both sides of ``story``; servers in doubt are restarted (and the error raised)."""
        try:
            return self._run(story, work)
        except BaseException:
            self.close()
            self.live, self.oracle = Server("live"), Server("oracle")
            raise

    def _run(self, story: Story, work: Path) -> Result:
        work.mkdir(parents=True, exist_ok=True)
        live_out = work / "live.jsonl"
        live_id = self.live.send(_live_spec(story, work / "live"), live_out, LIVE_TIMEOUT)
        oracle_ids = []
        oracle_outs = []
        for index, step in enumerate(story.steps):
            if not step.ok:
                continue
            out = work / f"oracle{index}.jsonl"
            spec = {
                "index": index,
                "dir": str(work / f"oracle{index}"),
                "files": _latin1(story.files_after(index)),
                "setup": story.setup,
                "probes": step.probes,
            }
            oracle_ids.append(self.oracle.send(spec, out, ORACLE_TIMEOUT))
            oracle_outs.append(out)
        statuses = {"live": self.live.answer(live_id)}
        oracle_status = [self.oracle.answer(wanted) for wanted in oracle_ids]
        statuses["oracle"] = max(oracle_status, default=0)
        live = _read(live_out)
        oracle = [r for out in oracle_outs for r in _read(out)]
        log = (work / "live.jsonl.log").read_text(errors="replace") if live_out.exists() else ""
        return Result(live, oracle, statuses, log)


def _live_spec(story: Story, workdir: Path) -> dict[str, Any]:
    return {
        "workdir": str(workdir),
        "before": _latin1(dict(story.before)),
        "setup": story.setup,
        "reloader": story.reloader,
        "strategy": story.strategy,
        "steps": [
            {
                "files": _latin1(step.files),
                "ok": step.ok,
                "error_path": step.error_path,
                "probes": step.probes,
            }
            for step in story.steps
        ],
    }


def _read(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@dataclass
class Result:
    live: list[dict[str, Any]]
    oracle: list[dict[str, Any]]
    statuses: dict[str, int]
    log: str


# -- judging -----------------------------------------------------------------------------------


def _shown(value: str) -> str:
    return f"raises {value[1:]}" if value.startswith("!") else value


@dataclass(frozen=True)
class Divergence:
    """One disagreement: the save it follows (None: the session as a whole) and what differs."""

    step: int | None
    message: str
    report: str = ""
    probe: str | None = None  # the probe expression that differs, if it is a probe
    warnings: tuple[str, ...] = ()  # every warning the reports gave up to this save


def judge(story: Story, result: Result) -> list[Divergence]:
    """Every way the live session disagrees with a fresh process or with the contract."""
    problems: list[Divergence] = []
    kinds = [r["kind"] for r in result.live]
    if "done" not in kinds:
        crash = [r["error"] for r in result.live if r["kind"] == "crash"]
        detail = crash[0] if crash else result.log[-3000:]
        status = result.statuses["live"]
        message = f"the live session died (wait status {status}):\n{detail}"
        problems.append(Divergence(None, message))
    for record in result.oracle:
        if record["kind"] == "crash":
            message = f"harness bug: the oracle crashed:\n{record['error']}"
            problems.append(Divergence(None, message))
        elif record["kind"] == "oracle" and record["error"]:
            message = f"generator bug: the oracle's setup raised:\n{record['error']}"
            problems.append(Divergence(record["index"], message))
    setup = [r for r in result.live if r["kind"] == "setup"]
    if setup and setup[0]["error"]:
        message = f"generator bug: the live setup raised:\n{setup[0]['error']}"
        problems.append(Divergence(None, message))
    oracles = {r["index"]: r for r in result.oracle if r["kind"] == "oracle"}
    warnings: list[str] = []
    for record in result.live:
        if record["kind"] != "step":
            continue
        index = record["index"]
        report = record.get("report", {})
        text = report.get("text", "<no report>")
        warnings += [w["message"] for w in report.get("warnings", [])]
        for probe, message in _judge_step(story.steps[index], record, oracles.get(index)):
            problems.append(Divergence(index, message, text, probe, tuple(warnings)))
    return problems


def describe(story: Story, problems: list[Divergence]) -> str:
    """Problems grouped by save, with what each save wrote and what the report said."""
    out: list[str] = []
    steps = sorted({p.step for p in problems}, key=lambda s: -1 if s is None else s)
    for index in steps:
        group = [p for p in problems if p.step == index]
        lines = "\n".join("    " + p.message.replace("\n", "\n    ") for p in group)
        if index is None:
            out.append(f"session:\n{lines}")
            continue
        step = story.steps[index]
        files = ", ".join(step.files)
        out.append(
            f"save {index + 1} ({step.note}; wrote {files}):\n{lines}\n"
            f"  str(report): {group[0].report!r}"
        )
    return "\n".join(out)


def _judge_step(
    step: Step, live: dict[str, Any], oracle: dict[str, Any] | None
) -> list[tuple[str | None, str]]:
    """(probe or None, message) for each way one save went wrong."""
    if "check_error" in live:
        return [(None, f"r.check() raised instead of returning a Report:\n{live['check_error']}")]
    out: list[tuple[str | None, str]] = []
    report = live["report"]
    if step.ok:
        if not report["ok"] or report["errors"]:
            out.append((None, f"a good save failed: {report['errors']}"))
        if live["failures"]:
            out.append((None, f"r.failures still lists {live['failures']}"))
        if oracle is None:
            return [*out, (None, "the oracle produced no result for this save")]
        for expr, want in oracle["probes"].items():
            got = live["probes"][expr]
            if ADDRESS.search(want):
                out.append((None, f"generator bug: probe {expr} is not address-free: {want}"))
            elif got != want:
                out.append((expr, f"{expr}: live {_shown(got)} != fresh {_shown(want)}"))
        return out
    if report["ok"]:
        out.append((None, "a broken save was reported ok"))
    wanted = "/" + str(step.error_path)
    errors = [e for e in report["errors"] if str(e["path"]).replace(os.sep, "/").endswith(wanted)]
    if not errors:
        out.append((None, f"no error names {step.error_path}: {report['errors']}"))
    elif step.error_line is not None and not any(e["line"] == step.error_line for e in errors):
        shown = [(e["line"], e["message"]) for e in errors]
        out.append((None, f"the error should name line {step.error_line}, not {shown}"))
    module = Path(str(step.error_path)).stem
    if module not in live["failures"]:
        out.append((None, f"r.failures should list {module}: {live['failures']}"))
    for expr, before in live["probes_before"].items():
        after = live["probes"][expr]
        if after != before:
            change = f"{_shown(before)} -> {_shown(after)}"
            out.append((expr, f"{expr} changed by a failed save: {change}"))
    out += [(None, f"not rolled back: {line}") for line in live.get("rollback", [])]
    return out


# -- reproducers -------------------------------------------------------------------------------


def check_story(story: Story, work: Path) -> None:
    """Run ``story`` on fresh fork servers; raise AssertionError listing every disagreement."""
    with Sides() as sides:
        result = sides.run(story, work)
    problems = judge(story, result)
    assert not problems, describe(story, problems)


def _literal(value: str | bytes) -> str:
    if isinstance(value, bytes):
        return repr(value)
    if "'''" not in value and "\\" not in value and "\0" not in value:
        return "'''\\\n" + value + "'''"
    return repr(value)


def reproducer(story: Story, problems: list[Divergence], name: str) -> str:
    """Python source of a regression test that replays ``story`` (minimal after shrinking)."""
    first = describe(story, problems) if problems else "(no problem recorded)"
    summary = textwrap.indent(first, "    ")
    lines = [
        f'"""Found by the differential fuzzer (tests/test_fuzz.py): {name}.',
        "",
        "What a user sees (live session vs. a fresh interpreter running the same files):",
        "",
        summary.replace('"""', "'''").replace("\\", "\\\\"),
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "from pathlib import Path",
        "",
        "from _fuzz_harness import check_story",
        "from _fuzz_program import Step, Story",
        "",
        "BEFORE = {",
    ]
    for rel, text in story.before.items():
        lines.append(f"    {rel!r}: {_literal(text)},")
    lines += ["}", "", f"SETUP = {_literal(story.setup)}", "", "STEPS = ["]
    for step in story.steps:
        lines.append("    Step(")
        lines.append("        files={")
        for rel, text in step.files.items():
            lines.append(f"            {rel!r}: {_literal(text)},")
        lines.append("        },")
        lines.append("        probes=[")
        lines += [f"            {probe!r}," for probe in step.probes]
        lines.append("        ],")
        if not step.ok:
            lines.append(f"        ok=False, error_path={step.error_path!r},")
            lines.append(f"        error_line={step.error_line!r},")
        lines.append(f"        note={step.note!r},")
        lines.append("    ),")
    lines += [
        "]",
        "",
        f"STORY = Story(BEFORE, SETUP, STEPS, reloader={story.reloader!r}, "
        f"strategy={story.strategy!r})",
        "",
        "",
        f"def test_{name}(tmp_path: Path) -> None:",
        '    """After these saves the live session agrees with a fresh interpreter (see above)."""',
        "    check_story(STORY, tmp_path)",
        "",
    ]
    if any(len(line) > 100 for line in lines):
        lines.insert(0, "# ruff: noqa: E501")
    return "\n".join(lines)


def signature(problem: Divergence) -> str:
    """The shape of a divergence without names and numbers (to tell bugs apart in a campaign)."""
    text = problem.message.split("\n", 1)[0]
    text = re.sub(r"'[^']*'|\"[^\"]*\"", "S", text)
    text = re.sub(r"\b(fz[a-d]|[A-Za-z_]+\d+|\d+)\b", "N", text)
    return text[:120]


def slim(
    sides: Sides, story: Story, problems: list[Divergence], work: Path
) -> tuple[Story, list[Divergence]]:
    """A smaller story that still shows the same divergences: cut after the last divergent
    save, probe only what diverged, then drop earlier saves one at a time while the
    divergences (by :func:`signature`) remain. Probes can have effects (they fill caches), so
    each cut is kept only if it still fails the same way. Returns the story and what it shows.
    """
    wanted = {signature(p) for p in problems}
    runs = 0
    shown: list[Divergence] = problems

    def still_fails(candidate: Story) -> bool:
        nonlocal runs, shown
        runs += 1
        found = judge(candidate, sides.run(candidate, work / f"slim{runs}"))
        if wanted <= {signature(p) for p in found}:
            shown = found
            return True
        return False

    last = max((p.step for p in problems if p.step is not None), default=len(story.steps) - 1)
    probed: dict[int, set[str]] = {}
    for problem in problems:
        if problem.step is not None and problem.probe is not None:
            probed.setdefault(problem.step, set()).add(problem.probe)
    steps = [
        replace(step, probes=[p for p in step.probes if p in probed.get(index, ())])
        for index, step in enumerate(story.steps[: last + 1])
    ]
    best = replace(story, steps=steps)
    if not still_fails(best):
        return story, problems
    index = len(best.steps) - 2
    while index >= 0:
        candidate = replace(best, steps=best.steps[:index] + best.steps[index + 1 :])
        if _well_formed(candidate) and still_fails(candidate):
            best = candidate
        index -= 1
    return best, shown


def _well_formed(story: Story) -> bool:
    """Every broken save but a last one is followed by a save of the same file (the fix)."""
    for index, step in enumerate(story.steps[:-1]):
        if not step.ok and step.error_path not in story.steps[index + 1].files:
            return False
    return True
