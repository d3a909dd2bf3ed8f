"""Where ``kpireport`` and ``python -m kpireport`` start: Ctrl-C or SIGTERM before the command
line is ready (its modules take a moment to import on a busy machine) ends the run quietly,
with nothing written yet, instead of a traceback from the middle of an import."""

from __future__ import annotations

import signal
import sys


def _quit_quietly(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def main() -> None:
    signal.signal(signal.SIGINT, _quit_quietly)
    signal.signal(signal.SIGTERM, _quit_quietly)
    from kpireport.cli import main as run  # the heavy imports

    # From here on the command's own handling stops a run, with every clean-up on the way.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    run(sys.argv[1:])
