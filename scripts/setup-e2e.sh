#!/usr/bin/env bash
# Install everything the end-to-end tests (test/e2e/*.e2e.ts) need:
#   - Debian packages: chromium, ripgrep, headers for code-server's native modules
#   - code-server (VS Code for the browser), built from the npm registry into a
#     cache OUTSIDE the work tree: ${WAKERSCOPE_E2E_CACHE:-$HOME/.cache/wakerscope-e2e}
#
# Idempotent: a second run only checks the Debian packages and the stamp file
# of the exact code-server version + Node ABI, and exits within a second.
#
# Usage: bash scripts/setup-e2e.sh          (set WAKERSCOPE_E2E_FORCE=1 to rebuild)
#
# Why it is so manual: code-server's own postinstall and several native
# modules' install scripts download prebuilt binaries (ripgrep, node-pre-gyp,
# prebuild-install) from hosts this network refuses, so scripts are skipped at
# install time and the native modules are compiled from source with node-gyp
# against Node's own headers (npm is configured with nodedir=/usr).
set -Eeuo pipefail

CODE_SERVER_VERSION=4.99.4 # = VS Code 1.99.3; later releases need Node 22/24
CACHE="${WAKERSCOPE_E2E_CACHE:-$HOME/.cache/wakerscope-e2e}"

APT_PACKAGES=(chromium ripgrep fonts-dejavu-core pkg-config libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev)

T0=$SECONDS
log() { printf '[setup-e2e +%ss] %s\n' "$((SECONDS - T0))" "$*"; }
die() { printf '[setup-e2e] FAILED: %s\n' "$*" >&2; exit 1; }
trap 'die "command failed (exit $?) at line $LINENO: $BASH_COMMAND"' ERR

# Run a noisy command with its output in a log file; on failure show its tail.
run_logged() {
  local what="$1" logfile="$2"
  shift 2
  log "$what"
  if ! "$@" >"$logfile" 2>&1; then
    echo "----- last 40 lines of $logfile -----" >&2
    tail -n 40 "$logfile" >&2
    echo "-------------------------------------" >&2
    trap - ERR
    die "$what (full log: $logfile)"
  fi
}

# ---------------------------------------------------------------- preflight
command -v node >/dev/null || die "node is not installed"
command -v npm >/dev/null || die "npm is not installed"
NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
NODE_ABI="$(node -p 'process.versions.modules')"
[ "$NODE_MAJOR" = 20 ] || die "code-server $CODE_SERVER_VERSION needs Node 20, found $(node --version)"

# ---------------------------------------------------------------- Debian packages
# Build tools for node-gyp: only install them if missing (the machine image has them).
command -v make >/dev/null || APT_PACKAGES+=(make)
command -v g++ >/dev/null || APT_PACKAGES+=(g++)
command -v python3 >/dev/null || APT_PACKAGES+=(python3)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -eq 0 ]; then
  log "Debian packages already installed (${APT_PACKAGES[*]})"
else
  [ "$(id -u)" = 0 ] || die "need root to apt-get install: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  mkdir -p "$CACHE"
  run_logged "apt-get update" "$CACHE/apt-update.log" apt-get update
  run_logged "apt-get install ${missing[*]}" "$CACHE/apt-install.log" \
    apt-get install -y --no-install-recommends "${missing[@]}"
fi
[ -x /usr/bin/chromium ] || die "/usr/bin/chromium missing after installing Debian package chromium"
command -v rg >/dev/null || die "rg missing after installing Debian package ripgrep"

# ---------------------------------------------------------------- code-server (cached)
KEY="code-server-$CODE_SERVER_VERSION-node-abi$NODE_ABI"
DEST="$CACHE/$KEY"
STAMP="$CACHE/$KEY.stamp"
ENV_JSON="$CACHE/e2e-env.json"
CS_DIR="$DEST/node_modules/code-server"

if [ -f "$STAMP" ] && [ -f "$CS_DIR/out/node/entry.js" ] && [ -f "$ENV_JSON" ] && [ -z "${WAKERSCOPE_E2E_FORCE:-}" ]; then
  log "code-server $CODE_SERVER_VERSION already built in $DEST (stamp $STAMP)"
  log "done in $((SECONDS - T0))s"
  exit 0
fi

LOGS="$CACHE/logs"
# No stamp: whatever is in $DEST is from an interrupted or older run; start over.
rm -rf "$DEST" "$STAMP" "$ENV_JSON"
mkdir -p "$DEST" "$LOGS"
log "building code-server $CODE_SERVER_VERSION in $DEST (logs in $LOGS; about a minute on 2 cores)"

# npm settings for every step below: no prompts, no audit/fund noise, do not
# try to download node headers (nodedir), and let dependency install scripts
# run where we do not pass --ignore-scripts.
export npm_config_yes=true npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
export npm_config_nodedir="${npm_config_nodedir:-$(npm config get nodedir 2>/dev/null || true)}"
if [ -z "$npm_config_nodedir" ] || [ "$npm_config_nodedir" = undefined ] || [ "$npm_config_nodedir" = null ]; then
  # node-gyp would otherwise download headers, which this network refuses.
  if [ -f /usr/include/node/node.h ]; then export npm_config_nodedir=/usr; else unset npm_config_nodedir; fi
fi
# npm 11: dependency install scripts are governed by "allowScripts"; we compile
# exactly the packages we name, so allow them all for these commands.
export npm_config_dangerously_allow_all_scripts=true
# prebuild-install / node-pre-gyp: go straight to building from source.
export npm_config_build_from_source=true
export JOBS="${JOBS:-2}"

