#!/usr/bin/env python3
"""The fault drills' load and checks (scripts/drills.sh runs them): people sign
up, log in and turn on two-factor authentication against one or more
instances while something breaks; afterwards every account, login and
enrollment that was answered with success must still be there.

  drills.py load --targets URL[,URL] --seconds N --workers W --out FILE
  drills.py check --target URL --database-url URL --results FILE

Standard library only; loopback only; every loop is bounded by --seconds."""
import argparse
import base64
import hashlib
import hmac
import http.cookiejar
import json
import random
import sqlite3
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

PASSWORD = "drill horse battery staple"


def totp(secret_b32, at):
    key = base64.b32decode(secret_b32.replace(" ", "").upper() + "=" * (-len(secret_b32.replace(" ", "")) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000)


class Browser:
    """One person's browser: its cookies, and an address of its own (the loopback is a trusted proxy)."""

    def __init__(self):
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.address = "10.%d.%d.%d" % (random.randrange(256), random.randrange(256), random.randrange(1, 255))

    def call(self, base, name, fields, timeout=15):
        """(status, body or None, seconds); status -1 when nothing listened, 0 when cut off mid-request."""
        request = urllib.request.Request(
            f"{base}/api/{name}",
            data=urllib.parse.urlencode(fields).encode(),
            headers={"Accept": "application/json", "X-Forwarded-For": self.address},
        )
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=timeout) as res:
                body = res.read()
                return res.status, json.loads(body or b"null"), time.monotonic() - started
        except urllib.error.HTTPError as e:
            try:
                body = json.loads(e.read() or b"null")
            except ValueError:
                body = None
            return e.code, body, time.monotonic() - started
        except urllib.error.URLError as e:
            # Refused: nothing was listening (the request never reached an instance).
            refused = isinstance(e.reason, ConnectionRefusedError)
            return (-1 if refused else 0), None, time.monotonic() - started
        except ConnectionRefusedError:
            return -1, None, time.monotonic() - started
        except (ConnectionError, TimeoutError, OSError):
            # Reset or cut off mid-request: a request that reached the instance and was lost.
            return 0, None, time.monotonic() - started


