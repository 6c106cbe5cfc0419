"""Prompt files (`prompts/*.yaml`): loaded and validated once at start-up, rendered per request.

A file declares its variables; a placeholder it uses but does not declare, or declares but
never uses, is an error naming the file, so a typo fails at start-up rather than mid-outage.
"""

from __future__ import annotations

import secrets
import string
from pathlib import Path

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from draftdesk.domain.drafts import PromptRef
from draftdesk.domain.problems import Problem
from draftdesk.errors import ConfigError, ValidationFailed
from draftdesk.services.text_files import FileProblem, parse_yaml, read_text, validation_problems

REQUIRED = ("review_reply", "review_kind", "status_update", "revision", "review_instruction", "wave_theme")


class PromptFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    version: int = Field(ge=1)
    description: str = Field(min_length=1)
    variables: list[str]
    system: str = Field("", description="Empty for a follow-up turn in a conversation.")
    user: str = Field(min_length=1)

    @property
    def ref(self) -> PromptRef:
        return PromptRef(name=self.name, version=self.version)

    def used_variables(self) -> set[str]:
        used: set[str] = set()
        for part in (self.system, self.user):
            used |= {field for _, field, _, _ in string.Formatter().parse(part) if field is not None}
        return used

    def render(self, **values: object) -> list[BaseMessage]:
        missing = set(self.variables) - values.keys()
        extra = values.keys() - set(self.variables)
        if missing or extra:
            raise ConfigError(
                f"Prompt '{self.name}' v{self.version} was called with missing {sorted(missing)} "
                f"or undeclared {sorted(extra)} variables.",
                "This is a bug in draftdesk or in a customised prompt file; report it with this message.",
            )
        text = {k: str(v) for k, v in values.items()}
        # str.format substitutes once: braces inside a review stay literal text.
        user = HumanMessage(self.user.format(**text))
        return [SystemMessage(self.system.format(**text)), user] if self.system else [user]


class PromptLibrary:
    def __init__(self, prompts: dict[str, PromptFile]) -> None:
        self._prompts = prompts

    def __getitem__(self, name: str) -> PromptFile:
        return self._prompts[name]

    def names(self) -> list[str]:
        return sorted(self._prompts)

    @classmethod
    def load(cls, directory: Path) -> PromptLibrary:
        problems: list[Problem] = []
        prompts: dict[str, PromptFile] = {}
        for path in sorted(directory.glob("*.yaml")):
            prompt = _load_one(path, problems)
            if prompt is None:
                continue
            if prompt.name in prompts:
                problems.append(Problem(file=path, message=f"a second prompt named '{prompt.name}'"))
            prompts[prompt.name] = prompt
        for name in REQUIRED:
            if name not in prompts and not any(p.file.stem == name for p in problems):
                problems.append(
                    Problem(
                        file=directory / f"{name}.yaml", message=f"the required prompt '{name}' is missing"
                    )
                )
        if problems:
            raise ValidationFailed(problems, what="prompt directory")
        return cls(prompts)


def _load_one(path: Path, problems: list[Problem]) -> PromptFile | None:
    node = None
    try:
        data, node = parse_yaml(read_text(path), path)
        prompt = PromptFile.model_validate(data)
    except FileProblem as exc:
        problems.append(exc.problem)
        return None
    except ValidationError as exc:
        problems.extend(validation_problems(exc, path, node))
        return None
    if prompt.name != path.stem:
        problems.append(
            Problem(file=path, field="name", message=f"name '{prompt.name}' differs from the file name")
        )
    used, declared = prompt.used_variables(), set(prompt.variables)
    for var in sorted(used - declared):
        problems.append(
            Problem(
                file=path, field="variables", message=f"'{{{var}}}' is used but not declared in variables"
            )
        )
    for var in sorted(declared - used):
        problems.append(Problem(file=path, field="variables", message=f"'{var}' is declared but never used"))
    return prompt


def new_fence(label: str) -> str:
    """A per-request marker name that text written by the public cannot guess, so cannot close."""
    return f"{label}-{secrets.token_hex(4)}"


def fenced(text: str, fence: str) -> str:
    """Untrusted text with any look-alike of our markers neutralised."""
    return text.replace(f"<{fence}>", "<\u200b" + fence + ">").replace(
        f"</{fence}>", "</\u200b" + fence + ">"
    )
