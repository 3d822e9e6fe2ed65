#!/usr/bin/env python3
"""A Slack-style incoming webhook for the demo: prints each Notify it receives.
Usage: notify_receiver.py PORT [ADDRESS]   (ADDRESS defaults to 127.0.0.1)"""
import http.server
import json
import sys


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        try:
            text = json.loads(body).get("text", "")
        except ValueError:
            text = body.decode(errors="replace")
        print(f"notify receiver: POST {self.path}: {text}", flush=True)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


address = sys.argv[2] if len(sys.argv) > 2 else "127.0.0.1"
server = http.server.HTTPServer((address, int(sys.argv[1])), Receiver)
print(f"notify receiver: listening on {address}:{server.server_port}", flush=True)
server.serve_forever()
