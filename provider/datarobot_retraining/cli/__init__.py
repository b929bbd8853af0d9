"""`datarobot-retraining`: the command line over the retraining client (settings, policies, runs, emulator)."""

from datarobot_retraining.cli.app import app, main

__all__ = ["app", "main"]
