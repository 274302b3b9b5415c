#!/usr/bin/env bash
# A newcomer's first hour, as the docs tell it (`make newcomer`; CI runs it after dist-check).
#
# Each venv is made with `python3 -m venv` and keeps the pip that comes with it (no upgrade),
# then gets one documented install command (docs/getting-started.md "Install"). In it run:
#   - every ```python block of README.md and the getting-started, LangChain and LlamaIndex
#     pages whose `# needs:` line names exactly that install's extras (the quickstarts), with
#     AIMLAPI_BASE_URL / AIMLAPI_API_KEY pointing at a standalone emulator started as the docs
#     say (`python -m aimlapi_emulator`);
#   - with the `notebooks` extra, each notebook, as `jupyter nbconvert --execute` runs it, with
#     no AIMLAPI_* variable (each notebook starts its own emulator, as it says it will).
# Time: pip 23.2 resolving and unpacking is most of it (see the report in CI's log:
# "newcomer: all passed in N s").
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
work=$(mktemp -d -t newcomer-XXXXXX)
emulator_pid=""
cleanup() {
  if [ -n "$emulator_pid" ]; then kill "$emulator_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
started=$SECONDS
# No .pyc compiling at install (a cache Python fills on first import): the installs take about
# half the time, and nothing else changes.
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_PROGRESS_BAR=off PIP_NO_COMPILE=1

# venv NAME EXTRAS: a fresh venv with the documented editable install of those extras.
venv() {
  local name=$1 extras=$2 step=$SECONDS
  "$PYTHON" -m venv "$work/$name"
  local spec="."
  if [ -n "$extras" ]; then spec=".[$extras]"; fi
  echo "newcomer: $name: pip install -e \"$spec\" ($("$work/$name/bin/pip" --version | cut -d' ' -f1-2))"
  "$work/$name/bin/pip" install --quiet -e "$spec"
  echo "newcomer: $name: installed in $((SECONDS - step)) s"
}

# quickstarts NAME EXTRAS: run the doc blocks needing exactly EXTRAS in venv NAME.
quickstarts() {
  local name=$1 extras=$2
  "$work/$name/bin/python" - "$extras" <<'PY'
import os, re, subprocess, sys
from pathlib import Path

wanted = set(filter(None, sys.argv[1].split(",")))
fence = re.compile(r"^```python[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)
needs = re.compile(r"^# needs: aimlapi-integrations(?:\[([a-z0-9,-]+)\])?\s*$")
ran = 0
for page in ["README.md", "docs/getting-started.md", "docs/langchain.md", "docs/llama-index.md"]:
    text = Path(page).read_text(encoding="utf-8")
    for match in fence.finditer(text):
        code = match.group(1)
        declared = needs.match(code.split("\n", 1)[0])
        if declared is None or set(filter(None, (declared.group(1) or "").split(","))) != wanted:
            continue
        line = text.count("\n", 0, match.start(1)) + 1
        print(f"newcomer:   {page}:{line}", flush=True)
        # From a temporary folder: the installed packages, not the checkout's, are imported.
        done = subprocess.run([sys.executable, "-"], input=code, text=True, cwd="/tmp",
                              capture_output=True, timeout=300)
        if done.returncode != 0 or not done.stdout.strip():
            sys.exit(f"newcomer: {page}:{line} failed:\n{done.stdout}\n{done.stderr}")
        ran += 1
if not ran:
    sys.exit(f"newcomer: no block needs exactly [{sys.argv[1]}]")
PY
}

# The first install the docs show, and the standalone emulator from it.
venv first langchain,emulator
"$work/first/bin/python" -m aimlapi_emulator --port 0 >"$work/emulator.log" 2>&1 &
emulator_pid=$!
for _ in $(seq 100); do
  if grep -q "^http" "$work/emulator.log" 2>/dev/null; then break; fi
  sleep 0.1
done
base_url=$(grep -m1 -o "^http[^ ]*" "$work/emulator.log") || {
  cat "$work/emulator.log"
  exit 1
}
export AIMLAPI_BASE_URL=$base_url AIMLAPI_API_KEY=any-non-empty-key
echo "newcomer: emulator at $AIMLAPI_BASE_URL"
quickstarts first langchain,emulator

for extras in "" langchain llama-index agents; do
  name=${extras:-core}
  venv "$name" "$extras"
  quickstarts "$name" "$extras"
done

unset AIMLAPI_BASE_URL AIMLAPI_API_KEY
venv notebooks notebooks
for notebook in notebooks/*.ipynb; do
  step=$SECONDS
  RAY_USAGE_STATS_ENABLED=0 "$work/notebooks/bin/jupyter" nbconvert --to notebook --execute \
    --ExecutePreprocessor.timeout=300 --output-dir "$work/executed" --log-level WARN "$notebook"
  echo "newcomer:   $notebook ran in $((SECONDS - step)) s"
done
echo "newcomer: all passed in $((SECONDS - started)) s"
