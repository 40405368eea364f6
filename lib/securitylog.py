"""The structured security log (docs/quality.md S8): one JSON object per event on the logger "icb.security".

It never carries secrets: field names that could hold one are refused outright, so a careless call
fails in tests instead of leaking a password, token or code into the log.
"""

import json
import logging

from django.http import HttpRequest

from lib.clients import client_ip, hashed

logger = logging.getLogger("icb.security")

FORBIDDEN = ("password", "token", "code", "secret", "otp")


def email_ref(email: str) -> str:
    """A short, stable reference for an e-mail address, so failures can be correlated without storing it."""
    return hashed("email", email.strip().lower())[:16]


def log_event(event: str, request: HttpRequest | None = None, **fields: str | int | None) -> None:
    for name in fields:
        if any(word in name.lower() for word in FORBIDDEN):
            raise ValueError(f"the security log refuses a field named {name!r}")
    record: dict[str, str | int | None] = {"event": event}
    if request is not None:
        record["ip"] = client_ip(request)
    record.update(fields)
    logger.info(json.dumps(record, sort_keys=True), extra={"security_event": event})
