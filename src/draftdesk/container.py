"""Wires adapters into services from one Settings object; entry points hold one of these."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from draftdesk.adapters.chroma_store import ChromaStore
from draftdesk.adapters.database import open_database
from draftdesk.adapters.embeddings import Embedder, build_embedder
from draftdesk.adapters.llm import ChatLLM, build_llm
from draftdesk.domain.drafts import Engine
from draftdesk.domain.enums import KnowledgeKind
from draftdesk.domain.knowledge import KnowledgeBase, ReplyPhrasing
from draftdesk.paths import bundled_dir
from draftdesk.services.api_keys import ApiKeyService
from draftdesk.services.batch_jobs import JobService
from draftdesk.services.drafting_support import DraftingContext
from draftdesk.services.history import HistoryService
from draftdesk.services.incident_drafting import IncidentDrafter
from draftdesk.services.incident_workspace import IncidentFiler, IncidentWorkspace
from draftdesk.services.ingestion import IngestionService, IngestSummary, Progress
from draftdesk.services.job_worker import JobWorker
from draftdesk.services.knowledge_admin import KnowledgeAdmin
from draftdesk.services.knowledge_loader import load_knowledge
from draftdesk.services.knowledge_overlay import load_merged
from draftdesk.services.message_check import MessageChecker
from draftdesk.services.prompt_library import PromptLibrary
from draftdesk.services.records import RecordService
from draftdesk.services.repetition import PublishedReplies
from draftdesk.services.retrieval import RetrievalService
from draftdesk.services.review_drafting import ReviewDrafter
from draftdesk.services.review_io import read_reviews
from draftdesk.services.template_engine import TemplateEngine
from draftdesk.services.tone_check import ToneChecker
from draftdesk.services.users import UserService
from draftdesk.services.wave_analysis import WaveAnalyzer
from draftdesk.services.wave_themes import ReviewVectors
from draftdesk.settings import Settings


class Container:
    """Built lazily: the CLI's `--help` must not load a model or open the store."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def embedder(self) -> Embedder:
        return build_embedder(self.settings)

    @cached_property
    def store(self) -> ChromaStore:
        return ChromaStore(self.settings)

    @cached_property
    def ingestion(self) -> IngestionService:
        return IngestionService(self.store, self.embedder)

    @cached_property
    def retrieval(self) -> RetrievalService:
        return RetrievalService(self.store, self.embedder)

    @cached_property
    def knowledge(self) -> KnowledgeBase:
        """The company's knowledge with the app's own edits over it: the same view the store mirrors."""
        return load_merged(self.settings.resolved_knowledge_dir, self.settings.filed_knowledge_dir).kb

    def reload_knowledge(self) -> None:
        """After the knowledge files changed: the next draft and check use the new guidelines and
        templates. A page that kept the incident workspace keeps it, with new collaborators."""
        for name in ("knowledge", "checker", "messages", "drafting", "reviews", "incidents"):
            self.__dict__.pop(name, None)
        workspace = self.__dict__.get("incident_workspace")
        if workspace is not None:
            workspace.kb = self.knowledge
            workspace.drafter = self.incidents
            workspace.messages = self.messages

    @cached_property
    def knowledge_admin(self) -> KnowledgeAdmin:
        settings = self.settings
        return KnowledgeAdmin(
            settings.resolved_knowledge_dir,
            settings.filed_knowledge_dir,
            bundled=settings.resolved_knowledge_dir.resolve() == bundled_dir("knowledge").resolve(),
            ingest=lambda progress, rebuild: self.ingest(rebuild=rebuild, progress=progress),
            reload=self.reload_knowledge,
        )

    @cached_property
    def waves(self) -> WaveAnalyzer:
        llm = self.llm
        # A 1.5B local model takes seconds a call and names groups no better than their words.
        if llm is not None and llm.engine == Engine.LOCAL:
            llm = None
        return WaveAnalyzer(
            ReviewVectors(self.store, self.embedder), self.retrieval, llm, self.prompts["wave_theme"]
        )

    @cached_property
    def prompts(self) -> PromptLibrary:
        return PromptLibrary.load(self.settings.resolved_prompts_dir)

    @cached_property
    def llm(self) -> ChatLLM | None:
        """None when drafts come from the template engine alone."""
        return build_llm(self.settings)

    @cached_property
    def checker(self) -> ToneChecker:
        checker = ToneChecker(
            self.knowledge, background=self._sample_reviews(), tone_threshold=self.settings.tone_threshold
        )
        checker.repetition = self.published
        return checker

    @cached_property
    def messages(self) -> MessageChecker:
        return MessageChecker(
            self.checker, self.knowledge, self.settings.store_contact, self.settings.duplicate_overlap
        )

    @cached_property
    def database(self) -> sessionmaker[Session]:
        return open_database(self.settings.resolved_database_url)

    @cached_property
    def records(self) -> RecordService:
        return RecordService(self.database, lambda: self.published)

    @cached_property
    def published(self) -> PublishedReplies:
        return PublishedReplies(lambda: self.store, lambda: self.duplicate_embedder, self.settings)

    @cached_property
    def duplicate_embedder(self) -> Embedder:
        """A fast model for repetition: every draft is compared with every published reply."""
        backend = self.settings.duplicate_embedding_backend
        if backend == self.settings.embedding_backend:
            return self.embedder
        return build_embedder(self.settings.model_copy(update={"embedding_backend": backend}))

    def _sample_reviews(self) -> list[str]:
        """The 'any other review' that specificity compares against: the store's samples, else ours."""
        for root in (self.settings.resolved_knowledge_dir, bundled_dir("knowledge")):
            path = root / "samples" / "reviews.csv"
            if path.is_file():
                return [r.text for r in read_reviews(path).reviews]
        return []

    @cached_property
    def drafting(self) -> DraftingContext:
        return DraftingContext(
            kb=self.knowledge,
            prompts=self.prompts,
            llm=self.llm,
            checker=self.checker,
            templates=TemplateEngine(
                self.knowledge, self.settings.store_name, self.settings.store_contact, self._reply_phrasing()
            ),
            retrieval=self.retrieval,
            store_name=self.settings.store_name,
            contact=self.settings.store_contact,
            max_revisions=self.settings.max_revisions,
        )

    def _reply_phrasing(self) -> dict[str, ReplyPhrasing]:
        """The company's replies/ folder, else the bundled phrasing: template replies never come out empty."""
        if self.knowledge.replies:
            return self.knowledge.replies
        return load_knowledge(bundled_dir("knowledge")).kb.replies

    @cached_property
    def reviews(self) -> ReviewDrafter:
        return ReviewDrafter(self.drafting)

    @cached_property
    def incidents(self) -> IncidentDrafter:
        return IncidentDrafter(self.drafting)

    @cached_property
    def incident_workspace(self) -> IncidentWorkspace:
        return IncidentWorkspace(
            self.database,
            self.records,
            self.incidents,
            self.messages,
            self.knowledge,
            IncidentFiler(self.settings.filed_knowledge_dir, self.ingestion),
        )

    @cached_property
    def users(self) -> UserService:
        return UserService(self.database, self.settings.accounts)

    @cached_property
    def history(self) -> HistoryService:
        return HistoryService(self.database)

    @cached_property
    def api_keys(self) -> ApiKeyService:
        return ApiKeyService(self.database)

    @cached_property
    def jobs(self) -> JobService:
        """Batch jobs: submit, status, results, cancel (the REST API and `draftdesk batch`)."""
        return JobService(self.database)

    @cached_property
    def job_worker(self) -> JobWorker:
        """Drafts queued job items in the background once `start()`ed; stop it with `stop()`."""
        return JobWorker(self.database, self.reviews, self.settings, self.records, llm=self.batch_llm)

    @cached_property
    def batch_llm(self) -> ChatLLM | None:
        """The model for batch jobs with its client not retrying: the job worker retries failed calls
        itself, waiting outside its model-call slots. None (the worker uses `llm` as it is) for the
        template engine and for the local model, which has no client and is loaded once."""
        llm = self.llm
        if llm is None or llm.engine is not Engine.OPENAI:
            return None
        return build_llm(self.settings.model_copy(update={"llm_max_retries": 0}))

    def engine_label(self) -> str:
        llm = self.llm
        return f"{llm.engine} · {llm.model}" if llm else "template · no language model"

    def knowledge_size(self) -> dict[str, int]:
        return self.store.counts([str(k) for k in KnowledgeKind])

    def ensure_knowledge(self, progress: Progress | None = None) -> IngestSummary | None:
        """On first start (an empty store) ingest the configured knowledge base; else do nothing."""
        if any(self.knowledge_size().values()):
            return None
        return self.ingest(progress=progress)

    def ingest(
        self, path: Path | None = None, rebuild: bool = False, progress: Progress | None = None
    ) -> IngestSummary:
        """The company's knowledge directory, with the entries the app has edited, added, deleted or
        filed (see knowledge_overlay) over it."""
        return self.ingestion.ingest(
            path or self.settings.resolved_knowledge_dir,
            rebuild,
            progress,
            filed=self.settings.filed_knowledge_dir,
        )

    def close(self) -> None:
        if "job_worker" in self.__dict__:
            self.job_worker.stop()
        if "store" in self.__dict__:
            self.store.close()
        if "database" in self.__dict__:
            bind = self.database.kw.get("bind")
            if bind is not None:
                bind.dispose()
