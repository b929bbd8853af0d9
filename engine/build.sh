#!/usr/bin/env bash
# `make engine`: build the Pulumi CLI from the Go module proxy and install it, with the Python shims, under .tools/.
#
# Why a wrapper module: pkg/v3's go.mod carries `replace` directives, so `go install ...@version` is refused. This
# folder's go.mod requires pkg/v3 (the one place the version is pinned), repeats the non-local replace, and builds the
# CLI's main package. The Python language host (module .../sdk/python/cmd/pulumi-language-python/v3) is not served by
# the proxy these machines reach (403 for every version query, tried 2026-12-01), so it is not built: programs run
# through Pulumi's Automation API, whose Python SDK serves the language runtime itself (see docs/engine.md).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
cd "$here"

version="$(sed -n 's|^[[:space:]]*github.com/pulumi/pulumi/pkg/v3 \(v[0-9.]*\).*|\1|p' go.mod | head -n 1)"
[ -n "$version" ] || { echo "engine/go.mod does not require github.com/pulumi/pulumi/pkg/v3; cannot tell which Pulumi to build." >&2; exit 1; }
bin="$root/.tools/pulumi/$version/bin"
pulumi="$bin/pulumi"

if [ -x "$pulumi" ] && [ "$("$pulumi" version 2>/dev/null)" = "$version" ] \
   && [ -x "$bin/pulumi-resource-pulumi-python" ] && [ -x "$bin/pulumi-language-python-exec" ]; then
  ln -sfn "$version" "$root/.tools/pulumi/current"
  echo "Pulumi $version is already built: $pulumi"
  exit 0
fi

command -v go >/dev/null || { echo "Go is not installed; the Pulumi CLI is built from its Go modules (Go 1.26+ needed)." >&2; exit 1; }
mkdir -p "$bin"
echo "Building the Pulumi CLI $version from the Go module proxy (the first build takes several minutes on 2 cores)..."
start=$(date +%s)
echo "  downloading modules..."
go mod download
echo "  compiling github.com/pulumi/pulumi/pkg/v3/cmd/pulumi..."
# The flags of Pulumi's own release builds; without the version stamp `pulumi version` prints nothing and the
# Automation API refuses the binary.
CGO_ENABLED=0 go build -trimpath -tags osusergo,grpcnotrace \
  -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version" \
  -o "$pulumi.partial" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
mv "$pulumi.partial" "$pulumi"

# The two shell shims ship inside the sdk/v3 module; module files are read-only and carry no exec bit.
sdk="$(go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)"
install -m 0755 "$sdk/python/dist/pulumi-resource-pulumi-python" "$bin/pulumi-resource-pulumi-python"
install -m 0755 "$sdk/python/cmd/pulumi-language-python-exec" "$bin/pulumi-language-python-exec"

# Tests, `make demo` and the benchmarks find the engine through this link (pulumi_datarobot_retraining.testing.engine).
ln -sfn "$version" "$root/.tools/pulumi/current"
echo "Built in $(( $(date +%s) - start )) s: $bin"
"$pulumi" version
