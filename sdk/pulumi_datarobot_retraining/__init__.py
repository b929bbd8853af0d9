"""Program-side SDK: the Pulumi dynamic resources a user declares (RetrainingSettings, RetrainingPolicy)."""
