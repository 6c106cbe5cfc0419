"""Entry points: the CLI, the web app (Gradio inside FastAPI). No business logic here."""
