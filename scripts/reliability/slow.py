"""A slow server, one send at a time: what the settle time costs a user, and that it holds.

A send that got no answer (the read timeout passed, or the daemon was killed while it was in
flight) may still take effect upstream: vdapi's `delay` holds a request before its handler, and
the handler runs all the same once the client is gone. vdsyncd reads such an entry back, and a
read-back that does not find it sends it again only once the settle time has passed since it
left (VDSYNC_OUTBOX_SETTLE_TIME, world.SETTLE_SECONDS). This check times that rule, one entry at
a time, in the two cases a user may meet:

  landed      the held request took effect upstream after the client gave up: the entry must be
              confirmed (read back, never sent again), and is applied once a read-back finds it;
  never       the request never took effect (held, then reset before the handler; or the daemon
              died right before it left): the entry must wait out the settle time, then be sent
              again, and not sooner.

Each case is timed from the moment the daemon gave up on the request (its read timeout) or was
started again (after a SIGKILL while the entry was in flight, or after the crash hook ended it
before the send) to the moment the entry is `applied`:

  timeout-landed   `delay` 3.5 s, over the daemons' 2 s read timeout (VDSYNC_READ_TIMEOUT=2)
  timeout-never    the same, then `reset_before_handler`
  kill-landed      `delay` 3 s; SIGKILL once `status` shows the entry in flight and vdapi holds
                   the request; started again at once
  kill-never       the same, then `reset_before_handler`
  crash-before-send  VDSYNCD_CRASH_AT=before-send:1: the entry was marked in flight (its send
                   time stored) and the daemon ended before the request left; started again

The three daemons of one world (world.py) each send their own kind of creation on their own path
(the doctor `project.publish`, the assistant `patient.create`, the patient `chat.send`), with
one-shot fault rules on that path, and go through the cases in turns, so that every role meets
every case. Then the checks of world.py: every creation upstream exactly once, every entry
applied, a second run changes nothing; and for each case, the number of sends (1 when landed, 2
when never) and, when never, that the second send came no sooner than the settle time after the
first left.
"""

import random
import statistics
import threading
import time
import traceback

import world as worldmod
from hostile import Result
from stack import RPCFailure
from world import (ROLES, World, Writer, check_outboxes, check_upstream, drain, id_card_number, project_params,
                   redact, second_run, snapshot, targets, wait_until)

READ_TIMEOUT = 2
CASES = ("timeout-landed", "timeout-never", "kill-landed", "kill-never", "crash-before-send")
LANDED = ("timeout-landed", "kill-landed")
# Each role's creation and the path it is sent on.
PATHS = {"doctor": ("POST", "/project"), "assistant": ("POST", "/assistant/create/patient"), "patient": ("POST", "/chat")}


