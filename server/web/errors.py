"""Error pages: HTML for readers, JSON for the API."""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: "The request was not understood.",
    403: "You are not allowed to see this page.",
    404: "There is no such page in this book.",
    405: "That method is not allowed here.",
    500: "Something went wrong on the server.",
}


def register(app: Flask) -> None:
    """Render every HTTP error as a page (or JSON under /api/)."""

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Response | str, int]:
        code = error.code or 500
        custom = error.description != type(error).description
        message = error.description if custom else MESSAGES.get(code, error.description or "Error")
        if request.path.startswith("/api/"):
            return jsonify({"error": code, "message": message}), code
        return render_template("error.html", code=code, message=message), code
