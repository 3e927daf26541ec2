#!/usr/bin/env bash
# Every command in README.md's ```sh blocks, run as written, in order, from a copy of the
# repository (as a new user would after cloning), against the release build (.build/release,
# which .ci/run builds before this script). tools/readme_commands.py lists the commands.
#
# Long jobs are shortened by appending options (the last value of an option wins), never by
# editing the command: diffuse-train gets a few steps of a small batch, diffuse-sample and
# diffuse-eval a few samples and sampler steps; `path/to/` MNIST files are generated (tiny
# IDX files of the real format). Commands that cannot run here are listed with the reason and
# counted; everything else must exit 0. Run from the repository root.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
[ -x .build/release/diffuse-train ] || { echo "readme-commands: build release first (swift build -c release)" >&2; exit 1; }
work=$(mktemp -d /tmp/diffuse-readme.XXXXXX)
cleanup() {
    # A failed command may leave the simulated cluster up: stop it (by PID, its own namespaces).
    [ -x "$work/copy/cluster/sim/stop.sh" ] && (cd "$work/copy" && cluster/sim/stop.sh --quiet >/dev/null 2>&1 || true)
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

# The copy: tracked files only, plus the build through a symlink.
mkdir -p "$work/copy"
git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$work/copy"
ln -s "$repo/.build" "$work/copy/.build"

# path/to/{train,t10k}-{images,labels}: 64 random 28x28 digits in the IDX format MNIST uses, gzipped.
python3 - "$work/copy/path/to" <<'PY'
import gzip, os, random, struct, sys
d = sys.argv[1]; os.makedirs(d, exist_ok=True); r = random.Random(0); n = 64
for part in ("train", "t10k"):
    with gzip.open(os.path.join(d, part + "-images-idx3-ubyte.gz"), "wb") as f:
        f.write(struct.pack(">IIII", 0x803, n, 28, 28) + bytes(r.randrange(256) for _ in range(n * 784)))
    with gzip.open(os.path.join(d, part + "-labels-idx1-ubyte.gz"), "wb") as f:
        f.write(struct.pack(">II", 0x801, n) + bytes(i % 10 for i in range(n)))
PY

# Options appended to shorten a command (empty: runs as written).
shorten() {
    local cmd=$1
    case $cmd in
        *diffuse-train*)
            local extra="--set train.steps=2 --set train.global_batch=4 --set train.log_every=1 --set sample.count=4 --set sample.steps=2"
            local config; config=$(sed -nE 's/.*--config ([^ ]+).*/\1/p' <<<"$cmd")
            # Built-in data (no file source): a small dataset.
            if [ -n "$config" ] && ! grep -Eq '^\s*source: .*\.h5' "$work/copy/$config"; then extra+=" --set data.count=64"; fi
            echo "$extra" ;;
        *diffuse-sample*) echo "--steps 2 --count 4" ;;
        *"diffuse-eval nll"*) echo "--count 8 --steps 4 --batch 8" ;;
        *"diffuse-eval quality"*) echo "--count 64 --steps 4" ;;
        *"diffuse-eval train-classifier"*) echo "--epochs 1 --batch 16" ;;
        *"diffuse-eval fid"*) echo "--count 16 --steps 2" ;;
        *) echo "" ;;
    esac
}

# Commands that are not run here, with the reason (matched as a prefix).
skip_reason() {
    case $1 in
        "bash scripts/install-deps.sh --slurm && swift test") echo "this is what .ci/run itself runs" ;;
        *"--hostfile hosts.txt"*) echo "an example for a real cluster's hosts.txt" ;;
        *) echo "" ;;
    esac
}

ran=0; skipped=0
while IFS=$'\t' read -r line cmd; do
    reason=$(skip_reason "$cmd")
    if [ -n "$reason" ]; then
        echo "  README.md:$line skipped ($reason): $cmd"
        skipped=$((skipped + 1)); continue
    fi
    extra=$(shorten "$cmd")
    # Commands that build, or the quickstart (which builds), run in the repository itself.
    case $cmd in
        "swift build"*) dir=$repo ;;
        "bash scripts/quickstart.sh"*) dir=$repo; extra="--run-dir $work/quickstart $(shorten "diffuse-train --config configs/shapes.yaml")" ;;
        *) dir=$work/copy ;;
    esac
    echo "  README.md:$line $cmd${extra:+  [+ $extra]}"
    set +e
    (cd "$dir" && timeout 900 bash -c "$cmd $extra") </dev/null >"$work/out" 2>&1
    status=$?
    set -e
    if [ "$status" -ne 0 ]; then
        tail -25 "$work/out"
        echo "readme-commands: FAIL: README.md:$line exited $status: $cmd" >&2
        exit 1
    fi
    ran=$((ran + 1))
done < <(python3 tools/readme_commands.py README.md)
echo "readme-commands: ok ($ran commands run, $skipped skipped)"
