"""Destinations' secrets at rest: sealed with Fernet (AES-128-CBC + HMAC-SHA256) under
`Settings.delivery_key`; only a `deliver` job opens them, never the API."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from greffier.config import Settings
from greffier.delivery.errors import DeliveryError

_FIX = "set GREFFIER_DELIVERY_KEY (or delivery_key in the config file) to the output of greffier admin delivery-key"


def new_key() -> str:
    return Fernet.generate_key().decode()


def _fernet(settings: Settings) -> Fernet:
    if not settings.delivery_key:
        raise DeliveryError("no key to encrypt destinations' secrets with", _FIX)
    try:
        return Fernet(settings.delivery_key.encode())
    except ValueError:
        raise DeliveryError(
            "GREFFIER_DELIVERY_KEY is not a Fernet key (32 bytes, URL-safe base64)", _FIX
        ) from None


def seal(settings: Settings, secret: str) -> str:
    return _fernet(settings).encrypt(secret.encode()).decode()


def unseal(settings: Settings, sealed: str) -> str:
    try:
        return _fernet(settings).decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise DeliveryError(
            "a destination's secret cannot be decrypted: GREFFIER_DELIVERY_KEY changed since it was added",
            "restore the former key, or add the destination again with its secret",
        ) from None


def reseal(settings: Settings, new: str, sealed: str) -> str:
    """`sealed` (under the settings' key, or already under `new`) sealed again under the key `new`."""
    try:
        keys = MultiFernet([Fernet(new.encode()), _fernet(settings)])
    except ValueError:
        raise DeliveryError("the new key is not a Fernet key (32 bytes, URL-safe base64)", _FIX) from None
    try:
        return keys.rotate(sealed.encode()).decode()
    except InvalidToken:
        raise DeliveryError(
            "a destination's secret cannot be decrypted with GREFFIER_DELIVERY_KEY",
            "set GREFFIER_DELIVERY_KEY to the key the secrets were sealed with, then rotate",
        ) from None
