"""What `emulator serve` prints after its URL: the demo seed's ids, and lines that point the CLI or a stack at it."""

from __future__ import annotations

import argparse
import os
import shlex

from datarobot_retraining.config import ENV_ENDPOINT, ENV_TOKEN, STACK_ENDPOINT_KEY, STACK_TOKEN_KEY

SEEDS_WITH_DEMO_DATA = ("demo", "scale")


def seed_ids() -> list[tuple[str, str, str]]:
    """(what, id, note) of the demo seed's objects a newcomer needs first."""
    from datarobot_emulator import seed

    return [
        ("deployment", seed.DEMO_DEPLOYMENT_ID, "challenger models enabled"),
        ("deployment", seed.DEMO_DEPLOYMENT_2_ID, "challenger models enabled"),
        ("deployment", seed.NO_CHALLENGERS_DEPLOYMENT_ID, "challenger models disabled"),
        ("dataset", seed.DEMO_DATASET_ID, ""),
        ("dataset", seed.DEMO_DATASET_2_ID, ""),
        ("prediction environment", seed.DEMO_PREDICTION_ENVIRONMENT_ID, ""),
        ("user", seed.DEMO_USER_ID, f"{seed.DEMO_USER['username']}, the token's user"),
        ("retraining user", seed.DEMO_RETRAINING_USER_ID, str(seed.RETRAINING_USER["username"])),
        ("credential", seed.DEMO_CREDENTIAL_ID, ""),
        ("use case", seed.DEMO_USE_CASE_ID, ""),
    ]


def quickstart_config() -> dict[str, str]:
    """The config keys of the quickstart stack (the root Pulumi.yaml), set to the demo seed's objects."""
    from datarobot_emulator import seed

    return {
        "deploymentId": seed.DEMO_DEPLOYMENT_ID,
        "datasetId": seed.DEMO_DATASET_ID,
        "predictionEnvironmentId": seed.DEMO_PREDICTION_ENVIRONMENT_ID,
        "retrainingUserId": seed.DEMO_RETRAINING_USER_ID,
    }


def shown_token(args: argparse.Namespace, default_token: str) -> str:
    """The token as the printed lines spell it: the well-known default as it is, any other one by where it comes from
    (the shell expands the reference when the line is pasted).

    A token the user chose is theirs to paste; printing it would put it in terminal scrollback and CI logs.
    """
    from datarobot_emulator.__main__ import TOKEN_ENV

    if args.token_file is not None:
        return f'"$(head -n 1 {shlex.quote(str(args.token_file))})"'
    if args.token is not None:
        return default_token if args.token.strip() == default_token else "'<the token given with --token>'"
    from_environment = os.environ.get(TOKEN_ENV, "").strip()
    return f'"${TOKEN_ENV}"' if from_environment and from_environment != default_token else default_token


def welcome_lines(api_url: str, args: argparse.Namespace, default_token: str) -> list[str]:
    """The lines after the URL: seed ids, `export` for the CLI, `pulumi config set` for a stack."""
    token = shown_token(args, default_token)
    demo_data = args.seed in SEEDS_WITH_DEMO_DATA
    lines: list[str] = []
    if demo_data:
        lines.append(f"Seed '{args.seed}' (loaded into an empty database; --reset loads it again):")
        width = max(len(what) for what, _, _ in seed_ids())
        lines += [f"  {what:<{width}}  {id_}  {note}".rstrip() for what, id_, note in seed_ids()]
    else:
        lines.append(f"Seed '{args.seed}': no deployments (use --seed demo for ready-made ones).")
    lines += [
        "Point the datarobot-retraining command at it:",
        f"  export {ENV_ENDPOINT}={api_url} {ENV_TOKEN}={token}",
        "Or a Pulumi stack" + (" (the last four are the quickstart's keys):" if demo_data else ":"),
        f"  pulumi config set {STACK_ENDPOINT_KEY} {api_url}",
        f"  pulumi config set --secret {STACK_TOKEN_KEY} {token}",
    ]
    if demo_data:
        lines += [f"  pulumi config set {key} {value}" for key, value in quickstart_config().items()]
    lines.append("Serving until interrupted (Ctrl-C).")
    return lines
