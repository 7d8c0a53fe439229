"""The ASGI application of ``tei-edition serve``: DTS 1.0 under ``/api/dts`` and the build
folder as static files (``/html/…`` the reading edition with its search, ``/tei/…``,
``/text/…``), on Starlette.  Starlette and uvicorn are the ``serve`` extra
(``pip install 'tei-edition[serve]'``)."""

from __future__ import annotations

import json
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .dts import DTS, TEI_MEDIA, Catalogue, DTSError

JSONLD = "application/ld+json"


def _params(request: Request, names: tuple[str, ...]) -> dict:
    return {n: request.query_params[n] for n in names if n in request.query_params}


def create_app(build: Path, title: str = "tei-edition digital edition") -> Starlette:
    build = Path(build)
    catalogue = Catalogue(build, title)
    tei_url = "/" + catalogue.folder.relative_to(build).as_posix() + "/" \
        if catalogue.folder != build else "/"
    api = DTS(catalogue, "/api/dts", download=tei_url)

    def error(e: DTSError, xml: bool = False) -> Response:
        if xml:
            body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<error xmlns=\"https://w3id.org"
                    f"/api/dts#\" statusCode=\"{e.status}\"><title>{e.message}</title></error>")
            return Response(body.replace("&", "&amp;"), e.status, media_type="application/xml")
        return JSONResponse({"@context": "https://dtsapi.org/context/v1.0.json",
                             "@type": "Error", "statusCode": e.status, "title": e.message},
                            e.status, media_type=JSONLD)

    def ld(data: dict) -> Response:
        return Response(json.dumps(data, ensure_ascii=False, indent=1), media_type=JSONLD)

    async def entry(request: Request) -> Response:
        return ld(api.entry())

    async def collection(request: Request) -> Response:
        try:
            return ld(api.collection(**_params(request, ("id", "page", "nav"))))
        except DTSError as e:
            return error(e)

    async def navigation(request: Request) -> Response:
        url = str(request.url.path) + (f"?{request.url.query}" if request.url.query else "")
        try:
            return ld(api.navigation(url, **_params(
                request, ("resource", "ref", "start", "end", "down", "tree", "page"))))
        except DTSError as e:
            return error(e)

    async def document(request: Request) -> Response:
        params = _params(request, ("resource", "ref", "start", "end", "tree", "mediaType"))
        try:
            body = api.document(**params)
        except DTSError as e:
            return error(e, xml=True)
        link = f'</api/dts/collection?id={params["resource"]}>; rel="collection"'
        return Response(body, media_type=TEI_MEDIA, headers={"Link": link})

    async def home(request: Request) -> Response:
        return RedirectResponse("/html/index.html" if (build / "html").is_dir()
                                else "/api/dts/")

    routes = [
        Route("/", home),
        Route("/api/dts", entry),
        Route("/api/dts/", entry),
        Route("/api/dts/collection", collection),
        Route("/api/dts/navigation", navigation),
        Route("/api/dts/document", document),
        Mount("/", app=StaticFiles(directory=str(build), html=True), name="static"),
    ]
    return Starlette(routes=routes)
