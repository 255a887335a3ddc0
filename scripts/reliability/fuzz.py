"""Hostile frames for the socket, and a model of what each must be answered with.

Frames come from two sources: a seeded mutation engine (random bytes, truncated JSON, deep
nesting, huge numbers, invalid UTF-8, wrong member types, batches of junk, valid requests with
junk params, byte flips of valid requests) and hypothesis strategies (arbitrary JSON values and
request-shaped objects, dumped with and without ASCII escaping, lone surrogates passed through
as invalid UTF-8).

`expect(line)` applies docs/local-api.md ("Requests, replies and notifications") to one line and
returns the outcomes the daemon may give (a line nested deeper than 32 is a parse error:
RPCJSON.maxRequestDepth). Where Python's JSON reader and Foundation's may
disagree (numbers out of Double's range, lone surrogates,
invalid UTF-8 inside strings, duplicate keys, a byte-order mark), the frame is "risky": every
plausible outcome is listed and the frame is followed by a sentinel request, so that its replies
are still counted exactly (zero or one line, never more).
"""

import json
import math
import random
import re

SENTINEL_PREFIX = "sentinel-"

# Valid requests the mutations start from: cheap reads mostly, a few heavier ones, and
# mutations with params that are invalid as given (a byte flip may make one valid: it is then
# queued and the upstream refuses or applies it; the fuzzing daemon is used for nothing else).
TEMPLATES = [
    (30, "rpc.unsubscribe", {"subscription": "s1"}),
    (10, "changes.unsubscribe", {"subscription": "s2"}),
    (10, "outbox.get", {"mutation_id": 1}),
    (8, "outbox.list", {"limit": 1, "states": ["queued"]}),
    (6, "diagnoses.get", {"diagnosis_id": 15}),
    (6, "projects.get", {"project_id": 1}),
    (4, "dialogs.messages", {"dialog_id": 4, "limit": 2}),
    (3, "hospitals.list", {"limit": 1}),
    (3, "messages.list", {"limit": 1, "offset": 0}),
    (3, "changes.subscribe", {"collections": ["outbox"]}),
    (2, "status", None),
    (1, "projects.list", {"scope": "mine", "limit": 1}),
    (1, "rpc.discover", None),
    (6, "chat.send", {"to_user_id": 0, "content": ""}),
    (4, "diagnosis.markDone", {"diagnosis_id": "x15"}),
    (3, "diagnosis.ratePatient", {"diagnosis_id": 15, "honesty": 9, "punctuality": 0}),
    (2, "project.publish", {"date": "2031-13-40", "begin": "25:00:00", "end": "09:00:00", "capacity": 0}),
    (2, "no.such.method", {"a": 1}),
]
_TEMPLATE_WEIGHTS = [t[0] for t in TEMPLATES]

INTERESTING_NUMBERS = [
    "0", "-0", "1", "-1", "1.0", "1e2", "1E+2", "-1.5e-3", "9007199254740993", "9223372036854775807",
    "9223372036854775808", "-9223372036854775809", "18446744073709551616",
    "123456789012345678901234567890123456789", "1e308", "1.7976931348623157e308", "1e309", "-1e400",
    "1e400", "1e-400", "5e-324", "4.9e-325", "0.000000000000000000000000000001", "1" + "0" * 400,
]
INTERESTING_VALUES = INTERESTING_NUMBERS + [
    "null", "true", "false", '""', '"x"', "[]", "{}", "[null]", '{"":null}', '"\\u0000"', '"\\ud800"',
    '"\\udc00\\ud800"', '"\\ud83d\\ude00"', '"\\\\"', '"' + "é" * 40 + '"', '"' + "a" * 3000 + '"',
    "[" * 40 + "]" * 40, '{"a":' * 30 + "1" + "}" * 30,
]
JUNK_BYTES = [b"\xff", b"\xfe", b"\xc0\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x80", b"\xe2\x82",
              b"\x00", b"\r", b"\t", b"\x1b[0m", b"\xef\xbb\xbf", b"\\", b'"', b"{", b"}", b"[", b"]", b",", b":"]

