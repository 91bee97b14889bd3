"""`python -m hotswap demo`: runs every step, shows its claims, fails when a claim breaks."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from uuid import uuid4

import pytest


@pytest.fixture(scope="module")
def demo_output() -> str:
    """The stdout of one `python -m hotswap demo` run (checked to exit 0 with nothing on stderr)."""
    env = {**os.environ, "NO_COLOR": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "hotswap", "demo"],
        capture_output=True,
        text=True,
        env=env,
        timeout=100,
        check=False,
    )
    assert result.returncode == 0, f"demo failed:\n{result.stdout}\n{result.stderr}"
    assert result.stderr == ""
    return result.stdout


def _section(output: str, number: int) -> str:
    """The lines of step `number`, from its heading to the next blank line."""
    match = re.search(rf"^Step {number}/5\. .*?(?=^\s*$)", output, re.M | re.S)
    assert match, f"no step {number} in:\n{output}"
    return match.group(0)


def _shows(section: str, expression: str, value: str, was: str | None = None) -> bool:
    """True when `section` has the line `expression -> value`, marked `(was ...)` if `was`."""
    tail = rf" +\(was {re.escape(was)}\)" if was is not None else r"(?: +(?!\(was ).*)?"
    pattern = rf"^  {re.escape(expression)} +-> {re.escape(value)}{tail}$"
    return re.search(pattern, section, re.M) is not None


def test_demo_exits_zero_and_says_all_steps_behaved(demo_output: str) -> None:
    """The demo ends with a line saying all five steps behaved as shown."""
    assert "All 5 steps behaved as shown" in demo_output
    assert demo_output.count("  as shown\n") == 5


def test_demo_shows_the_session_and_its_references(demo_output: str) -> None:
    """Before any edit the demo shows the session's imports and each reference's value."""
    assert ">>> from shop.pricing import price" in demo_output
    assert ">>> hooks = [pricing.discount]" in demo_output
    assert "hotswap: nothing changed" in demo_output
    intro = demo_output.split("Step 1/5.")[0]
    assert _shows(intro, 'price("book", 2)', "24.0")
    assert _shows(intro, "cart.total()", "25.5")
    assert _shows(intro, "pricing.LOADS", "1")


def test_step_1_function_body_change_reaches_every_reference(demo_output: str) -> None:
    """Step 1 patches discount(); the callback list and both carts see 10% off."""
    step = _section(demo_output, 1)
    assert "- " + "    return total" in step
    assert "hotswap: reloaded shop.pricing: patched discount" in step
    assert _shows(step, "hooks[0](100.0)", "90.0", was="100.0")
    assert _shows(step, "cart.total()", "22.95", was="25.5")
    assert _shows(step, "isinstance(cart, Cart)", "True")


def test_step_2_new_method_with_super_works_on_old_instance(demo_output: str) -> None:
    """Step 2 adds VipCart.total() calling super(); the instance made before the edit uses it."""
    step = _section(demo_output, 2)
    assert "+ " + "    def total(self):" in step
    assert "hotswap: reloaded shop.vip: added VipCart.total" in step
    assert _shows(step, "vip.total()", "20.52", was="21.6")


def test_step_3_syntax_error_is_rejected_and_points_at_file_and_line(demo_output: str) -> None:
    """Step 3 saves a typo: the report names pricing.py and the line; no value changes."""
    step = _section(demo_output, 3)
    assert re.search(
        r"hotswap: reloading shop\.pricing failed; kept the previous version\n"
        r'\s+File "\S+pricing\.py", line \d+\n.*\n\s+SyntaxError',
        step,
    ), step
    assert "(was " not in step
    assert _shows(step, "hooks[0](100.0)", "90.0")


def test_step_4_fix_applies(demo_output: str) -> None:
    """Step 4 fixes the typo: discount() now takes 20% off everywhere."""
    step = _section(demo_output, 4)
    assert "hotswap: reloaded shop.pricing: patched discount" in step
    assert _shows(step, "hooks[0](100.0)", "80.0", was="90.0")
    assert _shows(step, "vip.total()", "18.24", was="20.52")
    assert _shows(step, "cart.items", "[('book', 2), ('pen', 1)]")


def test_step_5_module_cache_is_not_refilled(demo_output: str) -> None:
    """Step 5 edits price(); the slow table it reads was loaded once and still is."""
    step = _section(demo_output, 5)
    assert "hotswap: reloaded shop.pricing: patched price" in step
    assert _shows(step, 'price("book", 2)', "26.4", was="24.0")
    assert _shows(step, "pricing.LOADS", "1")


def test_demo_removes_its_temporary_directory(demo_output: str) -> None:
    """The package directory the demo announces no longer exists when it has finished."""
    match = re.search(r"^Writing a small package to (.+)[/\\]shop:$", demo_output, re.M)
    assert match, demo_output
    assert not Path(match.group(1)).exists()


def _python(code: str) -> subprocess.CompletedProcess[str]:
    """Runs `code` in a fresh interpreter, so the engine's per-process state starts empty."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=100,
        check=False,
    )


