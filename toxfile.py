"""tox looks for an environment's Python by name on PATH (`python3.13` for py313); pyenv's
shims answer that name only while that version is selected, so on a pyenv machine plain `tox`
would not find it. Each `pyXY` environment gets the interpreter the tests themselves use
(generator/release/lambda_python.py: PATH, then pyenv's versions, then /usr/bin and
/usr/local/bin), the one `package` compiles the Lambda zip's bytecode with.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from tox.config.loader.memory import MemoryLoader
from tox.config.sets import EnvConfigSet
from tox.plugin import impl
from tox.session.state import State

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generator.release.lambda_python import find_python

_VERSIONED = re.compile(r"^py(\d)(\d+)$")


@impl
def tox_add_env_config(env_conf: EnvConfigSet, state: State) -> None:
    versioned = _VERSIONED.match(env_conf.name)
    if versioned is None:
        return
    found = find_python(f"{versioned[1]}.{versioned[2]}")
    if found is not None:
        env_conf.loaders.insert(0, MemoryLoader(base_python=[str(found)]))
