"""`python -m datarobot_retraining.codegen [--check]`: rewrite (or check) the generated SDK and wire models."""

from datarobot_retraining.codegen import main

raise SystemExit(main())
