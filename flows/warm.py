"""Runs started warm: while `newsmill serve` runs, `newsmill ingest` and `newsmill backfill`
run in the same environment run in a copy of a process that has imported newsmill and
Prefect already, instead of paying for those imports themselves (close to two seconds of
each command).

The warm process (`python -m flows.warm`, which `serve` starts) listens on a Unix socket.
The `newsmill` command connects and hands over its arguments, working folder, environment,
umask and its standard input, output and error; the warm process forks, and the copy runs
the command as `flows.cli.main` would, on the command's terminal or files, in a session
of its own. The command waits, passes its Ctrl-C and termination signals on to the copy,
and exits with its status. When no warm process answers, the command runs itself.

The same code and settings, or none: the socket's name is a digest of what a process
fixes as it starts and imports (the interpreter, the installed packages, newsmill's files,
Prefect's and Python's variables, the Prefect settings files it reads), so a command
whose code or settings differ from the warm process's finds no socket and runs itself.
The socket's folder must be the user's alone (0700): a command hands over its environment.

Nothing outlives its owner. The copy watches its connection: when the command is gone
(`kill -9` included) it kills itself the same way, and its workers and their server die
with it (`flows.lifeline`). The warm process watches a pipe from `serve`: when serve is
gone it takes no more commands, and exits when the ones it started have ended.
"""

from __future__ import annotations

import atexit
import gc
import hashlib
import json
import os
import selectors
import signal
import site
import socket
import stat
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
CODE = ("flows", "transforms", "warehouse")
# Read once, as Python starts or Prefect is imported: a command with other values needs a
# process of its own. The console level of Prefect's log is left out: a command sets it
# (`flows.cli.quiet_prefect_console`), and the copy sets Prefect's log up again for it.
PREFECT_CONSOLE_LEVEL = "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"
FIXED_PREFIXES = ("PREFECT_", "PYTHON", "LC_")
FIXED_VARIABLES = {"HOME", "LANG", "LANGUAGE", "TZ", "TMPDIR"}
# What Prefect reads its settings from, besides the environment (in the working folder).
PREFECT_SETTINGS_FILES = (".env", "prefect.toml", "pyproject.toml")
# The commands that start a flow run, which is what Prefect's import is for. The others
# start in well under a second, and `shell` hands the terminal to the DuckDB CLI, whose
# Ctrl-C must reach it as at any terminal.
WARM_COMMANDS = ("ingest", "backfill")
PASSED_ON = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
REQUEST_TIMEOUT = 5.0  # seconds a command has to send its request once connected


def run() -> None:
    """The `newsmill` command: an ingest or a backfill is handed to the warm process when one
    serves this environment; the rest, and those when none does, run in this process
    (`flows.cli.run`)."""
    argv = sys.argv[1:]
    if argv[:1] and argv[0] in WARM_COMMANDS:
        status = hand_over(argv)
        if status is not None:
            sys.exit(status)
    from flows.cli import run as run_here

    run_here()


def hand_over(argv: list[str]) -> int | None:
    """Run the command `newsmill ARGV` in the warm process that serves this environment:
    its exit status. None when none answers, or it went away before starting the command."""
    try:
        path = socket_path(os.environ, Path.cwd())
    except OSError:  # a working folder that is gone: the command says so itself
        return None
    if path is None:
        return None
    request = json.dumps({"argv": argv, "cwd": os.getcwd(), "environ": dict(os.environ), "umask": _umask()}).encode()
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(str(path))
        socket.send_fds(connection, [len(request).to_bytes(8, "big")], [0, 1, 2])
        connection.sendall(request)
        replies = connection.makefile("rb")
        started = replies.readline()
    except OSError:  # no warm process (a socket left by one that died), or a closed standard stream
        return None
    if not started:  # gone before it started the command: should it have, its copy sees this end close
        connection.close()
        return None
    pid = int(started.split()[1])
    for number in PASSED_ON:
        if signal.getsignal(number) is not signal.SIG_IGN:  # one this process ignores (nohup, &) it leaves alone
            signal.signal(number, lambda number, frame: _pass_on(pid, number))
    ended = replies.readline()
    if not ended:
        print("newsmill: the warm process was stopped before the command ended: its status is unknown", file=sys.stderr)
        return 1
    status = int(ended.split()[1])
    if status < 0:  # the run was killed by a signal: so is this process, as a shell would see it
        signal.signal(-status, signal.SIG_DFL)
        os.kill(os.getpid(), -status)
        return 128 - status
    return status