def test_a_claim_that_does_not_hold_fails_the_demo() -> None:
    """When a step does not behave as shown, the demo exits 1 and names the claim that broke."""
    result = _python(
        """
        import dataclasses, sys
        from hotswap._front import demo as _demo
        wrong = dataclasses.replace(_demo.STEPS[0], expect={"cart.total()": "99.0"})
        sys.exit(_demo.run(steps=(wrong,)))
        """
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "hotswap demo FAILED: step 1 (Change a function body" in result.stderr
    assert "cart.total() returned 22.95, expected 99.0" in result.stderr
    assert "behaved as shown" not in result.stdout


def test_an_unexpected_report_fails_the_demo() -> None:
    """A step whose report lacks a promised change fails, naming the change it looked for."""
    result = _python(
        """
        import dataclasses, sys
        from hotswap._front import demo as _demo
        wrong = dataclasses.replace(_demo.STEPS[0], changes=(("pricing", "price", "patched"),))
        sys.exit(_demo.run(steps=(wrong,)))
        """
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "the report does not say patched price in shop.pricing" in result.stderr


def test_demo_cleans_up_after_itself_in_process() -> None:
    """Run in a session, the demo leaves sys.path and sys.modules as it found them."""
    result = _python(
        """
        import sys
        from hotswap._front import demo as _demo
        path = list(sys.path)
        assert _demo.run(package="hs_demo_pkg") == 0
        assert sys.path == path, (path, sys.path)
        assert not [n for n in sys.modules if n.startswith("hs_demo_pkg")]
        """
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_demo_runs_twice_in_one_process() -> None:
    """Two demo runs in one session both pass: the first one's removed package is not reported."""
    result = _python(
        """
        from hotswap._front import demo as _demo
        assert _demo.run(package="hs_demo_a") == 0
        assert _demo.run(package="hs_demo_b") == 0
        """
    )
    assert result.returncode == 0, result.stderr


def test_a_module_removed_from_sys_modules_is_no_longer_watched(tmp_path: Path) -> None:
    """After `del sys.modules[name]` and deleting its file, check() reports nothing about it.

    The engine behaviour that lets the demo run twice in one process (found by the test above).
    """
    name = f"hs_{uuid4().hex[:8]}"
    result = _python(
        f"""
        import importlib, os, sys
        import hotswap
        sys.path.insert(0, {str(tmp_path)!r})
        path = os.path.join({str(tmp_path)!r}, "{name}.py")
        with open(path, "w") as f:
            f.write("x = 1\\n")
        with hotswap.Reloader() as r:
            importlib.import_module("{name}")
            assert "{name}" in r.watched()
            del sys.modules["{name}"]
            os.remove(path)
            assert "{name}" not in r.watched(), r.watched()
            report = r.check()
            assert not report, str(report)
        """
    )
    assert result.returncode == 0, result.stderr
