#!/usr/bin/env python3
"""The baseline of bench/ (issue #8): a patient's mirror made the obvious way.

requests + sqlite3, the same account and the same lists as vdsync's patient pull plan
(Sources/SyncEngine/PullPlan.swift), every page fetched one after another, every row inserted
as it comes (INSERT OR REPLACE, the raw JSON kept), one commit per page. No change detection,
no journal, no deletions: what a short script would do. Prints nothing but errors; writes
{"seconds", "cpu_seconds", "requests", "records"} to --output (the login is not timed).
"""
import argparse
import json
import sqlite3
import time

import requests

PAGE_SIZE = 50

# (collection, path, paged): the patient's plan, in its order.
PLAN = [
    ("diagnoses", "/custom/diagnoses", True),
    ("projects", "/project", True),
    ("system_messages", "/message", True),
    ("chat_dialogs", "/chat", True),
    ("users", "/user", False),
    ("users", "/custom/follow", True),
    ("users", "/custom/assistant", False),
    ("news", "/news/1/list", True),
    ("banners", "/custom/homepage", False),
    ("special_projects", "/sp_project", True),
    ("hospitals", "/hospital", True),
    ("organisations", "/org", True),
    ("cities", "/city", False),
]


def rows_of(data):
    """The records of an answer's data: a page's list, a bare array, or one object."""
    if isinstance(data, list):
        return [row for row in data if isinstance(row, dict)]
    if isinstance(data, dict):
        if isinstance(data.get("list"), list):
            return data["list"]
        if "id" in data:
            return [data]
        rows = []
        for value in data.values():
            if isinstance(value, list):
                rows += [row for row in value if isinstance(row, dict) and "id" in row]
        return rows
    return []


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--phone", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--output", required=True)
    args = parser.parse_args()

    session = requests.Session()
    answer = session.post(args.base + "/login", json={"phono": args.phone, "pwd": args.password, "type": 1}).json()
    session.headers["X-auth-token"] = answer["data"]["token"]

    db = sqlite3.connect(args.database)
    db.execute("CREATE TABLE IF NOT EXISTS record (collection TEXT, id INTEGER, json TEXT, PRIMARY KEY (collection, id))")
    db.commit()
    count = {"requests": 0}

    def fetch(path, page=None):
        params = {"current_page": page, "page_size": PAGE_SIZE} if page else None
        count["requests"] += 1
        response = session.get(args.base + path, params=params)
        response.raise_for_status()
        return response.json()["data"]

    def store(collection, rows):
        for row in rows:
            db.execute("INSERT OR REPLACE INTO record VALUES (?, ?, ?)", (collection, row.get("id"), json.dumps(row, ensure_ascii=False)))
        db.commit()

    def mirror(collection, path, paged):
        if not paged:
            store(collection, rows_of(fetch(path)))
            return []
        page, everything = 1, []
        while True:
            data = fetch(path, page)
            rows = rows_of(data)
            store(collection, rows)
            everything += rows
            info = data.get("page") if isinstance(data, dict) else None
            if not info or page >= int(info.get("total_page") or 0):
                return everything
            page += 1

    started, cpu = time.monotonic(), time.process_time()
    for collection, path, paged in PLAN:
        rows = mirror(collection, path, paged)
        if path == "/chat":
            for dialog in rows:
                mirror("chat_messages", "/chat/%s" % dialog["id"], True)
    seconds, cpu = time.monotonic() - started, time.process_time() - cpu
    records = db.execute("SELECT COUNT(*) FROM record").fetchone()[0]
    db.close()
    with open(args.output, "w") as out:
        json.dump({"seconds": seconds, "cpu_seconds": cpu, "requests": count["requests"], "records": records}, out)


if __name__ == "__main__":
    main()
