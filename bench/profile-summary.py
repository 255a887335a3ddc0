#!/usr/bin/env python3
"""Where one process spent its samples in a `perf record -g` profile, by kind of work.

    perf record -F 499 -g -o perf.data -- .build/release/vdbench run --only reads ...
    bench/profile-summary.py perf.data --comm vdsyncd

Each sample of the process (the first one exec'd under the name given, or the n-th with
--nth) goes to the first
category, in the order below, that a frame of its call chain matches; the table gives each
category's share of the process's samples. A coarse map for comparing two profiles of the
same workload (docs/performance.md), not a replacement for `perf report`."""
import argparse
import re
import subprocess
import sys

CATEGORIES = [
    ("the query (SQLite, GRDB rows)", re.compile(r"sqlite3|GRDB")),
    ("JSON (parse, encode, splice)", re.compile(r"JSONEncoder|JSONSerialization|JSONValue|RPCJSON|RPCFragments|RPCIncoming|_JSON")),
    ("socket system calls (read, write, epoll)", re.compile(r"sys_write|sys_writev|sys_read|sys_readv|sys_recvmsg|sys_sendmsg|unix_stream|epoll_wait|sys_epoll")),
    ("hops (tasks, dispatch queues, futexes)", re.compile(r"swift_task|swift_job|_dispatch|futex|pthread_cond|semaphore|swift::|Executor|runJob")),
    ("fsync and the WAL", re.compile(r"fsync|fdatasync|ext4_sync|jbd2")),
]
OTHER = "everything else (the handler, allocation, strings)"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data")
    parser.add_argument("--comm", default="vdsyncd", help="the process, by the name it was exec'd as")
    parser.add_argument("--nth", type=int, default=1, help="the n-th process exec'd under that name (default 1)")
    args = parser.parse_args()
    events = subprocess.run(["perf", "script", "-i", args.data, "--show-task-events"], capture_output=True, text=True).stdout
    pids = re.findall(rf"PERF_RECORD_COMM exec: {re.escape(args.comm)}:(\d+)/", events)
    if len(pids) < args.nth:
        sys.exit(f"no process number {args.nth} exec'd as {args.comm} in {args.data}")
    pid = pids[args.nth - 1]
    script = subprocess.run(["perf", "script", "-i", args.data, "--pid", pid, "-F", "comm,tid,ip,sym"],
                            capture_output=True, text=True).stdout
    counts = {name: 0 for name, _ in CATEGORIES}
    counts[OTHER] = 0
    total = 0
    for sample in script.split("\n\n"):
        frames = sample.strip().splitlines()[1:]
        if not frames:
            continue
        total += 1
        chain = "\n".join(frames)
        for name, pattern in CATEGORIES:
            if pattern.search(chain):
                counts[name] += 1
                break
        else:
            counts[OTHER] += 1
    print(f"{args.comm} (pid {pid}): {total} samples")
    print("| work | share of samples |")
    print("|---|---:|")
    for name, count in counts.items():
        print(f"| {name} | {100 * count / max(total, 1):.0f}% |")


if __name__ == "__main__":
    main()
