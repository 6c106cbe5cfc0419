"""Gradio screens. They call services and format results; no business logic lives here."""
