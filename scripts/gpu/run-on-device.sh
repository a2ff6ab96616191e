#!/usr/bin/env bash
# GPU checks for Microsoft.ML.Recurrent.Gpu. The GPU machine has no .NET, so the checks travel as a self-contained
# console runner (test/Microsoft.ML.Recurrent.Gpu.Runner, which compiles the GPU test sources).
#
#   scripts/gpu/run-on-device.sh pack           # here: publish + compress to artifacts/gpu-runner.tgz (~36 MB)
#   scripts/gpu/run-on-device.sh run [filter]   # on the device: unpack and run, CUDA required
#
# With the device tool: run `pack` here, then call the tool with carry=["artifacts/gpu-runner.tgz"] and
# command="scripts/gpu/run-on-device.sh run". The compressed archive is carried because the published folder
# (~82 MB) is over the tool's 64 MiB carry limit; trimming is not used because the runner finds tests by reflection.
set -euo pipefail
cd "$(dirname "$0")/../.."

archive=artifacts/gpu-runner.tgz
case "${1:-}" in
  pack)
    rm -rf artifacts/gpu-runner
    dotnet publish test/Microsoft.ML.Recurrent.Gpu.Runner -p:MLNet=None -c Release -r linux-x64 --self-contained \
      -o artifacts/gpu-runner
    tar -czf "$archive" -C artifacts gpu-runner
    ls -l "$archive"
    ;;
  run)
    shift
    target="${TMPDIR:-/tmp}/mlrec-gpu-runner"
    rm -rf "$target" && mkdir -p "$target"
    tar -xzf "$archive" -C "$target"
    # The device image keeps CUDA 13 + cuDNN wheels in a python venv; the runner also finds them by itself
    # (site-packages discovery), this only shows what is there for the log.
    command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || true
    log="${OUT:-$target}/gpu-runner.log"
    set +e
    "$target/gpu-runner/Microsoft.ML.Recurrent.Gpu.Runner" --require-gpu "$@" 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    set -e
    echo "runner exit code: $status (log: $log)"
    exit "$status"
    ;;
  *)
    echo "usage: $0 pack | run [test-name-filter...]" >&2
    exit 64
    ;;
esac
