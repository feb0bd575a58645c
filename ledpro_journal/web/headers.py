"""Security headers on every response the server sends, Streamlit's own pages and files included.

The sign-in pages set a stricter policy of their own (web/auth.py), which is kept. For the rest, the
Content-Security-Policy says what Streamlit's page needs and nothing more: its own scripts and the inline
ones it runs for st.html (the editor's draft sender), WebAssembly (Streamlit's protobuf decoder; no string
is ever evaluated as JavaScript), inline styles, images and fonts from this server or
data:/blob: (charts, downloads), and connections back to this server only (the websocket and the drafts
API). No other host can be contacted from the page, whatever text a user typed; frames come only from
this server (Streamlit's components) and the app can be framed only by itself.
"""

from __future__ import annotations

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "media-src 'self' data: blob:",
    "worker-src 'self' blob:",
    "frame-src 'self' blob: data:",
    "frame-ancestors 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
))

_DEFAULTS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
)


class SecurityHeaders:
    """ASGI middleware: adds each header of _DEFAULTS that the response does not set itself."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in _DEFAULTS if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
