"""The processes a run starts die with it, whatever ends it: `kill -9` and the OOM killer
included, which leave the run no chance to stop them.

- The process-pool workers each watch a pipe whose write end only the run holds: when
  the run dies, the kernel closes that end, the pipe reaches end-of-file and the worker
  exits (`worker_lifeline`).
- Prefect's temporary API server (started for a run when no PREFECT_API_URL is set) is
  Prefect's own command, into which no code of ours goes, so a watchdog process reads a
  pipe from the run the same way and stops the server when it reaches end-of-file
  (`guard_temporary_server`). The workers use that server (`sharing_temporary_server`):
  left to themselves, each would start one more of its own.

Why a pipe, not `prctl(PR_SET_PDEATHSIG)`: that is Linux only, and it fires when the
*thread* that started the child exits, not the process. ProcessPoolExecutor spawns its
workers from whichever thread calls `submit`, in Prefect 3.8 one of the runner's
resolver threads, and Prefect is free to change which: a death signal tied to a thread
could kill healthy workers in the middle of a run. A pipe's end-of-file depends on no
thread, is immediate and works on every platform. The end of the pipe the run holds is
never inherited by the processes it starts (Python opens pipes close-on-exec, and spawned
workers get only the descriptors handed to them); should a `fork()`ed copy of the run
ever keep it open, the workers also notice their parent change, checking once a second.
A worker busy in C code that holds the GIL exits when that call returns.
Dask needs nothing here: newsmill never starts a cluster of its own (see
`flows.parallel.Workers`), and the workers of a cluster given by `--dask-address` are
the user's, left running.
"""

from __future__ import annotations

import atexit
import functools
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import types
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection

EXIT_ORPHANED = 70  # a worker's exit status when its run died under it (EX_SOFTWARE)


class Lifeline:
    """A pipe from this process to the workers it starts: `worker_lifeline(*lifeline.args)`
    in each, as the pool's initializer. Keep it open as long as the workers run: they exit
    as soon as it is closed, or the process holding it dies."""

    def __init__(self) -> None:
        self._reader, self._writer = multiprocessing.get_context("spawn").Pipe(duplex=False)
        self.args = (self._reader,)

    def close(self) -> None:
        self._writer.close()
        self._reader.close()


def worker_lifeline(reader: Connection) -> None:
    """In a worker: exit as soon as the run that started it is gone. The run never writes
    to the pipe, so it turns readable only at end-of-file, at once if the run died before
    this worker got this far."""
    parent = os.getppid()
    # A Ctrl-C at the terminal reaches every process of the run; the run handles it, and
    # its workers end when it does.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        try:
            while not reader.poll(1.0) and os.getppid() == parent:
                pass
        except (OSError, EOFError):  # a broken pipe: the run is gone all the same
            pass
        # No cleanup to do: workers hold no warehouse, and whoever waited for their results is dead.
        os._exit(EXIT_ORPHANED)

    threading.Thread(target=watch, name="newsmill-lifeline", daemon=True).start()


# The watchdog of a temporary server: it reads its stdin, the pipe from the run, until
# end-of-file, then stops the server (SIGTERM, then SIGKILL after 5 s) and exits. It runs
# isolated (-I -S: no site-packages, about 15 ms to start) and addresses the server through
# a pidfd where the platform has one (Linux), so a pid reused after the server exited is
# never signalled. A Ctrl-C reaches it too: it ignores that one, the run handles it.
_WATCHDOG = r"""
import os, select, signal, sys, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
pid = int(sys.argv[1])
try:
    pidfd = os.pidfd_open(pid)
except (AttributeError, OSError):
    pidfd = None
while os.read(0, 4096):
    pass

def send(sig):
    if pidfd is not None:
        signal.pidfd_send_signal(pidfd, sig)
    else:
        os.kill(pid, sig)

def gone(timeout):
    if pidfd is not None:
        return bool(select.select([pidfd], [], [], timeout)[0])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False

try:
    send(signal.SIGTERM)
    if not gone(5):
        send(getattr(signal, "SIGKILL", signal.SIGTERM))
except ProcessLookupError:
    pass
"""


def guard_temporary_server() -> None:
    """Have every temporary Prefect server this process starts die with it. Call it before
    the first flow run: Prefect starts the server as the run starts. Nothing happens when
    PREFECT_API_URL names a server (Prefect then starts none), in a worker, or if called
    again."""
    from prefect.settings import PREFECT_API_URL

    # Not in a worker (a process-pool worker is handed the run's server, a Dask worker is
    # the user's) nor where a server is given: the import costs about 2 s of CPU.
    if multiprocessing.parent_process() is not None or PREFECT_API_URL.value():
        return
    from prefect.server.api import server as server_module  # what Prefect imports to start one

    SubprocessASGIServer = server_module.SubprocessASGIServer
    if getattr(SubprocessASGIServer, "_newsmill_guarded", False):
        return
    # The server in a session of its own: a Ctrl-C at the terminal is the run's, which
    # still needs its server to record how it ended (with the server stopped by the same
    # Ctrl-C, Prefect retries for minutes). The module uses `subprocess` for nothing else.
    server_module.subprocess = types.SimpleNamespace(Popen=_OwnSessionPopen, TimeoutExpired=subprocess.TimeoutExpired)
    start_process, stop = SubprocessASGIServer._run_uvicorn_command, SubprocessASGIServer.stop

    @functools.wraps(start_process)
    def start_guarded(server):
        global _temporary_server
        _release(server)  # Prefect starts another when the port was taken: the first one is gone
        process = start_process(server)
        server._newsmill_watchdog = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _WATCHDOG, str(process.pid)], stdin=subprocess.PIPE
        )
        _temporary_server = server
        return process

    @functools.wraps(stop)
    def stop_released(server):
        global _temporary_server
        _release(server)  # before Prefect stops and reaps the server, after which its pid is free again
        if _temporary_server is server:
            _temporary_server = None
        return stop(server)

    SubprocessASGIServer._run_uvicorn_command, SubprocessASGIServer.stop = start_guarded, stop_released
    SubprocessASGIServer._newsmill_guarded = True