cat >"$DEST/package.json" <<'EOF'
{ "name": "wakerscope-e2e-cache", "private": true, "description": "code-server for Wakerscope e2e tests (made by scripts/setup-e2e.sh)" }
EOF

cd "$DEST"
run_logged "npm install --ignore-scripts code-server@$CODE_SERVER_VERSION" "$LOGS/01-code-server.log" \
  npm install --ignore-scripts --no-save "code-server@$CODE_SERVER_VERSION"
[ -f "$CS_DIR/out/node/entry.js" ] || die "code-server package has no out/node/entry.js"

run_logged "npm rebuild argon2 (native, from source)" "$LOGS/02-argon2.log" npm rebuild argon2

cd "$CS_DIR/lib/vscode"
run_logged "lib/vscode: npm install --omit=dev --ignore-scripts" "$LOGS/03-vscode-install.log" \
  npm install --omit=dev --ignore-scripts

log "lib/vscode: using Debian's rg as @vscode/ripgrep/bin/rg"
mkdir -p node_modules/@vscode/ripgrep/bin
cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
chmod +x node_modules/@vscode/ripgrep/bin/rg

run_logged "lib/vscode: npm rebuild (node-pty, @parcel/watcher, spdlog, kerberos, ... from source)" \
  "$LOGS/04-vscode-rebuild.log" npm rebuild

log "lib/vscode: node_modules.asar -> node_modules, bin scripts"
ln -sfn node_modules node_modules.asar
ln -sfn code-linux.sh bin/remote-cli/code-server
ln -sfn browser-linux.sh bin/helpers/browser.sh

cd extensions
run_logged "lib/vscode/extensions: npm install --omit=dev (TypeScript for the built-in TS extension)" \
  "$LOGS/05-extensions-install.log" npm install --omit=dev
[ -f node_modules/typescript/lib/tsserver.js ] || die "built-in extensions have no typescript/lib/tsserver.js"

# ---------------------------------------------------------------- verify
log "verifying native modules load"
cd "$DEST"
verify_js='
const path = require("path");
const cs = path.resolve("node_modules/code-server");
const vs = path.join(cs, "lib/vscode/node_modules");
const mods = [
  [cs, "argon2"],
  [vs, "node-pty"],
  [vs, "@parcel/watcher"],
  [vs, "@vscode/spdlog"],
  [vs, "native-watchdog"],
  [vs, "kerberos"],
];
let bad = 0;
for (const [base, name] of mods) {
  try { require(require.resolve(name, { paths: [base] })); console.log("  ok   " + name); }
  catch (e) { bad++; console.log("  FAIL " + name + ": " + String(e.message).split("\n")[0]); }
}
process.exit(bad ? 1 : 0);
'
if ! node -e "$verify_js"; then
  die "a native module did not build/load (see $LOGS/02-argon2.log and $LOGS/04-vscode-rebuild.log)"
fi

# http_ok URL [TEXT]: 2xx answer (following no redirects) whose body contains TEXT.
http_ok() {
  node -e '
    const [url, want] = process.argv.slice(1);
    const req = require("http").get(url, { timeout: 3000 }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => process.exit(res.statusCode < 300 && (!want || body.includes(want)) ? 0 : 1));
    });
    req.on("error", () => process.exit(1));
    req.on("timeout", () => process.exit(1));
  ' "$@"
}

log "verifying code-server starts and answers HTTP"
SMOKE="$(mktemp -d)"
PORT="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
mkdir -p "$SMOKE/folder"
XDG_CONFIG_HOME="$SMOKE/xdg-config" XDG_DATA_HOME="$SMOKE/xdg-data" \
  setsid node "$CS_DIR/out/node/entry.js" --auth none --bind-addr "127.0.0.1:$PORT" \
  --disable-telemetry --disable-update-check --disable-workspace-trust \
  --extensions-dir "$SMOKE/ext" --user-data-dir "$SMOKE/data" "$SMOKE/folder" \
  >"$LOGS/06-smoke.log" 2>&1 &
CS_PID=$!
ok=
for _ in $(seq 1 120); do
  if http_ok "http://127.0.0.1:$PORT/healthz"; then ok=1; break; fi
  kill -0 "$CS_PID" 2>/dev/null || break
  sleep 0.5
done
ok_page=
if [ -n "$ok" ] && http_ok "http://127.0.0.1:$PORT/?folder=$SMOKE/folder" workbench; then ok_page=1; fi
kill -TERM -- "-$CS_PID" 2>/dev/null || true
sleep 1
kill -KILL -- "-$CS_PID" 2>/dev/null || true
wait "$CS_PID" 2>/dev/null || true
rm -rf "$SMOKE"
[ -n "$ok" ] || { tail -n 20 "$LOGS/06-smoke.log" >&2; die "code-server did not answer on 127.0.0.1:$PORT/healthz (log: $LOGS/06-smoke.log)"; }
[ -n "$ok_page" ] || die "code-server answered /healthz but / did not serve the workbench page (log: $LOGS/06-smoke.log)"
log "code-server answered on 127.0.0.1:$PORT"

# ---------------------------------------------------------------- publish
cat >"$ENV_JSON" <<EOF
{
  "codeServerVersion": "$CODE_SERVER_VERSION",
  "nodeAbi": "$NODE_ABI",
  "codeServerEntry": "$CS_DIR/out/node/entry.js",
  "chromium": "/usr/bin/chromium"
}
EOF
date -u +%FT%TZ >"$STAMP"
log "code-server $CODE_SERVER_VERSION ready in $DEST"
log "done in $((SECONDS - T0))s"
