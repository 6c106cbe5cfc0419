"""`python app.py` starts the draftdesk web app on its embedded defaults."""

from draftdesk.entry.cli import app

if __name__ == "__main__":
    app(["serve"])
