"""Access tokens: readers need the join link's token, the instructor the status token.

``GET <any page>?token=T`` with the right T sets a cookie and redirects to the
same URL without the token, so that it stays out of the history and of Referer
headers. The cookie holds an HMAC of the token, not the token: it proves its
holder had the token, and every instance given the same token accepts it, so
nothing is kept between requests (several instances can stand behind one proxy).
Scripts may send ``Authorization: Bearer T`` instead. Static files stay public.
Tokens are compared in constant time and never logged.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Flask, Request, abort, redirect, request
from werkzeug.wrappers import Response

READER_COOKIE = "mpbook_access"
STATUS_COOKIE = "mpbook_status"
STATUS_PATHS = frozenset({"/status", "/api/status"})
PUBLIC_ENDPOINTS = frozenset({"static", "pages.code_colours"})
COOKIE_SECONDS = 12 * 3600  # a day of workshop; the join link works again after that

JOIN = "Ask your instructor for the join link."


@dataclass(frozen=True)
class Gate:
    """One token and the cookie that proves it."""

    token: str
    cookie: str
    purpose: bytes  # keeps the reader's and the instructor's cookies apart even for one token

    def proof(self) -> str:
        return hmac.new(self.token.encode(), self.purpose, hashlib.sha256).hexdigest()

    def matches(self, given: str) -> bool:
        return hmac.compare_digest(given.encode(), self.token.encode())

    def admits(self, req: Request) -> bool:
        """Whether ``req`` carries this gate's cookie, or its token as a bearer header."""
        cookie = req.cookies.get(self.cookie)
        if cookie is not None and hmac.compare_digest(cookie.encode(), self.proof().encode()):
            return True
        scheme, _, given = req.headers.get("Authorization", "").partition(" ")
        return scheme.lower() == "bearer" and bool(given) and self.matches(given.strip())

    def enter(self, req: Request) -> Response:
        """The redirect to the same URL without its token, setting the cookie."""
        rest = [(key, value) for key, value in req.args.items(multi=True) if key != "token"]
        response = redirect(req.path + (f"?{urlencode(rest)}" if rest else ""), code=303)
        response.set_cookie(self.cookie, self.proof(), max_age=COOKIE_SECONDS, path="/",
                            httponly=True, samesite="Lax", secure=req.is_secure)
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response


def register(app: Flask) -> None:
    """Guard pages, /api and /ws with the ``token`` setting and /status with ``status_token``."""
    values = app.config["MPBOOK"]
    reader = Gate(values["token"], READER_COOKIE, b"mpbook reader") if values["token"] else None
    instructor = Gate(values["status_token"], STATUS_COOKIE, b"mpbook instructor") if values["status_token"] else None

    @app.before_request
    def check_access() -> Response | None:
        if request.endpoint in PUBLIC_ENDPOINTS:
            return None
        is_status = request.path in STATUS_PATHS
        gate = instructor if is_status else reader
        if gate is None:
            if is_status:
                abort(403, description="The status page is off: give the server a status_token "
                                       "(mpbook serve --workshop makes one up).")
            return None
        given = request.args.get("token")
        # A browser does not follow a redirect on a WebSocket handshake: /ws takes the cookie only.
        if given is not None and request.method == "GET" and request.path != "/ws":
            if not gate.matches(given):
                abort(403, description=f"That link is not valid for this server. {JOIN}")
            return gate.enter(request)
        if not gate.admits(request):
            abort(403, description=JOIN)
        return None