# Lines that crashed vdsyncd before RPCJSON refused over-deep nesting itself: Foundation's JSON
# scanner traps when the bracket that passes its depth limit (512) is the input's last byte.
# Then lines that were misread when JSONSerialization parsed requests: it drops a byte-order mark
# that begins a string, so a "\ufeffjsonrpc" member passed for "jsonrpc" and "\ufeffid" for "id".
REGRESSIONS = [b"[" * 513, b" " + b"[" * 513, b"[1," + b"[" * 512, b'{"a":' * 512 + b"[", b"[[]," + b"[" * 512,
               b'{"jsonrpc":"2.0","method":"status","params":' + b"[" * 512,
               b'{"\xef\xbb\xbfjsonrpc":"2.0","method":"status","id":"bom-1"}',
               b'{"jsonrpc":"2.0","method":"status","\xef\xbb\xbfid":"bom-2"}']

# RPCJSON.maxRequestDepth: a request line nested deeper is a parse error.
MAX_REQUEST_DEPTH = 32

TRAILING_COMMA = re.compile(rb",\s*[}\]]")
SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


# -- the mutation engine ---------------------------------------------------------------------

class Mutator:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def template(self):
        _, method, params = self.r.choices(TEMPLATES, weights=_TEMPLATE_WEIGHTS)[0]
        return method, (None if params is None else json.loads(json.dumps(params)))

    def some_id(self):
        r = self.r.random()
        if r < 0.45:
            return self.r.randint(-10, 10 ** 6)
        if r < 0.75:
            return "c" + str(self.r.randint(0, 10 ** 6))
        if r < 0.85:
            return None
        return self.r.choice([1.5, -0.0, 2 ** 53, "", "é✓", "a b", 10 ** 15])

    def request(self, notification=None):
        method, params = self.template()
        request = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            request["params"] = params
        if notification is None:
            notification = self.r.random() < 0.12
        if not notification:
            request["id"] = self.some_id()
        return request

    def dumps(self, value):
        return json.dumps(value, ensure_ascii=self.r.random() < 0.5,
                          separators=self.r.choice([(",", ":"), (", ", ": ")])).encode()

    def junk_value(self, depth=0):
        r = self.r.random()
        if depth > 3 or r < 0.55:
            return self.r.choice([
                None, True, False, 0, -1, 10 ** 20, 1.5, "", "x", "é" * 5, " ", [], {}, "0", "true",
                self.r.randint(-2 ** 31, 2 ** 31), "a" * self.r.randint(0, 600)])
        if r < 0.8:
            return [self.junk_value(depth + 1) for _ in range(self.r.randint(0, 5))]
        return {self.r.choice(["a", "id", "limit", "to_user_id", "content", "", "é"]): self.junk_value(depth + 1)
                for _ in range(self.r.randint(0, 5))}

    # Each kind returns the bytes of one frame (it may hold '\n': the caller splits lines).

    def valid(self):
        return self.dumps(self.request())

    def junk_params(self):
        request = self.request()
        r = self.r.random()
        params = request.get("params")
        if r < 0.4 or not isinstance(params, dict) or not params:
            request["params"] = self.junk_value()
            if request["params"] is None and self.r.random() < 0.5:
                del request["params"]
        else:
            key = self.r.choice(list(params))
            if self.r.random() < 0.7:
                params[key] = self.junk_value()
            else:
                params[self.r.choice(["extra", "limit", "offset", "🙂", key + "_"])] = self.junk_value()
        return self.dumps(request)

    def byte_mutation(self):
        data = bytearray(self.valid())
        for _ in range(self.r.randint(1, 6)):
            op = self.r.random()
            if not data:
                data += self.r.choice(JUNK_BYTES)
                continue
            at = self.r.randrange(len(data))
            if op < 0.3:
                data[at] = self.r.randrange(256)
            elif op < 0.5:
                data[at:at] = self.r.choice(JUNK_BYTES)
            elif op < 0.65:
                del data[at:at + self.r.randint(1, 8)]
            elif op < 0.8:
                end = min(len(data), at + self.r.randint(1, 16))
                data[at:at] = data[at:end] * self.r.randint(1, 4)
            else:
                data[at] ^= 1 << self.r.randrange(8)
        return bytes(data)

    def truncated(self):
        data = self.valid() if self.r.random() < 0.7 else self.batch()
        return data[: self.r.randrange(max(1, len(data)))]

    def random_bytes(self):
        n = self.r.choice([1, 2, 8, 64, 300, 2000])
        if self.r.random() < 0.5:
            return bytes(self.r.randrange(256) for _ in range(n))
        return bytes(self.r.choice(b'{}[]":,0123456789.eE+-truefalsnl \\u') for _ in range(n))

    def invalid_utf8(self):
        data = bytearray(self.valid())
        quotes = [i for i, b in enumerate(data) if b == ord('"')]
        at = self.r.choice(quotes) + 1 if quotes else 0
        data[at:at] = self.r.choice([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf8\x88\x80\x80\x80",
                                     b"\xe0\x80\x80", b"\xf4\x90\x80\x80", b"\x80\x80"])
        return bytes(data)

    def deep(self):
        depth = self.r.choice([8, 16, 30, 31, 32, 33, 34, 64, 100, 511, 512, 513, 514, 1000, 50000])
        shape = self.r.random()
        if shape < 0.35:
            return b"[" * depth + b"]" * depth
        if shape < 0.5:
            return b"[" * depth  # unterminated
        inner = b'{"a":' * depth + b"1" + b"}" * depth
        request = {"jsonrpc": "2.0", "method": "outbox.list"}
        if self.r.random() < 0.6:
            request["id"] = self.r.randint(0, 1000)
        head = self.dumps(request)[:-1]
        return head + b',"params":{"limit":1,"x":' + inner + b"}}"

    def huge_numbers(self):
        number = self.r.choice(INTERESTING_NUMBERS).encode()
        where = self.r.random()
        method, params = self.template()
        if where < 0.3:
            return b'{"jsonrpc":"2.0","method":"' + method.encode() + b'","id":' + number + b"}"
        key = next(iter(params)) if isinstance(params, dict) and params else "limit"
        body = b'{"jsonrpc":"2.0","method":"' + method.encode() + b'","params":{"' + key.encode() + b'":' + number + b"}"
        if self.r.random() < 0.8:
            body += b',"id":' + str(self.r.randint(0, 99)).encode()
        return body + b"}"

    def wrong_types(self):
        request = self.request()
        member = self.r.choice(["jsonrpc", "method", "params", "id", "all"])
        values = [None, True, 2, 2.0, "2", "1.0", "", [], {}, [1], {"a": 1}, "2.0 ", "２.０"]
        if member == "all":
            for key in list(request):
                request[key] = self.r.choice(values)
        elif member == "params":
            request["params"] = self.r.choice([None, True, 1, "x", ""])
        else:
            request[member] = self.r.choice(values)
        if self.r.random() < 0.2:
            del request[self.r.choice(list(request))]
        return self.dumps(request)

    def batch(self):
        r = self.r.random()
        if r < 0.04:
            return b"[]"
        if r < 0.07:
            return self.dumps([self.request(notification=False) for _ in range(1001)])
        if r < 0.15:
            return self.dumps([self.request(notification=True) for _ in range(self.r.randint(1, 6))])
        entries = []
        for _ in range(self.r.randint(1, 30)):
            k = self.r.random()
            if k < 0.4:
                entries.append(self.request())
            elif k < 0.6:
                entries.append(self.junk_value())
            elif k < 0.8:
                entries.append(json.loads(self.wrong_types()))
            else:
                entries.append(self.request(notification=True))
        data = self.dumps(entries)
        if self.r.random() < 0.1:
            data = self.r.choice([b"[1,", b"[", b"[[]]", b"[{},", b"[{}]"]) + data
        return data

    def whitespace(self):
        return self.r.choice([b"", b" ", b"\t", b"\r", b" \r", b"\t \t", b"\xef\xbb\xbf", b"\x0b", b"\x0c",
                              b"\xef\xbb\xbf" + self.valid(), b"  " + self.valid() + b" \r", b"\x00"])

    KINDS = [
        (10, "valid"), (16, "junk_params"), (20, "byte_mutation"), (8, "truncated"), (8, "random_bytes"),
        (5, "invalid_utf8"), (4, "deep"), (6, "huge_numbers"), (9, "wrong_types"), (9, "batch"), (3, "whitespace"),
    ]

    def frame(self):
        kind = self.r.choices([k for _, k in self.KINDS], weights=[w for w, _ in self.KINDS])[0]
        return kind, getattr(self, kind)()


