"""Run numpy's BLAS on one thread for the small products of this package.

On the 2-core target, multi-threaded OpenBLAS spends more time waking its threads than
computing: training the intent classifier took 18 s instead of 1 s under load. Uses
``threadpoolctl`` when it is installed and does nothing otherwise.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

_controller = None
_lock = threading.Lock()


@contextlib.contextmanager
def single_thread_blas() -> Iterator[None]:
    """Limit BLAS to one thread inside the block (a no-op without threadpoolctl)."""
    global _controller
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        yield
        return
    with _lock:
        if _controller is None:
            _controller = ThreadpoolController()
    with _controller.limit(limits=1, user_api="blas"):
        yield
