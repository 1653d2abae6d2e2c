#!/usr/bin/env python3
"""Run a command against a throwaway PostgreSQL cluster.

Usage::

    python scripts/with_postgres.py -- <command> [args...]

A fresh cluster is initialised in a temporary directory, started on a free
port on 127.0.0.1, prepared (``btree_gist`` in ``template1``, a ``needlepoint``
database), and the command is run with ``DATABASE_URL`` pointing at it and
``NEEDLEPOINT_TEST_DB=postgres``. The server is stopped and the directory
removed afterwards; the command's exit code is returned.

If no PostgreSQL installation is found, the command is skipped (exit 0) unless
``CI`` is ``true``/``1``, in which case that is an error (exit 2). A
PostgreSQL that exists but cannot be set up is always an error (exit 2).

Standard library only: this runs before (and independently of) the project venv.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

PG_OS_USER = "postgres"
DB_NAME = "needlepoint"
START_TIMEOUT_SECONDS = 60
EXIT_SETUP_ERROR = 2
LOG_TAIL_LINES = 40

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


class SetupError(Exception):
    """PostgreSQL exists but could not be prepared; reported and exits with 2."""


class Interrupted(Exception):
    """A signal arrived while no command was running (setup phase)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def log(message: str) -> None:
    print(f"[postgres] {message}", file=sys.stderr, flush=True)


def is_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1"}


# --------------------------------------------------------------------------- #
# Locating binaries
# --------------------------------------------------------------------------- #


def _version_key(path: Path) -> tuple[int, ...]:
    """Sort key for /usr/lib/postgresql/<version>/bin ("15", "9.6", ...)."""
    return tuple(int(part) for part in re.findall(r"\d+", path.parent.name)) or (0,)


def find_bin_dir() -> Path | None:
    """PG_BIN, else the newest Debian-style install, else ``pg_config --bindir``."""
    explicit = os.environ.get("PG_BIN")
    if explicit:
        bin_dir = Path(explicit)
        if not (bin_dir / "initdb").is_file():
            # An explicit setting that is wrong is a misconfiguration, not "absent".
            raise SetupError(f"PG_BIN={explicit} does not contain initdb")
        return bin_dir

    candidates = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if (p / "initdb").is_file()]
    if candidates:
        return max(candidates, key=_version_key)

    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        )
        if result.returncode == 0:
            bin_dir = Path(result.stdout.strip())
            if (bin_dir / "initdb").is_file():
                return bin_dir
    return None


def client_binary(bin_dir: Path, name: str) -> str:
    """A client tool (psql, createdb) from bin_dir, falling back to PATH."""
    candidate = bin_dir / name
    if candidate.is_file():
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise SetupError(f"{name} not found in {bin_dir} or on PATH")
    return found


def server_version(bin_dir: Path) -> str:
    result = subprocess.run(
        [str(bin_dir / "postgres"), "--version"], capture_output=True, text=True, check=False
    )
    # "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)" -> "15.18 (Debian ...)"
    return result.stdout.strip().removeprefix("postgres (PostgreSQL) ") or "unknown version"


# --------------------------------------------------------------------------- #
# Signals
# --------------------------------------------------------------------------- #


def _terminal_delivers_sigint() -> bool:
    """Whether a SIGINT we got most likely came from the terminal's Ctrl-C.

    The command runs in our process group (so it keeps the terminal, e.g. for
    pdb); when that group is the terminal's foreground group, Ctrl-C already
    reached the command and forwarding it would deliver it twice.
    """
    try:
        return os.tcgetpgrp(sys.stdin.fileno()) == os.getpgrp()
    except (OSError, ValueError, AttributeError):
        return False


