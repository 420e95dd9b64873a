"""Small local HTTP servers for tests: routes map a path to a handler function."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Handler = Callable[[BaseHTTPRequestHandler], None]


class LocalServer:
    """Serve `routes` on 127.0.0.1 on a free port in a daemon thread (use as a context manager)."""

    def __init__(self, routes: dict[str, Handler]):
        self.routes = routes
        self.requests: list[tuple[str, dict]] = []
        outer = self

        class RequestHandler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the stdlib's name)
                outer.requests.append((self.path, dict(self.headers)))
                handler = outer.routes.get(self.path.split("?")[0])
                if handler is None:
                    self.send_error(404)
                else:
                    handler(self)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
        self.httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> LocalServer:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def reply(status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> Handler:
    def handler(request: BaseHTTPRequestHandler) -> None:
        request.send_response(status)
        for name, value in (headers or {}).items():
            request.send_header(name, value)
        if "Content-Length" not in (headers or {}):
            request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    return handler
