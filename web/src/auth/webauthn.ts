/**
 * Passkeys in the browser: WebAuthn's options arrive from Poolgate as JSON
 * (PublicKeyCredentialCreationOptionsJSON / RequestOptionsJSON, binary fields in
 * base64url), navigator.credentials wants ArrayBuffers, and Poolgate wants the
 * answer back as RegistrationResponseJSON / AuthenticationResponseJSON.
 */

export function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function toBase64url(buffer: ArrayBuffer | Uint8Array): string {
  const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
  let binary = '';
  bytes.forEach((byte) => (binary += String.fromCharCode(byte)));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

interface DescriptorJson {
  id: string;
  type: string;
  transports?: string[];
}

function descriptors(list: unknown): PublicKeyCredentialDescriptor[] {
  return ((list as DescriptorJson[] | undefined) ?? []).map((d) => ({
    type: 'public-key',
    id: fromBase64url(d.id),
    transports: d.transports as AuthenticatorTransport[] | undefined,
  }));
}

/** A credential as the JSON Poolgate (and Cognito) expect. */
export function credentialJson(credential: PublicKeyCredential): Record<string, unknown> {
  const r = credential.response;
  const response: Record<string, unknown> = { clientDataJSON: toBase64url(r.clientDataJSON) };
  if ('attestationObject' in r) {
    const attestation = r as AuthenticatorAttestationResponse;
    response.attestationObject = toBase64url(attestation.attestationObject);
    response.transports = attestation.getTransports ? attestation.getTransports() : [];
  } else {
    const assertion = r as AuthenticatorAssertionResponse;
    response.authenticatorData = toBase64url(assertion.authenticatorData);
    response.signature = toBase64url(assertion.signature);
    if (assertion.userHandle) response.userHandle = toBase64url(assertion.userHandle);
  }
  return {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment ?? undefined,
    clientExtensionResults: credential.getClientExtensionResults(),
    response,
  };
}

/** navigator.credentials.create() from StartWebAuthnRegistration's CredentialCreationOptions. */
export async function createPasskey(options: Record<string, unknown>): Promise<Record<string, unknown>> {
  const user = options.user as { id: string; name: string; displayName: string };
  const publicKey = {
    ...options,
    challenge: fromBase64url(options.challenge as string),
    user: { ...user, id: fromBase64url(user.id) },
    excludeCredentials: descriptors(options.excludeCredentials),
  } as unknown as PublicKeyCredentialCreationOptions;
  const credential = (await navigator.credentials.create({ publicKey })) as PublicKeyCredential | null;
  if (!credential) throw new Error('The authenticator made no passkey.');
  return credentialJson(credential);
}

/** navigator.credentials.get() from the WEB_AUTHN challenge's CREDENTIAL_REQUEST_OPTIONS. */
export async function getPasskey(requestOptionsJson: string): Promise<Record<string, unknown>> {
  const options = JSON.parse(requestOptionsJson) as Record<string, unknown>;
  const publicKey = {
    ...options,
    challenge: fromBase64url(options.challenge as string),
    allowCredentials: descriptors(options.allowCredentials),
  } as unknown as PublicKeyCredentialRequestOptions;
  const credential = (await navigator.credentials.get({ publicKey })) as PublicKeyCredential | null;
  if (!credential) throw new Error('No passkey was used.');
  return credentialJson(credential);
}

export function passkeysSupported(): boolean {
  return typeof window !== 'undefined' && 'PublicKeyCredential' in window && !!navigator.credentials;
}
