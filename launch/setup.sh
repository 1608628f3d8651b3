#!/usr/bin/env bash
# Installs the Debian packages srdist builds against, if any is missing, and builds
# srdist in release mode. Sourced by demo.sh and test.sh; safe to run repeatedly.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

need=()
for pkg in libopenmpi-dev openmpi-bin libopenblas-dev libhdf5-dev hdf5-tools libpng-dev libturbojpeg0-dev pkg-config iproute2; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
sudo_cmd=""
[ "$(id -u)" = 0 ] || sudo_cmd="sudo"
if [ ${#need[@]} -gt 0 ]; then
    echo "setup: installing ${need[*]}"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need[@]}" >/dev/null
fi

# tools/plot_metrics.py needs matplotlib, the converters (tools/pt_to_srdist.py,
# srdist_to_pt.py) numpy and h5py, for whichever python3 is on PATH (their tests run
# them): pip where that python has it, else Debian's packages (for the system python3).
for module in matplotlib numpy h5py; do
    if ! python3 -c "import $module" 2>/dev/null; then
        echo "setup: installing $module"
        python3 -m pip install --quiet "$module" 2>/dev/null || {
            $sudo_cmd apt-get update -qq
            DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "python3-$module" >/dev/null
        }
    fi
done

# The TensorBoard test reads srdist's event files with TensorBoard's own reader: a venv
# under .build (Debian's python3 refuses plain pip installs, PEP 668; python3-venv brings
# ensurepip there), so nothing is installed into the system's Python.
SRDIST_TENSORBOARD_PYTHON="$PWD/.build/tensorboard-venv/bin/python"
export SRDIST_TENSORBOARD_PYTHON
if ! "$SRDIST_TENSORBOARD_PYTHON" -c 'import tensorboard' 2>/dev/null; then
    echo "setup: installing tensorboard into .build/tensorboard-venv"
    rm -rf .build/tensorboard-venv
    if ! python3 -m venv .build/tensorboard-venv 2>/dev/null; then
        rm -rf .build/tensorboard-venv
        $sudo_cmd apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq python3-venv >/dev/null
        python3 -m venv .build/tensorboard-venv
    fi
    .build/tensorboard-venv/bin/python -m pip install --quiet tensorboard
fi

# The ONNX export test runs srdist's .onnx files with ONNX Runtime and checks them with
# onnx's checker: another venv under .build, as for TensorBoard.
SRDIST_ONNX_PYTHON="$PWD/.build/onnx-venv/bin/python"
export SRDIST_ONNX_PYTHON
if ! "$SRDIST_ONNX_PYTHON" -c 'import onnx, onnxruntime, numpy, PIL' 2>/dev/null; then
    echo "setup: installing onnx, onnxruntime, numpy and pillow into .build/onnx-venv"
    rm -rf .build/onnx-venv
    python3 -m venv .build/onnx-venv
    .build/onnx-venv/bin/python -m pip install --quiet onnx onnxruntime numpy pillow
fi

# mpirun refuses to start as root and to start more ranks than cores unless told;
# tests and the demo run as root on 2-core machines.
if [ "$(id -u)" = 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OMPI_MCA_rmaps_base_oversubscribe=1

# `swift test` compiles every module with -enable-testing, which a plain build does not:
# launch/test.sh leaves the build to it (SETUP_BUILD=none), so the suite does not compile
# the whole package twice.
if [ "${SETUP_BUILD:-}" = none ]; then
    echo "setup: the build is left to swift test"
else
    echo "setup: building srdist (release)"
    swift build -c release 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' || { echo "setup: build failed" >&2; exit 1; }
fi
SRDIST="$(swift build -c release --show-bin-path)/srdist"
export SRDIST
