"""Desired state of each resource as `check` validates it: snake_case inputs, leaf paths, server defaults."""
