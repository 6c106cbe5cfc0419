"""Contracts shared by every layer: enums and pydantic models."""
