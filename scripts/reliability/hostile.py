"""Item 4 of issue 9: hostile local clients against a running vdsyncd.

Each check returns a Result: its name, pass or fail, and the figures it printed. The checks
share one vdapi + vdsyncd pair (VDSYNC_MAX_CONNECTIONS=2000); the connection-limit check starts
a second vdsyncd with the default limit against the same vdapi.
"""

import asyncio
import json
import os
import random
import socket
import statistics
import threading
import time

import fuzz
from stack import LineReader, Stack, rpc_call


class Result:
    def __init__(self, name):
        self.name = name
        self.failures = []
        self.figures = {}

    @property
    def ok(self):
        return not self.failures

    def fail(self, message):
        self.failures.append(message)
        print(f"  FAIL {self.name}: {message}", flush=True)

    def figure(self, key, value):
        self.figures[key] = value

    def summary(self):
        figures = ", ".join(f"{k} {v}" for k, v in self.figures.items())
        verdict = "PASS" if self.ok else "FAIL"
        return f"{verdict} {self.name}: {figures}" + ("" if self.ok else f" ({len(self.failures)} failures)")


def daemon_healthy(stack, result):
    """The daemon is alive, answers `status`, and its stderr holds no crash."""
    if not stack.alive():
        result.fail(f"vdsyncd is not running (exit {stack.daemon.returncode}): {stack.tail('vdsyncd.log')}")
        return False
    try:
        stack.call("status", timeout=30)
    except Exception as error:  # noqa: BLE001 - any failure to answer is the finding
        result.fail(f"status does not answer: {error!r}")
        return False
    crashes = stack.crash_lines()
    if crashes:
        result.fail("crash lines on stderr: " + " | ".join(crashes[:5]))
        return False
    return True


def mb(kb):
    return f"{kb / 1024:.1f} MB"


def percentile(values, p):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Prober:
    """Another client, calling `status` every `interval` on its own connection, timing each."""

    def __init__(self, stack, interval=0.1, method="status"):
        self.stack = stack
        self.interval = interval
        self.method = method
        self.latencies = []
        self.errors = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=60)

    def _run(self):
        try:
            sock = self.stack.connect(timeout=30)
            reader = LineReader(sock)
        except OSError as error:
            self.errors.append(repr(error))
            return
        with sock:
            while not self._stop.is_set():
                started = time.monotonic()
                try:
                    rpc_call(sock, self.method, None, reader)
                except Exception as error:  # noqa: BLE001
                    self.errors.append(repr(error))
                    return
                self.latencies.append(time.monotonic() - started)
                self._stop.wait(self.interval)

    def stats(self):
        lat = self.latencies
        return {"n": len(lat), "p50_ms": round(percentile(lat, 50) * 1000, 1),
                "p99_ms": round(percentile(lat, 99) * 1000, 1), "max_ms": round(max(lat, default=0) * 1000, 1)}


def baseline_latency(stack, seconds=3.0):
    with Prober(stack, interval=0.05) as prober:
        time.sleep(seconds)
    return prober.stats()


def latency_ok(result, base, during, label):
    """Other clients unaffected: the median stays within 5x the baseline's plus 50 ms, nothing
    waits 2 s, and the prober got answers throughout."""
    limit_p50 = 5 * base["p50_ms"] + 50
    if during["n"] == 0:
        result.fail(f"{label}: the other client got no answer at all")
    elif during["p50_ms"] > limit_p50:
        result.fail(f"{label}: other client's median latency {during['p50_ms']} ms > {limit_p50:.0f} ms")
    elif during["max_ms"] > 2000:
        result.fail(f"{label}: other client waited {during['max_ms']} ms")


# -- a) fuzzing ---------------------------------------------------------------------------------

class FuzzStats:
    def __init__(self):
        self.frames = 0
        self.lines = 0
        self.request_lines = 0
        self.notification_lines = 0
        self.risky = 0
        self.replies = 0
        self.server_notifications = 0
        self.connections = 0
        self.bytes_sent = 0
        self.kinds = {}
        self.failures = []


