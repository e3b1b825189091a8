#!/usr/bin/env python3
"""Hands customsd declarations and reads one back: the standard library only."""
import json, os, sys, urllib.error, urllib.request

BASE = os.environ.get("CUSTOMSD_API", "http://127.0.0.1:9470")
TOKEN = os.environ["TOKEN"]  # a line of api.token_file

def call(method, path, body=None, key=None):
    headers = {"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"}
    if key:
        headers["Idempotency-Key"] = key  # the same key replays the first answer
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:  # 400/409/413: the body says what and where
        return e.code, json.load(e)

orders = [{"out_trade_no": "P1001", "transaction_id": "4200000000000000000000000001",
           "customs": "SHANGHAI_ZS", "merchant_customs_no": "123456", "duty": 888}]
status, answer = call("POST", "/v1/declarations", orders, key="batch-P1001")
if status != 201:
    sys.exit(f"refused ({status}): {answer['error']}")
for d in answer["declarations"]:
    status, record = call("GET", f"/v1/declarations/{d['id']}")
    print(d["out_trade_no"], d["result"], record["state"], record["phase"])
