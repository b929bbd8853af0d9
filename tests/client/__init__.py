"""The DataRobot client against the live emulator over a real socket: every endpoint of reference §2."""
