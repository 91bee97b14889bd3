"""``%hotswap cluster attach NAME|status|push|detach``: the IPython face of ``hotswap.dask``.

The magic (:mod:`hotswap.ipython`) parses the line (:func:`hotswap._front.magics.parse_cluster`) and
hands it here, so that IPython sessions that never use a cluster never import ``distributed``.
Once attached, each cell's checkpoint that reloaded something pushes (the link hears every
checkpoint in the process), and says what the cluster did.
"""

from __future__ import annotations

from typing import Any

from hotswap._errors import HotswapError
from hotswap._front.magics import ClusterArgs
from hotswap.dask import attach
from hotswap.dask._link import Link


def cluster(holder: Any, namespace: dict[str, Any], args: ClusterArgs) -> str:
    """Run one ``%hotswap cluster`` subcommand; ``holder`` keeps the link (``cluster_link``).
    Returns what to print."""
    link: Link | None = getattr(holder, "cluster_link", None)
    if args.action == "attach":
        client = namespace.get(args.client or "")
        if client is None:
            raise HotswapError(f"%hotswap cluster attach: no name {args.client!r} in the session")
        if not (hasattr(client, "run") and hasattr(client, "set_metadata")):
            raise HotswapError(
                f"%hotswap cluster attach: {args.client} is a {type(client).__name__}, "
                "not a distributed.Client"
            )
        if link is not None:
            link.detach()
        holder.cluster_link = attach(client, args.mode, args.on_failure)
        workers = len(client.scheduler_info().get("workers", {}))
        return (
            f"hotswap: attached to {args.client} ({workers} workers, mode {args.mode}, "
            f"on failure {args.on_failure}); edits reach the workers after each cell's check"
        )
    if link is None:
        raise HotswapError(f"%hotswap cluster {args.action}: not attached (use attach NAME)")
    if args.action == "detach":
        link.detach()
        holder.cluster_link = None
        return "hotswap: detached; the workers keep the code they run"
    if args.action == "push":
        return str(link.push())
    lines = []
    for address, modules in sorted(link.status().items()):
        lines.append(f"{address}: {len(modules)} modules")
        lines.extend(f"  {name} {version[:12]}" for name, version in sorted(modules.items()))
    return "\n".join(lines) or "hotswap: no workers"
