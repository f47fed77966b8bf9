"""Every CloudFormation template the generator writes, as it writes it now: each environment's
and the bootstrap stack's (by file name)."""

from __future__ import annotations

from generator.stack import names
from generator.stack.bootstrap.build import render_bootstrap
from generator.stack.build import render
from generator.stack.environments import ENVIRONMENTS


def generated_templates() -> dict[str, str]:
    templates = {env.template_file_name: render(env).text for env in ENVIRONMENTS.values()}
    templates[names.BOOTSTRAP_TEMPLATE_FILE_NAME] = render_bootstrap()
    return templates


TEMPLATE_FILES = sorted(generated_templates())
