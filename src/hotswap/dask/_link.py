"""The client side of ``hotswap.dask``: :class:`Link`, made by :func:`attach`.

The client reloads first, with its own :class:`hotswap.Reloader` (sharing the process's
records with any other front-end in the session: IPython's, a watcher's). A module the client
reloaded is *dirty* until every worker runs it; a push sends each dirty module's text (the
exact bytes of the file when it still holds what the client runs) with the digest of the
version the worker should be at before and after, never pickled code. What failed on the
client keeps its previous text there, so it is never pushed. Every local checkpoint that
reloads something pushes (``hotswap._checkpoint.reloader.LISTENERS``).

The texts pushed so far are kept on the scheduler (``_worker.TEXTS_KEY``): a worker that joins
later applies them in its plugin's ``setup``, before its first task. After a push, a worker
that does not run the new version is handled by ``on_failure``: ``report`` (it is retried at
the next push), ``revert`` (the workers that took it get their previous text back; the
scheduler's copy goes back too) or ``restart`` (its nanny restarts it: the new process runs the
pushed text from its first import).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from typing import Any

from hotswap._checkpoint.reloader import LISTENERS, Reloader
from hotswap._detect.record import digest, read_file
from hotswap._detect.tracker import TRACKER
from hotswap._errors import HotswapError
from hotswap._report import Problem, Report
from hotswap.dask import _worker
from hotswap.dask._report import ClusterReport

FAILURE_POLICIES = ("report", "revert", "restart")


class Link:
    """A client's hold on its cluster's code; see :func:`hotswap.dask.attach`."""

    __module__ = "hotswap.dask"

    def __init__(self, client: Any, mode: str = "auto", on_failure: str = "report") -> None:
        if mode not in _worker.MODES:
            raise ValueError(f"unknown mode {mode!r}: use 'auto', 'pull' or 'push'")
        if on_failure not in FAILURE_POLICIES:
            raise ValueError(
                f"unknown on_failure {on_failure!r}: use 'report', 'revert' or 'restart'"
            )
        self.client = client
        self.mode = mode
        self.on_failure = on_failure
        self.last_report: ClusterReport | None = None
        self._reloader = Reloader()
        self._lock = threading.RLock()  # one push at a time
        self._busy = threading.local()  # this thread's own checkpoint, inside a push
        self._dirty: dict[str, None] = {}  # reloaded here, not yet on every worker
        self._texts: dict[str, bytes] = {}  # what was pushed last, per module
        self._previous: dict[str, bytes | None] = {}  # ...and before it (for revert)
        self._attached = True
        try:
            client.set_metadata(_worker.TEXTS_KEY, {})
            _register(client, _worker.HotswapPlugin(mode))
        except BaseException:
            self._attached = False
            self._reloader.close()
            raise
        LISTENERS.append(self._heard)

    # -- the public face -----------------------------------------------------------------------

    def push(self) -> ClusterReport:
        """Reload on the client, then bring every worker to the client's version."""
        return self._push(None)

    def status(self) -> dict[str, dict[str, str]]:
        """``{worker address: {module: version}}`` (a version is the text's digest, in hex)."""
        self._check_attached()
        result: dict[str, dict[str, str]] = self.client.run(_worker.status)
        return result

    def detach(self) -> None:
        """Stop following: workers keep the code they run, late joiners run their files."""
        if not self._attached:
            return
        self._attached = False
        if self._heard in LISTENERS:
            LISTENERS.remove(self._heard)
        try:
            self.client.set_metadata(_worker.TEXTS_KEY, {})
            self.client.unregister_worker_plugin(_worker.PLUGIN_NAME)
        finally:
            self._reloader.close()

    def __repr__(self) -> str:
        state = "attached" if self._attached else "detached"
        return f"<hotswap.dask.Link {state} mode={self.mode!r} on_failure={self.on_failure!r}>"

    # -- pushing -------------------------------------------------------------------------------

    def _heard(self, report: Report) -> None:
        """A checkpoint in this process reloaded modules: they are dirty, and pushed now
        (unless it is the push's own checkpoint)."""
        self._dirty.update(dict.fromkeys(report.reloaded))
        if getattr(self._busy, "on", False) or not self._attached:
            return
        try:
            result = self._push(report)
        except Exception as exc:  # the session's checkpoint must go on: say it, once
            print(f"hotswap: pushing to the cluster failed: {type(exc).__name__}: {exc}",
                  file=sys.stderr)
            return
        if result:
            print(result, file=sys.stderr)

    def _push(self, heard: Report | None) -> ClusterReport:
        self._check_attached()
        with self._lock:
            self._busy.on = True
            try:
                local = self._reloader.check()
            finally:
                self._busy.on = False
            if heard is not None:
                heard.merge(local)
                local = heard
            report = ClusterReport(client=local)
            names = [n for n in self._dirty if n in sys.modules and n in TRACKER.records]
            for gone in set(self._dirty) - set(names):
                del self._dirty[gone]
            if not names:
                self.last_report = report
                return report
            if self.mode == "pull":
                report.expected = {n: _version(n) for n in names}
                results = self.client.run(_worker.check, names, on_error="return")
            else:
                results = self._send(names, report)
            self._collect(results, report)
            failed = [a for a in report.current() if not _at_new(report, a)]
            if failed and self.on_failure == "revert" and self.mode != "pull":
                self._revert(names, report)
            elif failed and self.on_failure == "restart":
                self._restart(failed, names, report)
            current = report.current()
            for name in names:
                if name not in self._dirty:
                    continue
                if len(report.at_new(name)) == len(current) or self.on_failure == "revert":
                    del self._dirty[name]  # (reverted: until the client reloads it again)
            self.last_report = report
            return report

    def _send(self, names: list[str], report: ClusterReport) -> Any:
        items: dict[str, _worker.Item] = {}
        paths: dict[str, str] = {}
        for name in names:
            record = TRACKER.records[name]
            data = _exact(record.path, record.digest, record.text)
            if data is None:
                continue
            before = self._texts.get(name)
            new = digest(data).hex()
            items[name] = (None if before is None else digest(before).hex(), data, new)
            paths[name] = record.path
            report.expected[name] = new
        self._previous = {n: self._texts.get(n) for n in items}
        self._texts.update({n: item[1] for n, item in items.items()})
        # First the scheduler's copy, then the workers: one that joins in between has it.
        self.client.set_metadata(_worker.TEXTS_KEY, dict(self._texts))
        return self.client.run(
            _worker.apply_push, items, paths, _by_value(list(items)), on_error="return"
        )

    def _collect(self, results: dict[str, Any], report: ClusterReport) -> None:
        for address, result in _reached(results, report):
            report.workers[address] = result["report"]
            report.versions[address] = result["versions"]

    def _revert(self, names: list[str], report: ClusterReport) -> None:
        took = [a for a in report.current() if any(a in report.at_new(n) for n in names)]
        for name, text in self._previous.items():
            if text is None:
                self._texts.pop(name, None)
            else:
                self._texts[name] = text
        self.client.set_metadata(_worker.TEXTS_KEY, dict(self._texts))
        if took:
            results = self.client.run(_worker.revert, names, workers=took, on_error="return")
            for address, result in _reached(results, report):
                report.workers[address].merge(result["report"])
                report.versions[address] = result["versions"]
        report.reverted = list(report.current())

    def _restart(self, failed: list[str], names: list[str], report: ClusterReport) -> None:
        workers = _workers(self.client)
        nannies = {a: workers[a].get("nanny") for a in failed if a in workers}
        self.client.restart_workers(workers=failed)
        after = _workers(self.client)
        by_nanny = {info.get("nanny"): address for address, info in after.items()}
        for old, nanny in nannies.items():
            new = by_nanny.get(nanny)
            if new is None:
                report.unreachable[old] = "restarted, and did not come back"
                continue
            report.restarted[old] = new
        fresh = list(report.restarted.values())
        if fresh:
            results = self.client.run(_worker.versions, names, workers=fresh, on_error="return")
            for address, result in _reached(results, report):
                report.workers[address] = Report(
                    warnings=[Problem(n, "", None, "restarted: runs the pushed version")
                              for n in names]
                )
                report.versions[address] = result

    def _check_attached(self) -> None:
        if not self._attached:
            raise HotswapError("this hotswap.dask link is detached; attach again")


