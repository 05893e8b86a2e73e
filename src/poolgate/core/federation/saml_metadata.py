"""What Poolgate reads of a SAML IdP's metadata before any sign-in: its entity id,
its single sign-on and logout endpoints (SAML 2.0 Metadata, sections 2.3 and 2.4.3).
Signature checks of assertions are pysaml2's (``saml``)."""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from poolgate.core.errors import InvalidParameterException

_MD = "{urn:oasis:names:tc:SAML:2.0:metadata}"
REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"


@dataclass
class IdpMetadata:
    entity_id: str
    sso_redirect: str | None
    sso_post: str | None
    slo_redirect: str | None


def parse(document: str) -> IdpMetadata:
    try:
        root = fromstring(document.encode())
    except (ParseError, DefusedXmlException, ValueError):
        raise InvalidParameterException("The SAML metadata is not well-formed XML.") from None
    if root.tag == f"{_MD}EntitiesDescriptor":
        found = root.find(f"{_MD}EntityDescriptor")
        if found is None:
            raise InvalidParameterException("The SAML metadata has no EntityDescriptor.")
        root = found
    if root.tag != f"{_MD}EntityDescriptor" or not root.get("entityID"):
        raise InvalidParameterException("The SAML metadata has no EntityDescriptor.")
    idp = root.find(f"{_MD}IDPSSODescriptor")
    if idp is None:
        raise InvalidParameterException("The SAML metadata has no IDPSSODescriptor.")

    def location(tag: str, binding: str) -> str | None:
        for element in idp.findall(f"{_MD}{tag}"):
            if element.get("Binding") == binding and element.get("Location"):
                return str(element.get("Location"))
        return None

    sso_redirect = location("SingleSignOnService", REDIRECT)
    sso_post = location("SingleSignOnService", POST)
    if sso_redirect is None and sso_post is None:
        raise InvalidParameterException(
            "The SAML metadata has no SingleSignOnService with the HTTP-Redirect or "
            "HTTP-POST binding."
        )
    return IdpMetadata(
        entity_id=str(root.get("entityID")),
        sso_redirect=sso_redirect,
        sso_post=sso_post,
        slo_redirect=location("SingleLogoutService", REDIRECT),
    )
