#!/usr/bin/env bash
# One CUDA check of sklstm, for a fresh GPU machine with no network.
#
# Expects: python3 with a CUDA build of torch, scikit-learn, pandas and pytest
# (as on the lent H200 machines), this repository as the working directory,
# and the wheel of skorch (the one package sklstm needs that is not there) in
# .whl/, made beforehand where pip works:
#
#     python3 -m pip download --no-deps --only-binary=:all: -d .whl skorch
#
# Writes under $OUT (default: ./gpu_check_out): env.txt (versions, device),
# gpu_tests.txt (the gpu-marked tests and the device tests), bench_cuda.txt
# (bench_speed on CUDA: sklstm and skorch against a hand-written loop with
# cuDNN, fit and predict, three sizes) and bench_cpu_ref.txt (the ragged size
# on one CPU thread of the same machine, for comparison). About 6 minutes on
# an H200.
set -uo pipefail
OUT="${OUT:-gpu_check_out}"
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 OMP_NUM_THREADS=1

if ls .whl/*.whl >/dev/null 2>&1; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir \
        --upgrade --target /tmp/site .whl/*.whl || exit 1
    export PYTHONPATH="/tmp/site:$PWD"
else
    export PYTHONPATH="$PWD"
fi

python3 - <<'PY' 2>&1 | tee "$OUT/env.txt"
import sklearn, skorch, torch
import sklstm
print("torch", torch.__version__, "cuda", torch.version.cuda)
print("device", torch.cuda.get_device_name() if torch.cuda.is_available() else None)
print("sklearn", sklearn.__version__, "skorch", skorch.__version__)
print("sklstm from", sklstm.__file__)
PY

# the gpu-marked tests, and the device and persistence tests around them
timeout 240 python3 -m pytest -p no:cacheprovider -q -o addopts="" \
    -m "gpu or not gpu" tests/training/test_device.py tests/test_persistence.py \
    tests/test_xlstm_estimators.py -k "cuda or gpu or device or load or pickle" \
    2>&1 | tee "$OUT/gpu_tests.txt"

timeout 420 python3 benchmarks/bench_speed.py --device cuda --repeats 3 \
    2>&1 | tee "$OUT/bench_cuda.txt"
timeout 120 python3 benchmarks/bench_speed.py --sizes ragged --repeats 3 \
    2>&1 | tee "$OUT/bench_cpu_ref.txt"
