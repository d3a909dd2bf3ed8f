"""Reading a file the user named (a workbook, a theme, a logo, a template, a pack's JSON) as
hostile: its kind and size are checked before it is opened, and no more than the limit is
ever read. A FIFO would block a read for ever, /dev/zero never ends, a sparse file claims
gigabytes; each of those is a message instead.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import BinaryIO

from kpireport.errors import KpiReportError


def _size_text(size: int) -> str:
    return f"{size / 1024 / 1024:,.1f} MiB" if size >= 1024 * 1024 else f"{size:,} bytes"


def checked_size(path: Path, limit: int, what: str, error: type[KpiReportError] = KpiReportError) -> int:
    """The size of ``path``, a regular file of at most ``limit`` bytes; else ``error``
    saying what is wrong with it."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise error(f"{what} {path} does not exist.") from None
    except ValueError:  # a NUL byte in the name
        raise error(f"{what} {path!r} is not a valid file name.") from None
    except OSError as exc:
        raise error(f"{what} {path} cannot be opened: {exc.strerror or exc}.") from None
    if stat.S_ISDIR(info.st_mode):
        raise error(f"{what} {path} is a folder, not a file.")
    if not stat.S_ISREG(info.st_mode):
        raise error(f"{what} {path} is not a regular file (a device, pipe or socket); give a saved file.")
    if info.st_size > limit:
        raise error(f"{what} {path.name} is {_size_text(info.st_size)}; the limit is {_size_text(limit)}.")
    return info.st_size


def open_checked(path: Path, limit: int, what: str, error: type[KpiReportError] = KpiReportError) -> BinaryIO:
    """``path`` opened for reading after :func:`checked_size`, and checked again once open:
    a FIFO put in its place since the check can neither hang the open nor be read."""
    checked_size(path, limit, what, error)
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise error(f"{what} {path} cannot be opened: {exc.strerror or exc}.") from None
    handle = os.fdopen(descriptor, "rb")
    if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
        handle.close()
        raise error(f"{what} {path} is not a regular file (a device, pipe or socket); give a saved file.")
    return handle


def read_bounded(path: Path, limit: int, what: str, error: type[KpiReportError] = KpiReportError) -> bytes:
    """The bytes of ``path``; never more than ``limit`` are read, even from a file that grows
    between the check and the read."""
    with open_checked(path, limit, what, error) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise error(f"{what} {path.name} is larger than {_size_text(limit)}.")
    return data


def single_line(text: str) -> str:
    """Fold any CR, LF or other control character into a space: text from a file that lands in
    a header or a one-line message stays one line."""
    return " ".join(re.sub(r"[\x00-\x1f\x7f\u2028\u2029]", " ", text).split())
