"""Time-based one-time passwords (RFC 6238, on HOTP of RFC 4226), written with the standard library.

Codes are SHA-1, 6 digits, 30-second steps, as every authenticator app expects; one step of clock
drift either way is accepted, and a step at or before the last accepted one is refused (no replay).
"""

import base64
import hmac
import secrets
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1


def hotp(key: bytes, counter: int, *, digits: int = DIGITS, digest: str = "sha1") -> str:
    mac = hmac.new(key, counter.to_bytes(8, "big"), digest).digest()
    offset = mac[-1] & 0x0F
    value = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def step_at(timestamp: float) -> int:
    return int(timestamp // STEP_SECONDS)


def totp(key: bytes, timestamp: float, *, digits: int = DIGITS, digest: str = "sha1") -> str:
    return hotp(key, step_at(timestamp), digits=digits, digest=digest)


def new_secret() -> str:
    """160 random bits (the size RFC 4226 recommends), as unpadded base32."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")


def secret_bytes(secret: str) -> bytes:
    cleaned = secret.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def matching_step(secret: str, code: str, timestamp: float, *, last_step: int | None) -> int | None:
    """The step whose code `code` is (current step ±1), or None; steps up to `last_step` never match."""
    code = "".join(code.split())
    if len(code) != DIGITS or not code.isdigit():
        return None
    key = secret_bytes(secret)
    current = step_at(timestamp)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(hotp(key, step), code):
            return step
    return None


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    label = quote(f"{issuer}:{account}", safe=":@")
    query = urlencode(
        {"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": DIGITS, "period": STEP_SECONDS}
    )
    return f"otpauth://totp/{label}?{query}"


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
