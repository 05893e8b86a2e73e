// Poolgate's hosted passkey pages: WebAuthn is only reachable from script
// (navigator.credentials), so these two pages run this one same-origin file and
// nothing else (Content-Security-Policy script-src 'self'). The page's form does the
// rest with an ordinary POST: this script only asks the server for the options, asks
// the authenticator, and puts its JSON answer in the form.
"use strict";
(function () {
  const form = document.querySelector("form[data-passkey]");
  const status = document.getElementById("passkey-status");
  if (!form || !status) return;
  if (!window.PublicKeyCredential || !navigator.credentials) {
    status.textContent = "This browser cannot use passkeys.";
    return;
  }
  const decode = (text) => {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  };
  const encode = (buffer) => {
    let text = "";
    new Uint8Array(buffer).forEach((byte) => (text += String.fromCharCode(byte)));
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  };
  const descriptors = (list) => (list || []).map((c) => ({ ...c, id: decode(c.id) }));
  const asJson = (credential) => {
    const r = credential.response;
    const response = { clientDataJSON: encode(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = encode(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      response.authenticatorData = encode(r.authenticatorData);
      response.signature = encode(r.signature);
      if (r.userHandle) response.userHandle = encode(r.userHandle);
    }
    return {
      id: credential.id,
      rawId: encode(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults(),
      response,
    };
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.textContent = "Waiting for your passkey…";
    try {
      const answer = await fetch(form.dataset.options, {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        credentials: "same-origin",
      });
      const body = await answer.json();
      if (!answer.ok) {
        status.textContent = body.message;
        return;
      }
      const options = body.options;
      options.challenge = decode(options.challenge);
      let credential;
      if (form.dataset.passkey === "create") {
        options.user.id = decode(options.user.id);
        options.excludeCredentials = descriptors(options.excludeCredentials);
        credential = await navigator.credentials.create({ publicKey: options });
      } else {
        options.allowCredentials = descriptors(options.allowCredentials);
        credential = await navigator.credentials.get({ publicKey: options });
      }
      form.elements.credential.value = JSON.stringify(asJson(credential));
      if (body.session) form.elements.session.value = body.session;
      form.submit();
    } catch (error) {
      status.textContent = "The passkey was not used: " + error.message;
    }
  });
})();