def _pass_on(pid: int, number: int) -> None:
    try:
        os.kill(pid, number)
    except ProcessLookupError:  # ended meanwhile: its status is on its way
        pass


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def socket_path(environ: os._Environ | dict[str, str], cwd: Path) -> Path | None:
    """The socket of the warm process for this environment, in the user's own folder; None
    where there can be none (no such folder, or one that others can reach)."""
    if not hasattr(socket, "send_fds") or not hasattr(os, "pidfd_open"):
        return None
    folder = _folder(environ)
    try:
        found = os.lstat(folder)
    except FileNotFoundError:
        return None
    if not stat.S_ISDIR(found.st_mode) or found.st_uid != os.getuid() or found.st_mode & 0o077:
        return None
    return folder / f"{_digest(environ, cwd)}.sock"


def _folder(environ) -> Path:
    """In the environment's temporary folder (its TMPDIR, as `tempfile` finds it for the process)."""
    return Path(environ.get("TMPDIR") or tempfile.gettempdir()) / f"newsmill-{os.getuid()}"


def _digest(environ, cwd: Path) -> str:
    fixed = {
        name: value
        for name, value in environ.items()
        if (name.startswith(FIXED_PREFIXES) or name in FIXED_VARIABLES) and name != PREFECT_CONSOLE_LEVEL
    }
    files = [cwd / name for name in PREFECT_SETTINGS_FILES] + [_prefect_profiles(environ)]
    code = [(str(file.relative_to(PROJECT)), *_stamp(file)) for file in _code_files()]
    state = [
        sys.prefix,  # the environment, however its interpreter is named (python, python3)
        sys.version,
        sorted(fixed.items()),
        [(str(file), *_stamp(file)) for file in files],
        [(folder, *_stamp(Path(folder))) for folder in site.getsitepackages()],
        code,
    ]
    return hashlib.sha256(json.dumps(state).encode()).hexdigest()[:24]


def _code_files() -> list[Path]:
    files = []
    for package in CODE:
        for folder, subfolders, names in os.walk(PROJECT / package):
            subfolders[:] = sorted(name for name in subfolders if name != "__pycache__")
            files += [Path(folder, name) for name in sorted(names)]
    return files


def _prefect_profiles(environ) -> Path:
    if environ.get("PREFECT_PROFILES_PATH"):
        return Path(environ["PREFECT_PROFILES_PATH"])
    home = environ.get("PREFECT_HOME") or str(Path(environ.get("HOME", "~"), ".prefect"))
    return Path(home).expanduser() / "profiles.toml"


def _stamp(path: Path) -> tuple[int, int] | tuple[None, None]:
    try:
        found = path.stat()
    except OSError:
        return None, None
    return found.st_size, found.st_mtime_ns


# The warm process.


@dataclass
class _Command:
    """A command handed over, in the copy of the warm process that runs it."""

    argv: list[str]
    cwd: str
    environ: dict[str, str]
    umask: int
    connection: socket.socket

    def run(self) -> int:
        """As the command would run in its own process, on its standard streams (already in place)."""
        os.environ.clear()
        os.environ.update(self.environ)
        os.chdir(self.cwd)
        os.umask(self.umask)
        time.tzset()
        signal.signal(signal.SIGINT, signal.default_int_handler)  # not what the warm process was started with
        for number in PASSED_ON[1:]:
            signal.signal(number, signal.SIG_DFL)
        sys.stdout.reconfigure(line_buffering=sys.stdout.isatty())  # as Python sets it up for a terminal
        threading.Thread(target=self._watch, name="newsmill-command-lifeline", daemon=True).start()

        from prefect.logging.configuration import setup_logging

        from flows import cli

        cli.quiet_prefect_console("--verbose" in self.argv)  # as the command does before it imports Prefect
        setup_logging()  # Prefect's log set up again from this command's environment
        return cli.main(self.argv)

    def _watch(self) -> None:
        """The command never writes after its request: end-of-file means it is gone, and so
        is this run then, as if it had been killed with it."""
        try:
            while self.connection.recv(1024):
                pass
        except OSError:  # reset: gone all the same
            pass
        os.kill(os.getpid(), signal.SIGKILL)


