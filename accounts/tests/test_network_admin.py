"""A network admin in one command (`create_network_admin`), or with Django's `createsuperuser`: verified,
staff, ready to sign in and set up the second factor."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from accounts.models import User

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-admin-password-for-tests"


def test_create_network_admin_makes_a_verified_staff_superuser(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("NETWORK_ADMIN_PASSWORD", PASSWORD)
    call_command("create_network_admin", "Staff@Network.example", "--no-input")
    admin = User.objects.get(email="staff@network.example")
    assert admin.is_staff and admin.is_superuser and admin.email_verified is not None
    assert authenticate(username="staff@network.example", password=PASSWORD) == admin
    assert "two-step verification" in capsys.readouterr().out
    with pytest.raises(CommandError, match="already has an account"):
        call_command("create_network_admin", "staff@network.example", "--no-input")


def test_create_network_admin_refuses_a_weak_password_and_a_bad_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETWORK_ADMIN_PASSWORD", "short")
    with pytest.raises(CommandError, match="The password is refused"):
        call_command("create_network_admin", "staff@network.example", "--no-input")
    with pytest.raises(CommandError, match="is not an e-mail address"):
        call_command("create_network_admin", "not-an-address", "--no-input")
    monkeypatch.delenv("NETWORK_ADMIN_PASSWORD")
    with pytest.raises(CommandError, match="Set NETWORK_ADMIN_PASSWORD"):
        call_command("create_network_admin", "staff@network.example", "--no-input")
    assert not User.objects.filter(email="staff@network.example").exists()


def test_createsuperuser_needs_no_username_and_the_admin_is_verified(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", "--noinput", "--email", "root@network.example")
    admin = User.objects.get(email="root@network.example")
    assert admin.username == "root@network.example" and admin.email_verified is not None
