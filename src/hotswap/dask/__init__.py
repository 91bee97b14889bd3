"""Edits that reach a Dask ``distributed`` cluster: every worker runs the code you just saved,
and keeps its state (``pip install "hotswap[dask]"``)::

    import hotswap.dask
    link = hotswap.dask.attach(client, mode="auto", on_failure="report")
    report = link.push()   # also done after each local checkpoint that reloaded something
    link.status()          # {worker_address: {module_name: digest}}
    link.detach()          # workers keep running the code they have

Each process runs its own hotswap engine under the same contract (identity kept, state kept,
a failed reload changes nothing); what travels is source text and digests, never pickled code.
Modes: ``pull`` (workers that see the client's files check them at each task start), ``push``
(the client sends the text of what it reloaded; a worker takes it as its source of truth, not
its own copy of the file), ``auto`` (both: a worker that sees the same files follows saves by
itself, one with its own copy follows the pushes). Executing pushed text is opt-in by
``attach``: see docs/safety.md. Importing this module imports ``distributed``.
"""

from __future__ import annotations

import weakref
from typing import Any

try:
    import distributed  # noqa: F401 - what this module is for; said plainly when missing
except ImportError as exc:  # pragma: no cover - the extra is not installed
    raise ImportError(
        'hotswap.dask needs distributed: pip install "hotswap[dask]"', name=exc.name
    ) from exc

from hotswap.dask._link import FAILURE_POLICIES, Link
from hotswap.dask._report import ClusterReport
from hotswap.dask._worker import MODES

__all__ = ["ClusterReport", "Link", "attach"]

# One link per client: attaching again replaces the plugin on the workers, so the earlier
# link is detached first (id of the client -> its link).
_LINKS: weakref.WeakValueDictionary[int, Link] = weakref.WeakValueDictionary()


def attach(client: Any, mode: str = "auto", on_failure: str = "report") -> Link:
    """Keep ``client``'s workers in step with this process's code.

    ``mode``: ``"auto"``, ``"pull"`` or ``"push"``. ``on_failure`` (a push that some workers
    could not apply): ``"report"`` (the :class:`ClusterReport` says it; the next push retries),
    ``"revert"`` (workers that applied it get their previous text back) or ``"restart"`` (the
    failed workers are restarted by their nannies and come back at the new version).
    Attaching a client again detaches its earlier link.
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}: use 'auto', 'pull' or 'push'")
    if on_failure not in FAILURE_POLICIES:
        raise ValueError(f"unknown on_failure {on_failure!r}: use 'report', 'revert' or 'restart'")
    previous = _LINKS.get(id(client))
    if previous is not None and previous.client is client:
        previous.detach()
    link = _LINKS[id(client)] = Link(client, mode, on_failure)
    return link
