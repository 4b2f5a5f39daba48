"""Shared fixtures: where the repository, its scenarios and the CLI binary are."""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "1231_borrowed_road.ron"
TUTORIAL = ROOT / "scenarios" / "tutorial_two_kingdoms.ron"


def cli_path() -> Path:
    """The tianxia binary the Python results are compared with ($TIANXIA, else the release build)."""
    return Path(os.environ.get("TIANXIA", ROOT / "target" / "release" / "tianxia"))


@pytest.fixture(scope="session")
def cli():
    path = cli_path()
    if not path.exists():
        pytest.fail(f"{path} is missing: build it with `cargo build --release` or set $TIANXIA")

    def call(*args: str) -> str:
        done = subprocess.run([str(path), *map(str, args)], capture_output=True, text=True, cwd=ROOT)
        assert done.returncode == 0, done.stderr
        return done.stdout

    return call
