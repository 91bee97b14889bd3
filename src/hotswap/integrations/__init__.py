"""Integrations: keep what a framework derived from your objects in step with each reload.

The hook API (:class:`Integration`, :class:`Applied`, the registry, the request gate) is defined
in :mod:`hotswap._hooks`, below the engine that calls it, and re-exported here, where users and
third-party integrations name it. The built-in integrations are this package's modules
(``starlette``, ``flask``, ``django``).
"""

from __future__ import annotations

from hotswap._gate import GATE, Gate
from hotswap._hooks import (
    GROUP,
    Applied,
    Integration,
    IntegrationError,
    active,
    entry_points,
    register,
    serve_requests,
    stop_serving,
    unregister,
)

__all__ = [
    "GATE",
    "GROUP",
    "Applied",
    "Gate",
    "Integration",
    "IntegrationError",
    "active",
    "entry_points",
    "register",
    "serve_requests",
    "stop_serving",
    "unregister",
]