def run_slow(bin_dir, work, rounds, seed):
    result = Result("slow")
    settle = worldmod.SETTLE_SECONDS
    print(f"== slow: one send at a time held by vdapi past the read timeout ({READ_TIMEOUT} s) or cut by a kill; "
          f"settle time {settle} s; {rounds} round(s) of {len(CASES)} cases for each of the three roles", flush=True)
    rng = random.Random(seed)
    world = World(bin_dir, work, "slow", daemon_env={"VDSYNC_READ_TIMEOUT": str(READ_TIMEOUT)})
    records = []
    lock = threading.Lock()
    timings = {case: [] for case in CASES}
    settling_seen = {case: 0 for case in CASES}
    # Times of kill-landed cases whose held request vdapi dropped with its client (see _case).
    unlanded = []

    def fail(message):
        result.fail(redact(message))
    try:
        world.start()
        t = targets(world)
        before = snapshot(world.upstream)
        tag = f"s{rng.randrange(10 ** 6)}"
        writers = {role: Writer(world.daemons[role], records, lock) for role in ROLES}
        started = time.monotonic()
        for turn in range(rounds * len(CASES)):
            # Every role meets every case once a round, each role on a different case at a time.
            plan = {role: CASES[(turn + i) % len(CASES)] for i, role in enumerate(ROLES)}
            threads = []
            for role, case in plan.items():
                def one(role=role, case=case):
                    try:
                        outcome = _case(world, writers[role], case, t, f"{tag}-{turn}", rng.random(), settle)
                    except Exception as error:  # noqa: BLE001
                        fail(f"{role} {case}: {error!r} at {traceback.format_exc(limit=-3)!r}")
                        return
                    for problem in outcome["problems"]:
                        fail(f"{role} {case}: {problem}")
                    if outcome["seconds"] is not None:
                        timings[case].append(outcome["seconds"])
                        if outcome.get("landed") is False:
                            unlanded.append(outcome["seconds"])
                    settling_seen[case] += outcome["settling"]
                threads.append(threading.Thread(target=one))
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=180)
        cases_seconds = time.monotonic() - started
        seconds, problems = drain(world, records, timeout=60)
        for problem in problems:
            fail(problem)
        check_outboxes(world, records, fail)
        tally = check_upstream(world, records, before, fail)
        unchanged = second_run(world, fail)

        def figures(values):
            if not values:
                return "none"
            return f"median {statistics.median(values):.1f} s, max {max(values):.1f} s ({len(values)})"
        for case in CASES:
            print(f"  {case}: applied {figures(timings[case])} after the "
                  f"{'read timeout' if case.startswith('timeout') else 'restart'}; "
                  f"seen settling in status {settling_seen[case]} times", flush=True)
        landed = [s for c in LANDED for s in timings[c]]
        for seconds_taken in unlanded:
            landed.remove(seconds_taken)
        never = [s for c in CASES if c not in LANDED for s in timings[c]] + unlanded
        if unlanded:
            print(f"  {len(unlanded)} kill-landed case(s) whose held request vdapi dropped with the killed client: "
                  f"counted as never landed", flush=True)
        print(f"  upstream has it: applied {figures(landed)}; upstream never got it: applied {figures(never)}; "
              f"cases {cases_seconds:.0f} s", flush=True)
        print(f"  {tally.describe()}; second run changed nothing: {unchanged}", flush=True)
        result.figure("cases", sum(len(v) for v in timings.values()))
        result.figure("landed_s", f"{statistics.median(landed):.1f}/{max(landed):.1f}" if landed else "-")
        result.figure("never_s", f"{statistics.median(never):.1f}/{max(never):.1f}" if never else "-")
        result.figure("settle_s", settle)
        result.figure("mutations", tally.mutations)
        result.figure("lost", tally.lost)
        result.figure("doubled", tally.doubled + tally.strays)
    except Exception as error:  # noqa: BLE001
        fail(f"the check itself failed: {error!r} at {traceback.format_exc(limit=-3)!r}")
    finally:
        codes = world.stop()
        for role, code in codes.items():
            if code not in (0, None):
                fail(f"{role}'s vdsyncd exited {code} on SIGTERM")
        for line in world.crash_lines():
            fail(f"crash line: {line}")
    return result


def _probe(role, t, tag, roll):
    """The role's creation: (kind, params, meta)."""
    if role == "doctor":
        token = f"社区义诊 {tag}-slow"
        return "project.publish", project_params(token), {"token": token}
    if role == "assistant":
        idno = id_card_number(random.Random(roll))
        return "patient.create", {
            "real_name": f"新患者{tag}".replace(" ", ""), "idno": idno, "height": "171", "weight": "70",
            "marital_status": 1, "drink_status": 0, "smoking_status": 0, "password": "secret123"}, {"idno": idno}
    token = f"医生您好 {tag}-slow"
    return "chat.send", {"to_user_id": t["ids"]["doctor"], "content": token}, {"token": token}


