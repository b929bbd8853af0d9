"""Provider side of pulumi-datarobot-retraining: configuration, errors, the DataRobot client, wire models, resources."""
