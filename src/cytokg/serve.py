"""Run the web app under gunicorn, the production WSGI server."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from flask import Flask

__all__ = ["app_from_environment", "run_gunicorn"]


def app_from_environment() -> Flask:
    """The app factory gunicorn calls in each worker; paths come from the environment."""
    from .server import create_app

    logging.basicConfig(level=logging.INFO, format="%(message)s")  # one JSON line per request
    config = json.loads(os.environ.get("CYTOKG_CONFIG", "{}"))
    if "ALLOWED_SERVICES" in config:
        config["ALLOWED_SERVICES"] = frozenset(config["ALLOWED_SERVICES"])
    return create_app(Path(os.environ["CYTOKG_BUILD_DIR"]), Path(os.environ["CYTOKG_QUERIES_DIR"]), config)


def run_gunicorn(
    build_dir: Path, queries_dir: Path, host: str, port: int, workers: int, config: dict[str, Any]
) -> None:
    """Replace this process with gunicorn serving CytoKG; ``config`` overrides the app's limits.

    Each worker opens the release ``build_dir/current`` names when it starts, so a reload (HUP) serves a new build.
    """
    from .publish import current_release

    if not config.get("BACKEND") and not (current_release(build_dir) / "oxigraph").exists():
        raise FileNotFoundError(f"{build_dir / 'oxigraph'}: no store; run `cytokg build` first")
    env = dict(
        os.environ,
        CYTOKG_BUILD_DIR=str(build_dir.resolve()),
        CYTOKG_QUERIES_DIR=str(queries_dir.resolve()),
        CYTOKG_CONFIG=json.dumps(config),
    )
    gunicorn = Path(os.sys.executable).with_name("gunicorn")
    args = [
        str(gunicorn),
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "60",
        "--access-logfile",
        "-",
        "cytokg.serve:app_from_environment()",
    ]
    os.execvpe(args[0], args, env)
