"""A local DataRobot-compatible retraining API: the embedded default target for demos, tests and benchmarks."""
