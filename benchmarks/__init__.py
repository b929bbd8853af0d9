"""Benchmarks of the provider against a local emulator: ``python -m benchmarks [--quick] [--only NAME]``."""
