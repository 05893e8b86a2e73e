import { describe, expect, it } from 'vitest';
import { authority, ConfigError, DEFAULT_SCOPE, parseConfig } from './config';

const SAMPLE = {
  poolgateUrl: 'http://127.0.0.1:9229/',
  userPoolId: 'us-east-1_AbCdEf123',
  clientId: 'abcdefghijklmnopqrstuvwxyz',
  apiUrl: 'http://127.0.0.1:9230/staging/',
  redirectUri: 'http://localhost:5173/callback',
  logoutUri: 'http://localhost:5173/',
  mailboxUrl: 'http://127.0.0.1:9229/_mailbox',
};

describe('parseConfig', () => {
  it('reads config.json and fills in the optional settings', () => {
    const config = parseConfig(SAMPLE);
    expect(config.poolgateUrl).toBe('http://127.0.0.1:9229');
    expect(config.apiUrl).toBe('http://127.0.0.1:9230/staging');
    expect(config.logoutUri).toBe('http://localhost:5173/');
    expect(config.scope).toBe(DEFAULT_SCOPE);
    expect(authority(config)).toBe('http://127.0.0.1:9229/us-east-1_AbCdEf123');
  });

  it('derives the mailbox from Poolgate when it is not given', () => {
    const { mailboxUrl: _omitted, ...rest } = SAMPLE;
    expect(parseConfig(rest).mailboxUrl).toBe('http://127.0.0.1:9229/_mailbox');
  });

  it('names what is missing or wrong', () => {
    expect(() => parseConfig({})).toThrow(/missing "poolgateUrl", "userPoolId", "clientId", "apiUrl", "redirectUri", "logoutUri"/);
    expect(() => parseConfig({ ...SAMPLE, apiUrl: 'ftp://x' })).toThrow(/"apiUrl" is not an http\(s\) URL/);
    expect(() => parseConfig({ ...SAMPLE, userPoolId: 'nope' })).toThrow(ConfigError);
    expect(() => parseConfig([])).toThrow(/JSON object/);
  });
});
