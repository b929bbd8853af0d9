"""The emulator's error tree: business-rule and validation failures the wire layer turns into HTTP answers."""

from __future__ import annotations


class EmulatorError(Exception):
    """A request the emulator refuses; ``status`` is the HTTP status the wire layer answers with."""

    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def body(self) -> dict[str, object]:
        return {"message": self.message}


class BadRequestError(EmulatorError):
    status = 400


class NotFoundError(EmulatorError):
    status = 404


class ConflictError(EmulatorError):
    status = 409


class UnprocessableError(EmulatorError):
    """422: the body is well-formed JSON but breaks a schema or business rule.

    ``errors`` maps dotted field paths (``trigger.schedule.hour``) to a reason, so a client can point at the field.
    """

    status = 422

    def __init__(self, message: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.errors = dict(errors or {})

    def body(self) -> dict[str, object]:
        return {"message": self.message, "errors": self.errors}

    @classmethod
    def from_errors(cls, errors: dict[str, str]) -> UnprocessableError:
        # One line that still names every bad field, so a log line alone is enough to debug.
        summary = "; ".join(f"{path}: {reason}" for path, reason in errors.items())
        return cls(f"Invalid request: {summary}", errors)


class RefusalError(UnprocessableError):
    """A business-rule refusal answered with the status a variant names (the real one is not public); a 422's body."""

    def __init__(self, message: str, errors: dict[str, str], status: int) -> None:
        super().__init__(message, errors)
        self.status = status
