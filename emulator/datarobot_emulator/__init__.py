"""A local DataRobot-compatible retraining API: the default target for demos, tests and benchmarks."""
