"""Writing files whole or not at all, and a pack's files as a set.

Each file goes to a temporary file beside its target and is renamed into place. A pack's
files are renamed only once every one of them is written, so a full disk, a read-only folder
or Ctrl-C halfway leaves last month's pack exactly as it was, never a mix of two months.
An existing output that is a symbolic link is replaced, never written through.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from kpireport.errors import OutputError

# What to do about the OS errors a user can fix, by errno.
_HINTS: dict[int, str] = {
    errno.ENOSPC: "the disk is full; free some space or choose another folder",
    errno.EDQUOT: "the disk quota is used up; free some space or choose another folder",
    errno.EROFS: "the folder is on a read-only disk; choose another folder",
    errno.EACCES: "permission denied; choose a folder you can write to",
    errno.EPERM: "permission denied; choose a folder you can write to",
    errno.ENAMETOOLONG: "the name is too long for this disk; use a shorter workbook name or folder",
    errno.ENOTDIR: "a part of the path is a file, not a folder; choose another folder",
    errno.ENOENT: "the folder disappeared while writing; check it and run again",
    errno.EISDIR: "a folder stands where the file should go; remove or rename it",
    errno.EEXIST: "a file stands where a folder is needed; choose another folder",
}


def output_error(path: Path, exc: OSError) -> OutputError:
    """An OS error while writing ``path`` as a one-line message that says what to do."""
    hint = _HINTS.get(exc.errno or 0, "check the folder and run again")
    return OutputError(f"cannot write {path}: {exc.strerror or exc}; {hint}.")


def _refuse_folder(target: Path) -> None:
    if target.is_dir() and not target.is_symlink():
        raise OutputError(f"cannot write {target}: a folder has that name; remove or rename it.")


def _temporary_beside(target: Path) -> Path:
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".{target.name[:100]}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise output_error(target, exc) from None
    os.close(handle)
    return Path(name)


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path in ``target``'s folder; rename it over ``target`` on success.

    On any failure (including Ctrl-C) the temporary file is removed and ``target`` is untouched.
    """
    _refuse_folder(target)
    temporary = _temporary_beside(target)
    try:
        try:
            yield temporary
            temporary.chmod(0o644)
            temporary.replace(target)
        except OSError as exc:
            raise output_error(target, exc) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _write(path: Path, data: bytes | str) -> None:
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)


def write_atomic(target: Path, data: bytes | str) -> None:
    with atomic_path(target) as temporary:
        _write(temporary, data)


def _keep(target: Path, backup: Path) -> None:
    """Keep ``target``'s current content at ``backup``: a hard link where the disk has them,
    else a copy."""
    backup.unlink()
    try:
        os.link(target, backup)
    except OSError:
        shutil.copyfile(target, backup)


def write_set(files: Mapping[Path, bytes | str]) -> None:
    """Write every file, then put them all in place; on any failure nothing changes.

    The renames come last and are undone if one of them fails (the previous files are kept
    as links until all are in place), so the folder holds either the whole new set or the
    whole old one."""
    for target in files:
        _refuse_folder(target)
    written: dict[Path, Path] = {}
    kept: dict[Path, Path] = {}
    links: dict[Path, str] = {}  # outputs that were symbolic links: replaced, put back on failure
    placed: list[Path] = []
    try:
        for target, data in files.items():
            temporary = written[target] = _temporary_beside(target)
            try:
                _write(temporary, data)
                temporary.chmod(0o644)
            except OSError as exc:
                raise output_error(target, exc) from None
        for target, temporary in written.items():
            try:
                if target.is_symlink():
                    links[target] = str(target.readlink())
                elif target.exists():
                    kept[target] = _temporary_beside(target)
                    _keep(target, kept[target])
                temporary.replace(target)
                placed.append(target)
            except OSError as exc:
                raise output_error(target, exc) from None
    except BaseException:
        for target in reversed(placed):  # put back what was there, or remove what was not
            with contextlib.suppress(OSError):
                if target in kept:
                    kept[target].replace(target)
                else:
                    target.unlink()
                    if target in links:
                        target.symlink_to(links[target])
        for path in (*written.values(), *kept.values()):
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
        raise
    for backup in kept.values():
        with contextlib.suppress(OSError):
            backup.unlink(missing_ok=True)
