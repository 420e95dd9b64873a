"""What a process loads at start-up: the pipeline's processes never load the API's machinery."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHECK = """
import json, sys, django
django.setup()
from django.contrib.staticfiles import finders
from django.core.management import load_command_class
from django.template.loader import get_template
loaded = {name: name in sys.modules for name in ("ninja", "pydantic")}
import vistka.pipeline.run  # the writer's own imports
loaded["ninja after the pipeline"] = "ninja" in sys.modules
print(json.dumps({**loaded, "template": get_template("ninja/swagger.html").origin.name,
                  "static": bool(finders.find("ninja/favicon.png")),
                  "command": type(load_command_class("vistka.api", "export_openapi_schema")).__module__}))
"""


def test_start_up_leaves_the_api_machinery_out_but_keeps_ninjas_files(tmp_path):
    env = {**os.environ, "VISTKA_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "vistka.config.settings"}
    done = subprocess.run([sys.executable, "-c", CHECK], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["ninja"] is False and found["pydantic"] is False and found["ninja after the pipeline"] is False
    assert found["template"].endswith("ninja/templates/ninja/swagger.html") and found["static"]
    assert found["command"] == "ninja.management.commands.export_openapi_schema"
