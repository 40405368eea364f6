"""RFC 6238 appendix B test vectors, and the acceptance rules built on them."""

import base64

import pytest

from accounts import totp

SHA1_KEY = b"12345678901234567890"
SHA256_KEY = b"12345678901234567890123456789012"
SHA512_KEY = b"1234567890123456789012345678901234567890123456789012345678901234"

VECTORS = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]


@pytest.mark.parametrize(("timestamp", "sha1", "sha256", "sha512"), VECTORS)
def test_totp_matches_the_rfc_6238_vectors(timestamp: int, sha1: str, sha256: str, sha512: str) -> None:
    assert totp.totp(SHA1_KEY, timestamp, digits=8) == sha1
    assert totp.totp(SHA256_KEY, timestamp, digits=8, digest="sha256") == sha256
    assert totp.totp(SHA512_KEY, timestamp, digits=8, digest="sha512") == sha512


def test_six_digit_codes_are_the_last_six_digits_of_the_vectors() -> None:
    assert totp.totp(SHA1_KEY, 59) == "287082"


SECRET = base64.b32encode(SHA1_KEY).decode()


def test_a_code_of_the_previous_current_or_next_step_is_accepted() -> None:
    now = 1111111111
    step = now // 30
    for offset in (-1, 0, 1):
        code = totp.hotp(SHA1_KEY, step + offset)
        assert totp.matching_step(SECRET, code, now, last_step=None) == step + offset


def test_a_code_two_steps_away_is_refused() -> None:
    now = 1111111111
    assert totp.matching_step(SECRET, totp.hotp(SHA1_KEY, now // 30 - 2), now, last_step=None) is None


def test_the_last_accepted_step_cannot_be_used_again() -> None:
    now = 1111111111
    code = totp.totp(SHA1_KEY, now)
    step = totp.matching_step(SECRET, code, now, last_step=None)
    assert step == now // 30
    assert totp.matching_step(SECRET, code, now, last_step=step) is None


def test_malformed_codes_are_refused() -> None:
    assert totp.matching_step(SECRET, "12345", 59, last_step=None) is None
    assert totp.matching_step(SECRET, "abcdef", 59, last_step=None) is None


def test_new_secrets_are_160_bit_base32_and_the_uri_names_them() -> None:
    secret = totp.new_secret()
    assert len(totp.secret_bytes(secret)) == 20
    uri = totp.provisioning_uri(secret, account="amira@example.org", issuer="Integrating Cities Benchmark")
    assert uri.startswith("otpauth://totp/Integrating%20Cities%20Benchmark:amira@example.org?secret=" + secret)
    assert "period=30" in uri
    assert "digits=6" in uri
