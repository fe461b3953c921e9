"""No cyclic garbage collection while a verification builds its objects.

Reading a tagged document allocates some 400,000 small objects (pyHanko's
dictionaries, arrays, names) that all live until the verification ends; the
collector, triggered by the allocations, walks them again and again: about a
quarter of the time of a 21-page grid.  Reference counting still frees what
is not in a cycle; the collector is switched back on (if it was on) when the
last verification running in the process ends, and collects then.  The time
and object limits of :class:`~.reader.Limits` bound what a verification
allocates meanwhile.
"""
from __future__ import annotations

import gc
import threading
from contextlib import contextmanager

_lock = threading.Lock()
_running = 0
_was_enabled = False


@contextmanager
def collector_paused():
    global _running, _was_enabled
    with _lock:
        if _running == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _running += 1
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            if _running == 0 and _was_enabled:
                gc.enable()
