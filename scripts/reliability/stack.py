"""A vdapi + vdsyncd pair for the reliability checks, started as scripts/demo starts them.

vdapi runs with the demo world on a free loopback port (and its admin port, for faults and
inspection); vdsyncd runs against it as the demo doctor 13800000001, with the password in a
file (VDSYNC_PASSWORD_FILE), its state directory and socket in a temporary directory. Both are
stopped with SIGTERM at the end; their stderr is kept in the work directory for the crash scan.
"""

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request

DOCTOR_PHONE = "13800000001"
PASSWORD = "demo123"

# What a crashed or aborted Swift process leaves on stderr, and what the daemon logs when it
# fails. Any of these in a log fails the run.
CRASH_PATTERNS = re.compile(
    r"Fatal error|fatal error|Segmentation fault|Illegal instruction|Current stack trace|"
    r"\bSIGSEGV\b|\bSIGABRT\b|\bSIGILL\b|\bSIGBUS\b|Assertion failed|Precondition failed|"
    r"Stack overflow|\bcritical\b|^Aborted|core dumped",
    re.M,
)


class StackError(Exception):
    pass


class Stack:
    def __init__(self, bin_dir, work, name, env=None, admin=False):
        self.bin_dir = bin_dir
        self.dir = os.path.join(work, name)
        os.makedirs(self.dir, exist_ok=True)
        self.extra_env = env or {}
        self.with_admin = admin
        self.server = None
        self.daemon = None
        self.url = None
        self.admin_url = None
        self.socket = os.path.join(self.dir, "vdsyncd.sock")
        self.state = os.path.join(self.dir, "state")
        self.daemon_exit = None
        self.server_exit = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self, wait_for_pull=True):
        self.start_server()
        self.start_daemon(wait_for_pull=wait_for_pull)
        return self

    def start_server(self):
        out = open(os.path.join(self.dir, "vdapi.out"), "wb")
        err = open(os.path.join(self.dir, "vdapi.err"), "wb")
        args = [os.path.join(self.bin_dir, "vdapi"), "--port", "0", "--seed", "demo", "--log-level", "warning"]
        if self.with_admin:
            args += ["--admin-port", "0"]
        self.server = subprocess.Popen(args, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        deadline = time.time() + 30
        pattern = re.compile(r"^vdapi listening on (\S+)(?: \(admin (\S+)\))?", re.M)
        while time.time() < deadline:
            with open(os.path.join(self.dir, "vdapi.out"), "r", errors="replace") as f:
                match = pattern.search(f.read())
            if match:
                self.url, self.admin_url = match.group(1), match.group(2)
                return
            if self.server.poll() is not None:
                raise StackError("vdapi exited at start: " + self.tail("vdapi.err"))
            time.sleep(0.1)
        raise StackError("vdapi did not start within 30 s")

    def start_daemon(self, wait_for_pull=True):
        password = os.path.join(self.dir, "password")
        # vdsyncd refuses a password file others may read (as ssh does a key): 0600.
        with open(os.open(password, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
            f.write(PASSWORD)
        os.chmod(password, 0o600)
        settings = {
            "VDSYNC_UPSTREAM_URL": self.url,
            "VDSYNC_ROLE": "doctor",
            "VDSYNC_PHONE": DOCTOR_PHONE,
            "VDSYNC_PASSWORD_FILE": password,
            "VDSYNC_STATE_DIRECTORY": self.state,
            "VDSYNC_SOCKET_PATH": self.socket,
            "VDSYNC_HOT_INTERVAL": "15",
            "VDSYNC_LOG_LEVEL": "notice",
        }
        settings.update(self.extra_env)
        with open(os.path.join(self.dir, "vdsyncd.conf"), "w") as f:
            for key, value in settings.items():
                f.write(f"{key}={value}\n")
        env = {k: v for k, v in os.environ.items() if not k.startswith("VDSYNC_")}
        log = open(os.path.join(self.dir, "vdsyncd.log"), "wb")
        self.daemon = subprocess.Popen(
            [os.path.join(self.bin_dir, "vdsyncd"), "--config", os.path.join(self.dir, "vdsyncd.conf")],
            stdout=subprocess.DEVNULL, stderr=log, stdin=subprocess.DEVNULL, env=env)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.daemon.poll() is not None:
                raise StackError("vdsyncd exited at start: " + self.tail("vdsyncd.log"))
            if os.path.exists(self.socket):
                try:
                    status = self.call("status", timeout=5)
                    if not wait_for_pull or status.get("last_pull"):
                        return
                except (OSError, ValueError, RPCFailure):
                    pass
            time.sleep(0.1)
        raise StackError("vdsyncd was not ready within 60 s: " + self.tail("vdsyncd.log"))

    def stop(self):
        """SIGTERM to both; returns (daemon exit status, server exit status)."""
        for attr in ("daemon", "server"):
            proc = getattr(self, attr)
            if proc is None or proc.poll() is not None:
                continue
            proc.send_signal(signal.SIGTERM)
        for attr in ("daemon", "server"):
            proc = getattr(self, attr)
            if proc is None:
                continue
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.daemon_exit = self.daemon.returncode if self.daemon else None
        self.server_exit = self.server.returncode if self.server else None
        return self.daemon_exit, self.server_exit

    # -- probes ----------------------------------------------------------------------------

    def alive(self):
        return self.daemon is not None and self.daemon.poll() is None

    def rss_kb(self):
        return self._status_field("VmRSS")

    def hwm_kb(self):
        return self._status_field("VmHWM")

    def anon_kb(self):
        """Resident anonymous memory: the heap and stacks, without the binary's and libraries' pages."""
        return self._status_field("RssAnon")

    def _status_field(self, name):
        with open(f"/proc/{self.daemon.pid}/status") as f:
            for line in f:
                if line.startswith(name + ":"):
                    return int(line.split()[1])
        return 0

    def fds(self):
        return len(os.listdir(f"/proc/{self.daemon.pid}/fd"))

    def sockets(self):
        """Open socket descriptors (clients' connections, the listener, upstream HTTP)."""
        count = 0
        base = f"/proc/{self.daemon.pid}/fd"
        for name in os.listdir(base):
            try:
                if os.readlink(os.path.join(base, name)).startswith("socket:"):
                    count += 1
            except OSError:
                pass
        return count

    def wal_bytes(self):
        try:
            return os.path.getsize(os.path.join(self.state, "vdsync.sqlite-wal"))
        except OSError:
            return 0

    def crash_lines(self):
        """Lines of either process's stderr that look like a crash or a critical failure."""
        found = []
        for name in ("vdsyncd.log", "vdapi.err"):
            path = os.path.join(self.dir, name)
            if not os.path.exists(path):
                continue
            with open(path, "r", errors="replace") as f:
                for line in f:
                    if CRASH_PATTERNS.search(line):
                        found.append(f"{name}: {line.rstrip()[:300]}")
        return found

    def tail(self, name, lines=20):
        path = os.path.join(self.dir, name)
        try:
            with open(path, "r", errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""

    # -- the socket and the admin port ------------------------------------------------------

    def connect(self, timeout=30):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        # A blocking connect: on a Unix socket whose listen backlog is full, a non-blocking one
        # fails with EAGAIN instead of waiting for the daemon to accept.
        sock.connect(self.socket)
        sock.settimeout(timeout)
        return sock

    def call(self, method, params=None, timeout=30):
        """One request on a fresh connection; the result, or RPCFailure with the error."""
        with self.connect(timeout) as sock:
            return rpc_call(sock, method, params)

    def admin(self, method, path, body=None, timeout=30):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.admin_url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read()
        return json.loads(text) if text.strip() else None

    def query(self, sql, arguments=None):
        body = {"sql": sql}
        if arguments is not None:
            body["arguments"] = arguments
        return self.admin("POST", "/admin/query", body)


class RPCFailure(Exception):
    def __init__(self, error):
        super().__init__(json.dumps(error, ensure_ascii=False))
        self.error = error


_next_id = [0]


def rpc_call(sock, method, params=None, reader=None):
    """Sends one request on `sock` and returns its result, skipping notifications."""
    _next_id[0] += 1
    request = {"jsonrpc": "2.0", "method": method, "id": _next_id[0]}
    if params is not None:
        request["params"] = params
    sock.sendall(json.dumps(request, ensure_ascii=False).encode() + b"\n")
    reader = reader or LineReader(sock)
    while True:
        line = reader.readline()
        if line is None:
            raise ValueError("connection closed before the reply")
        message = json.loads(line)
        if "id" not in message:
            continue
        if "error" in message:
            raise RPCFailure(message["error"])
        return message["result"]


class LineReader:
    """Reads '\n'-terminated lines from a socket, keeping what follows the last one."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""

    def readline(self):
        while b"\n" not in self.buffer:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                if self.buffer:
                    line, self.buffer = self.buffer, b""
                    return line
                return None
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line
