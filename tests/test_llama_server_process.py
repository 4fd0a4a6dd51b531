"""The llama_cpp.server helper's process handling, with stand-in commands instead of the model."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from inspect_market.errors import InspectMarketError
from inspect_market.providers import llama_server as module
from inspect_market.providers.llama_server import llama_server

# answers 200 to GET with the right bearer key, 401 otherwise
FAKE_SERVER = """
import http.server, sys
port, key = int(sys.argv[1]), sys.argv[2]
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        ok = self.headers.get("Authorization") == "Bearer " + key and self.path == "/v1/models"
        self.send_response(200 if ok else 401)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()
"""


def stand_in(monkeypatch: pytest.MonkeyPatch, script: str) -> None:
    """Run `script PORT API_KEY` where llama_server would run llama_cpp.server."""

    def command(model_path: Path, alias: str, port: int, api_key: str, *_: object) -> list[str]:
        return [sys.executable, "-c", script, str(port), api_key]

    monkeypatch.setattr(module, "server_command", command)


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_starts_waits_and_stops_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    stand_in(monkeypatch, FAKE_SERVER)
    with llama_server(Path("model.gguf"), "my-model", startup_timeout=30) as server:
        assert running(server.pid)
        assert server.model == "openai-api/llamacpp/my-model"
        assert server.base_url.startswith("http://127.0.0.1:")
        assert server.env == {
            "LLAMACPP_BASE_URL": server.base_url,
            "LLAMACPP_API_KEY": server.api_key,
        }
    assert not running(server.pid)


def test_a_server_that_exits_fails_with_its_stderr(monkeypatch: pytest.MonkeyPatch) -> None:
    stand_in(monkeypatch, "import sys; sys.stderr.write('cannot load model\\n'); sys.exit(3)")
    with (
        pytest.raises(InspectMarketError, match=r"exited with code 3[\s\S]*cannot load model"),
        llama_server(Path("model.gguf"), "my-model", startup_timeout=30),
    ):
        pass


def test_a_server_that_never_answers_times_out_and_is_stopped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stand_in(monkeypatch, "import sys, time; print('loading', file=sys.stderr); time.sleep(60)")
    pids: list[int] = []
    real_wait = module.wait_until_ready

    def wait(process: subprocess.Popen[bytes], *args: Any) -> None:
        pids.append(process.pid)
        real_wait(process, *args)

    monkeypatch.setattr(module, "wait_until_ready", wait)
    with (
        pytest.raises(InspectMarketError, match=r"did not answer .* within 1 s[\s\S]*loading"),
        llama_server(Path("model.gguf"), "my-model", startup_timeout=1),
    ):
        pass
    assert pids and not running(pids[0])
