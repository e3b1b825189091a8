#!/usr/bin/env python3
"""Receives customsd's [[notify]] POSTs and checks their signature (as Stripe's are checked)."""
import hashlib, hmac, json, os, time
from http.server import BaseHTTPRequestHandler, HTTPServer

SECRET = open(os.environ.get("SECRET_FILE", "notify.secret"), "rb").read().rstrip(b"\n")
seen = set()  # event ids: delivery is at least once, so dedupe

class Hook(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        ts = self.headers["Customsd-Timestamp"]
        want = "v1=" + hmac.new(SECRET, ts.encode() + b"." + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(want, self.headers["Customsd-Signature"]) or \
                abs(time.time() - int(ts)) > 300:
            self.send_response(401)
            return self.end_headers()
        event = json.loads(body)
        if event["event_id"] not in seen:
            seen.add(event["event_id"])
            d = event["declaration"]
            print(event["type"], d["out_trade_no"], d["state"], d["explanation"])
        self.send_response(204)  # any 2xx: customsd moves on; anything else is sent again
        self.end_headers()

HTTPServer(("127.0.0.1", 8080), Hook).serve_forever()
