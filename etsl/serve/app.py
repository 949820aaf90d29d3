"""The local web workbench (`etsl serve`): a Starlette app on uvicorn, bound to 127.0.0.1.

    GET  /                 the page (CodeMirror editor, documents, examples, data, …)
    GET  /static/…         its scripts and styles, bundled in the package (works offline)
    POST /api/NAME         JSON in, JSON out: the views of etsl/serve/views.py
    POST /api/upload       participant data (multipart; size-limited; stored, never run)

Every request to /api must carry the page's token (a header a page of another site cannot
set) and name this machine as its host, so another web site open in the same browser can
neither read the files nor save one. Views run in worker threads: a slow request never
blocks the others.
"""

from __future__ import annotations

import contextlib
import json
import logging
import secrets
import webbrowser
from collections.abc import AsyncIterator
from importlib import resources
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from etsl.serve.store import MAX_SCHEME, MAX_UPLOAD, Refused, Store
from etsl.serve.views import VIEWS, Bench, NotCompiled

log = logging.getLogger("etsl.serve")
MAX_BODY = MAX_SCHEME * 4 + 65536  # a scheme's text as JSON, with room to spare
TOKEN_HEADER = "x-etsl-token"
LOCAL_HOSTS = ["127.0.0.1", "localhost", "[::1]", "::1"]


def _static() -> Path:
    return Path(str(resources.files("etsl.serve").joinpath("static")))


def _error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


async def _body(request: Request) -> dict[str, Any]:
    size = 0
    chunks = []
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise Refused(f"the request is larger than {MAX_BODY:,} bytes; nothing was done")
        chunks.append(chunk)
    try:
        body = json.loads(b"".join(chunks) or b"{}")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Refused(f"the request is not JSON ({exc})") from exc
    if not isinstance(body, dict):
        raise Refused("the request is not a JSON object")
    return body


def _closing(bench: Bench) -> Any:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        bench.store.close()

    return lifespan


def make_app(
    folder: Path | None = None, token: str | None = None, host: str = "127.0.0.1"
) -> Starlette:
    """The workbench on a folder (None: the bundled library, read-only), answering
    requests addressed to this machine (or to `host`, when it is served there)."""
    bench = Bench(Store(folder))
    secret = token or secrets.token_urlsafe(24)

    def authorised(request: Request) -> bool:
        return secrets.compare_digest(request.headers.get(TOKEN_HEADER, ""), secret)

    async def index(request: Request) -> Response:
        page = (_static() / "index.html").read_text(encoding="utf-8")
        return HTMLResponse(page.replace("__ETSL_TOKEN__", secret))

    async def api(request: Request) -> Response:
        if not authorised(request):
            return _error(403, "this request does not come from the workbench page")
        name = request.path_params["name"]
        view = VIEWS.get(name)
        if view is None:
            return _error(404, f"no such request '{name}'")
        try:
            body = await _body(request)
            return JSONResponse(await run_in_threadpool(view, bench, body))
        except NotCompiled as exc:
            return _error(422, str(exc), diagnostics=exc.diagnostics)
        except Refused as exc:
            return _error(400, str(exc))
        except Exception as exc:  # noqa: BLE001 - report it; the server keeps serving
            log.exception("%s failed", name)
            return _error(500, f"the workbench failed on this request: {exc}")

    async def upload(request: Request) -> Response:
        if not authorised(request):
            return _error(403, "this request does not come from the workbench page")
        if int(request.headers.get("content-length") or 0) > MAX_UPLOAD + 65536:
            return _error(413, f"the upload is larger than {MAX_UPLOAD // (1024 * 1024)} MB")
        try:
            async with request.form(max_files=1, max_fields=4, max_part_size=MAX_UPLOAD) as form:
                item = form.get("file")
                if item is None or isinstance(item, str):
                    raise Refused("choose a data file to upload")
                data = await item.read(MAX_UPLOAD + 1)
                name = item.filename or "data"
            upload = bench.store.keep_upload(name, data)
        except Refused as exc:
            return _error(400, str(exc))
        except Exception as exc:  # noqa: BLE001 - a malformed form is the sender's mistake
            return _error(400, f"the upload could not be read: {exc}")
        return JSONResponse({"data": f"upload:{upload}", "name": name})

    app = Starlette(
        routes=[
            Route("/", index),
            Route("/favicon.ico", lambda request: Response(status_code=204)),
            Route("/api/upload", upload, methods=["POST"]),
            Route("/api/{name}", api, methods=["POST"]),
            Mount("/static", StaticFiles(directory=_static()), name="static"),
        ],
        middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=[*LOCAL_HOSTS, host])],
        lifespan=_closing(bench),
    )
    app.state.bench = bench
    app.state.token = secret
    return app


def run(folder: Path | None, host: str, port: int, open_browser: bool) -> None:
    """Serve until interrupted; print the address (with its port) first."""
    import uvicorn

    app = make_app(folder, host=host)
    if host not in LOCAL_HOSTS:
        log.warning("serving on %s: other machines on the network can reach the workbench", host)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning")
    server = uvicorn.Server(config)
    where = "the bundled library (read-only)" if folder is None else str(folder)
    print(f"ETSL workbench on {where}: http://{host}:{port}/  (Ctrl-C to stop)", flush=True)
    if open_browser:
        webbrowser.open(f"http://{host}:{port}/")
    server.run()
