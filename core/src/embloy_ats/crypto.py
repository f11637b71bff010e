"""Credentials at rest: encrypted with MultiFernet, keys from EMBLOY_ATS_ENCRYPTION_KEYS.

The first key encrypts; every key decrypts, so keys can be rotated: add a new key in front,
run `KeyRing.rotate` over the stored values (the CLI and `Resolver.rotate_credentials` do),
then drop the old key. A database dump holds only ciphertext.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from embloy_ats.errors import ConfigurationError

ENCRYPTION_KEYS_ENV = "EMBLOY_ATS_ENCRYPTION_KEYS"


class CredentialsUnreadable(ConfigurationError):
    """Stored credentials cannot be decrypted: tampered with, or encrypted under another key."""

    hint = (
        f"Check {ENCRYPTION_KEYS_ENV} holds the key they were stored with, "
        "or set the connection's credentials again."
    )


class EncryptedDataUnreadable(ConfigurationError):
    """Stored data (an application's answers or files) cannot be decrypted with these keys."""

    hint = (
        f"Check {ENCRYPTION_KEYS_ENV} still holds the key it was stored with: keep an old key "
        "after the new one until every stored value has been rotated."
    )


class KeyRing:
    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ConfigurationError(
                "no encryption key is configured",
                hint=f"Set {ENCRYPTION_KEYS_ENV} (comma-separated Fernet keys; "
                "`embloy-ats keys generate` makes one).",
            )
        try:
            self._fernet = MultiFernet([Fernet(key.strip().encode()) for key in keys])
        except (ValueError, TypeError) as exc:
            raise ConfigurationError(
                f"{ENCRYPTION_KEYS_ENV} holds a value that is not a Fernet key",
                hint="Each key is 32 url-safe base64-encoded bytes (`embloy-ats keys generate`).",
            ) from exc

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> KeyRing | None:
        """The key ring the environment configures, or None when no key is set."""
        raw = environ.get(ENCRYPTION_KEYS_ENV, "")
        keys = [key for key in raw.split(",") if key.strip()]
        return cls(keys) if keys else None

    @staticmethod
    def generate() -> str:
        return Fernet.generate_key().decode()

    def encrypt(self, values: Mapping[str, str]) -> bytes:
        return self._fernet.encrypt(json.dumps(dict(values), sort_keys=True).encode())

    def decrypt(self, token: bytes, *, what: str) -> dict[str, str]:
        try:
            plain = self._fernet.decrypt(token)
        except InvalidToken:
            raise CredentialsUnreadable(
                f"the stored credentials of {what} cannot be decrypted"
            ) from None
        values = json.loads(plain)
        if not isinstance(values, dict):
            raise CredentialsUnreadable(f"the stored credentials of {what} are not a mapping")
        return {str(key): str(value) for key, value in values.items()}

    def rotate(self, token: bytes, *, what: str) -> bytes:
        """The same secret, encrypted under the first (newest) key."""
        try:
            return self._fernet.rotate(token)
        except InvalidToken:
            raise CredentialsUnreadable(
                f"the stored credentials of {what} cannot be decrypted"
            ) from None

    def encrypt_bytes(self, data: bytes) -> bytes:
        """Any bytes (a candidate's answers or files), encrypted under the newest key."""
        return self._fernet.encrypt(data)

    def decrypt_bytes(self, token: bytes, *, what: str) -> bytes:
        try:
            return self._fernet.decrypt(token)
        except InvalidToken:
            raise EncryptedDataUnreadable(f"{what} cannot be decrypted") from None

    def rotate_bytes(self, token: bytes, *, what: str) -> bytes:
        """`encrypt_bytes` output re-encrypted under the newest key."""
        try:
            return self._fernet.rotate(token)
        except InvalidToken:
            raise EncryptedDataUnreadable(f"{what} cannot be decrypted") from None
