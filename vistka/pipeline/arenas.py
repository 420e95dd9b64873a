"""Fewer malloc arenas for the embedded pipeline's threads.

glibc gives a thread that allocates while others do an arena of its own (up to eight a core), and
memory freed in one arena is reused only by the threads that allocate there. The fetching threads'
buffers are large and short-lived (a page's bytes, a page's pictures on their way to an extraction
process: hundreds of KB each), so a pass left tens of megabytes free but scattered over a dozen
arenas: `make bench-ingest` peaked at 255-261 MB with them, 237 MB with two. Python's own small
objects do not use these arenas (pymalloc), so two make no measurable difference to speed.

A MALLOC_ARENA_MAX set in the environment is glibc's and stands; elsewhere than glibc this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import sys
from functools import cache

log = logging.getLogger("vistka.pipeline")

M_ARENA_MAX = -8  # glibc's malloc.h
PIPELINE_ARENAS = 2


@cache
def limit_malloc_arenas(arenas: int = PIPELINE_ARENAS) -> bool:
    """Cap this process's malloc arenas (once; before the pipeline starts its threads). True when set."""
    if os.environ.get("MALLOC_ARENA_MAX") or not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        done = bool(libc.mallopt(M_ARENA_MAX, arenas))
    except (OSError, AttributeError) as error:  # not glibc (musl has no mallopt): arenas as they are
        log.debug("malloc arenas left as they are: %s", error)
        return False
    return done