async def _fuzz_connection(path, items, omit_last_newline, stats, index):
    chunks = []
    for number, (frame, outcomes, risky) in enumerate(items):
        chunks.append(frame + b"\n")
        if risky:
            chunks.append(fuzz.sentinel(number) + b"\n")
    if omit_last_newline and chunks:
        chunks[-1] = chunks[-1][:-1]
    payload = b"".join(chunks)
    try:
        reader, writer = await asyncio.open_unix_connection(path, limit=1 << 26)
    except OSError as error:
        stats.failures.append(f"connection {index}: connect failed: {error!r}")
        return

    async def send():
        try:
            for at in range(0, len(payload), 65536):
                writer.write(payload[at:at + 65536])
                await writer.drain()
            writer.write_eof()
        except OSError as error:
            stats.failures.append(f"connection {index}: send failed: {error!r}")

    sender = asyncio.create_task(send())
    replies = []
    try:
        while True:
            line = await asyncio.wait_for(reader.readline(), timeout=120)
            if not line:
                break
            try:
                message = json.loads(line)
            except ValueError:
                stats.failures.append(f"connection {index}: a reply line is not JSON: {line[:200]!r}")
                continue
            if isinstance(message, dict) and "method" in message and "id" not in message:
                stats.server_notifications += 1
                continue
            replies.append(message)
    except asyncio.TimeoutError:
        stats.failures.append(f"connection {index}: no reply or close within 120 s (hang); "
                              f"{len(replies)} replies so far")
    except (OSError, ValueError) as error:
        stats.failures.append(f"connection {index}: read failed: {error!r}")
    await sender
    writer.close()
    stats.bytes_sent += len(payload)
    stats.replies += sum(1 for r in replies
                         if not (isinstance(r, dict) and str(r.get("id", "")).startswith(fuzz.SENTINEL_PREFIX)))
    _verify(items, replies, stats, index)


def _verify(items, replies, stats, index):
    pos = 0
    for number, (frame, outcomes, risky) in enumerate(items):
        if risky:
            got = []
            while pos < len(replies) and not (isinstance(replies[pos], dict)
                                              and replies[pos].get("id") == fuzz.SENTINEL_PREFIX + str(number)):
                got.append(replies[pos])
                pos += 1
            if pos == len(replies):
                stats.failures.append(f"connection {index} frame {number}: the sentinel after it got no reply; "
                                      f"frame {frame[:160]!r}")
                return
            pos += 1
            if len(got) > 1:
                stats.failures.append(f"connection {index} frame {number}: {len(got)} replies to one line: "
                                      f"frame {frame[:160]!r}")
                return
            if not got:
                if ("none",) not in outcomes:
                    stats.failures.append(f"connection {index} frame {number}: no reply; frame {frame[:160]!r}")
                    return
            elif not any(fuzz.check_reply(o, got[0]) is None for o in outcomes if o != ("none",)):
                problems = [fuzz.check_reply(o, got[0]) for o in outcomes]
                stats.failures.append(f"connection {index} frame {number}: unexpected reply {json.dumps(got[0])[:200]} "
                                      f"({problems}); frame {frame[:160]!r}")
                return
            continue
        outcome = outcomes[0]
        if outcome == ("none",):
            continue
        if pos >= len(replies):
            stats.failures.append(f"connection {index} frame {number}: no reply (only {len(replies)} replies); "
                                  f"frame {frame[:160]!r}")
            return
        problem = fuzz.check_reply(outcome, replies[pos])
        if problem:
            stats.failures.append(f"connection {index} frame {number}: {problem}; reply {json.dumps(replies[pos])[:200]}; "
                                  f"frame {frame[:160]!r}")
            return
        pos += 1
    if pos != len(replies):
        stats.failures.append(f"connection {index}: {len(replies) - pos} replies more than lines that bear requests")


def build_fuzz_items(total, seed, hypothesis_share):
    mutator = fuzz.Mutator(seed)
    frames = []
    hypothesis_count = int(total * hypothesis_share)
    kinds = {}
    if hypothesis_count:
        for frame in fuzz.hypothesis_frames(hypothesis_count, seed):
            frames.append(("hypothesis", frame))
    while len(frames) < total:
        kind, frame = mutator.frame()
        frames.append((kind, frame))
    # Frames that once ended the daemon or were misread (fuzz.REGRESSIONS): always sent.
    for frame in fuzz.REGRESSIONS:
        frames.append(("regression", frame))
    mutator.r.shuffle(frames)
    items = []
    for kind, frame in frames:
        kinds[kind] = kinds.get(kind, 0) + 1
        # A '\n' inside a frame makes several lines; each is a frame of its own.
        for line in frame.split(b"\n"):
            outcomes, risky = fuzz.expect(line)
            items.append((line, outcomes, risky))
    return items, kinds


