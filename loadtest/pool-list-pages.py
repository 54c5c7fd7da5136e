#!/usr/bin/env python3
# The size of GET /v1/sites/{siteId}/pools on a site with many numbers (audit AK2 F0): makes a site
# of POOLS pools of NUMBERS_PER_POOL numbers each (numbers +7495300000 onwards, so run it on a fresh
# data dir), reads the list without parameters, then follows nextCursor to the end.
# Usage: python3 loadtest/pool-list-pages.py PORT ADMIN_KEY POOLS NUMBERS_PER_POOL
# (keep NUMBERS_PER_POOL at most 10,000, the most one request may add)
import json, sys, time, urllib.request
port, admin, npools, per = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
base = "http://127.0.0.1:%s" % port
def call(method, path, key, body=None):
    req = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            data = r.read(); status = r.status
    except urllib.error.HTTPError as e:
        data = e.read(); status = e.code
    return status, data, time.perf_counter() - t
s, d, _ = call("POST", "/v1/sites", admin, {"name": "m", "domains": ["m.example"], "defaultNumber": "+74951234567", "timeZone": "Europe/Moscow"})
site = json.loads(d); sid, key = site["siteId"], site["apiKey"]
for p in range(npools):
    nums = ["+7495%07d" % (3000000 + p * per + i) for i in range(per)]
    s, d, t = call("POST", "/v1/sites/%s/pools" % sid, key, {"name": "p%d" % p, "numbers": nums})
    assert s == 201, d[:300]
s, d, t = call("GET", "/v1/sites/%s/pools" % sid, key)
body = json.loads(d)
print("unparameterised: status %d, %d bytes, %.3f s, pools %d, numbers %d, nextCursor %s" % (s, len(d), t, len(body["pools"]),
      sum(len(p["numbers"]) for p in body["pools"]), "set" if body.get("nextCursor") else body.get("nextCursor")))
pages, cursor, total, biggest = 1, body.get("nextCursor"), sum(len(p["numbers"]) for p in body["pools"]), len(d)
while cursor:
    s, d, t = call("GET", "/v1/sites/%s/pools?cursor=%s" % (sid, cursor), key)
    b = json.loads(d); pages += 1; total += sum(len(p["numbers"]) for p in b["pools"]); biggest = max(biggest, len(d)); cursor = b["nextCursor"]
if pages > 1:
    print("walked: %d pages, %d numbers, largest page %d bytes" % (pages, total, biggest))
