"""botocore's ``cognito-idp`` service model, loaded once and indexed for the server.

Poolgate speaks exactly the API botocore describes, so the model bundled with the
installed botocore is the single source of truth for operation names, input shapes,
declared errors and which operations are called without AWS credentials.
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Operation", "ServiceModel", "service_model"]

_NO_AUTH = "smithy.api#noAuth"


@dataclass(frozen=True)
class Operation:
    """One operation of the service, reduced to what request handling needs."""

    name: str
    input_shape: str | None
    output_shape: str | None
    # Public operations (SignUp, InitiateAuth, ...) are called by end users who hold
    # no AWS credentials, so the front door must not demand a SigV4 signature.
    public: bool
    errors: frozenset[str]


class ServiceModel:
    """Index over a botocore JSON service description."""

    def __init__(self, raw: dict[str, Any]) -> None:
        metadata: dict[str, Any] = raw["metadata"]
        self.target_prefix: str = metadata["targetPrefix"]
        self.shapes: dict[str, dict[str, Any]] = raw["shapes"]
        self._operations: dict[str, Operation] = {
            name: _operation(name, spec) for name, spec in raw["operations"].items()
        }

    def operation(self, name: str) -> Operation | None:
        return self._operations.get(name)

    def operation_names(self) -> list[str]:
        return list(self._operations)


def _operation(name: str, spec: dict[str, Any]) -> Operation:
    input_ref = spec.get("input")
    output_ref = spec.get("output")
    # Older models mark public operations with "authtype", newer ones with the Smithy
    # "auth" list; either is authoritative, so accept both.
    public = spec.get("authtype") == "none" or _NO_AUTH in spec.get("auth", ())
    return Operation(
        name=name,
        input_shape=input_ref["shape"] if input_ref else None,
        output_shape=output_ref["shape"] if output_ref else None,
        public=public,
        errors=frozenset(err["shape"] for err in spec.get("errors", ())),
    )


@functools.cache
def service_model() -> ServiceModel:
    """The cognito-idp model, parsed once per process (loading takes ~100 ms)."""
    path = _service_file()
    data = path.read_bytes()
    raw: dict[str, Any] = json.loads(gzip.decompress(data) if path.suffix == ".gz" else data)
    return ServiceModel(raw)


def _service_file() -> Path:
    """``botocore/data/cognito-idp/<newest API version>/service-2.json[.gz]``, the file
    botocore's ``Loader().load_service_model("cognito-idp", "service-2")`` reads, found
    without importing botocore: its import (urllib3, urllib.request's regular
    expressions) costs a start ~60 ms for one JSON file. A test checks that both read
    the same model."""
    spec = importlib.util.find_spec("botocore")
    assert spec is not None and spec.origin is not None
    versions = sorted((Path(spec.origin).parent / "data" / "cognito-idp").iterdir())
    newest = versions[-1]
    for name in ("service-2.json", "service-2.json.gz"):
        if (newest / name).exists():
            return newest / name
    raise FileNotFoundError(f"no cognito-idp service model in {newest}")