def check_fuzz(stack, frames, seed, parallel=24, hypothesis_share=0.1):
    result = Result("fuzz")
    print(f"== a) fuzz: {frames} frames (seed {seed}, {int(hypothesis_share * 100)}% from hypothesis)", flush=True)
    started = time.monotonic()
    items, kinds = build_fuzz_items(frames, seed, hypothesis_share)
    generated = time.monotonic() - started
    rng = random.Random(seed)
    connections = []
    at = 0
    while at < len(items):
        size = rng.choice([1, 5, 20, 60, 150, 300, 600])
        connections.append(items[at:at + size])
        at += size
    stats = FuzzStats()
    stats.frames = frames
    stats.lines = len(items)
    for _, outcomes, risky in items:
        if risky:
            stats.risky += 1
        elif outcomes[0] == ("none",):
            stats.notification_lines += 1
        else:
            stats.request_lines += 1
    stats.connections = len(connections)
    rss_before, fds_before, socks_before = stack.rss_kb(), stack.fds(), stack.sockets()

    async def run_all():
        queue = list(enumerate(connections))
        queue.reverse()

        async def worker():
            while queue:
                index, chunk = queue.pop()
                await _fuzz_connection(stack.socket, chunk, rng.random() < 0.1, stats, index)

        await asyncio.gather(*(worker() for _ in range(parallel)))

    sent_at = time.monotonic()
    asyncio.run(run_all())
    elapsed = time.monotonic() - sent_at
    time.sleep(1)
    rss_after, fds_after, socks_after = stack.rss_kb(), stack.fds(), stack.sockets()
    for failure in stats.failures[:10]:
        result.fail(failure)
    if len(stats.failures) > 10:
        result.fail(f"... and {len(stats.failures) - 10} more")
    daemon_healthy(stack, result)
    if socks_after > socks_before + 2:
        result.fail(f"sockets {socks_before} before, {socks_after} after every fuzz connection closed (a leak)")
    print(f"  generated in {generated:.1f} s; kinds: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    print(f"  {stats.lines} lines on {stats.connections} connections ({parallel} at once) in {elapsed:.1f} s "
          f"({stats.lines / max(elapsed, 0.001):.0f} lines/s, {stats.bytes_sent / 1e6:.1f} MB)")
    print(f"  request-bearing {stats.request_lines}, notification-only/blank {stats.notification_lines}, "
          f"ambiguous (checked with a sentinel) {stats.risky}; replies {stats.replies}, "
          f"server notifications {stats.server_notifications}")
    print(f"  daemon RSS {mb(rss_before)} -> {mb(rss_after)}, descriptors {fds_before} -> {fds_after} "
          f"(sockets {socks_before} -> {socks_after})")
    result.figure("frames", frames)
    result.figure("lines", stats.lines)
    result.figure("connections", stats.connections)
    result.figure("replies", stats.replies)
    result.figure("missing", sum(1 for f in stats.failures if "no reply" in f))
    result.figure("crashes", 0 if stack.alive() else 1)
    result.figure("seconds", round(elapsed, 1))
    return result


# -- b) many connections ----------------------------------------------------------------------

