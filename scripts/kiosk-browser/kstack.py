"""vdapi + vdsyncd + vdkiosk for one browser scenario, in a directory of its own.

Like scripts/reliability/stack.py, but vdapi keeps its world in a database file on a port chosen
up front, so a scenario can stop it (SIGTERM) and start it again on the same port with the same
data; vdsyncd may run with a configured account or with none (then the kiosk's login screen
signs in); and vdkiosk runs over vdsyncd's socket, its start-up URL read from its stdout.
Every process's output stays in the directory; stop() ends whatever is still running.
"""

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reliability"))
from stack import LineReader, RPCFailure, rpc_call  # noqa: E402  (the socket's JSON-RPC framing)

PASSWORD = "demo123"
ACCOUNTS = {
    "doctor": "13800000001",
    "assistant": "13800000011",
    "patient": "13800000021",
}


class StackError(Exception):
    pass


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout, what, interval=0.1):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise StackError(f"timed out after {timeout} s waiting for {what}")


class KioskStack:
    def __init__(self, bin_dir, work, name, role="doctor", configured=True, settings=None):
        self.bin_dir = bin_dir
        self.extra_settings = dict(settings or {})
        self.dir = os.path.join(work, name)
        os.makedirs(self.dir, exist_ok=True)
        self.role = role
        self.configured = configured
        self.port = free_port()
        self.database = os.path.join(self.dir, "vdapi.sqlite")
        self.socket = os.path.join(self.dir, "d.sock")
        self.state = os.path.join(self.dir, "state")
        self.vdapi = self.vdsyncd = self.vdkiosk = None
        self.url = self.admin_url = None
        self.kiosk_url = self.token_url = None
        self.starts = {"vdapi": 0, "vdsyncd": 0}

    # -- processes -----------------------------------------------------------------------

    def start(self):
        self.start_vdapi()
        self.start_vdsyncd()
        self.start_vdkiosk()
        return self

    def _log(self, name):
        return open(os.path.join(self.dir, name), "ab")

    def start_vdapi(self):
        """vdapi on self.port; seeds the demo world the first time only (a seed refuses a
        database that is not empty)."""
        self.starts["vdapi"] += 1
        n = self.starts["vdapi"]
        out_name = f"vdapi.{n}.out"
        args = [os.path.join(self.bin_dir, "vdapi"), "--port", str(self.port), "--admin-port", "0",
                "--database", self.database, "--log-level", "warning"]
        if n == 1:
            args += ["--seed", "demo"]
        self.vdapi = subprocess.Popen(args, stdout=self._log(out_name), stderr=self._log("vdapi.err"),
                                      stdin=subprocess.DEVNULL)
        pattern = re.compile(r"^vdapi listening on (\S+)(?: \(admin (\S+)\))?", re.M)

        def listening():
            if self.vdapi.poll() is not None:
                raise StackError("vdapi exited at start: " + self.tail("vdapi.err"))
            with open(os.path.join(self.dir, out_name), errors="replace") as f:
                return pattern.search(f.read())

        match = wait_for(listening, 30, "vdapi to listen")
        self.url, self.admin_url = match.group(1), match.group(2)

    def stop_vdapi(self):
        return self._stop("vdapi")

    def start_vdsyncd(self, wait_for_pull=True):
        self.starts["vdsyncd"] += 1
        password = os.path.join(self.dir, "password")
        with open(os.open(password, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
            f.write(PASSWORD)
        os.chmod(password, 0o600)
        settings = {
            "VDSYNC_UPSTREAM_URL": self.url,
            "VDSYNC_STATE_DIRECTORY": self.state,
            "VDSYNC_SOCKET_PATH": self.socket,
            "VDSYNC_HOT_INTERVAL": "15",
            "VDSYNC_LOG_LEVEL": "notice",
        }
        if self.configured:
            settings.update({"VDSYNC_ROLE": self.role, "VDSYNC_PHONE": ACCOUNTS[self.role],
                             "VDSYNC_PASSWORD_FILE": password})
        settings.update(self.extra_settings)
        with open(os.path.join(self.dir, "vdsyncd.conf"), "w") as f:
            for key, value in settings.items():
                f.write(f"{key}={value}\n")
        env = {k: v for k, v in os.environ.items() if not k.startswith("VDSYNC_")}
        self.vdsyncd = subprocess.Popen(
            [os.path.join(self.bin_dir, "vdsyncd"), "--config", os.path.join(self.dir, "vdsyncd.conf")],
            stdout=subprocess.DEVNULL, stderr=self._log("vdsyncd.log"), stdin=subprocess.DEVNULL, env=env)

        def ready():
            if self.vdsyncd.poll() is not None:
                raise StackError("vdsyncd exited at start: " + self.tail("vdsyncd.log"))
            if not os.path.exists(self.socket):
                return False
            try:
                status = self.call("status", timeout=5)
            except (OSError, ValueError, RPCFailure):
                return False
            return status.get("last_pull") or not (wait_for_pull and self.configured)

        wait_for(ready, 60, "vdsyncd's socket (and first pull)")

    def stop_vdsyncd(self):
        return self._stop("vdsyncd")

    def start_vdkiosk(self):
        self.vdkiosk = subprocess.Popen(
            [os.path.join(self.bin_dir, "vdkiosk"), "--socket", self.socket, "--port", "0", "--log-level", "info"],
            stdout=self._log("vdkiosk.out"), stderr=self._log("vdkiosk.err"), stdin=subprocess.DEVNULL)
        pattern = re.compile(r"vdkiosk listening on (http://\S+); open (\S+)")

        def listening():
            if self.vdkiosk.poll() is not None:
                raise StackError("vdkiosk exited at start: " + self.tail("vdkiosk.err"))
            with open(os.path.join(self.dir, "vdkiosk.out"), errors="replace") as f:
                return pattern.search(f.read())

        match = wait_for(listening, 30, "vdkiosk to listen")
        self.kiosk_url, self.token_url = match.group(1), match.group(2)

    def _stop(self, name, timeout=30):
        proc = getattr(self, name)
        if proc is None or proc.poll() is not None:
            return proc.returncode if proc else None
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        return proc.returncode

    def stop(self):
        for name in ("vdkiosk", "vdsyncd", "vdapi"):
            try:
                self._stop(name)
            except Exception:  # noqa: BLE001 - keep stopping the others
                pass

    # -- probes --------------------------------------------------------------------------

    def tail(self, name, lines=15):
        try:
            with open(os.path.join(self.dir, name), errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""

    def call(self, method, params=None, timeout=30):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.connect(self.socket)
            sock.settimeout(timeout)
            return rpc_call(sock, method, params, LineReader(sock))

    def db(self, sql, args=()):
        """Rows of vdapi's database file, read-only (vdapi may be running: WAL readers are fine)."""
        connection = sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=10)
        try:
            connection.row_factory = sqlite3.Row
            return [dict(row) for row in connection.execute(sql, args)]
        finally:
            connection.close()

    def admin(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.admin_url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
        return json.loads(text) if text.strip() else None
