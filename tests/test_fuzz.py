"""Property-based differential testing: generated edits against a fresh interpreter.

Hypothesis draws small module sets and sequences of saves (``tests/strategies.py``). After every
save the live session (``hotswap.Reloader.check()``, references held the way users hold them)
is compared with a pristine process that imports the files as they stand
(``tests/_fuzz_harness.py``); a broken save must roll back and name its file and line.

- ``make test`` runs a seeded, deterministic slice (``test_a_seeded_slice_of_generated_edits``).
- ``make fuzz`` (``--fuzz-examples=N``) runs a campaign: rounds of random stories until at least
  ``N`` edits have been checked. Each divergence is shrunk by Hypothesis and written to
  ``tests/regressions/test_fuzz_<hash>.py``, a normal test that replays the minimal story.

``KNOWN`` lists divergences that already have a reproducer in ``tests/regressions/`` and wait for
an engine fix: they are counted and reported, and do not stop the fuzzer from looking further.
Remove an entry when its reproducer passes.
"""

from __future__ import annotations

import hashlib
import random
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import seed as hypothesis_seed

import strategies
from _fuzz_harness import Divergence, Sides, describe, judge, reproducer, signature, slim
from _fuzz_program import Story
from conftest import FUZZ_SUMMARY
from strategies import stories

pytestmark = pytest.mark.slow  # a seeded slice of generated edits on fork servers

REGRESSIONS = Path(__file__).parent / "regressions"
SLICE_CHUNKS = 5  # the slice runs as separate tests, each with its own fixed seed
SLICE_EXAMPLES = 14  # stories per chunk: ~300 edits in all, about 30 s on an idle core
ROUND_EXAMPLES = 100  # stories per campaign round (each round has its own seed)


@dataclass(frozen=True)
class Known:
    """A divergence with a reproducer in tests/regressions/, waiting for an engine fix: problems
    it ``matches`` are tallied instead of failing, and the generator stops producing the
    ``avoid`` features (see ``strategies.AVOID``)."""

    regression: str
    matches: Callable[[Story, Divergence], bool] = lambda story, problem: False
    avoid: frozenset[str] = frozenset()


def _holder_of_a_replaced_class(story: Story, problem: Divergence) -> bool:
    """A documented limit: a reference the session took before the edit (an instance, a
    subclass, a bound method, the class itself) to a class that a warning said could not be
    updated in place (its bases, metaclass or layout changed in a way CPython refuses)."""
    probe = problem.probe or ""
    for warning in problem.warnings:
        match = re.match(r"(\w+): (bases changed|metaclass changed|instance layout)", warning)
        if match is None:
            continue
        name = match.group(1)
        if re.search(rf"\b(I_{name}|S_{name}|B_{name}_\w+)\b|^{name} is ", probe):
            return True
    return False


KNOWN: list[Known] = [
    Known("documented limit (docs/safety.md, Limits): replaced class", _holder_of_a_replaced_class),
]
strategies.AVOID.update(*(k.avoid for k in KNOWN))


def _unknown(story: Story, problems: list[Divergence], tally: Tally) -> list[Divergence]:
    """Problems that are neither KNOWN nor already written by this campaign."""
    out = []
    for problem in problems:
        known = next((k.regression for k in KNOWN if k.matches(story, problem)), None)
        if known is None and signature(problem) in tally.seen:
            known = "(written in this campaign)"
        if known is None:
            out.append(problem)
        else:
            tally.known[known] = tally.known.get(known, 0) + 1
    return out


@dataclass
class Tally:
    stories: int = 0
    edits: int = 0
    known: dict[str, int] = field(default_factory=dict)
    written: list[Path] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)


def _check(sides: Sides, story: Story, tally: Tally) -> tuple[list[Divergence], bool]:
    """Every divergence of ``story``, and whether any of them is new (not KNOWN or seen)."""
    with tempfile.TemporaryDirectory(prefix="hotswap-fuzz-") as work:
        result = sides.run(story, Path(work))
    tally.stories += 1
    tally.edits += story.edits
    problems = judge(story, result)
    return problems, bool(_unknown(story, problems, tally))


