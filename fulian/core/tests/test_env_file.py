"""The demo's `.env` (written by `make demo`) lets the README's shell commands run in a new
shell; without it, and without real keys, the site still refuses to start."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from config.settings import read_env_file

BASE = Path(settings.BASE_DIR)


def _run(env_file: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    # A new shell: none of the variables the Makefile or the test run set.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FULIAN_", "DATABASE_URL", "DJANGO_"))}
    env.update(FULIAN_ENV_FILE=str(env_file), **extra)
    code = "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings'); django.setup(); "
    code += "from django.conf import settings as s; print(s.DATABASES['default']['NAME'])"
    return subprocess.run([sys.executable, "-c", code], cwd=BASE, env=env, capture_output=True, text=True, timeout=120)


def test_the_file_is_read_as_key_value_lines(tmp_path: Path) -> None:
    path = tmp_path / "demo.env"
    path.write_text("# a comment\n\nFULIAN_DEV_KEYS=1\n DATABASE_URL = sqlite:////tmp/x.sqlite3 \nnot a pair\n")
    assert read_env_file(path) == {"FULIAN_DEV_KEYS": "1", "DATABASE_URL": "sqlite:////tmp/x.sqlite3"}


def test_a_new_shell_finds_the_demo_keys_and_database_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "demo.env"
    path.write_text(f"FULIAN_DEV_KEYS=1\nDATABASE_URL=sqlite:///{tmp_path}/demo.sqlite3\n")
    result = _run(path)
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.strip() == f"{tmp_path}/demo.sqlite3"


def test_the_real_environment_wins_over_the_file(tmp_path: Path) -> None:
    path = tmp_path / "demo.env"
    path.write_text(f"FULIAN_DEV_KEYS=1\nDATABASE_URL=sqlite:///{tmp_path}/demo.sqlite3\n")
    result = _run(path, DATABASE_URL=f"sqlite:///{tmp_path}/other.sqlite3")
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.strip() == f"{tmp_path}/other.sqlite3"


def test_without_the_file_and_without_keys_the_site_refuses_to_start(tmp_path: Path) -> None:
    result = _run(tmp_path / "missing.env")
    assert result.returncode != 0
    assert "FULIAN_SECRET_KEY must be set" in result.stderr