def _case(world, writer, case, t, tag, roll, settle):
    """One send through one case; {"seconds": from the timeout or restart to applied, "settling":
    1 if `status` showed an entry settling meanwhile, "problems": [...]}."""
    daemon = writer.daemon
    role = daemon.role
    method, path = PATHS[role]
    problems = []
    out = {"seconds": None, "settling": 0, "problems": problems}
    delay = 3500 if case.startswith("timeout") else 3000
    rules = []
    if case != "crash-before-send":
        rules.append({"action": "delay", "delay_ms": delay, "method": method, "path": path, "times": 1})
        if case.endswith("never"):
            rules.append({"action": "reset_before_handler", "method": method, "path": path, "times": 1})
    else:
        # Started again with the hook: it ends the daemon right before its first send.
        code = daemon.stop()
        if code != 0:
            problems.append(f"vdsyncd exited {code} on SIGTERM")
        daemon.start(extra_env={"VDSYNCD_CRASH_AT": "before-send:1"})
    for rule in rules:
        world.upstream.add_fault(rule)

    def held():
        """vdapi has taken the request: this path's one-shot rules have fired."""
        return not any(r.get("path") == path for r in world.upstream.faults())

    kind, params, meta = _probe(role, t, tag, roll)
    submitted = time.monotonic()
    record = writer.submit(kind, params, meta)
    if record.fate not in ("acked", "cutoff"):
        problems.append(f"{record!r}: {record.error}")
        return out
    if case.startswith("timeout"):
        # The moment the daemon gave up: the entry left `in_flight` after its first send.
        def gave_up():
            entry = _entry(daemon, record.mutation_id)
            return entry if entry and entry["attempts"] >= 1 and entry["state"] != "in_flight" else None
        entry = wait_until(gave_up, 30, 0.02)
        start = time.monotonic()
        if not entry:
            problems.append("the send did not end within 30 s")
            return out
        if entry["state"] == "applied":
            problems.append(f"answered within the read timeout of {READ_TIMEOUT} s: the delay did not hold it")
    elif case.startswith("kill"):
        # SIGKILL while the entry is in flight and vdapi holds its request (the one-shot rule fired).
        def in_flight():
            try:
                return daemon.status()["outbox"].get("in_flight", 0) > 0 and held()
            except (OSError, ValueError, RPCFailure):
                return False
        if not wait_until(in_flight, 30, 0.02):
            problems.append("the entry was never in flight with its request held by vdapi")
            return out
        daemon.kill()
        start = time.monotonic()
        daemon.start(wait=False)
    else:
        code = daemon.wait_exit(30)
        if code != 137:
            problems.append(f"vdsyncd exited {code}, not by the crash hook: {daemon.tail()}")
            return out
        start = time.monotonic()
        daemon.start(wait=False)
    if record.fate == "cutoff":
        if not daemon.wait_ready(60):
            problems.append(f"vdsyncd did not come back: {daemon.tail()}")
            return out
        writer.resolve_cutoff()
        if not record.committed:
            problems.append(f"{record!r}: cut off and not committed")
            return out

    def applied():
        entry = _entry(daemon, record.mutation_id)
        try:
            settling = daemon.status().get("outbox_settling") or {}
        except (OSError, ValueError, RPCFailure):
            settling = {}
        if settling.get("count", 0) > 0:
            out["settling"] = 1
        return entry if entry and entry["state"] in ("applied", "rejected", "parked") else None
    entry = wait_until(applied, 60 + settle, 0.05)
    done = time.monotonic()
    if not entry:
        problems.append(f"{record!r} not applied within {60 + settle} s of the restart or timeout")
        return out
    if entry["state"] != "applied":
        problems.append(f"{record!r} ended {entry['state']}: {entry.get('last_error')}")
        return out
    out["seconds"] = done - start
    landed = case in LANDED
    if case == "kill-landed" and entry["attempts"] == 2:
        # vdapi had matched the held request when the daemon was killed, but may not run it: a
        # server that notices its client gone cancels the request (vdapi's `delay` is a
        # cancellable sleep). Then the first send never took effect, and sending it again once
        # settled is right; the effect is still counted upstream exactly once (check_upstream).
        landed = False
        out["landed"] = False
    sends = 1 if landed else 2
    if entry["attempts"] != sends:
        problems.append(f"{record!r} was sent {entry['attempts']} times, want {sends} "
                        f"({'the held request took effect' if sends == 1 else 'the first never took effect'})")
    if not landed and done - submitted < settle:
        problems.append(f"{record!r} applied {done - submitted:.1f} s after it was submitted: sent again before "
                        f"the settle time ({settle} s) had passed")
    return out


def _entry(daemon, mutation_id):
    try:
        return daemon.call("outbox.get", {"mutation_id": mutation_id}, timeout=10)
    except Exception:  # noqa: BLE001 - a daemon being restarted
        return None


if __name__ == "__main__":
    import argparse
    import tempfile
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="vdsync-slow-")
    print("work", work)
    print(run_slow(args.bin, work, args.rounds, args.seed).summary())