@dataclass
class _Running:
    """A command's copy, as the warm process waits for it to end."""

    pid: int
    connection: socket.socket
    line: str  # the command, for serve's terminal
    started: float


class WarmProcess:
    """The listening socket, and the commands started from it that have not ended."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._selector = selectors.DefaultSelector()
        self._running: dict[int, _Running] = {}  # by the pidfd that turns readable when the copy ends

    def listen(self) -> None:
        """Bound under a name of its own, then renamed: a command never finds a socket that does not answer yet."""
        bound = self.path.with_name(f"{self.path.stem}.{os.getpid()}")
        self._listener.bind(str(bound))
        self._listener.listen()
        os.replace(bound, self.path)
        self._bound = os.stat(self.path).st_ino  # to remove the socket at the end only if it is still this one
        self._selector.register(self._listener, selectors.EVENT_READ)
        self._selector.register(sys.stdin, selectors.EVENT_READ)  # the pipe from serve: readable at end-of-file

    def serve(self) -> _Command | None:
        """Start the commands handed over until serve is gone and they have all ended:
        None then. In each forked copy, this returns the copy's command."""
        while self._listening or self._running:
            for key, _ in self._selector.select():
                if key.fileobj is self._listener:
                    command = self._start()
                    if command is not None:
                        return command
                elif key.fileobj is sys.stdin:
                    self._stop_listening()
                else:
                    self._ended(key.fd)
        return None

    @property
    def _listening(self) -> bool:
        return self._listener.fileno() != -1

    def _start(self) -> _Command | None:
        connection, _ = self._listener.accept()
        try:
            connection.settimeout(REQUEST_TIMEOUT)
            request, streams = _receive(connection)
            connection.settimeout(None)
        except (OSError, ValueError):
            connection.close()
            return None
        try:
            pid = os.fork()
        except OSError:  # out of memory or processes: the command runs on its own
            for stream in streams:
                os.close(stream)
            connection.close()
            return None
        if pid == 0:
            self._leave(streams)
            return _Command(connection=connection, **request)
        for stream in streams:
            os.close(stream)
        try:
            connection.sendall(f"started {pid}\n".encode())
        except OSError:  # the command is gone already; its copy sees that, and ends
            pass
        pidfd = os.pidfd_open(pid)
        self._running[pidfd] = _Running(pid, connection, "newsmill " + " ".join(request["argv"]), time.monotonic())
        self._selector.register(pidfd, selectors.EVENT_READ)
        return None

    def _leave(self, streams: list[int]) -> None:
        """In the copy: the command's standard streams in place, and none of the warm process's own."""
        os.setsid()  # a Ctrl-C at serve's terminal is not this command's
        self._selector.close()
        self._listener.close()
        for pidfd, running in self._running.items():
            os.close(pidfd)
            running.connection.close()
        for number, stream in enumerate(streams):
            os.dup2(stream, number)
            os.close(stream)

    def _ended(self, pidfd: int) -> None:
        running = self._running.pop(pidfd)
        self._selector.unregister(pidfd)
        os.close(pidfd)
        status = os.waitstatus_to_exitcode(os.waitpid(running.pid, 0)[1])
        try:
            running.connection.sendall(f"exited {status}\n".encode())
        except OSError:  # the command is gone
            pass
        running.connection.close()
        seconds = time.monotonic() - running.started
        print(f"newsmill: warm: {running.line} (pid {running.pid}): exit {status}, {seconds:.1f} s", flush=True)

    def _stop_listening(self) -> None:
        self._selector.unregister(self._listener)
        self._selector.unregister(sys.stdin)
        try:
            if os.stat(self.path).st_ino == self._bound:
                os.unlink(self.path)
        except FileNotFoundError:
            pass
        self._listener.close()


