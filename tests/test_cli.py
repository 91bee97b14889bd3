"""The command line: ``python -m hotswap --help``, ``--version`` and how bad arguments fail."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import hotswap
from hotswap._front.cli import main


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}
    return subprocess.run(
        [sys.executable, "-m", "hotswap", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_help_lists_commands_with_descriptions_and_examples() -> None:
    """`python -m hotswap --help` shows the usage, each command with one line, and examples."""
    result = _run("--help")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("usage: python -m hotswap ")
    assert "commands:" in out
    demo_lines = [line for line in out.splitlines() if line.strip().startswith("demo ")]
    assert demo_lines, out
    assert "package" in demo_lines[0]
    assert "examples:" in out
    assert "python -m hotswap demo" in out
    assert "--version" in out
    assert result.stderr == ""


def test_version_prints_name_and_version() -> None:
    """`python -m hotswap --version` prints `hotswap <version>` and exits 0."""
    result = _run("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"hotswap {hotswap.__version__}\n"


def test_no_arguments_without_a_terminal_runs_stdin_like_python() -> None:
    """`python -m hotswap` alone starts the REPL; with stdin not a terminal it runs stdin, as
    `python` does (the REPL itself is driven under a pty in tests/test_repl.py)."""
    env = {**os.environ, "NO_COLOR": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "hotswap"],
        input="print(6 * 7)\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "42\n"
    assert result.stderr == ""


def test_demo_help_describes_the_demo() -> None:
    """`python -m hotswap demo --help` describes the demo and gives the example call."""
    result = _run("demo", "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: python -m hotswap demo ")
    assert "python -m hotswap demo" in result.stdout.split("example:")[1]


def test_main_returns_zero_for_help(capsys: pytest.CaptureFixture[str]) -> None:
    """`main(["--help"])` prints the help and returns 0 instead of raising SystemExit."""
    assert main(["--help"]) == 0
    assert capsys.readouterr().out.startswith("usage: hotswap ")


def test_main_version(capsys: pytest.CaptureFixture[str]) -> None:
    """`main(["--version"])` prints `hotswap <version>` and returns 0."""
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"hotswap {hotswap.__version__}\n"


def test_unknown_command_exits_2_naming_it(capsys: pytest.CaptureFixture[str]) -> None:
    """`hotswap bogus` returns 2 and says the command is not one of the known ones."""
    assert main(["bogus"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: hotswap ")
    assert "invalid choice: 'bogus'" in err
    assert "demo" in err


def test_unknown_option_exits_2_naming_it(capsys: pytest.CaptureFixture[str]) -> None:
    """`hotswap --frobnicate` returns 2 and names the option it did not recognise."""
    assert main(["--frobnicate"]) == 2
    assert "unrecognized arguments: --frobnicate" in capsys.readouterr().err


def test_extra_argument_to_demo_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """`hotswap demo extra` returns 2: the demo takes no arguments, and nothing ran."""
    assert main(["demo", "extra"]) == 2
    captured = capsys.readouterr()
    assert "unrecognized arguments: extra" in captured.err
    assert captured.out == ""


def test_prog_name_is_used_in_messages(capsys: pytest.CaptureFixture[str]) -> None:
    """Usage errors name the program the way it was started (`python -m hotswap` here)."""
    assert main(["bogus"], prog="python -m hotswap") == 2
    assert "python -m hotswap: error:" in capsys.readouterr().err


def test_a_script_where_a_command_goes_suggests_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`hotswap app.py --port 1` returns 2 and says how to run it: `hotswap run app.py --port 1`
    (or `-i` for a REPL after it); nothing runs."""
    script = tmp_path / "app.py"
    script.write_text("raise SystemExit('must not run')\n")
    assert main([str(script), "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert f"hotswap run {script} --port 1" in err
    assert f"hotswap -i {script} --port 1" in err
    assert "must not run" not in err


def test_demo_piped_into_a_reader_that_stops_ends_quietly(tmp_path: Path) -> None:
    """`hotswap demo | head -1`: the reader has closed the pipe; hotswap prints no
    BrokenPipeError traceback and does not say the demo FAILED."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # closed before the demo starts: its first write meets a broken pipe
    try:
        done = subprocess.run(
            [sys.executable, "-m", "hotswap", "demo"],
            stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=60, check=False,
            cwd=tmp_path, env={**os.environ, "NO_COLOR": "1"},
        )
    finally:
        os.close(write_end)
    assert done.returncode == 1
    assert done.stderr == "", done.stderr
