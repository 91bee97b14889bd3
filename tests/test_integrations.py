"""The integration point: frameworks refresh what they derived, inside the module's transaction.

An :class:`hotswap.integrations.Integration` is told before and after a module's new code runs,
may ask for a changed definition's decorators to run again, changes framework state only through
the :class:`~hotswap.integrations.Applied` it is given (so a rollback undoes it), and an exception
from it rolls the save back with a message naming it. Third parties register theirs in the
``hotswap.integrations`` entry-point group.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import hotswap
from conftest import Workspace
from hotswap import integrations
from hotswap._front.program import Program
from hotswap._front.runner import server_reloader_hint
from hotswap.integrations import Applied, Gate, Integration


class Recorder(Integration):
    """Counts what it saw, writes a marker into a registry, and fails when asked to."""

    name = "recorder"
    requires = ("json",)  # always imported in a test run: the integration is active

    def __init__(self, registry: dict[str, Any]) -> None:
        self.registry = registry
        self.seen: list[list[tuple[str, str]]] = []
        self.fail = False
        self.rerun_names: set[str] = set()

    def rerun(self, obj: object) -> bool:
        return getattr(obj, "__name__", None) in self.rerun_names

    def after(self, applied: Applied) -> None:
        self.seen.append([(c.qualname, c.action) for c in applied.changes])
        applied.setitem(self.registry, "saves", self.registry.get("saves", 0) + 1)
        if self.fail:
            raise RuntimeError("cannot refresh the routes")


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    made = Recorder({})
    integrations.register(made)
    yield made
    integrations.unregister(made)


def test_an_integration_sees_each_save_and_a_failure_in_it_rolls_the_save_back(
    workspace: Workspace, recorder: Recorder
) -> None:
    """After a save the integration is told what changed and updates its framework's state; a
    save during which it raises is rolled back whole (the old code keeps running, its own
    change of that save is undone) and the report names the integration."""
    name = workspace.name()
    workspace.write(f"{name}.py", "def f():\n    return 1\n")
    with hotswap.Reloader() as r:
        module = importlib.import_module(name)
        workspace.write(f"{name}.py", "def f():\n    return 2\n")
        assert r.check().ok
        assert recorder.seen == [[("f", "patched")]] and recorder.registry == {"saves": 1}

        recorder.fail = True
        workspace.write(f"{name}.py", "def f():\n    return 3\n")
        report = r.check()
        assert not report.ok and module.f() == 2
        assert recorder.registry == {"saves": 1}
        (problem,) = report.errors
        assert "the recorder integration failed: RuntimeError: cannot refresh the routes" in (
            problem.message
        )
        recorder.fail = False
        workspace.write(f"{name}.py", "def f():\n    return 4\n")
        assert r.check().ok and module.f() == 4 and recorder.registry == {"saves": 2}


def test_an_integration_can_have_a_changed_definitions_decorators_run_again(
    workspace: Workspace, recorder: Recorder
) -> None:
    """A body edit of a decorated function normally keeps what its decorator made (it does not
    register twice); for a function an integration names, the decorator runs again, and the
    name keeps the same function object."""
    name = workspace.name()
    source = textwrap.dedent(
        """
        SEEN = []
        def register(f):
            SEEN.append(f.__name__)
            return f
        @register
        def route():
            return {value}
        @register
        def other():
            return 0
        """
    )
    workspace.write(f"{name}.py", source.format(value=1))
    with hotswap.Reloader() as r:
        module = importlib.import_module(name)
        route = module.route
        workspace.write(f"{name}.py", source.format(value=2).replace("return 0", "return 5"))
        recorder.rerun_names = {"route"}
        assert r.check().ok
        assert module.SEEN == ["route", "other", "route"]
        assert module.route is route and route() == 2 and module.other() == 5


def test_a_third_party_integration_is_found_through_its_entry_point(tmp_path: Path) -> None:
    """A distribution that lists a class in the ``hotswap.integrations`` entry-point group has
    it instantiated and called on the next save, in a process that never registered it."""
    site = tmp_path / "site"
    (site / "thirdparty_hs-1.0.dist-info").mkdir(parents=True)
    (site / "thirdparty_hs-1.0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: thirdparty-hs\nVersion: 1.0\n"
    )
    (site / "thirdparty_hs-1.0.dist-info" / "entry_points.txt").write_text(
        "[hotswap.integrations]\nmine = thirdparty_hs:Mine\n"
    )
    (site / "thirdparty_hs.py").write_text(
        textwrap.dedent(
            """
            from hotswap.integrations import Integration
            class Mine(Integration):
                name = "mine"
                def after(self, applied):
                    print("mine saw", [c.qualname for c in applied.changes])
            """
        )
    )
    user = tmp_path / "user"
    user.mkdir()
    (user / "usermod_hs.py").write_text("def f():\n    return 1\n")
    script = textwrap.dedent(
        """
        import os, hotswap
        r = hotswap.Reloader()
        import usermod_hs
        t = os.stat("usermod_hs.py").st_mtime_ns + 2_000_000_000
        with open("usermod_hs.py", "w") as f:
            f.write("def f():\\n    return 2\\n")
        os.utime("usermod_hs.py", ns=(t, t))
        print(r.check())
        """
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(user)])}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=user, env=env, capture_output=True, text=True,
        timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["mine saw ['f']", "hotswap: reloaded usermod_hs: patched f"]


@pytest.mark.parametrize(
    ("target", "is_module", "args", "says"),
    [
        ("uvicorn", True, ["app:app", "--reload"], "drop it"),
        ("flask", True, ["--app", "app", "run", "--debug"], "add --no-reload"),
        ("manage.py", False, ["runserver"], "add --noreload"),
        ("/srv/site/manage.py", False, ["runserver", "8000"], "add --noreload"),
        ("uvicorn", True, ["app:app"], None),
        ("flask", True, ["--app", "app", "run", "--debug", "--no-reload"], None),
        ("manage.py", False, ["runserver", "--noreload"], None),
    ],
)
def test_a_server_started_with_its_own_reloader_gets_one_hint(
    target: str, is_module: bool, args: list[str], says: str | None
) -> None:
    """`hotswap run -m uvicorn app:app --reload` (and flask's and Django's reloaders) would
    restart the whole server on every save, losing the state hotswap keeps: one line says which
    option to drop or add; without the reloader nothing is said."""
    hint = server_reloader_hint(Program(target, args, is_module=is_module))
    if says is None:
        assert hint is None
    else:
        assert hint is not None and hint.startswith("hotswap: ") and hint.endswith(says)


def test_the_gate_holds_a_save_until_requests_end_and_new_requests_until_it_is_applied() -> None:
    """A save waits for the request in progress (saying so once), new requests wait for the
    save, and a request longer than the gate's patience does not hold the save for ever."""
    gate = Gate(patience=60)
    said: list[str] = []
    order: list[str] = []
    gate.enter()  # a request in progress
    saving = threading.Thread(target=lambda: _apply(gate, said, order))
    saving.start()
    while not said:  # the save is waiting (it says so after 0.2 s)
        assert saving.is_alive()
        time.sleep(0.01)
    assert said == ["hotswap: waiting for 1 request(s) in progress before applying the save"]
    late = threading.Thread(target=lambda: (gate.enter(), order.append("late"), gate.leave()))
    late.start()
    order.append("first ends")
    gate.leave()
    saving.join(60)
    late.join(60)
    assert order == ["first ends", "applied", "late"]

    impatient = Gate(patience=0.3)
    impatient.enter()  # never ends
    told: list[str] = []
    stuck = threading.Thread(target=lambda: _apply(impatient, told, []))
    stuck.start()
    stuck.join(60)
    assert told[-1] == "hotswap: applying the save while 1 request(s) still run (waited 0.3 s)"