class Load:
    def __init__(self, targets, seconds):
        self.targets = targets
        self.alive = {t: True for t in targets}
        self.deadline = time.monotonic() + seconds
        self.lock = threading.Lock()
        self.accounts = []  # every account whose sign-up was answered 200
        self.requests = {t: {"ok": 0, "refused_4xx": 0, "status_503": 0, "status_5xx": 0, "not_listening": 0, "cut_off": 0,
                             "slowest_failure_s": 0.0, "latencies": []} for t in targets}

    def target(self, n):
        """Round robin over the instances still answering (a load balancer's health check, per request)."""
        alive = [t for t in self.targets if self.alive[t]] or self.targets
        return alive[n % len(alive)]

    def record(self, target, status, seconds):
        with self.lock:
            r = self.requests[target]
            if status == -1:
                r["not_listening"] += 1
                self.alive[target] = False
            elif status == 0:
                r["cut_off"] += 1
                self.alive[target] = False
            elif status == 503:
                r["status_503"] += 1
            elif status >= 500:
                r["status_5xx"] += 1
            elif status >= 400:
                r["refused_4xx"] += 1
            else:
                r["ok"] += 1
                r["latencies"].append(seconds)
            if status <= 0 or status >= 500:
                r["slowest_failure_s"] = max(r["slowest_failure_s"], seconds)

    def person(self, worker, n):
        if not any(self.alive.values()):
            # Every instance is gone (a stop drill): wait, as a load balancer would, without spinning.
            time.sleep(0.2)
            self.alive = {t: True for t in self.targets}
        b = Browser()
        email = f"drill-{worker}-{n}-{random.randrange(10**9)}@example.com"
        account = {"email": email, "signed_up": False, "logged_in": False, "enrolled": False}

        def step(i, name, fields):
            t = self.target(worker + n + i)
            status, body, secs = b.call(t, name, fields)
            self.record(t, status, secs)
            return status, body

        status, _ = step(0, "sign_up", {"name": "Drill", "email": email, "password": PASSWORD})
        if status != 200:
            return
        account["signed_up"] = True
        with self.lock:
            self.accounts.append(account)
        step(1, "log_out", {})
        status, body = step(2, "log_in", {"email": email, "password": PASSWORD})
        if status == 200 and isinstance(body, dict) and "LoggedIn" in body:
            account["logged_in"] = True
        else:
            return
        status, body = step(3, "start_enrollment", {"password": PASSWORD})
        if status != 200:
            return
        secret = body["setup_key"]
        status, _ = step(4, "check_enrollment_code", {"code": totp(secret, time.time())})
        if status != 200:
            return
        status, _ = step(5, "finish_enrollment", {})
        if status == 200:
            account["enrolled"] = True

    def worker(self, worker):
        n = 0
        while time.monotonic() < self.deadline:
            self.person(worker, n)
            n += 1

    def run(self, workers):
        threads = [threading.Thread(target=self.worker, args=(w,)) for w in range(workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for r in self.requests.values():
            lat = sorted(r.pop("latencies"))
            r["p50_ms"] = round(1000 * lat[len(lat) // 2]) if lat else None
            r["p99_ms"] = round(1000 * lat[int(len(lat) * 0.99)]) if lat else None
            r["slowest_failure_s"] = round(r["slowest_failure_s"], 2)
        return {"requests": self.requests, "accounts": self.accounts}


def count_in_database(database_url, emails, sql):
    """Rows per email of `sql` (one `?` for the email) in SQLite or PostgreSQL."""
    if database_url.startswith("sqlite:"):
        path = database_url.split("://", 1)[-1].split("?", 1)[0]
        with sqlite3.connect(path) as db:
            return {e: db.execute(sql, (e,)).fetchone()[0] for e in emails}
    counts = {}
    for e in emails:
        out = subprocess.run(["psql", "-At", database_url, "-c", sql.replace("?", "'%s'" % e.replace("'", "''"))],
                             capture_output=True, text=True, check=True, timeout=30)
        counts[e] = int(out.stdout.strip() or 0)
    return counts


def check(args):
    results = json.load(open(args.results))
    accounts = results["accounts"]
    emails = [a["email"] for a in accounts]
    users = count_in_database(args.database_url, emails, "SELECT COUNT(*) FROM users WHERE email = ?")
    logins = count_in_database(args.database_url, emails,
                               "SELECT COUNT(*) FROM security_events e JOIN users u ON u.id = e.user_id "
                               "WHERE u.email = ? AND e.kind = 'logged_in'")
    enrolled = count_in_database(args.database_url, emails,
                                 "SELECT COUNT(*) FROM totp_credentials c JOIN users u ON u.id = c.user_id "
                                 "WHERE u.email = ? AND c.enabled_at IS NOT NULL")
    lost = [a["email"] for a in accounts if users[a["email"]] != 1]
    lost += [a["email"] + " (login)" for a in accounts if a["logged_in"] and logins[a["email"]] < 1]
    lost += [a["email"] + " (2FA)" for a in accounts if a["enrolled"] and enrolled[a["email"]] != 1]
    summary = {
        "accounts": len(accounts),
        "logins": sum(a["logged_in"] for a in accounts),
        "enrollments": sum(a["enrolled"] for a in accounts),
        "lost": lost,
    }
    print(json.dumps(summary))
    if lost:
        sys.exit(f"answered with success but not in the database: {lost[:5]}")


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="command", required=True)
    load = sub.add_parser("load")
    load.add_argument("--targets", required=True)
    load.add_argument("--seconds", type=float, required=True)
    load.add_argument("--workers", type=int, default=8)
    load.add_argument("--out", required=True)
    c = sub.add_parser("check")
    c.add_argument("--database-url", required=True)
    c.add_argument("--results", required=True)
    args = p.parse_args()
    if args.command == "load":
        results = Load(args.targets.split(","), args.seconds).run(args.workers)
        json.dump(results, open(args.out, "w"))
        print(json.dumps(results["requests"]))
    else:
        check(args)


if __name__ == "__main__":
    main()
