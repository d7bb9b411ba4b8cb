#!/usr/bin/env bash
# End-to-end tests in real VS Code (code-server) driven in Debian's Chromium:
# sets up the cached code-server once (scripts/setup-e2e.sh), then runs every
# test/e2e/*.e2e.ts. The extension test builds and packages the .vsix itself.
# Screenshots and code-server logs: test-results/e2e/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-e2e.sh
exec npx mocha --require tsx/cjs --timeout 600000 "${@:-test/e2e/**/*.e2e.ts}"
