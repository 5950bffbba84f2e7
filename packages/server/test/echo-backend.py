"""The upstream behind the proxy in the real-proxy tests: answers every request with JSON of what it
received (method, raw path, every header as sent, in order), so a test sees exactly what the proxy
passed on. Python standard library only: the point is a backend in another language than the gateway.

Usage: python3 echo-backend.py  (prints {"port": N} once listening on 127.0.0.1, stops on SIGTERM)
"""

import json
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Echo(BaseHTTPRequestHandler):
    # HTTP/1.1, so the proxies' keep-alive connections are served as they would be by a real backend.
    protocol_version = "HTTP/1.1"

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("latin-1") if length else ""
        seen = {
            "method": self.command,
            "path": self.path,
            # A list of pairs, not a dict: a header sent twice must show twice.
            "headers": [[name.lower(), value] for name, value in self.headers.items()],
            "body": body,
        }
        payload = json.dumps(seen).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = answer

    def do_HEAD(self):
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args):
        # Quiet: the test reads stdout for the port line only.
        pass


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(json.dumps({"port": server.server_address[1]}), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
