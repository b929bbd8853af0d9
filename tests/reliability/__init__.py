"""Reliability tests: faults, bad input, secrets, persistence and concurrency (issue 8); `soak` is the long run."""