def _receive(connection: socket.socket) -> tuple[dict, list[int]]:
    header, streams, _, _ = socket.recv_fds(connection, 8, 3)
    if len(streams) != 3:
        for stream in streams:
            os.close(stream)
        raise ValueError("a request comes with the command's three standard streams")
    while len(header) < 8:
        header += connection.recv(8 - len(header))
    size, body = int.from_bytes(header, "big"), b""
    while len(body) < size:
        chunk = connection.recv(size - len(body))
        if not chunk:
            raise ValueError("the command went away in the middle of its request")
        body += chunk
    return json.loads(body), streams


def main() -> int:
    """`python -m flows.warm`: the warm process, until its standard input (the pipe from
    `serve`) reaches end-of-file and the commands it started have ended."""
    if not os.environ.get("PREFECT_API_URL"):
        print("newsmill: warm: needs PREFECT_API_URL, a Prefect server for the commands' runs", file=sys.stderr)
        return 2
    folder = _folder(os.environ)
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
    except OSError as error:
        print(f"newsmill: warm: no folder for its socket: {error}", file=sys.stderr)
        return 2
    path = socket_path(os.environ, Path.cwd())  # before the imports below, as a command computes it
    if path is None:
        print(f"newsmill: warm: {folder} must be a folder of this user's alone (mode 0700)", file=sys.stderr)
        return 2
    if hand_over_possible(path):
        print("newsmill: warm: another warm process serves this environment already", file=sys.stderr)
        return 0
    atexit.register(exit_of_copy)  # the first handler, so the last to run, in the copies too
    before = dict(os.environ)
    # What the commands import before their work, and what a flow run imports as it
    # starts: Prefect's engines, FastAPI's encoders (for a run's parameters), the progress bar.
    import fastapi.encoders  # noqa: F401
    import prefect.flow_engine  # noqa: F401
    import prefect.task_engine  # noqa: F401
    import prefect.telemetry.run_telemetry  # noqa: F401
    import rich.progress  # noqa: F401

    import flows.backfill  # noqa: F401
    import flows.cli  # noqa: F401
    import flows.ingest  # noqa: F401
    import flows.scan  # noqa: F401

    set_by_imports = {name: value for name, value in os.environ.items() if name not in before}
    warm = WarmProcess(path)
    warm.listen()
    print(f"newsmill: warm: newsmill commands in this environment start warm ({path})", flush=True)
    gc.freeze()  # the copies share these objects' pages, untouched by their collections
    command = warm.serve()
    if command is None:
        return 0
    command.environ = {**set_by_imports, **command.environ}
    exit_of_copy.status = command.run()
    return exit_of_copy.status


class _ExitOfCopy:
    """The end of a copy's interpreter, once the run's own exit handlers and Python's have
    run: nothing more. What is left is the native libraries' teardown, and the threads
    DuckDB and Arrow started in the warm process as they were imported are not in the
    copy: joining them at teardown aborts the copy, or hangs it."""

    status: int | None = None

    def __call__(self) -> None:
        if self.status is None:  # the warm process itself: its threads are its own
            return
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(self.status)


exit_of_copy = _ExitOfCopy()


def hand_over_possible(path: Path) -> bool:
    """Whether a warm process answers at `path`."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True


class Started:
    """The warm process of `newsmill serve`: started with it, and told to stop (its pipe
    closed) when serve ends, however it ends."""

    def __enter__(self) -> Started:
        import subprocess

        self._process = subprocess.Popen(
            [sys.executable, "-m", "flows.warm"], stdin=subprocess.PIPE, start_new_session=True
        )
        return self

    def __exit__(self, *exc) -> None:
        self._process.stdin.close()


if __name__ == "__main__":
    status = main()
    gc.freeze()
    sys.exit(status)
