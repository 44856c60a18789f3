"""The official Discourse OpenAPI description, and the check of the fake's answers
against it (openapi-core)."""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path

SPEC_HOST_URL = "https://discourse.example.com"


class SpecViolation(AssertionError):
    """The fake was about to answer with a body outside the OpenAPI description."""


def _spec_candidates() -> list[Path]:
    out: list[Path] = []
    env = os.environ.get("DISCOURSE_OPENAPI_SPEC")
    if env:
        out.append(Path(env))
    here = Path(__file__).resolve()
    # A copy of the official file lives beside this package, so a clean clone is enough.
    out.append(here.parent.parent / "discourse-openapi.json")
    # the repository's root is parents[3]; shared/ lies beside it (on the
    # developers' machines and in CI), or above it.
    for parent in here.parents:
        out.append(parent / "shared" / "discourse" / "openapi.json")
    return out


@functools.lru_cache(maxsize=1)
def load_openapi():
    """Load the official Discourse OpenAPI description once per process.

    Looks at ``$DISCOURSE_OPENAPI_SPEC``, then the copy in the repository
    (``tests/forum/discourse-openapi.json``), then ``shared/discourse/openapi.json``
    beside or above the repository.  The spec file itself is not re-validated
    (openapi-spec-validator takes ~9 s on it; it is valid 3.1.0).
    """
    from openapi_core import Config, OpenAPI

    for candidate in _spec_candidates():
        if candidate.is_file():
            with candidate.open("rb") as fh:
                spec = json.load(fh)
            return OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None))
    raise FileNotFoundError(
        "Discourse OpenAPI description not found; set DISCOURSE_OPENAPI_SPEC "
        "(looked in: %s)" % ", ".join(str(c) for c in _spec_candidates())
    )


def _format_schema_errors(exc: BaseException) -> list[str]:
    cause = exc.__cause__ or exc.__context__
    errors = getattr(cause, "schema_errors", None) or getattr(exc, "schema_errors", None)
    if not errors:
        return [f"{type(exc).__name__}: {exc}" + (f" ({cause!r})" if cause else "")]
    out = []
    for err in errors:
        where = "$" + "".join(
            f"[{p}]" if isinstance(p, int) else f".{p}" for p in getattr(err, "absolute_path", [])
        )
        out.append(f"{where}: {err.message}")
    return out


def validate_response_body(
    method: str,
    spec_path: str,
    concrete_path: str,
    body: bytes,
    status: int = 200,
    content_type: str = "application/json",
) -> None:
    """Validate one response against the spec operation ``method spec_path``.

    Raises ``SpecViolation`` listing every schema error.
    """
    from openapi_core.testing import MockRequest, MockResponse

    api = load_openapi()
    request = MockRequest(SPEC_HOST_URL, method.lower(), concrete_path, path_pattern=spec_path)
    response = MockResponse(body, status_code=status, content_type=content_type)
    try:
        api.validate_response(request, response)
    except Exception as exc:  # openapi-core raises several unrelated types
        details = _format_schema_errors(exc)
        raise SpecViolation(
            f"fake Discourse answered {method.upper()} {concrete_path} outside the spec "
            f"operation {method.upper()} {spec_path}:\n  " + "\n  ".join(details)
        ) from exc