def _story_name(story: Story) -> str:
    return "fuzz_" + hashlib.blake2b(repr(story).encode(), digest_size=5).hexdigest()


_HEALTH = list(HealthCheck)


@pytest.fixture(scope="module")
def sides() -> Iterator[Sides]:
    with Sides() as both:
        yield both


@pytest.mark.timeout(600)  # a bounded amount of work; a loaded machine may need longer than 120 s
@pytest.mark.parametrize("chunk", range(SLICE_CHUNKS))
def test_a_seeded_slice_of_generated_edits(
    sides: Sides,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    chunk: int,
) -> None:
    """A few hundred generated saves (the same ones every run) leave the session as a fresh run
    would leave it; broken saves roll back and name their file and line."""
    if request.config.getoption("--fuzz-examples"):
        pytest.skip("a fuzz campaign runs instead")
    tally = Tally()
    started = time.monotonic()

    @hypothesis_seed(20_000 + chunk)
    @settings(
        max_examples=SLICE_EXAMPLES,
        derandomize=False,
        database=None,
        deadline=None,
        suppress_health_check=_HEALTH,
        report_multiple_bugs=False,
        print_blob=False,
    )
    @given(stories())
    def slice_(story: Story) -> None:
        problems, new = _check(sides, story, tally)
        if new:
            path = tmp_path_factory.mktemp("fuzz") / f"test_{_story_name(story)}.py"
            path.write_text(reproducer(story, problems, _story_name(story)))
            raise AssertionError(f"{describe(story, problems)}\nreproducer: {path}")

    try:
        slice_()
    finally:
        request.config.stash[FUZZ_SUMMARY].append(
            f"fuzz slice {chunk}: {tally.stories} stories, {tally.edits} edits in "
            f"{time.monotonic() - started:.0f} s; known divergences: {tally.known or 'none'}"
        )


@pytest.mark.timeout(0)  # a campaign runs until its edit budget is spent
def test_fuzz_campaign(sides: Sides, request: pytest.FixtureRequest) -> None:
    """``make fuzz``: at least ``--fuzz-examples`` generated edits; every new divergence is shrunk
    and written to tests/regressions/ (the test fails listing the files)."""
    budget = int(request.config.getoption("--fuzz-examples"))
    if not budget:
        pytest.skip("no campaign: pass --fuzz-examples=N (make fuzz)")
    first = request.config.getoption("--fuzz-seed")
    first = random.randrange(1 << 30) if first is None else int(first)
    tally = Tally()
    started = time.monotonic()
    round_ = 0
    found: list[tuple[Story, list[Divergence]]] = []
    while tally.edits < budget:
        found.clear()

        @hypothesis_seed(first + round_)
        @settings(
            max_examples=ROUND_EXAMPLES,
            derandomize=False,
            database=None,
            deadline=None,
            suppress_health_check=_HEALTH,
            report_multiple_bugs=False,
            print_blob=False,
        )
        @given(stories())
        def round_test(story: Story) -> None:
            problems, new = _check(sides, story, tally)
            if new:
                found.append((story, problems))
                raise AssertionError(describe(story, problems))

        try:
            round_test()
        except Exception:
            if not found:
                raise
            story, problems = found[-1]  # Hypothesis replays the shrunk example last
            with tempfile.TemporaryDirectory(prefix="hotswap-fuzz-") as work:
                tally.seen.update(signature(p) for p in problems)
                story, problems = slim(sides, story, problems, Path(work))
            name = _story_name(story)
            path = REGRESSIONS / f"test_{name}.py"
            path.write_text(reproducer(story, problems, name))
            tally.written.append(path)
        round_ += 1
    summary = (
        f"fuzz campaign (seeds {first}..{first + round_ - 1}): {tally.stories} stories, "
        f"{tally.edits} edits in {time.monotonic() - started:.0f} s; "
        f"new reproducers: {[p.name for p in tally.written] or 'none'}; "
        f"known divergences: {tally.known or 'none'}"
    )
    request.config.stash[FUZZ_SUMMARY].append(summary)
    assert not tally.written, summary
