#!/usr/bin/env python3
"""Runs the reliability checks of issue 9: crashes at every durable step and random SIGKILLs
(item 1), link faults (item 2) and a slow server, one send at a time (the settle time's cost),
disk faults and damaged files (item 3), hostile local clients (item 4) and the soak (item 5).

Called by scripts/reliability/run, which installs what is missing and builds; see that script
and docs/reliability.md. Prints one summary line per check and exits 1 if any failed.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import crashes  # noqa: E402
import disk  # noqa: E402
import hostile  # noqa: E402
import network  # noqa: E402
import slow  # noqa: E402
import soak  # noqa: E402
import world  # noqa: E402
from stack import Stack  # noqa: E402

MODES = {
    # fuzz frames (of which from hypothesis), connections, line MB, tricklers and their line,
    # non-readers x requests, soak minutes; crash sweep n for state changes and for sends, random
    # SIGKILLs, seconds of traffic per link fault, seconds of traffic per disk fault, rounds of the
    # slow-server cases
    "ci": dict(frames=100_000, hypothesis=1_000, connections=1000, line_mb=100, tricklers=5,
               trickle_line=b'{"id":7}\n', non_readers=4, requests=10_000, soak_minutes=3,
               crash_state_n=6, crash_send_n=3, kills=50, network_seconds=5, disk_seconds=6, slow_rounds=1),
    "long": dict(frames=500_000, hypothesis=10_000, connections=1500, line_mb=100, tricklers=8,
                 trickle_line=b'{"jsonrpc":"2.0","method":"status","id":7}\n', non_readers=8, requests=20_000,
                 soak_minutes=30, crash_state_n=24, crash_send_n=8, kills=300, network_seconds=30, disk_seconds=30,
                 slow_rounds=4),
}
HOSTILE = ["fuzz", "connections", "connection-limit", "long-line", "trickle", "non-readers"]
PROCESS = ["crashes", "kills", "network", "slow", "disk"]
CHECKS = PROCESS + HOSTILE + ["soak"]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bin", required=True, help="the directory holding vdapi and vdsyncd")
    parser.add_argument("--mode", choices=sorted(MODES), default="ci")
    parser.add_argument("--only", help="comma-separated checks: " + ",".join(CHECKS))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("RELIABILITY_SEED", "1")))
    parser.add_argument("--soak-minutes", type=float, help="override the mode's soak length")
    parser.add_argument("--frames", type=int, help="override the mode's number of fuzz frames")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, databases)")
    parser.add_argument("--quirks", help="run vdapi --quirks SEED (SEED/answer: per answer too), a legacy server's "
                                         "representations (docs/reference-server.md)")
    parser.add_argument("--settle-time", type=int, default=world.SETTLE_SECONDS,
                        help=f"the daemons' VDSYNC_OUTBOX_SETTLE_TIME in the process-level checks and the soak (default "
                             f"{world.SETTLE_SECONDS}; must stay above the longest delay injected, "
                             f"{world.LONGEST_DELAY_MS} ms: 0 shows what they find without the rule)")
    args = parser.parse_args()
    plan = dict(MODES[args.mode])
    if args.soak_minutes is not None:
        plan["soak_minutes"] = args.soak_minutes
    if args.frames is not None:
        plan["frames"] = args.frames
        plan["hypothesis"] = min(plan["hypothesis"], args.frames // 10)
    world.SETTLE_SECONDS = args.settle_time
    world.QUIRKS = args.quirks
    if args.settle_time * 1000 <= world.LONGEST_DELAY_MS:
        print(f"note: a settle time of {args.settle_time} s is not above the longest delay injected "
              f"({world.LONGEST_DELAY_MS} ms): the rule's assumption does not hold, and the checks may count doubles", flush=True)
    only = set(args.only.split(",")) if args.only else set(CHECKS)
    unknown = only - set(CHECKS)
    if unknown:
        parser.error(f"unknown checks: {', '.join(sorted(unknown))}")

    work = tempfile.mkdtemp(prefix="vdsync-reliability-")
    quirks = f", vdapi --quirks {args.quirks}" if args.quirks else ""
    print(f"reliability ({args.mode}, seed {args.seed}{quirks}): work directory {work}", flush=True)
    started = time.monotonic()
    results = []
    # Each process-level check starts its own vdapi and three daemons (world.py).
    process_steps = {
        "crashes": lambda: crashes.run_crashes(args.bin, work, plan["crash_state_n"], plan["crash_send_n"], args.seed),
        "kills": lambda: crashes.run_kills(args.bin, work, plan["kills"], args.seed),
        "network": lambda: network.run_network(args.bin, work, plan["network_seconds"], args.seed),
        "slow": lambda: slow.run_slow(args.bin, work, plan["slow_rounds"], args.seed),
        "disk": lambda: disk.run_disk(args.bin, work, plan["disk_seconds"], args.seed),
    }
    for name in PROCESS:
        if name not in only:
            continue
        check_started = time.monotonic()
        try:
            results.append(process_steps[name]())
        except Exception as error:  # noqa: BLE001 - a check that cannot finish fails
            result = hostile.Result(name)
            result.fail(f"the check itself failed: {error!r}")
            results.append(result)
        results[-1].figure("seconds", f"{time.monotonic() - check_started:.0f}")
        print(results[-1].summary(), flush=True)
    hostile_checks = only & set(HOSTILE)
    if hostile_checks:
        results += run_hostile(args.bin, work, plan, args.seed, hostile_checks)
    if "soak" in only:
        results.append(soak.run_soak(args.bin, work, plan["soak_minutes"], args.seed))

    if args.quirks:
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(world.QUIRK_CENSUS["kinds"].items()))
        print(f"vdapi --quirks {args.quirks} varied {world.QUIRK_CENSUS['answers']} answers: {kinds or 'nothing'}", flush=True)
    print(f"\n== summary ({args.mode}, {time.monotonic() - started:.0f} s)")
    for result in results:
        print(result.summary())
    failed = [r for r in results if not r.ok]
    if failed or args.keep:
        print(f"logs and databases kept in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    print(f"reliability: {len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


def run_hostile(bin_dir, work, plan, seed, checks):
    results = []
    stack = Stack(bin_dir, work, "hostile", env={"VDSYNC_MAX_CONNECTIONS": "2000"})
    try:
        stack.start()
    except Exception as error:  # noqa: BLE001
        result = hostile.Result("start")
        result.fail(f"{error!r}")
        stack.stop()
        return [result]
    print(f"vdapi {stack.url}, vdsyncd pid {stack.daemon.pid} on {stack.socket} "
          f"(RSS {hostile.mb(stack.rss_kb())}, {stack.fds()} descriptors)", flush=True)
    steps = [
        ("fuzz", lambda: hostile.check_fuzz(stack, plan["frames"], seed,
                                            hypothesis_share=plan["hypothesis"] / max(1, plan["frames"]))),
        ("connections", lambda: hostile.check_many_connections(stack, plan["connections"])),
        ("connection-limit", lambda: hostile.check_connection_limit(stack, work, bin_dir)),
        ("long-line", lambda: hostile.check_long_line(stack, plan["line_mb"])),
        ("trickle", lambda: hostile.check_trickle(stack, plan["tricklers"], plan["trickle_line"])),
        ("non-readers", lambda: hostile.check_non_readers(stack, plan["non_readers"], plan["requests"])),
    ]
    try:
        for name, step in steps:
            if name not in checks:
                continue
            if not stack.alive():
                result = hostile.Result(name)
                result.fail("not run: vdsyncd is no longer running")
                results.append(result)
                continue
            try:
                results.append(step())
            except Exception as error:  # noqa: BLE001 - a check that cannot finish fails
                result = hostile.Result(name)
                result.fail(f"the check itself failed: {error!r}")
                results.append(result)
            print(results[-1].summary(), flush=True)
    finally:
        daemon_exit, _ = stack.stop()
    if daemon_exit != 0:
        result = hostile.Result("hostile-shutdown")
        result.fail(f"vdsyncd exited {daemon_exit} on SIGTERM after the hostile checks: {stack.tail('vdsyncd.log', 5)}")
        results.append(result)
    return results


if __name__ == "__main__":
    sys.exit(main())