_temporary_server = None  # the one this process started, while it runs


class _OwnSessionPopen(subprocess.Popen):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, start_new_session=True, **kwargs)


@contextmanager
def sharing_temporary_server() -> Iterator[None]:
    """Process-pool workers started or handed work meanwhile use the temporary Prefect server
    of this process, if it runs one: finding no PREFECT_API_URL, each would start a server
    of its own (Prefect makes an API client for every task run), about 250 MB and seconds
    of CPU each, for nothing. Not for a Dask cluster: this server listens on 127.0.0.1."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    server = _temporary_server
    if server is None or not server.running or PREFECT_API_URL.value():
        yield
        return
    with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
        yield


def _release(server) -> None:
    """Let go of a server's watchdog: Prefect is stopping it, or it is gone."""
    watchdog = getattr(server, "_newsmill_watchdog", None)
    if watchdog is not None:
        watchdog.kill()
        watchdog.wait()
        watchdog.stdin.close()
        server._newsmill_watchdog = None


class TemporaryServer:
    """Prefect's temporary API server, started by `newsmill ingest` as the command starts.

    Left to Prefect, the server starts when the flow run does, and the run waits the
    seconds it takes to come up; started first, it comes up on the other core while the
    command looks for anything new and imports Prefect. It is Prefect's own server app,
    with the settings Prefect gives its temporary server, and it dies with the run as
    Prefect's does here: a watchdog stops it when the run's process is gone, so the
    command never waits for it to stop.

    Whether Prefect's settings name a server of their own (a profile, prefect.toml, .env)
    only Prefect can tell, and once imported it has read them for good: so the server's
    process tells, before it starts the server, and exits when they do (`_LAUNCHER`).
    """

    def __init__(self) -> None:
        self.api_url: str | None = None
        self._server: subprocess.Popen | None = None
        self._watchdog: subprocess.Popen | None = None

    def start(self) -> None:
        """Start the server, unless the environment names one, or Prefect is imported
        already: then Prefect's settings as they are decide, as for any flow run from Python."""
        if os.environ.get("PREFECT_API_URL") or "prefect" in sys.modules or self._server is not None:
            return
        with socket.socket() as probe:  # a free port; if another process takes it first, the server exits with 3
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self._server = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER, str(port)],
            stdout=subprocess.PIPE,
            env={**os.environ, **_TEMPORARY_SERVER_ENVIRONMENT},
            start_new_session=True,  # a Ctrl-C is the run's, which still needs its server to record how it ended
        )
        self._watchdog = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _WATCHDOG, str(self._server.pid)], stdin=subprocess.PIPE
        )
        self.api_url = f"http://127.0.0.1:{port}/api"
        atexit.register(self.stop)  # after Prefect's own exit handlers, which still send it the run's logs

    @contextmanager
    def use(self) -> Iterator[None]:
        """Within the block, this process's flow runs and the workers it starts use the
        server, unless Prefect's settings name one: then that one, and this one is stopped.
        Import Prefect within the block, not before, and call `wait` before the first flow run."""
        if self._server is None:
            yield
            return
        if self._server.stdout.readline().strip():  # the server Prefect's settings name
            self.stop()
            yield
            return
        os.environ["PREFECT_API_URL"] = self.api_url  # read by Prefect as it is imported, and by the workers
        from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

        # No heartbeats: they let a server tell a crashed run, and this one dies with the
        # run. Each costs the run's end up to a second, waiting for the heartbeat thread.
        try:
            with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
                yield
        finally:
            del os.environ["PREFECT_API_URL"]

    def wait(self) -> None:
        """Return once the server answers; RuntimeError if it does not come up in time."""
        if self._server is None:
            return
        from prefect.settings import PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS

        deadline = time.monotonic() + PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value()
        while time.monotonic() < deadline:
            if self._server.poll() is not None:
                raise RuntimeError(f"Prefect's temporary server exited with status {self._server.returncode}")
            try:
                with urllib.request.urlopen(f"{self.api_url}/health", timeout=1) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"Prefect's temporary server did not answer at {self.api_url} in time")

    def stop(self) -> None:
        """Have the watchdog stop the server, without waiting for it."""
        if self._watchdog is not None:
            self._watchdog.stdin.close()  # end-of-file: it stops the server, SIGKILL after 5 s
            self._watchdog = None
        self._server = None


# What Prefect gives the temporary server it starts: no UI, and the server knows it is one.
_TEMPORARY_SERVER_ENVIRONMENT = {
    "PREFECT_UI_ENABLED": "0",
    "PREFECT__SERVER_EPHEMERAL": "1",
    "PREFECT__SERVER_FINAL": "1",
}

# The temporary server's process: it prints the API URL Prefect's settings name (an empty
# line for none) and exits if there is one; else it serves Prefect's API app on the port
# given, as Prefect's `uvicorn --factory prefect.server.api.server:create_app` command does.
_LAUNCHER = r"""
import os, sys
from prefect.settings import get_current_settings
named = get_current_settings().api.url
print(named or "", flush=True)
os.dup2(2, 1)  # what the server prints goes to the terminal, not to a pipe nobody reads
if named:
    sys.exit(0)
import uvicorn
uvicorn.run("prefect.server.api.server:create_app", factory=True, host="127.0.0.1", port=int(sys.argv[1]),
            log_level="error", lifespan="on")
"""
