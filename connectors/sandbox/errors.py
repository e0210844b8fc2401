"""The sandbox's error responses: ``{"detail": ..., "code": ...}`` with a fitting status."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from connectors.models import ErrorBody


class ApiError(Exception):
    """An expected failure that becomes a 4xx (or 503) response.

    Args:
        status: HTTP status code.
        code: Stable machine-readable code, e.g. ``"not_found"``.
        detail: Readable explanation for the caller.
        headers: Extra response headers.
    """

    def __init__(self, status: int, code: str, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.headers = status, code, detail, headers


def not_found(kind: str, identifier: str) -> ApiError:
    """A 404 for a missing (or not visible to this merchant) resource."""
    return ApiError(404, "not_found", f"{kind} {identifier!r} not found")


def _error(status: int, description: str) -> dict:
    return {"model": ErrorBody, "description": description}


AUTH_RESPONSES = {401: _error(401, "missing or invalid API token"),
                  422: _error(422, "invalid input (detail lists each issue)")}
READ_RESPONSES = {404: _error(404, "not found")}
WRITE_RESPONSES = {
    400: _error(400, "the body is not valid JSON"),
    404: _error(404, "a referenced resource does not exist"),
    409: _error(409, "conflicts with the resource's state"),
    422: _error(422, "invalid input, or an Idempotency-Key reused with a different body"),
}


def install_error_handlers(app: FastAPI) -> None:
    """Render :class:`ApiError` and invalid input as ``{"detail": ..., "code": ...}``."""

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse({"detail": str(exc.detail), "code": code}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        issues = [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "invalid")), "type": str(e.get("type", ""))}
                  for e in exc.errors()]
        return JSONResponse(jsonable_encoder({"detail": issues, "code": "validation_error"}), status_code=422)

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"detail": exc.detail, "code": exc.code}, status_code=exc.status, headers=exc.headers)
