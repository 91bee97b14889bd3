"""A pytest plugin that records one outcome per test, for the commit replay (``replay.py``).

Both sides of the replay load it: the live session passes an ``Outcomes`` object to
``pytest.main(plugins=[...])``; the fresh-process oracle loads this module with ``-p
_replay_outcomes`` and it writes its results as JSON to the path in ``$REPLAY_OUTCOMES``.

An outcome is the worst of a test's phases and subtests (``error`` for a failed setup or
teardown, then ``failed``, ``xpassed``, ``xfailed``, ``skipped``, ``passed``), with the one-line
message of the first failure. A module that fails to collect is recorded under its node id as
``error``. Hypothesis runs derandomized, without its example database and with few examples, so
two runs of the same code give the same outcomes.
"""

from __future__ import annotations

import json
import os
from typing import Any

RANK = {"passed": 0, "skipped": 1, "xfailed": 2, "xpassed": 3, "failed": 4, "error": 5}


def _message(report: Any) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    text = crash.message if crash is not None else str(report.longrepr or "")
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return (lines[-1] if crash is None and lines else text.strip().split("\n")[0])[:300]


def _where(report: Any) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    return f"{crash.path}:{crash.lineno}" if crash is not None else ""


class Outcomes:
    """Collects ``{nodeid: [outcome, message, where]}`` over one pytest session."""

    def __init__(self) -> None:
        self.results: dict[str, list[str]] = {}

    def _put(self, nodeid: str, outcome: str, report: Any) -> None:
        old = self.results.get(nodeid)
        if old is not None and RANK[old[0]] >= RANK[outcome]:
            return
        failing = outcome in ("failed", "error")
        self.results[nodeid] = [
            outcome,
            _message(report) if failing else "",
            _where(report) if failing else "",
        ]

    def pytest_configure(self, config: Any) -> None:
        try:
            from hypothesis import HealthCheck, settings
        except ImportError:
            return
        settings.register_profile(
            "replay",
            derandomize=True,
            database=None,
            deadline=None,
            max_examples=20,
            suppress_health_check=list(HealthCheck),
        )
        settings.load_profile("replay")

    def pytest_collectreport(self, report: Any) -> None:
        if report.failed:
            self._put(report.nodeid, "error", report)

    def pytest_runtest_logreport(self, report: Any) -> None:
        xfail = hasattr(report, "wasxfail")
        if report.when == "call":
            if report.passed:
                outcome = "xpassed" if xfail else "passed"
            elif report.skipped:
                outcome = "xfailed" if xfail else "skipped"
            else:
                outcome = "failed"
        elif report.failed:
            outcome = "error"
        elif report.skipped:
            outcome = "xfailed" if xfail else "skipped"
        else:
            outcome = "passed"
        self._put(report.nodeid, outcome, report)


_SESSION = Outcomes()


def pytest_configure(config: Any) -> None:
    _SESSION.pytest_configure(config)


def pytest_collectreport(report: Any) -> None:
    _SESSION.pytest_collectreport(report)


def pytest_runtest_logreport(report: Any) -> None:
    _SESSION.pytest_runtest_logreport(report)


def pytest_sessionfinish(session: Any) -> None:
    path = os.environ.get("REPLAY_OUTCOMES")
    if path:
        with open(path, "w", encoding="utf-8") as out:
            json.dump(_SESSION.results, out)
