"""What a push did on the client and on each worker: :class:`ClusterReport`.

Each process reports what it did with its own :class:`hotswap.Report`; the cluster report adds
which version of each pushed module every worker runs afterwards, and says it as one line per
distinct outcome (``reloaded shop.pricing on the client and 8/8 workers: patched discount``),
or as a per-worker table in Jupyter.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from hotswap._front.render import describe as describe_changes
from hotswap._report import Problem, Report


@dataclass
class ClusterReport:
    """The outcome of one ``Link.push()``.

    ``ok`` is true when nothing failed and every worker runs the version the client pushed.
    ``workers`` maps each worker's address to its report; ``versions`` says which version
    (a digest of the text) of each pushed module it runs, ``expected`` the version pushed.
    """

    __module__ = "hotswap.dask"

    client: Report = field(default_factory=Report)
    workers: dict[str, Report] = field(default_factory=dict)
    expected: dict[str, str] = field(default_factory=dict)
    versions: dict[str, dict[str, str | None]] = field(default_factory=dict)
    reverted: list[str] = field(default_factory=list)  # put back on the previous version
    restarted: dict[str, str] = field(default_factory=dict)  # failed address -> new address
    unreachable: dict[str, str] = field(default_factory=dict)  # address -> why

    def current(self) -> list[str]:
        """The workers that exist after the push (a restarted worker has a new address)."""
        return [a for a in self.workers if a not in self.restarted]

    def at_new(self, module: str) -> list[str]:
        """The workers that run the pushed version of ``module``, or will: one that has not
        imported it (mode pull) imports the client's file when a task needs it."""
        want = self.expected.get(module)
        return [
            a for a in self.current() if self.versions.get(a, {}).get(module, want) in (want, None)
        ]

    @property
    def ok(self) -> bool:
        if not self.client.ok or self.unreachable or self.reverted:
            return False
        current = self.current()
        if any(not self.workers[a].ok for a in current):
            return False
        return all(len(self.at_new(m)) == len(current) for m in self.expected)

    def __bool__(self) -> bool:
        return bool(self.client or self.expected or self.unreachable)

    def _failure(self, address: str, module: str) -> Problem | None:
        report = self.workers.get(address)
        if report is None:
            return None
        for problem in report.errors:
            if problem.module == module:
                return problem
        return report.errors[0] if module in report.failed and report.errors else None

    def lines(self) -> list[str]:
        """One line per distinct outcome."""
        out: list[str] = []
        client = self.client
        for problem in client.errors:
            out.append(
                f"reloading {problem.module} failed on the client; not pushed: "
                f"{problem.message} ({problem.location()})"
            )
        current = self.current()
        n = len(current)
        for module in sorted(self.expected):
            on_client = "on the client and " if module in client.reloaded else "on "
            done = self.at_new(module)
            describe = describe_changes(client.changes_of(module))
            if done:
                out.append(f"reloaded {module} {on_client}{len(done)}/{n} workers{describe}")
            by_error: dict[str, list[str]] = {}
            for address in current:
                if address in done:
                    continue
                failure = self._failure(address, module)
                why = (
                    f"{failure.message} ({failure.location()})" if failure else "not updated"
                )
                by_error.setdefault(why, []).append(address)
            for why, addresses in by_error.items():
                reverted = all(a in self.reverted for a in addresses)
                kept = (
                    "reverted to the previous version" if reverted
                    else "kept the previous version"
                )
                out.append(
                    f"reloading {module} failed on {_some(addresses, n)}; {kept}: {why}"
                )
            restarted = [new for old, new in self.restarted.items() if new in done]
            if restarted:
                out.append(
                    f"restarted {len(restarted)}/{n} workers for {module}; "
                    "they run the new version"
                )
        for address in current:
            for warning in self.workers[address].warnings:
                if "skewed" in warning.message:
                    out.append(f"{warning.module} on {address}: {warning.message}")
        for address, why in self.unreachable.items():
            out.append(f"worker {address} did not answer: {why}")
        return out or ["nothing changed"]

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def _repr_html_(self) -> str:
        modules = sorted(self.expected)
        head = "".join(f"<th>{html.escape(m)}</th>" for m in modules)
        rows = []
        for address, report in self.workers.items():
            cells = []
            for module in modules:
                version = self.versions.get(address, {}).get(module)
                new = version is not None and version == self.expected[module]
                colour = "#2a7" if new else "#a42"
                label = "new" if new else "previous" if version else "?"
                problem = self._failure(address, module)
                title = html.escape(str(problem)) if problem else ""
                cells.append(
                    f'<td style="color:{colour}" title="{title}">{label} '
                    f"<code>{(version or '')[:8]}</code></td>"
                )
            state = "restarted" if address in self.restarted else (
                "ok" if report.ok else "failed"
            )
            rows.append(
                f"<tr><td><code>{html.escape(address)}</code></td>{''.join(cells)}"
                f"<td>{state}</td></tr>"
            )
        summary = html.escape(self.lines()[0])
        return (
            f'<details class="hotswap-cluster" open><summary>hotswap: {summary}</summary>'
            '<table style="font-size:90%"><tr><th>worker</th>' + head + "<th></th></tr>"
            + "".join(rows) + "</table></details>"
        )


def _some(addresses: list[str], n: int) -> str:
    if len(addresses) == n:
        return f"{n}/{n} workers"
    return f"{len(addresses)}/{n} workers ({', '.join(addresses)})"
