import { describe, expect, it } from 'vitest';
import { totpUri } from './security';
import { fromBase64url, toBase64url } from './webauthn';

describe('base64url', () => {
  it('round-trips every byte value, without padding', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const text = toBase64url(bytes);
    expect(text).not.toMatch(/[+/=]/);
    expect(Array.from(fromBase64url(text))).toEqual(Array.from(bytes));
  });

  it('reads what Python writes (urlsafe_b64encode without "=")', () => {
    expect(Array.from(fromBase64url('-_8'))).toEqual([0xfb, 0xff]);
  });
});

describe('totpUri', () => {
  it('is the Key Uri Format authenticator apps read', () => {
    const uri = totpUri('JBSWY3DPEHPK3PXP', 'dana@travelguide.example');
    expect(uri.startsWith('otpauth://totp/TravelGuide:dana@travelguide.example?')).toBe(true);
    const query = new URL(uri.replace('otpauth:', 'https:')).searchParams;
    expect(query.get('secret')).toBe('JBSWY3DPEHPK3PXP');
    expect(query.get('issuer')).toBe('TravelGuide');
    expect(query.get('digits')).toBe('6');
  });
});
