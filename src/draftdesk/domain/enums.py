"""Names fixed by contract: other tools read them, so spell them exactly."""

from enum import StrEnum


class IncidentType(StrEnum):
    SITE_OUTAGE = "site_outage"
    SLOW_SITE = "slow_site"
    CHECKOUT_FAILURE = "checkout_failure"
    ACCOUNT_ACCESS = "account_access"
    DATA_BREACH = "data_breach"
    SHIPPING_DELAY = "shipping_delay"
    WAREHOUSE_BACKLOG = "warehouse_backlog"
    STOCK_OUT = "stock_out"
    PRODUCT_DEFECT = "product_defect"
    PRODUCT_RECALL = "product_recall"
    MISLEADING_LISTING = "misleading_listing"
    PRICE_ERROR = "price_error"
    VIRAL_COMPLAINT = "viral_complaint"


class Stage(StrEnum):
    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"
    FOLLOW_UP = "follow_up"


class Channel(StrEnum):
    STATUS_PAGE = "status_page"
    EMAIL = "email"
    SMS = "sms"
    SOCIAL = "social"
    BANNER = "banner"
    IN_APP = "in_app"
    REVIEW = "review"


class Severity(StrEnum):
    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"


class AppliesTo(StrEnum):
    REVIEW_REPLY = "review_reply"
    STATUS_UPDATE = "status_update"
    ANNOUNCEMENT = "announcement"


class PhraseFamily(StrEnum):
    GENERIC = "generic"
    DEFENSIVE = "defensive"
    JARGON = "jargon"
    SUGARCOAT = "sugarcoat"


class ExampleTone(StrEnum):
    """What an example sentence teaches the tone model: a family to flag, or a sentence that is fine."""

    GENERIC = "generic"
    DEFENSIVE = "defensive"
    SUGARCOAT = "sugarcoat"
    NEUTRAL = "neutral"


class Approver(StrEnum):
    AGENT = "agent"
    LEAD = "lead"
    LEGAL = "legal"


class KnowledgeKind(StrEnum):
    """One Chroma collection per kind: filtered queries slow down with collection size."""

    GUIDELINES = "guidelines"
    INCIDENTS = "incidents"
    TEMPLATES = "templates"


STAGE_ORDER: dict[Stage, int] = {stage: i for i, stage in enumerate(Stage)}