def test_a_save_made_from_inside_a_request_does_not_wait_for_it() -> None:
    """`hotswap.checkpoint()` called by a view applies at once: the request it runs in is not
    one the save waits for."""
    gate = Gate(patience=60)
    said: list[str] = []
    order: list[str] = []
    with gate.request():
        _apply(gate, said, order)
    assert (said, order) == ([], ["applied"])


def _apply(gate: Gate, said: list[str], order: list[str]) -> None:
    with gate.applying(said.extend):
        order.append("applied")


def test_entry_points_are_read_without_importlib_metadata(tmp_path: Path) -> None:
    """Reading the ``hotswap.integrations`` entry points costs no import of
    ``importlib.metadata`` (20-40 ms of CPU that used to run on a thread beside the user's own
    imports): the first distribution of a name on the path wins, other groups, comments and
    extras are ignored."""
    first, second = tmp_path / "first", tmp_path / "second"
    for site, value in ((first, "pkg_one.hooks:Factory.make [extra]"), (second, "shadowed:X")):
        (site / "one_dist-2.0.dist-info").mkdir(parents=True)
        (site / "one_dist-2.0.dist-info" / "entry_points.txt").write_text(
            "# a comment\n[console_scripts]\ntool = pkg_one:main\n\n"
            f"[hotswap.integrations]\n; another comment\nmine = {value}\n"
        )
    (second / "other.egg-info").mkdir()
    (second / "other.egg-info" / "entry_points.txt").write_text(
        "[hotswap.integrations]\ntheirs = other_mod:Theirs\n"
    )
    script = textwrap.dedent(
        """
        import sys
        from hotswap.integrations import entry_points
        print(entry_points())
        print("importlib.metadata" in sys.modules)
        """
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(first), str(second)])}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "[('mine', 'pkg_one.hooks:Factory.make'), ('theirs', 'other_mod:Theirs')]",
        "False",
    ]
