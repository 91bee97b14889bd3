"""A save that replaced many objects, in a program that has awaited asyncio futures, must not
hang the interpreter.

Seen in a clean-clone ``make test`` on Python 3.12: a test worker spun forever in the garbage
collector. The reference redirection looks for the holders of more than 150 replaced objects
with one pass over the heap, asking each object for its referents. CPython 3.12's ``_asyncio``
module traverses its free list of ``FutureIter`` objects, so ``gc.get_referents`` of that module
hands out objects already freed; dropping them frees them a second time and the next collection
loops on the broken free list. The pass leaves modules out (their names are in their
``__dict__``, which the heap holds on its own)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

PROGRAM = textwrap.dedent(
    """
    import asyncio, gc
    from hotswap._engine.redirect import referrers

    async def main():
        loop = asyncio.get_running_loop()
        for _ in range(50):  # awaited futures leave FutureIter objects on the free list
            future = loop.create_future()
            loop.call_soon(future.set_result, 1)
            await future

    asyncio.run(main())

    class Replaced:
        pass

    objects = tuple(Replaced() for _ in range(200))  # more than 150: the one heap pass
    holder = [objects[7]]
    found = referrers(objects)
    gc.collect()
    gc.collect()
    print(any(ref is holder for ref in found))
    """
)


def test_heap_pass_after_awaited_futures_finishes() -> None:
    """The pass finds the holder, and the collections after it finish (on 3.12 they looped)."""
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