def hypothesis_frames(count, seed):
    """`count` frames drawn by hypothesis: JSON values and request-shaped objects."""
    from hypothesis import HealthCheck, Phase, given, settings, strategies as st
    from hypothesis import seed as hseed

    methods = [t[1] for t in TEMPLATES] + ["", "rpc.", "RPC.DISCOVER", "status ", "changes.subscribe"]
    leaf = (st.none() | st.booleans() | st.integers(min_value=-(2 ** 80), max_value=2 ** 80)
            | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=20))
    value = st.recursive(leaf, lambda children: st.lists(children, max_size=5)
                         | st.dictionaries(st.text(max_size=8), children, max_size=5), max_leaves=20)
    ident = st.none() | st.integers() | st.text(max_size=10) | st.floats(allow_nan=False) | value
    request = st.fixed_dictionaries(
        {"jsonrpc": st.sampled_from(["2.0", "2.0", "2.0", "1.0", 2.0, None]),
         "method": st.sampled_from(methods) | st.text(max_size=15)},
        optional={"id": ident, "params": value})
    frame = st.one_of(request, st.lists(request | value, max_size=8), value)
    dumps = st.sampled_from(["ascii", "utf8", "surrogatepass"])

    frames = []

    @hseed(seed)
    @settings(max_examples=count, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(frame, dumps)
    def collect(value, how):
        if how == "ascii":
            frames.append(json.dumps(value).encode())
        else:
            text = json.dumps(value, ensure_ascii=False)
            frames.append(text.encode("utf-8", "surrogatepass" if how == "surrogatepass" else "replace"))

    collect()
    return frames


# -- the model ---------------------------------------------------------------------------------

class _Risk(Exception):
    pass


def _plain_id(value):
    """An id whose echo can be compared exactly."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return -(2 ** 53) <= value <= 2 ** 53
    if isinstance(value, float):
        return math.isfinite(value) and abs(value) < 2 ** 53
    if isinstance(value, str):
        return not any(0xD800 <= ord(c) <= 0xDFFF for c in value)
    return value is None


def _valid_id(value):
    return value is None or (not isinstance(value, bool) and isinstance(value, (int, float, str)))


def _entry(e):
    """(answered, id or NOID, code class) for one request object or batch element."""
    if not isinstance(e, dict):
        return True, None, "invalid"
    if "id" in e:
        if not _valid_id(e["id"]):
            return True, None, "invalid"
        rid = e["id"]
    else:
        rid = NOID
    if e.get("jsonrpc") != "2.0" or isinstance(e.get("jsonrpc"), bool):
        return True, (None if rid is NOID else rid), "invalid"
    if not isinstance(e.get("method"), str):
        return True, (None if rid is NOID else rid), "invalid"
    if "params" in e and not isinstance(e["params"], (dict, list)):
        return True, (None if rid is NOID else rid), "invalid"
    if rid is NOID:
        return False, None, None
    return True, rid, "call"


NOID = object()


def _outcome(value):
    if isinstance(value, list):
        if not value:
            return ("single", None, "invalid")
        if len(value) > 1000:
            return ("single", None, "invalid")
        answered = [_entry(e) for e in value]
        replies = [(rid, code) for ok, rid, code in answered if ok]
        return ("array", tuple(replies)) if replies else ("none",)
    ok, rid, code = _entry(value)
    return ("single", rid, code) if ok else ("none",)


PARSE_ERROR = ("single", None, "parse")


def _depth(text):
    depth = best = 0
    in_string = escape = False
    for ch in text:
        if in_string:
            if escape:
                escape = False
            elif ch == "\\":
                escape = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            best = max(best, depth)
        elif ch in "]}":
            depth -= 1
    return best


def _loads(text, duplicates, risky_numbers):
    def pairs(items):
        keys = [k for k, _ in items]
        if len(keys) != len(set(keys)):
            duplicates.append(True)
        return dict(items)

    def parse_float(s):
        f = float(s)
        if not math.isfinite(f) or (f == 0 and any(c in "123456789" for c in s.split("e")[0].split("E")[0])):
            risky_numbers.append(s)
        elif abs(f) >= 2 ** 63 or ("e" in s.lower() and abs(int(s.lower().split("e")[1] or 0)) > 300):
            risky_numbers.append(s)
        return f

    def parse_int(s):
        if len(s.lstrip("-")) > 18:
            risky_numbers.append(s)
            if len(s) > 4000:
                return 0
        return int(s)

    def constant(s):
        raise ValueError("not JSON: " + s)

    return json.loads(text, object_pairs_hook=pairs, parse_float=parse_float, parse_int=parse_int,
                      parse_constant=constant)


def expect(line):
    """(outcomes, risky): the replies this line may get, as a list of outcomes."""
    if line.strip(b" \t\r\n") == b"":
        return [("none",)], False
    risky = False
    outcomes = []
    if line.startswith(b"\xef\xbb\xbf"):
        risky = True
        outcomes.append(PARSE_ERROR)
        line = line[3:]
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        # Invalid UTF-8: a parse error; Foundation might only check it inside strings.
        text = line.decode("utf-8", "replace")
        outcomes.append(PARSE_ERROR)
        risky = True
    duplicates, risky_numbers = [], []
    depth = _depth(text)
    if depth > MAX_REQUEST_DEPTH:
        return outcomes + [PARSE_ERROR], risky
    try:
        value = _loads(text, duplicates, risky_numbers)
    except (ValueError, RecursionError):
        if TRAILING_COMMA.search(line):
            # Foundation's reader accepts trailing commas that Python's refuses.
            return outcomes + [PARSE_ERROR, "any", ("none",)], True
        return outcomes + [PARSE_ERROR], risky
    model = _outcome(value)
    if duplicates or risky_numbers or SURROGATE_ESCAPE.search(line):
        risky = True
        outcomes.append(PARSE_ERROR)
        if duplicates:
            outcomes.append("any")
    if TRAILING_COMMA.search(line):
        # Python refuses a trailing comma; Foundation may take it: zero or one reply of any kind.
        risky = True
        outcomes += ["any", ("none",)]
    if risky and model[0] == "single" and model[1] is not None and not _plain_id(model[1]):
        outcomes.append("any")
    outcomes.append(model)
    return outcomes, risky


def ids_equal(sent, got):
    if isinstance(sent, bool) or isinstance(got, bool):
        return sent is got
    if isinstance(sent, (int, float)) and isinstance(got, (int, float)):
        return math.isclose(float(sent), float(got), rel_tol=1e-15, abs_tol=0.0) or sent == got
    return sent == got


def check_reply(outcome, reply):
    """None if `reply` (a parsed reply line) is `outcome`; else what is wrong."""
    if outcome == "any":
        return None if _well_formed(reply) or isinstance(reply, list) else "not a reply"
    kind = outcome[0]
    if kind == "none":
        return "a reply where none is due"
    if kind == "array":
        expected = outcome[1]
        if not isinstance(reply, list):
            return f"expected an array of {len(expected)} replies"
        if len(reply) != len(expected):
            return f"array of {len(reply)} replies, expected {len(expected)}"
        for (rid, code), item in zip(expected, reply):
            problem = _check_single(rid, code, item)
            if problem:
                return "in the array: " + problem
        return None
    return _check_single(outcome[1], outcome[2], reply)


def _well_formed(reply):
    return (isinstance(reply, dict) and reply.get("jsonrpc") == "2.0" and "id" in reply
            and (("result" in reply) != ("error" in reply)))


def _check_single(rid, code, reply):
    if not _well_formed(reply):
        return "not a well-formed reply"
    if _plain_id(rid) and not ids_equal(rid, reply["id"]):
        return f"id {reply['id']!r}, expected {rid!r}"
    if code in ("parse", "invalid"):
        error = reply.get("error")
        want = -32700 if code == "parse" else -32600
        if not isinstance(error, dict) or error.get("code") != want:
            return f"expected error {want}, got {json.dumps(reply)[:200]}"
    elif code == "call":
        error = reply.get("error")
        if isinstance(error, dict) and error.get("code") in (-32700,):
            return "a parse error for a valid request"
    return None


def sentinel(index):
    return json.dumps({"jsonrpc": "2.0", "method": "rpc.unsubscribe", "params": {"subscription": "-"},
                       "id": SENTINEL_PREFIX + str(index)}).encode()