class SignalRelay:
    """SIGINT/SIGTERM handling; the handler itself never raises.

    * while the command runs: forward the signal to it and keep waiting for it;
    * during setup: only record it; ``raise_if_interrupted`` (called around each
      helper) then aborts, so a helper such as initdb or ``pg_ctl start`` is never
      killed halfway (which could orphan a server) and cleanup always runs;
    * during cleanup: record it and carry on.

    Handlers are Python callables, never SIG_IGN, so children started while
    they are installed get default dispositions back on exec.
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.command: subprocess.Popen[bytes] | None = None
        self.cleaning_up = False
        self.received: int | None = None

    def install(self) -> None:
        for signum in self.SIGNALS:
            signal.signal(signum, self._handle)

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        self.received = signum
        command = self.command
        if command is None or command.poll() is not None:
            return
        if signum == signal.SIGINT and _terminal_delivers_sigint():
            return
        with contextlib.suppress(ProcessLookupError):  # exited in the meantime
            command.send_signal(signum)

    def raise_if_interrupted(self) -> None:
        if self.received is not None and not self.cleaning_up:
            raise Interrupted(self.received)

    def run_command(self, argv: Sequence[str], env: dict[str, str]) -> int:
        self.raise_if_interrupted()
        try:
            self.command = subprocess.Popen(argv, env=env)
        except OSError as exc:
            log(f"cannot run {argv[0]!r}: {exc}")
            return 127
        # wait() resumes after the handler runs (PEP 475), so this returns only
        # once the command has exited, whatever signals it was forwarded.
        return self.command.wait()


RELAY = SignalRelay()


# --------------------------------------------------------------------------- #
# Running server-side tools
# --------------------------------------------------------------------------- #


def as_server_user(argv: Sequence[str]) -> list[str]:
    """initdb and pg_ctl refuse to run as root: drop to the postgres user if we are root."""
    if IS_ROOT:
        return ["runuser", "-u", PG_OS_USER, "--", *argv]
    return list(argv)


def run_quiet(argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
    """Run a helper to completion, capturing its output (shown only on failure)."""
    RELAY.raise_if_interrupted()
    result = subprocess.run(
        argv, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL
    )
    RELAY.raise_if_interrupted()
    return result


def describe_failure(what: str, result: subprocess.CompletedProcess[str]) -> str:
    output = (result.stdout + result.stderr).strip()
    return f"{what} failed (exit {result.returncode})" + (f":\n{output}" if output else "")


def hand_over_temp_dir(tmp_dir: Path) -> None:
    """Give the (mode 0700) temp dir to the postgres user when we run as root."""
    if not IS_ROOT:
        return
    shutil.chown(tmp_dir, user=PG_OS_USER, group=PG_OS_USER)
    # The postgres user must be able to reach the directory through its parents
    # (fine for /tmp, not for e.g. TMPDIR=/root/tmp).
    check = run_quiet(as_server_user(["test", "-w", str(tmp_dir)]))
    if check.returncode != 0:
        raise SetupError(
            f"{tmp_dir} is not reachable by the {PG_OS_USER} user; "
            "set TMPDIR to a world-traversable directory such as /tmp"
        )


def init_cluster(bin_dir: Path, data_dir: Path) -> None:
    base = [
        str(bin_dir / "initdb"),
        "-D",
        str(data_dir),
        "-A",
        "trust",
        "-U",
        "postgres",
        "--encoding",
        "UTF8",
        "--no-sync",
    ]
    errors: list[str] = []
    for locale in ("C.UTF-8", "C"):
        result = run_quiet(as_server_user([*base, "--locale", locale]))
        if result.returncode == 0:
            return
        errors.append(describe_failure(f"initdb --locale {locale}", result))
        # initdb normally cleans up after itself, but be sure the retry starts fresh.
        shutil.rmtree(data_dir, ignore_errors=True)
    raise SetupError("\n".join(errors))


def free_port() -> int:
    """A port that was free a moment ago (tiny race with other processes; acceptable)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def log_tail(log_file: Path) -> str:
    try:
        lines = log_file.read_text(errors="replace").splitlines()
    except OSError as exc:
        return f"(could not read {log_file}: {exc})"
    return "\n".join(lines[-LOG_TAIL_LINES:]) or "(empty)"


def start_server(bin_dir: Path, data_dir: Path, tmp_dir: Path, port: int) -> None:
    # pg_ctl hands -o to /bin/sh, so quote the only value that is a path.
    server_options = " ".join(
        [
            "-F",
            f"-p {port}",
            "-c listen_addresses=127.0.0.1",
            f"-c unix_socket_directories={shlex.quote(str(tmp_dir))}",
            "-c fsync=off",
            "-c synchronous_commit=off",
            "-c full_page_writes=off",
            "-c max_connections=200",
        ]
    )
    log_file = tmp_dir / "server.log"
    result = run_quiet(
        as_server_user(
            [
                str(bin_dir / "pg_ctl"),
                "start",
                "-D",
                str(data_dir),
                "-l",
                str(log_file),
                "-o",
                server_options,
                "-w",
                "-t",
                str(START_TIMEOUT_SECONDS),
            ]
        )
    )
    if result.returncode != 0:
        raise SetupError(
            describe_failure("pg_ctl start", result)
            + f"\n--- tail of {log_file} ---\n{log_tail(log_file)}"
        )


