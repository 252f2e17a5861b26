"""Running a command on a pseudo-terminal, as a user at a terminal runs it: what it shows,
with what is typed at its prompts, or a Ctrl-C."""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

# What a terminal answers to the queries the DuckDB CLI sends it before each prompt:
# background colour, device attributes, cursor position.
TERMINAL_ANSWERS = {
    b"\x1b]11;?\x07": b"\x1b]11;rgb:0000/0000/0000\x07",
    b"\x1b[c": b"\x1b[?62;c",
    b"\x1b[6n": b"\x1b[24;80R",
}
ESCAPES = re.compile(r"\x1b(\[[0-9;?]*[ -/]*[@-~]|\][^\x07]*\x07)")


@dataclass(frozen=True)
class Session:
    screen: str  # everything shown, escape sequences and all
    returncode: int
    interrupted: bool

    @property
    def text(self) -> str:
        """What was shown, without escape sequences, one line per line or redraw."""
        return ESCAPES.sub("", self.screen).replace("\r\n", "\n").replace("\r", "\n")


def _as_at_a_terminal() -> None:
    """Ctrl-C as a command at a terminal gets it, whatever this process does with it: a
    process ignoring or blocking SIGINT passes that on to the commands it starts."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def on_a_terminal(
    command: Sequence[str],
    cwd: Path,
    env: dict | None = None,
    typed: Sequence[str] = (),
    prompt: bytes = b" D ",
    interrupt_when: Callable[[str], bool] | None = None,
    timeout: float = 120,
) -> Session:
    """Run `command` on a pseudo-terminal until it exits: each of `typed` is typed at the
    next `prompt`; a Ctrl-C (SIGINT to its process group, as a terminal sends it) once
    `interrupt_when(text so far)` holds."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        command,
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        cwd=cwd,
        env=env,
        start_new_session=True,
        preexec_fn=_as_at_a_terminal,
    )
    os.close(terminal)
    screen, lines, interrupted = b"", list(typed), False
    try:
        while select.select([controller], [], [], timeout)[0]:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # EIO: everything on the terminal has exited
                break
            screen += chunk
            for question, answer in TERMINAL_ANSWERS.items():
                os.write(controller, answer * chunk.count(question))
            if lines and chunk.endswith(prompt):
                os.write(controller, lines.pop(0).encode() + b"\r")
            if interrupt_when and not interrupted and interrupt_when(ESCAPES.sub("", screen.decode(errors="replace"))):
                os.killpg(process.pid, signal.SIGINT)
                interrupted = True
        returncode = process.wait(timeout=timeout)
    finally:
        process.kill()
        os.close(controller)
    return Session(screen.decode(errors="replace"), returncode, interrupted)
