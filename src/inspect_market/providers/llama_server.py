"""A GGUF model behind llama-cpp-python's OpenAI-compatible server, for `openai-api/...` runs.

`llama_server(path, alias)` starts `python -m llama_cpp.server` (the `server` extra) on
127.0.0.1 on a free port with a fresh API key, waits until `/v1/models` answers, yields a
`RunningServer` (its base URL, key and the environment variables Inspect's `openai-api`
provider reads) and stops the process by its PID on exit. It stands in for vLLM or SGLang
in tests and benchmarks: the same client path, on a CPU.

llama_cpp.server 0.3.36 holds one model and serialises requests behind one lock (no parallel
slots), and its llama.cpp context keeps the KV cache of the last prompt only; `cache=True`
(`--cache true`) adds a RAM cache of saved states looked up by longest prompt prefix, so
interleaved conversations can resume their own prefix.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import InspectMarketError
from .gguf import default_threads

SERVICE = "llamacpp"
"""The `openai-api` service name: `openai-api/llamacpp/<alias>` reads LLAMACPP_BASE_URL/_API_KEY."""


@dataclass(frozen=True)
class RunningServer:
    """Where a started server listens and how Inspect reaches it."""

    pid: int
    base_url: str
    api_key: str
    alias: str
    stderr_path: Path

    @property
    def model(self) -> str:
        """The Inspect model name for this server."""
        return f"openai-api/{SERVICE}/{self.alias}"

    @property
    def env(self) -> dict[str, str]:
        """The environment variables the `openai-api` provider reads for this server."""
        prefix = SERVICE.upper()
        return {f"{prefix}_BASE_URL": self.base_url, f"{prefix}_API_KEY": self.api_key}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def server_command(
    model_path: Path,
    alias: str,
    port: int,
    api_key: str,
    n_ctx: int,
    n_threads: int,
    cache: bool,
    verbose: bool,
) -> list[str]:
    """The `python -m llama_cpp.server` command line."""
    return [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(model_path),
        "--model_alias",
        alias,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--api_key",
        api_key,
        "--n_ctx",
        str(n_ctx),
        "--n_threads",
        str(n_threads),
        "--n_threads_batch",
        str(n_threads),
        "--cache",
        str(cache).lower(),
        "--verbose",
        str(verbose).lower(),
        # only streamed requests can be interrupted; never cut one short for the next
        "--interrupt_requests",
        "false",
    ]


@contextmanager
def llama_server(
    model_path: Path,
    alias: str,
    *,
    n_ctx: int = 4096,
    n_threads: int | None = None,
    cache: bool = False,
    verbose: bool = False,
    startup_timeout: float = 120.0,
) -> Iterator[RunningServer]:
    """Run llama_cpp.server with `model_path` until the block exits; raise if it never answers."""
    port = free_port()
    api_key = secrets.token_hex(16)
    threads = n_threads or default_threads()
    command = server_command(model_path, alias, port, api_key, n_ctx, threads, cache, verbose)
    # sleeping, not spinning, OpenMP workers (as in the gguf provider): cores are shared
    env = {"OMP_WAIT_POLICY": "PASSIVE", **os.environ}
    with tempfile.TemporaryDirectory(prefix="llama_server_") as tmp:
        stderr_path = Path(tmp) / "stderr.log"
        with stderr_path.open("wb") as stderr:
            process = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=stderr, env=env, close_fds=True
            )
        server = RunningServer(
            pid=process.pid,
            base_url=f"http://127.0.0.1:{port}/v1",
            api_key=api_key,
            alias=alias,
            stderr_path=stderr_path,
        )
        try:
            wait_until_ready(process, server, startup_timeout)
            yield server
        finally:
            stop(process)


def wait_until_ready(
    process: subprocess.Popen[bytes], server: RunningServer, timeout: float
) -> None:
    """Poll `/v1/models` until it answers 200; raise with the stderr tail on exit or timeout."""
    request = urllib.request.Request(
        f"{server.base_url}/models", headers={"Authorization": f"Bearer {server.api_key}"}
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise InspectMarketError(
                f"llama_cpp.server exited with code {process.returncode} before answering:\n"
                + stderr_tail(server.stderr_path)
            )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise InspectMarketError(
        f"llama_cpp.server did not answer {server.base_url}/models within {timeout:.0f} s:\n"
        + stderr_tail(server.stderr_path)
    )


def stderr_tail(path: Path, lines: int = 30) -> str:
    """The last `lines` lines the server wrote to stderr."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no stderr)"
    return "\n".join(text.splitlines()[-lines:]) or "(stderr empty)"


def stop(process: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """Terminate the server by its PID; kill it if it is still running after `grace` seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