def _reached(results: dict[str, Any], report: ClusterReport) -> Iterator[tuple[str, Any]]:
    """The workers' answers to a ``client.run``, but for those it could not reach, which go
    to ``report.unreachable`` (``on_error="return"`` gives their exception)."""
    for address, result in results.items():
        if isinstance(result, BaseException):
            report.unreachable[address] = f"{type(result).__name__}: {result}"
        else:
            yield address, result


def _at_new(report: ClusterReport, address: str) -> bool:
    return report.workers[address].ok and all(address in report.at_new(m) for m in report.expected)


def _workers(client: Any) -> dict[str, Any]:
    try:
        info = client.scheduler_info(n_workers=-1)
    except TypeError:  # distributed before 2025: every worker, always
        info = client.scheduler_info()
    workers: dict[str, Any] = info["workers"]
    return workers


def _version(name: str) -> str:
    record = TRACKER.records[name]
    return record.digest.hex() if record.digest is not None else ""


def _exact(path: str, hashed: bytes | None, text: str | None) -> bytes | None:
    """The bytes the client runs: its file's, when it still holds them (exactly, with its
    newlines and encoding), else the text it runs."""
    try:
        data, _ = read_file(path)
    except OSError:
        data = b""
    if hashed is not None and digest(data) == hashed:
        return data
    return None if text is None else text.encode()


def _by_value(names: list[str]) -> list[str]:
    """The pushed modules whose functions cloudpickle sends by value."""
    try:
        import cloudpickle

        registered = cloudpickle.list_registry_pickle_by_value()
    except (ImportError, AttributeError):
        return []
    return [n for n in names if n in registered or n.partition(".")[0] in registered]


def _register(client: Any, plugin: Any) -> None:
    register = getattr(client, "register_plugin", None) or client.register_worker_plugin
    answers = register(plugin, name=_worker.PLUGIN_NAME)
    failed = {
        a: r for a, r in (answers or {}).items() if isinstance(r, dict) and r.get("status") != "OK"
    }
    if failed:
        address, answer = next(iter(failed.items()))
        raise HotswapError(
            f"hotswap could not start on {len(failed)} worker(s) (first {address}: "
            f"{answer.get('exception_text') or answer})"
        )
