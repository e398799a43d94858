"""Helpers of the partner API tests (the `keys` fixture is in tests/conftest.py)."""


def bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}
