"""Settings come from the environment with strict parsing; production mode passes Django's deploy checks."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from qic.settings import env_bool, env_int, env_list

PROD_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x7Hq!p2N#vL9sT4wZ0rK8mB3cF6yD1jG5hA0eU2iO9nR7tQ4-kW8zX3vY6",
    "ALLOWED_HOSTS": "qic.anct.gouv.fr",
    "DATABASE_URL": "sqlite:////tmp/qic-deploy-check.sqlite3",
}


def run_manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEBUG", "SECRET_KEY"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**clean, **env, "DJANGO_SETTINGS_MODULE": "qic.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_env_bool_accepts_only_true_or_false(monkeypatch):
    monkeypatch.setenv("QIC_FLAG", "true")
    assert env_bool("QIC_FLAG", False) is True
    monkeypatch.setenv("QIC_FLAG", "False")
    assert env_bool("QIC_FLAG", True) is False
    monkeypatch.setenv("QIC_FLAG", "peut-être")
    with pytest.raises(ImproperlyConfigured, match="QIC_FLAG must be true or false"):
        env_bool("QIC_FLAG", False)
    monkeypatch.delenv("QIC_FLAG")
    assert env_bool("QIC_FLAG", True) is True


def test_env_int_and_list_reject_nonsense(monkeypatch):
    monkeypatch.setenv("QIC_NUMBER", "douze")
    with pytest.raises(ImproperlyConfigured, match="QIC_NUMBER must be an integer"):
        env_int("QIC_NUMBER", 1)
    monkeypatch.setenv("QIC_HOSTS", " a.fr, b.fr ,")
    assert env_list("QIC_HOSTS", []) == ["a.fr", "b.fr"]


def test_production_mode_refuses_to_start_without_a_secret_key():
    env = {**PROD_ENV}
    del env["SECRET_KEY"]
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_checking_migrations_needs_no_secret_but_other_commands_say_what_is_missing():
    env = {**PROD_ENV}
    del env["SECRET_KEY"]
    result = run_manage("makemigrations", "--check", "--dry-run", env=env)
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout
    refused = run_manage("showmigrations", env=env)
    assert refused.returncode != 0
    assert "SECRET_KEY must be set" in refused.stderr and "AppRegistryNotReady" not in refused.stderr


def test_production_mode_passes_the_deploy_checks():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PROD_ENV)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_bad_debug_value_is_refused():
    result = run_manage("check", env={**PROD_ENV, "DEBUG": "oui-non"})
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_without_redis_tasks_run_in_process():
    if os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is set: the production path is tested by tests/test_worker.py")
    assert settings.CELERY_BROKER_URL == "memory://"