def check_many_connections(stack, count):
    result = Result("connections")
    print(f"== b) {count} simultaneous connections (VDSYNC_MAX_CONNECTIONS=2000)", flush=True)
    fds_before = stack.sockets()
    latencies = []
    problems = []

    async def run():
        conns = []
        loop = asyncio.get_running_loop()
        for _ in range(count):
            # Connected blocking (see Stack.connect), then handed to asyncio.
            try:
                sock = await loop.run_in_executor(None, stack.connect)
                sock.setblocking(False)
                conns.append(await asyncio.open_unix_connection(sock=sock, limit=1 << 22))
            except OSError as error:
                problems.append(f"connect failed: {error!r}")

        async def one(index, reader, writer):
            started = time.monotonic()
            writer.write(json.dumps({"jsonrpc": "2.0", "method": "status", "id": index}).encode() + b"\n")
            await writer.drain()
            line = await asyncio.wait_for(reader.readline(), timeout=120)
            reply = json.loads(line) if line else None
            if not reply or reply.get("id") != index or "result" not in reply:
                problems.append(f"connection {index}: {line[:200]!r}")
            latencies.append(time.monotonic() - started)

        started = time.monotonic()
        outcomes = await asyncio.gather(*(one(i, r, w) for i, (r, w) in enumerate(conns)), return_exceptions=True)
        elapsed = time.monotonic() - started
        # Every one has been answered, so accepted: the daemon holds them all now.
        open_fds = stack.sockets()
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                problems.append(f"call failed: {outcome!r}")
        # One more client while all of them are open.
        extra = await asyncio.get_running_loop().run_in_executor(None, lambda: stack.call("status"))
        for _, writer in conns:
            writer.close()
        return len(conns), open_fds, elapsed, extra

    opened, open_fds, elapsed, _ = asyncio.run(run())
    time.sleep(2)
    fds_after = stack.sockets()
    for problem in problems[:10]:
        result.fail(problem)
    if opened != count:
        result.fail(f"only {opened} of {count} connections opened")
    if open_fds < fds_before + count:
        result.fail(f"the daemon held {open_fds - fds_before} more descriptors, not {count}: not all were admitted")
    if fds_after > fds_before + 2:
        result.fail(f"sockets {fds_before} before, {fds_after} after closing them all (a leak)")
    daemon_healthy(stack, result)
    answered = len(latencies) - len(problems)
    print(f"  {opened} open at once; daemon sockets {fds_before} -> {open_fds} -> {fds_after} after close")
    print(f"  {answered} of {opened} answered `status` in {elapsed:.1f} s; latency p50 "
          f"{percentile(latencies, 50) * 1000:.0f} ms, p99 {percentile(latencies, 99) * 1000:.0f} ms, "
          f"max {max(latencies, default=0) * 1000:.0f} ms; a further client answered meanwhile")
    result.figure("open", opened)
    result.figure("answered", answered)
    result.figure("seconds", round(elapsed, 1))
    result.figure("sockets", f"{fds_before}->{open_fds}->{fds_after}")
    return result


def check_connection_limit(stack, work, bin_dir, over=72):
    """A second vdsyncd with the default limit (128): beyond it, one error line, then closed."""
    result = Result("connection-limit")
    print("== b2) beyond the default limit of 128: one `too many connections` line, then closed", flush=True)
    limited = Stack(bin_dir, work, "limit", env={"VDSYNC_HOT_INTERVAL": "600"})
    limited.url = stack.url
    try:
        limited.start_daemon(wait_for_pull=False)
        total = 128 + over
        socks = []
        for _ in range(total):
            socks.append(limited.connect(timeout=30))
        time.sleep(1)
        admitted = refused = other = 0
        for index, sock in enumerate(socks):
            try:
                sock.sendall(json.dumps({"jsonrpc": "2.0", "method": "rpc.unsubscribe",
                                         "params": {"subscription": "x"}, "id": index}).encode() + b"\n")
            except OSError:
                pass  # a refused connection may already be closed
            reader = LineReader(sock)
            line = reader.readline()
            reply = json.loads(line) if line else None
            if reply and reply.get("id") == index and reply.get("result") is False:
                admitted += 1
            elif (reply and reply.get("id") is None and reply.get("error", {}).get("code") == -32000
                  and reply["error"].get("data", {}).get("kind") == "too_many_connections"):
                try:
                    rest = reader.readline()
                except OSError:
                    rest = None  # reset: closed all the same
                if rest is None:
                    refused += 1
                else:
                    other += 1
                    result.fail(f"a refused connection sent more: {rest[:200]!r}")
            else:
                other += 1
                result.fail(f"connection {index}: unexpected {line[:200]!r}")
        for sock in socks:
            sock.close()
        if admitted != 128 or refused != over:
            result.fail(f"{admitted} admitted and {refused} refused, expected 128 and {over}")
        time.sleep(0.5)
        limited.call("status")
        print(f"  {total} connections: {admitted} admitted, {refused} refused with -32000 and closed, {other} other; "
              "a new connection is admitted once they close")
        result.figure("admitted", admitted)
        result.figure("refused", refused)
        daemon_healthy(limited, result)
    finally:
        limited.stop()
    return result


# -- c) a 100 MB line --------------------------------------------------------------------------

class RSSSampler:
    def __init__(self, stack, interval=0.02):
        self.stack = stack
        self.interval = interval
        self.samples = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self):
        while not self._stop.is_set():
            try:
                self.samples.append(self.stack.rss_kb())
            except OSError:
                return
            self._stop.wait(self.interval)


