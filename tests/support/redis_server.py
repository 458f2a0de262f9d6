"""A throwaway redis-server on a free loopback port, in a temporary directory, for the
distributed-crawl tests and bench. Tests skip when the binary is absent (CI installs it)."""
from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time

from tests.support.loopback import free_port


def available() -> bool:
    return shutil.which("redis-server") is not None


class RedisServer:
    """`with RedisServer() as redis: redis.url` -> redis://127.0.0.1:PORT/0, no persistence."""

    def __init__(self):
        self.proc = None
        self.url = None
        self.dir = None

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="portal-archive-redis-")
        port = free_port()
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", self.dir,
             "--save", "", "--appendonly", "no", "--protected-mode", "yes"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(64).startswith(b"+PONG"):
                        self.url = f"redis://127.0.0.1:{port}/0"
                        return self
            except OSError:
                time.sleep(0.05)
        self.__exit__()
        raise RuntimeError("redis-server did not start")

    def __exit__(self, *exc):
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)


def ttls(url: str) -> dict[str, int]:
    """Every key and its time to live in seconds (-1: kept for ever)."""
    import redis
    server = redis.Redis.from_url(url, decode_responses=True)
    return {key: server.ttl(key) for key in server.keys("*")}
