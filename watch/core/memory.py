"""Freed memory goes back to the system, so one burst of large photos does not keep a worker big.

glibc serves a large allocation with mmap and returns it on free, but after the first such free it
raises its threshold (up to 32 MB) and serves the next ones from per-thread heaps, which seldom shrink.
A decoded photo is freed blocks of 16 MB: with several request threads, a process that decoded a few
photos at once then stayed at over a gigabyte, although two decodes at a time need a third of that
(docs/benchmarks.md, photo uploads). A fixed threshold keeps large blocks on mmap.
"""
import ctypes
import ctypes.util

M_MMAP_THRESHOLD = -3  # mallopt's parameter number (malloc.h)
MMAP_THRESHOLD = 128 * 1024  # glibc's own starting value, kept fixed


def return_large_blocks_to_the_system() -> bool:
    """Fix glibc's mmap threshold; False where there is no glibc (macOS, musl), where nothing changes."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))
