#!/usr/bin/env python3
"""Database outage check: with the server running, stop PostgreSQL (scripts/db stop), expect 503 problem
documents quickly (no hang, no crash), start it again (scripts/db start), and expect the same server process to be
ready again without a restart. Only the bearer of CLUSTERFUND_METRICS_TOKEN (from the environment, as the server has
it) is told why it is not ready; anyone else learns only that it is not. Usage: outage_check.py BASE_URL REPO"""
import json
import os
import subprocess
import sys
import time

import requests

base, repo = sys.argv[1], sys.argv[2]
failures = []


def check(condition, message):
    print(("  ok    " if condition else "  FAIL  ") + message)
    if not condition:
        failures.append(message)


def get(path, headers=None):
    started = time.monotonic()
    response = requests.get(base + path, headers=headers or {}, timeout=30)
    return response, time.monotonic() - started


subprocess.run([repo + "/scripts/db", "stop"], check=True)
try:
    response, seconds = get("/ready")
    check(response.status_code == 503, f"GET /ready with the database stopped answers 503 (got {response.status_code})")
    check(response.headers.get("Content-Type") == "application/problem+json", "the answer is a problem document")
    check(response.headers.get("Retry-After") is not None, "the answer carries Retry-After")
    check(seconds < 10, f"the answer came in {seconds:.2f} s, not a hang")
    body = json.loads(response.text or "{}")
    check(body.get("status") == 503 and "database" not in body.get("detail", ""), "an anonymous caller is told only that it is not ready")
    token = os.environ.get("CLUSTERFUND_METRICS_TOKEN", "")
    check(bool(token), "CLUSTERFUND_METRICS_TOKEN is set for the check")
    if token:
        operator, _ = get("/ready", {"Authorization": "Bearer " + token})
        detail = json.loads(operator.text or "{}").get("detail", "")
        check(operator.status_code == 503 and "database" in detail, "the metrics token's bearer is told the database is unreachable")
    health, _ = get("/health")
    check(health.status_code == 200, "GET /health still answers 200: the process is alive")
finally:
    subprocess.run([repo + "/scripts/db", "start"], check=True)

deadline = time.monotonic() + 15
status = 0
while time.monotonic() < deadline:
    status = get("/ready")[0].status_code
    if status == 200:
        break
    time.sleep(0.5)
check(status == 200, f"after scripts/db start, the same server answers GET /ready with 200 (got {status})")

print(f"outage: {0 if failures else 1} passed, {1 if failures else 0} failed")
sys.exit(1 if failures else 0)
