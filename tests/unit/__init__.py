"""Transport-level tests of the DataRobot client over httpx.MockTransport (no network, no emulator)."""
