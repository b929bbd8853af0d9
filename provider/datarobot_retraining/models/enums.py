"""The API's enumerations (reference §4) as `str` enums, and what a run status means (`outcome_of`)."""

from __future__ import annotations

from enum import Enum

__all__ = [
    "Action",
    "AutopilotMode",
    "CVMethod",
    "DifferencingMethod",
    "FeatureListStrategy",
    "Metric",
    "ModelSelectionStrategy",
    "ProjectOptionsStrategy",
    "RunOutcome",
    "RunStatus",
    "TimeUnit",
    "TreatAsExponential",
    "TriggerType",
    "ValidationType",
    "outcome_of",
]


class _StrEnum(str, Enum):
    """A `str` enum whose `str()` is its wire value on every Python version (3.11 changed the mixin)."""

    def __str__(self) -> str:
        return str(self.value)


class Action(_StrEnum):
    """What a retraining run does with the new model."""

    CREATE_CHALLENGER = "create_challenger"
    CREATE_MODEL_PACKAGE = "create_model_package"
    MODEL_REPLACEMENT = "model_replacement"


class TriggerType(_StrEnum):
    """What starts a run. Manual-only is no member: it is `None` (JSON `null`; some servers send `"None"`)."""

    SCHEDULE = "schedule"
    DATA_DRIFT_DECLINE = "data_drift_decline"
    ACCURACY_DECLINE = "accuracy_decline"
    CUSTOM_JOB = "custom_job"


class ModelSelectionStrategy(_StrEnum):
    """How the retrained model is chosen."""

    AUTOPILOT_RECOMMENDED = "autopilot_recommended"
    SAME_BLUEPRINT = "same_blueprint"
    SAME_HYPERPARAMETERS = "same_hyperparameters"
    CUSTOM_JOB = "custom_job"


class FeatureListStrategy(_StrEnum):
    """Which feature list the retraining project uses."""

    SAME_AS_CHAMPION = "same_as_champion"
    INFORMATIVE_FEATURES = "informative_features"


class ProjectOptionsStrategy(_StrEnum):
    """Where the retraining project's options come from."""

    SAME_AS_CHAMPION = "same_as_champion"
    OVERRIDE_CHAMPION = "override_champion"
    CUSTOM = "custom"


class AutopilotMode(_StrEnum):
    """Autopilot modelling mode."""

    AUTO = "auto"
    COMPREHENSIVE = "comprehensive"
    QUICK = "quick"


class CVMethod(_StrEnum):
    """Cross-validation partitioning."""

    RANDOM_CV = "RandomCV"
    STRATIFIED_CV = "StratifiedCV"


class ValidationType(_StrEnum):
    """Cross-validation or train/validation/holdout."""

    CV = "CV"
    TVH = "TVH"


class Metric(_StrEnum):
    """Optimization metric of the retraining project."""

    ACCURACY = "Accuracy"
    AUC = "AUC"
    BALANCED_ACCURACY = "Balanced Accuracy"
    FVE_BINOMIAL = "FVE Binomial"
    GINI_NORM = "Gini Norm"
    KOLMOGOROV_SMIRNOV = "Kolmogorov-Smirnov"
    LOG_LOSS = "LogLoss"
    RATE_TOP5 = "Rate@Top5%"
    RATE_TOP10 = "Rate@Top10%"
    TPR = "TPR"
    FPR = "FPR"
    TNR = "TNR"
    PPV = "PPV"
    NPV = "NPV"
    F1 = "F1"
    MCC = "MCC"
    FVE_GAMMA = "FVE Gamma"
    FVE_POISSON = "FVE Poisson"
    FVE_TWEEDIE = "FVE Tweedie"
    GAMMA_DEVIANCE = "Gamma Deviance"
    MAE = "MAE"
    MAPE = "MAPE"
    POISSON_DEVIANCE = "Poisson Deviance"
    R_SQUARED = "R Squared"
    RMSE = "RMSE"
    RMSLE = "RMSLE"
    TWEEDIE_DEVIANCE = "Tweedie Deviance"


class DifferencingMethod(_StrEnum):
    """Time-series differencing; `SEASONAL` needs periodicities."""

    AUTO = "auto"
    SIMPLE = "simple"
    NONE = "none"
    SEASONAL = "seasonal"


class TreatAsExponential(_StrEnum):
    """Whether a time series is treated as exponential."""

    AUTO = "auto"
    NEVER = "never"
    ALWAYS = "always"


class TimeUnit(_StrEnum):
    """Unit of a periodicity."""

    MILLISECOND = "MILLISECOND"
    SECOND = "SECOND"
    MINUTE = "MINUTE"
    HOUR = "HOUR"
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"
    QUARTER = "QUARTER"
    YEAR = "YEAR"
    ROW = "ROW"


class RunStatus(_StrEnum):
    """Run statuses as the emulator spells them by default, and `CANCELLED` as a cancel sends it.

    The real server's values are unpublished (reference §3.7): read a status with `outcome_of`, never by comparing it
    with these.
    """

    SCHEDULED = "scheduled"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


class RunOutcome(_StrEnum):
    """Where a run stands, whatever the server calls its status: the one answer to "has this run finished?"."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    IN_PROGRESS = "in progress"
    UNKNOWN = "unknown"
    """A status no spelling below matches: treated as still in progress, and shown to the user as the server sent it."""

    @property
    def finished(self) -> bool:
        """True once the run cannot change any more."""
        return self in _FINISHED


_FINISHED = frozenset({RunOutcome.SUCCEEDED, RunOutcome.FAILED, RunOutcome.CANCELLED})

# The run `status` values are not published, so every plausible spelling is recognised (compared without case,
# spaces, hyphens or underscores). Mistaking a finished run for a running one makes a waiter spin until its timeout;
# mistaking a running one for finished is worse (a delete or edit would then hit 409), so only these words count as
# finished and anything unrecognised is UNKNOWN, which waits as IN_PROGRESS does.
_SPELLINGS: dict[RunOutcome, tuple[str, ...]] = {
    RunOutcome.SUCCEEDED: ("succeeded", "success", "successful", "completed", "complete", "finished", "done"),
    RunOutcome.FAILED: ("failed", "failure", "fail", "error", "errored"),
    RunOutcome.CANCELLED: ("cancelled", "canceled", "cancel", "aborted", "abort"),
    RunOutcome.IN_PROGRESS: (
        "scheduled",
        "queued",
        "pending",
        "created",
        "initialized",
        "initializing",
        "starting",
        "started",
        "running",
        "inprogress",
        "processing",
    ),
}
_OUTCOMES: dict[str, RunOutcome] = {word: outcome for outcome, words in _SPELLINGS.items() for word in words}


def outcome_of(status: str | None) -> RunOutcome:
    """The outcome a raw run status means: `outcome_of("COMPLETED") is RunOutcome.SUCCEEDED`; unrecognised → UNKNOWN."""
    if status is None:
        return RunOutcome.UNKNOWN
    key = "".join(character for character in str(status).lower() if character.isalnum())
    return _OUTCOMES.get(key, RunOutcome.UNKNOWN)
