"""Whether this server can work now: the store, the database and the language model reachable
(`GET /readyz`)."""

from typing import Literal

import httpx
from pydantic import BaseModel
from sqlalchemy import text

from draftdesk.container import Container
from draftdesk.domain.drafts import Engine
from draftdesk.errors import DraftdeskError


class ComponentState(BaseModel):
    ok: bool
    detail: str


class Readiness(BaseModel):
    status: Literal["ready", "not ready"]
    components: dict[str, ComponentState]


def readiness(container: Container) -> Readiness:
    """Whether the store, the database and the language model can be reached now."""
    components: dict[str, ComponentState] = {}
    try:
        counts = container.knowledge_size()
        components["store"] = ComponentState(ok=True, detail=f"{sum(counts.values())} entries")
    except Exception as exc:  # any failure means the same here: not ready
        components["store"] = ComponentState(ok=False, detail=_reason(exc))
    try:
        with container.database() as session:
            session.execute(text("SELECT 1"))
        components["database"] = ComponentState(ok=True, detail="reachable")
    except Exception as exc:
        components["database"] = ComponentState(ok=False, detail=_reason(exc))
    components["llm"] = _llm_state(container)
    ready = all(c.ok for c in components.values())
    return Readiness(status="ready" if ready else "not ready", components=components)


def _llm_state(container: Container) -> ComponentState:
    try:
        llm = container.llm
    except Exception as exc:
        return ComponentState(ok=False, detail=_reason(exc))
    if llm is None:
        return ComponentState(ok=True, detail="not used: template engine")
    if llm.engine != Engine.OPENAI:
        return ComponentState(ok=True, detail=f"{llm.engine} model {llm.model} loaded in this process")
    settings = container.settings
    base = (settings.openai_base_url or "https://api.openai.com/v1").rstrip("/")
    key = settings.openai_key()
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    try:
        answer = httpx.get(f"{base}/models", headers=headers, timeout=5.0)
    except httpx.HTTPError as exc:
        return ComponentState(ok=False, detail=f"{base} is not reachable: {type(exc).__name__}: {exc}")
    if answer.status_code != 200:
        return ComponentState(ok=False, detail=f"{base} answered HTTP {answer.status_code}")
    return ComponentState(ok=True, detail=f"{base} reachable")


def _reason(exc: Exception) -> str:
    return exc.message if isinstance(exc, DraftdeskError) else f"{type(exc).__name__}: {exc}"[:300]
