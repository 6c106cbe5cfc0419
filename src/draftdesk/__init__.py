"""draftdesk: drafts review replies and incident updates that a human approves."""

__version__ = "0.1.0"