def check_long_line(stack, megabytes=100):
    result = Result("long-line")
    print(f"== c) a {megabytes} MB line with no newline", flush=True)
    base = baseline_latency(stack, 2)
    rss_before = stack.rss_kb()
    chunk = b"a" * (1 << 20)
    sent = 0
    reply_lines = []
    with RSSSampler(stack) as sampler, Prober(stack, interval=0.05) as prober:
        sock = stack.connect(timeout=60)
        started = time.monotonic()
        try:
            for _ in range(megabytes):
                sock.sendall(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        except socket.timeout:
            result.fail(f"the daemon stopped reading after {sent} bytes without closing")
        reader = LineReader(sock)
        try:
            while True:
                line = reader.readline()
                if line is None:
                    break
                reply_lines.append(line)
        except ConnectionResetError:
            pass  # closed with our unread bytes still in its buffer: a reset is the close
        except socket.timeout as error:
            result.fail(f"no answer or close: {error!r}")
        elapsed = time.monotonic() - started
        sock.close()
        time.sleep(0.5)
    time.sleep(1)
    rss_after = stack.rss_kb()
    peak = max(sampler.samples, default=rss_before)
    during = prober.stats()
    if len(reply_lines) != 1:
        result.fail(f"{len(reply_lines)} reply lines, expected exactly one: {reply_lines[:2]!r}")
    else:
        reply = json.loads(reply_lines[0])
        error = reply.get("error", {})
        if not (reply.get("id", "x") is None and error.get("code") == -32600
                and error.get("data", {}).get("kind") == "line_too_long"):
            result.fail(f"not the line-too-long error: {reply_lines[0][:200]!r}")
    growth = peak - rss_before
    if growth > 64 * 1024:
        result.fail(f"RSS grew by {mb(growth)} while the line was sent (bounded means < 64 MB)")
    latency_ok(result, base, during, "during the long line")
    if prober.errors:
        result.fail(f"the other client failed: {prober.errors[0]}")
    daemon_healthy(stack, result)
    print(f"  sent {sent / 1e6:.1f} MB before the daemon closed the connection ({elapsed:.2f} s); "
          f"answer: {reply_lines[0][:160].decode(errors='replace') if reply_lines else None}")
    print(f"  daemon RSS before {mb(rss_before)}, peak {mb(peak)}, after {mb(rss_after)}; other client "
          f"p50 {during['p50_ms']} ms / max {during['max_ms']} ms (baseline p50 {base['p50_ms']} ms)")
    result.figure("sent_mb", round(sent / 1e6, 1))
    result.figure("rss_mb", f"{rss_before / 1024:.0f}/{peak / 1024:.0f}/{rss_after / 1024:.0f}")
    result.figure("other_p50_ms", during["p50_ms"])
    return result


# -- d) tricklers ------------------------------------------------------------------------------

def check_trickle(stack, clients, line):
    seconds = len(line)
    result = Result("trickle")
    print(f"== d) {clients} clients trickling {seconds} bytes at one a second ({line!r})", flush=True)
    base = baseline_latency(stack, 3)
    answers = [None] * clients

    def trickle(index):
        try:
            with stack.connect(timeout=seconds + 60) as sock:
                for byte in line:
                    sock.send(bytes([byte]))
                    time.sleep(1)
                answers[index] = LineReader(sock).readline()
        except OSError as error:
            answers[index] = repr(error).encode()

    threads = [threading.Thread(target=trickle, args=(i,)) for i in range(clients)]
    with Prober(stack, interval=0.05) as prober:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    during = prober.stats()
    expected_id = json.loads(line)["id"] if line.strip().startswith(b"{") else None
    good = 0
    for index, answer in enumerate(answers):
        try:
            reply = json.loads(answer)
            if reply.get("id") == expected_id:
                good += 1
                continue
        except (TypeError, ValueError):
            pass
        result.fail(f"trickler {index} got {answer!r}")
    latency_ok(result, base, during, "while trickling")
    if prober.errors:
        result.fail(f"the other client failed: {prober.errors[0]}")
    daemon_healthy(stack, result)
    print(f"  {good} of {clients} tricklers answered after their last byte; the other client: "
          f"{during['n']} calls, p50 {during['p50_ms']} ms, p99 {during['p99_ms']} ms, max {during['max_ms']} ms "
          f"(baseline p50 {base['p50_ms']} ms, p99 {base['p99_ms']} ms)")
    result.figure("tricklers", f"{good}/{clients}")
    result.figure("seconds", seconds)
    result.figure("other_p50_ms", during["p50_ms"])
    result.figure("other_max_ms", during["max_ms"])
    return result


# -- e) clients that never read ----------------------------------------------------------------

def check_non_readers(stack, clients, requests):
    result = Result("non-readers")
    print(f"== e) {clients} clients sending {requests} requests each without reading", flush=True)
    base = baseline_latency(stack, 2)
    fds_before, rss_before = stack.sockets(), stack.rss_kb()
    rng = random.Random(7)
    payloads = []
    for c in range(clients):
        lines = []
        for i in range(requests):
            if rng.random() < 0.03:
                lines.append({"jsonrpc": "2.0", "method": "rpc.discover", "id": i})
            else:
                lines.append({"jsonrpc": "2.0", "method": "rpc.unsubscribe", "params": {"subscription": "x"}, "id": i})
        payloads.append(b"".join(json.dumps(l).encode() + b"\n" for l in lines))
    socks = [stack.connect(timeout=3) for _ in range(clients)]
    sent = [0] * clients

    def push(index):
        sock, data = socks[index], payloads[index]
        try:
            while sent[index] < len(data):
                sent[index] += sock.send(data[sent[index]:sent[index] + 65536])
        except (socket.timeout, BlockingIOError):
            pass
        except OSError as error:
            result.fail(f"client {index}: send failed: {error!r}")

    with RSSSampler(stack, 0.1) as sampler, Prober(stack, interval=0.05) as prober:
        threads = [threading.Thread(target=push, args=(i,)) for i in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        time.sleep(5)  # the daemon now holds whatever it holds for them
        held_fds = stack.sockets()
    peak = max(sampler.samples, default=rss_before)
    during = prober.stats()
    blocked = sum(1 for i in range(clients) if sent[i] < len(payloads[i]))
    # Half of them now read everything: each complete line sent gets exactly one reply.
    readers = clients // 2
    counted = []
    for index in range(readers):
        sock = socks[index]
        sock.settimeout(300)
        data = payloads[index][:sent[index]]
        complete = data.count(b"\n")
        partial = 0 if data.endswith(b"\n") or not data else 1
        sock.shutdown(socket.SHUT_WR)
        reader = LineReader(sock)
        replies = 0
        while True:
            line = reader.readline()
            if line is None:
                break
            replies += 1
        counted.append((complete + partial, replies))
        if replies != complete + partial:
            result.fail(f"client {index}: {replies} replies to {complete} lines (+{partial} unterminated)")
        sock.close()
    for sock in socks[readers:]:
        sock.close()  # the rest go away with their replies unread
    time.sleep(2)
    fds_after, rss_after = stack.sockets(), stack.rss_kb()
    growth = peak - rss_before
    if growth > 64 * 1024:
        result.fail(f"RSS grew by {mb(growth)} with {clients} clients not reading (bounded means < 64 MB)")
    if blocked == 0:
        result.fail("no client was ever blocked: the daemon read everything (unbounded buffering?)")
    if fds_after > fds_before + 2:
        result.fail(f"sockets {fds_before} before, {fds_after} after they closed (a leak)")
    latency_ok(result, base, during, "while clients did not read")
    if prober.errors:
        result.fail(f"the other client failed: {prober.errors[0]}")
    daemon_healthy(stack, result)
    accepted = sum(payloads[i][:sent[i]].count(b"\n") for i in range(clients))
    print(f"  {blocked} of {clients} blocked by back-pressure after {accepted} of {clients * requests} lines "
          f"({sum(sent) / 1e6:.1f} MB) were taken; daemon RSS {mb(rss_before)} -> peak {mb(peak)} -> {mb(rss_after)}")
    print(f"  {readers} then read everything: replies/lines {counted}; daemon sockets {fds_before} -> {held_fds} "
          f"-> {fds_after}; other client p50 {during['p50_ms']} ms, max {during['max_ms']} ms "
          f"(baseline p50 {base['p50_ms']} ms)")
    result.figure("blocked", f"{blocked}/{clients}")
    result.figure("rss_growth_mb", round(growth / 1024, 1))
    result.figure("other_p50_ms", during["p50_ms"])
    return result
