"""Token signing keys: generated and sealed (``signing_keys``), parsed once and cached
per process (``keyring``), published as a pool's JWKS (``jwks``), rotated with the new
key published before it signs (``rotation``)."""
