"""The branding of the hosted pages: SetUICustomization, GetUICustomization (Amazon
Cognito API reference; developer guide, "Customizing hosted UI (classic) branding").

A customization is a CSS text and a logo, kept per pool (client id ``"ALL"``, used by
every client without its own) or per app client. Setting one replaces both parts
("You can't set CSS and logo customization separately").

The CSS is inlined in the hosted pages, so it is checked as Cognito documents and
stricter where a page's safety needs it: only rules whose selectors are the classes
Cognito lists (``ALLOWED_SELECTORS``), no at-rules (Cognito names ``@import``,
``@supports``, ``@page`` and ``@media``), no functions but colour and arithmetic
ones (so no ``url(`` or ``expression(``), no HTML (``</style``), no CSS escapes (which
could spell those). The logo must be a PNG or JPEG of at most 100 KB.
"""

from __future__ import annotations

import re
import time

from poolgate.core.context import Context
from poolgate.core.errors import InvalidParameterException
from poolgate.core.pools.clients import require_client
from poolgate.core.pools.pools import require_pool
from poolgate.core.records import UICustomization

ALL = "ALL"
# "The maximum allowable size for a logo image file is 100 KB."
MAX_IMAGE_BYTES = 100 * 1024

# The developer guide's list of class names (with the states it names) for the classic
# hosted UI.
ALLOWED_SELECTORS = (
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
)
_ALLOWED = frozenset(ALLOWED_SELECTORS)
# Functions a colour or a length may use; every other one (url, expression, image,
# image-set, element, attr...) is refused.
_FUNCTIONS = frozenset(
    {"rgb", "rgba", "hsl", "hsla", "hwb", "lab", "lch", "oklab", "oklch"}
    | {"calc", "min", "max", "clamp"}
)
# Properties that run code or load behaviour in some browsers.
_FORBIDDEN_PROPERTIES = frozenset({"behavior", "-moz-binding", "-ms-behavior"})
_PROPERTY = re.compile(r"-?[a-z][a-z0-9-]*")
_RULE = re.compile(r"([^{}]*)\{([^{}]*)\}")

_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"


def _css_error(problem: str) -> InvalidParameterException:
    return InvalidParameterException(f"Invalid CSS: {problem}")


def _strip_comments(css: str) -> str:
    parts: list[str] = []
    position = 0
    while True:
        start = css.find("/*", position)
        if start < 0:
            parts.append(css[position:])
            return "".join(parts)
        end = css.find("*/", start + 2)
        if end < 0:
            raise _css_error("a comment is not closed (missing */).")
        parts.append(css[position:start])
        parts.append(" ")
        position = end + 2


def _check_declarations(selector: str, body: str) -> None:
    for declaration in body.split(";"):
        if not declaration.strip():
            continue
        name, colon, value = declaration.partition(":")
        name = name.strip().lower()
        if not colon or not value.strip():
            raise _css_error(f"{declaration.strip()!r} in {selector} is not a property: value.")
        if not _PROPERTY.fullmatch(name):
            raise _css_error(f"{name!r} in {selector} is not a CSS property name.")
        if name in _FORBIDDEN_PROPERTIES:
            raise _css_error(f"the property {name} is not allowed.")
        if "javascript:" in value.lower().replace(" ", ""):
            raise _css_error("javascript: is not allowed.")


def check_css(css: str) -> None:
    """Refuse CSS the hosted pages must not inline (see the module's documentation)."""
    if "<" in css:
        raise _css_error("HTML is not allowed ('<', as in </style>).")
    if "\\" in css:
        raise _css_error("escapes ('\\') are not allowed.")
    text = _strip_comments(css)
    at_rule = re.search(r"@[-\w]*", text)
    if at_rule:
        raise _css_error(f"at-rules such as {at_rule.group()} are not allowed.")
    for call in re.finditer(r"([-\w]*)\(", text):
        function = call.group(1).lower()
        if function not in _FUNCTIONS:
            shown = f"{function}()" if function else "parentheses outside a function"
            raise _css_error(f"{shown} is not allowed.")
    position = 0
    for rule in _RULE.finditer(text):
        if text[position : rule.start()].strip():
            raise _css_error(f"unexpected text {text[position : rule.start()].strip()!r}.")
        position = rule.end()
        selectors = [" ".join(part.split()) for part in rule.group(1).split(",")]
        for selector in selectors:
            if selector not in _ALLOWED:
                raise _css_error(
                    f"the selector {selector or '(empty)'!r} is not allowed; only these "
                    "classes may be styled: " + ", ".join(ALLOWED_SELECTORS) + "."
                )
        _check_declarations(", ".join(selectors), rule.group(2))
    if text[position:].strip():
        raise _css_error(
            f"unexpected text {text[position:].strip()[:80]!r} (every rule must be "
            "selector { property: value; })."
        )