def stop_server(bin_dir: Path, data_dir: Path) -> None:
    # Keyed on postmaster.pid rather than "start succeeded": an interrupted
    # `pg_ctl start -w` may still have left a running server behind.
    if not (data_dir / "postmaster.pid").exists():
        return
    result = run_quiet(
        as_server_user(
            [str(bin_dir / "pg_ctl"), "stop", "-D", str(data_dir), "-m", "immediate", "-w"]
        )
    )
    if result.returncode != 0:
        log(describe_failure("pg_ctl stop", result))


def prepare_databases(bin_dir: Path, port: int) -> None:
    conn = ["-h", "127.0.0.1", "-p", str(port), "-U", "postgres"]
    # Test databases are created from template1, so they inherit the extension.
    result = run_quiet(
        [
            client_binary(bin_dir, "psql"),
            *conn,
            "-d",
            "template1",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            "CREATE EXTENSION IF NOT EXISTS btree_gist",
        ]
    )
    if result.returncode != 0:
        raise SetupError(
            describe_failure("CREATE EXTENSION btree_gist in template1", result)
            + "\n(btree_gist ships with the PostgreSQL server package, e.g. postgresql-15)"
        )
    result = run_quiet([client_binary(bin_dir, "createdb"), *conn, DB_NAME])
    if result.returncode != 0:
        raise SetupError(describe_failure(f"createdb {DB_NAME}", result))


def exit_code(returncode: int) -> int:
    """Shell convention for a command killed by a signal: 128 + signal number."""
    return 128 - returncode if returncode < 0 else returncode


# --------------------------------------------------------------------------- #
# Main
# --------------------------------------------------------------------------- #


def parse_command(argv: Sequence[str]) -> list[str]:
    args = list(argv)
    if args[:1] == ["--"]:
        args = args[1:]
    if not args or args[0] in {"-h", "--help"}:
        print(f"usage: {Path(sys.argv[0]).name} -- <command> [args...]", file=sys.stderr)
        sys.exit(0 if args else EXIT_SETUP_ERROR)
    return args


def main(argv: Sequence[str]) -> int:
    command = parse_command(argv)
    RELAY.install()

    try:
        bin_dir = find_bin_dir()
    except SetupError as exc:
        log(f"error: {exc}")
        return EXIT_SETUP_ERROR
    if bin_dir is None:
        if is_ci():
            log("error: PostgreSQL not found and CI is set; install it or set PG_BIN")
            return EXIT_SETUP_ERROR
        log("PostgreSQL not available, skipping the PostgreSQL pass (set PG_BIN or install it)")
        return 0

    log(f"binaries: {bin_dir} (PostgreSQL {server_version(bin_dir)})")
    tmp_dir: Path | None = None
    data_dir: Path | None = None
    try:
        tmp_dir = Path(tempfile.mkdtemp(prefix="needlepoint-pg-"))  # mode 0700
        hand_over_temp_dir(tmp_dir)
        data_dir = tmp_dir / "data"
        init_cluster(bin_dir, data_dir)
        port = free_port()
        start_server(bin_dir, data_dir, tmp_dir, port)
        log(f"server running on 127.0.0.1:{port} (data in {data_dir})")
        prepare_databases(bin_dir, port)

        env = dict(os.environ)
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{port}/{DB_NAME}"
        env["NEEDLEPOINT_TEST_DB"] = "postgres"
        return exit_code(RELAY.run_command(command, env))
    except SetupError as exc:
        log(f"error: {exc}")
        return EXIT_SETUP_ERROR
    except Interrupted as exc:
        log(f"interrupted by {exc} during setup")
        return 128 + exc.signum
    finally:
        RELAY.cleaning_up = True
        if data_dir is not None:
            stop_server(bin_dir, data_dir)
        if tmp_dir is not None:
            shutil.rmtree(tmp_dir, ignore_errors=True)
            if tmp_dir.exists():
                log(f"warning: could not remove {tmp_dir}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
