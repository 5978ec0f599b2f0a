"""The README's shell commands, run as written in a new shell after `make demo`.

`make demo` writes `.env` (the demo's development keys and database) and loads the demo; a new
shell then has none of the Makefile's variables. This test does the same in a temporary folder —
its own `.env` through FULIAN_ENV_FILE, so a developer's own `.env` is left alone — and runs every
`.venv/bin/python …` line of the README's shell blocks with FILE replaced by a sheet made here.
Lines naming a folder of division files (DIR) need the npm package's files and are only checked
to parse as commands; `db_worker` runs until it is stopped, so it is started and must stay up.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from fulian.imports.tests.files import xlsx

BASE = Path(settings.BASE_DIR)
README = BASE / "README.md"


def shell_commands() -> list[str]:
    """The `.venv/bin/python` lines of the README's ```sh blocks, comments cut off."""
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.DOTALL)
    lines = [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line.startswith(".venv/bin/python")]


def new_shell(env_file: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FULIAN_", "DATABASE_URL", "DJANGO_"))}
    env["FULIAN_ENV_FILE"] = str(env_file)
    return env


def run(command: str, env: dict[str, str], typed: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        shlex.split(command), cwd=BASE, env=env, input=typed, capture_output=True, text=True, timeout=300
    )


def test_the_readme_names_the_commands_it_promises() -> None:
    commands = " ".join(shell_commands())
    for name in ["import_households", "import_people", "load_divisions", "bootstrap_account", "reset_two_factor"]:
        assert f"manage.py {name}" in commands, name


@pytest.fixture
def demo_database(tmp_path: Path) -> Iterator[str]:
    """The demo's database: a SQLite file, or, when the suite runs on PostgreSQL (the README's
    `DATABASE_URL=postgres://… make demo`), a new database on that server, dropped afterwards."""
    default = settings.DATABASES["default"]
    if default["ENGINE"] != "django.db.backends.postgresql":
        yield f"sqlite:///{tmp_path}/demo.sqlite3"
        return
    import psycopg

    name = f"test_readme_{os.getpid()}"
    server = f"host={default['HOST']} port={default['PORT'] or 5432} user={default['USER']} dbname=postgres"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://{default['USER']}@{default['HOST']}:{default['PORT'] or 5432}/{name}"
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_every_shell_command_in_the_readme_runs_as_written_after_make_demo(tmp_path: Path, demo_database: str) -> None:
    env_file = tmp_path / ".env"  # what `make demo` writes
    env_file.write_text(f"FULIAN_DEV_KEYS=1\nDATABASE_URL={demo_database}\n")
    env = new_shell(env_file)
    for step in [".venv/bin/python manage.py migrate --noinput -v0", ".venv/bin/python manage.py load_demo"]:
        result = run(step, env)
        assert result.returncode == 0, f"{step}\n{result.stderr[-2000:]}"

    households = tmp_path / "households.xlsx"
    households.write_bytes(xlsx([["村（社区）", "户主姓名", "联系电话"], ["回龙村", "周建国", "13907330101"]]))
    people = tmp_path / "people.xlsx"
    people.write_bytes(xlsx([["村（社区）", "姓名", "性别", "手机号码"], ["回龙村", "李秀英", "女", "13907330102"]]))
    ran = 0
    for command in shell_commands():
        if " DIR " in f"{command} ":
            assert shlex.split(command)[1] == "manage.py"
            continue
        if "import_people" in command:
            command = command.replace("FILE", str(people))
        command = command.replace("FILE", str(households))
        # bootstrap_account asks for the officer's first password (typed here, as at a terminal).
        result = run(command, env, typed="Bootstrap-Pass-2026\n" if "bootstrap_account" in command else "")
        assert result.returncode == 0, f"{command}\n{result.stdout[-1000:]}\n{result.stderr[-2000:]}"
        ran += 1
    assert ran >= 7

    worker = subprocess.Popen(
        shlex.split(".venv/bin/python manage.py db_worker"),
        cwd=BASE,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        time.sleep(5)  # not a timing assertion: the worker only has to still be running
        assert worker.poll() is None, worker.stdout.read() if worker.stdout else ""
    finally:
        worker.terminate()
        worker.wait(timeout=30)