def image_type(image: bytes) -> str:
    """The logo's media type; refuses anything but a PNG or JPEG of at most 100 KB."""
    if len(image) > MAX_IMAGE_BYTES:
        raise InvalidParameterException(
            f"ImageFile is {len(image)} bytes; the logo can be at most 100 KB "
            f"({MAX_IMAGE_BYTES} bytes)."
        )
    if image.startswith(_PNG):
        return "image/png"
    if image.startswith(_JPEG):
        return "image/jpeg"
    raise InvalidParameterException("ImageFile must be a PNG or JPEG image.")


def _version(now: float, previous: str | None) -> str:
    """CSSVersion as Cognito writes it (UTC ``YYYYMMDDhhmmss``), always increasing so
    it can tell caches that the logo changed."""
    version = time.strftime("%Y%m%d%H%M%S", time.gmtime(now))
    if previous is not None and previous.isdigit() and int(version) <= int(previous):
        version = str(int(previous) + 1)
    return version


async def _check_target(ctx: Context, pool_id: str, client_id: str | None) -> str:
    await require_pool(ctx, pool_id)
    client_id = client_id or ALL
    if client_id != ALL:
        await require_client(ctx, pool_id, client_id)
    return client_id


async def set_ui_customization(
    ctx: Context,
    pool_id: str,
    client_id: str | None,
    css: str | None,
    image: bytes | None,
) -> UICustomization:
    """SetUICustomization: replaces the pool's (no client id, or ``"ALL"``) or a
    client's CSS and logo; a part left out is removed."""
    client_id = await _check_target(ctx, pool_id, client_id)
    if css:
        check_css(css)
    media_type = image_type(image) if image else None
    now = ctx.clock()
    async with ctx.store.transaction() as store:
        existing = await store.get_ui_customization(pool_id, client_id)
        customization = UICustomization(
            pool_id=pool_id,
            client_id=client_id,
            version=_version(now, existing.version if existing else None),
            created=existing.created if existing else now,
            modified=now,
            css=css or None,
            image=image or None,
            image_type=media_type,
        )
        await store.put_ui_customization(customization)
    return customization


async def get_ui_customization(
    ctx: Context, pool_id: str, client_id: str | None
) -> UICustomization | None:
    """GetUICustomization: the client's own customization, else the pool's ("ALL"),
    else None."""
    client_id = await _check_target(ctx, pool_id, client_id)
    return await effective_customization(ctx, pool_id, client_id)


async def effective_customization(
    ctx: Context, pool_id: str, client_id: str
) -> UICustomization | None:
    """The customization the hosted pages of ``client_id`` use: the client's own, else
    the pool's default. Unknown pools and clients simply have none."""
    if client_id != ALL:
        own = await ctx.store.get_ui_customization(pool_id, client_id)
        if own is not None:
            return own
    return await ctx.store.get_ui_customization(pool_id, ALL)


async def own_customization(
    ctx: Context, pool_id: str, client_id: str | None
) -> UICustomization | None:
    """Exactly the target's customization (the pool's for ``ALL``), not what it
    inherits: what a form that edits one part must carry over of the other."""
    client_id = await _check_target(ctx, pool_id, client_id)
    return await ctx.store.get_ui_customization(pool_id, client_id)


def image_path(customization: UICustomization) -> str:
    """Where the logo is served, relative to the public URL; ``v`` changes with each
    SetUICustomization so caches never show an old logo."""
    return f"/_ui/{customization.pool_id}/{customization.client_id}/logo?v={customization.version}"


def image_url(ctx: Context, customization: UICustomization) -> str:
    """The logo's absolute URL when the issuer has the form ``{public_url}/{pool_id}``
    (the default), else its path."""
    template = ctx.issuer_template
    suffix = "/{pool_id}"
    base = template[: -len(suffix)] if template.endswith(suffix) else ""
    return base + image_path(customization)
