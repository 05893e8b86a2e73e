"""Hosted UI customization (SetUICustomization, GetUICustomization) through boto3."""

from __future__ import annotations

import re
import struct
import zlib
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.test_user_pools import error_of, make_pool
from tests.conftest import Server

MISSING_POOL = "us-east-1_Nope00000"
CSS = """
/* TravelGuide's colours */
.banner-customizable { background-color: #0b5cab; padding: 25px 0px 25px 0px; }
.submitButton-customizable, .idpButton-customizable { background-color: rgb(11, 92, 171); }
.submitButton-customizable:hover { background-color: #083f78; }
.inputField-customizable:focus { border-color: #0b5cab; outline: 0; }
.label-customizable { font-weight: 400; }
"""


def png(width: int = 2, height: int = 1, padding: int = 0) -> bytes:
    """A valid PNG (``padding`` extra bytes in an ancillary chunk make it bigger)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x0b\x5c\xab" * width for _ in range(height))
    extra = chunk(b"tEXt", b"Comment\x00" + b"x" * padding) if padding else b""
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + extra
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


@pytest.fixture
def pool(cognito: Any) -> str:
    return str(make_pool(cognito)["Id"])


@pytest.fixture
def client_id(cognito: Any, pool: str) -> str:
    created = cognito.create_user_pool_client(UserPoolId=pool, ClientName="web")
    return str(created["UserPoolClient"]["ClientId"])


def test_pool_default_set_and_get(cognito: Any, server: Server, pool: str) -> None:
    # Nothing set yet: only the identity of what was asked.
    assert cognito.get_ui_customization(UserPoolId=pool)["UICustomization"] == {
        "UserPoolId": pool,
        "ClientId": "ALL",
    }
    logo = png()
    created = cognito.set_ui_customization(UserPoolId=pool, CSS=CSS, ImageFile=logo)[
        "UICustomization"
    ]
    assert created["UserPoolId"] == pool and created["ClientId"] == "ALL"
    assert created["CSS"] == CSS
    assert re.fullmatch(r"\d{14}", created["CSSVersion"])
    assert created["CreationDate"] == created["LastModifiedDate"]
    assert created["ImageUrl"] == (f"{server.url}/_ui/{pool}/ALL/logo?v={created['CSSVersion']}")
    fetched = cognito.get_ui_customization(UserPoolId=pool)["UICustomization"]
    assert fetched == created
    # "ALL" named explicitly is the same customization.
    assert cognito.get_ui_customization(UserPoolId=pool, ClientId="ALL")["UICustomization"] == (
        created
    )

    # Setting again replaces both parts: the logo left out is removed.
    replaced = cognito.set_ui_customization(UserPoolId=pool, ClientId="ALL", CSS=CSS)[
        "UICustomization"
    ]
    assert "ImageUrl" not in replaced
    assert int(replaced["CSSVersion"]) > int(created["CSSVersion"])
    assert replaced["CreationDate"] == created["CreationDate"]
    assert replaced["LastModifiedDate"] >= created["LastModifiedDate"]
    assert cognito.get_ui_customization(UserPoolId=pool)["UICustomization"] == replaced


def test_client_falls_back_to_the_pool(cognito: Any, pool: str, client_id: str) -> None:
    assert cognito.get_ui_customization(UserPoolId=pool, ClientId=client_id)["UICustomization"] == {
        "UserPoolId": pool,
        "ClientId": client_id,
    }

    pool_default = cognito.set_ui_customization(UserPoolId=pool, CSS=CSS, ImageFile=png())[
        "UICustomization"
    ]
    fallback = cognito.get_ui_customization(UserPoolId=pool, ClientId=client_id)
    assert fallback["UICustomization"] == pool_default
    assert fallback["UICustomization"]["ClientId"] == "ALL"

    own_css = ".background-customizable { background-color: #fafafa; }"
    own = cognito.set_ui_customization(
        UserPoolId=pool, ClientId=client_id, CSS=own_css, ImageFile=JPEG
    )["UICustomization"]
    assert own["ClientId"] == client_id and own["CSS"] == own_css
    assert f"/_ui/{pool}/{client_id}/logo?v=" in own["ImageUrl"]
    assert (
        cognito.get_ui_customization(UserPoolId=pool, ClientId=client_id)["UICustomization"] == own
    )
    # The pool's default is unchanged, and other clients still use it.
    assert cognito.get_ui_customization(UserPoolId=pool)["UICustomization"] == pool_default
    other = cognito.create_user_pool_client(UserPoolId=pool, ClientName="other")
    other_id = other["UserPoolClient"]["ClientId"]
    assert (
        cognito.get_ui_customization(UserPoolId=pool, ClientId=other_id)["UICustomization"]
        == pool_default
    )

    # A client's customization with only a logo keeps the client from falling back.
    logo_only = cognito.set_ui_customization(UserPoolId=pool, ClientId=other_id, ImageFile=png())
    assert "CSS" not in logo_only["UICustomization"]
    fetched = cognito.get_ui_customization(UserPoolId=pool, ClientId=other_id)
    assert fetched["UICustomization"]["ClientId"] == other_id
    assert "CSS" not in fetched["UICustomization"]


def test_unknown_pool_and_client(cognito: Any, pool: str) -> None:
    for call in (
        lambda: cognito.set_ui_customization(UserPoolId=MISSING_POOL, CSS=CSS),
        lambda: cognito.get_ui_customization(UserPoolId=MISSING_POOL),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == (
            "ResourceNotFoundException",
            f"User pool {MISSING_POOL} does not exist.",
        )
    for call in (
        lambda: cognito.set_ui_customization(UserPoolId=pool, ClientId="nosuchclient", CSS=CSS),
        lambda: cognito.get_ui_customization(UserPoolId=pool, ClientId="nosuchclient"),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == (
            "ResourceNotFoundException",
            "User pool client nosuchclient does not exist.",
        )


@pytest.mark.parametrize(
    ("css", "named"),
    [
        (".other-class { color: red; }", ".other-class"),
        ("body { color: red; }", "body"),
        ("div.banner-customizable { color: red; }", "div.banner-customizable"),
        (".banner-customizable .label-customizable { color: red; }", ".banner-customizable"),
        (".banner-customizable, * { color: red; }", "*"),
        (".banner-customizable:before { content: 'x'; }", ":before"),
        ('@import "https://evil.example.com/x.css";', "@import"),
        ("@media print { .banner-customizable { color: red; } }", "@media"),
        ("@font-face { font-family: x; }", "@font-face"),
        (".banner-customizable { background: url(https://evil.example.com/x.png); }", "url()"),
        (".banner-customizable { width: expression(alert(1)); }", "expression()"),
        (".banner-customizable { background-image: image-set('x.png' 1x); }", "image-set()"),
        (".banner-customizable { color: red; } </style><script>alert(1)</script>", "</style>"),
        (".banner-customizable { background: u\\72l(x.png); }", "escapes"),
        (".label-customizable { behavior: x; }", "behavior"),
        (".banner-customizable { color: red; /* open", "*/"),
        (".banner-customizable { color red; }", "property: value"),
        (".banner-customizable { color: red; } }", "unexpected text"),
        (".banner-customizable { color: red; ", "unexpected text"),
    ],
)
def test_css_refused(cognito: Any, pool: str, css: str, named: str) -> None:
    with pytest.raises(ClientError) as exc:
        cognito.set_ui_customization(UserPoolId=pool, CSS=css)
    code, message = error_of(exc)
    assert code == "InvalidParameterException"
    assert named in message, message
    # Nothing was stored.
    assert "CSS" not in cognito.get_ui_customization(UserPoolId=pool)["UICustomization"]


def test_every_documented_class_is_allowed(cognito: Any, pool: str) -> None:
    classes = [
        ".background-customizable",
        ".banner-customizable",
        ".errorMessage-customizable",
        ".idpButton-customizable",
        ".idpButton-customizable:hover",
        ".idpDescription-customizable",
        ".inputField-customizable",
        ".inputField-customizable:focus",
        ".label-customizable",
        ".legalText-customizable",
        ".logo-customizable",
        ".passwordCheck-notValid-customizable",
        ".passwordCheck-valid-customizable",
        ".redirect-customizable",
        ".socialButton-customizable",
        ".submitButton-customizable",
        ".submitButton-customizable:hover",
        ".textDescription-customizable",
    ]
    css = "\n".join(f"{name} {{ color: #123456 !important; }}" for name in classes)
    stored = cognito.set_ui_customization(UserPoolId=pool, CSS=css)["UICustomization"]
    assert stored["CSS"] == css


@pytest.mark.parametrize(
    ("image", "named"),
    [
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "PNG or JPEG"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "PNG or JPEG"),
        (png(padding=101 * 1024), "100 KB"),
    ],
)
def test_image_refused(cognito: Any, pool: str, image: bytes, named: str) -> None:
    with pytest.raises(ClientError) as exc:
        cognito.set_ui_customization(UserPoolId=pool, ImageFile=image)
    code, message = error_of(exc)
    assert code == "InvalidParameterException"
    assert named in message, message


def test_image_at_the_limit_is_accepted(cognito: Any, pool: str) -> None:
    image = png(padding=1)
    image = png(padding=100 * 1024 - len(image) + 1)
    assert len(image) == 100 * 1024
    stored = cognito.set_ui_customization(UserPoolId=pool, ImageFile=image)["UICustomization"]
    assert "ImageUrl" in stored


def test_deleting_the_pool_deletes_its_customizations(cognito: Any) -> None:
    pool = make_pool(cognito, PoolName="short-lived")["Id"]
    cognito.set_ui_customization(UserPoolId=pool, CSS=CSS)
    cognito.delete_user_pool(UserPoolId=pool)
    with pytest.raises(ClientError) as exc:
        cognito.get_ui_customization(UserPoolId=pool)
    assert error_of(exc)[0] == "ResourceNotFoundException"
