"""``python -m hotswap``: the command line (see ``hotswap._front.cli``)."""

from __future__ import annotations

from hotswap._front.cli import main

if __name__ == "__main__":
    raise SystemExit(main(prog="python -m hotswap"))
