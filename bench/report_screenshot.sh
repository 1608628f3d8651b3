#!/usr/bin/env bash
# Renders an `srdist eval --report` page in headless Chromium to a PNG, to look at: a
# tiny EDSR trained briefly on generated images (validating every 50 steps, so the page
# has curves), evaluated on a benchmark-layout set
# made by `srdist make-lr` from other generated images. Installs Chromium (Debian's
# `chromium`) when missing.
#
#   bench/report_screenshot.sh                 # → /tmp/srdist-report-shot/{report/index.html,report.png}
#   OUT=/tmp/shot STEPS=400 bench/report_screenshot.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT="${OUT:-/tmp/srdist-report-shot}" STEPS="${STEPS:-400}"
if [ -z "${SRDIST:-}" ]; then
    swift build -c release --product srdist >/dev/null
    SRDIST="$(swift build -c release --show-bin-path)/srdist"
fi
if ! command -v chromium >/dev/null; then
    sudo_cmd=""
    [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi
rm -rf "$OUT"
mkdir -p "$OUT"
# Held-out images (past the synthetic config's training images): HR only, then a set from them.
"$SRDIST" demo-data "$OUT/generated" --count 4 --size 144 --first 1000 >/dev/null
"$SRDIST" make-lr "$OUT/generated/HR" "$OUT/set" --scales 2 --quiet
"$SRDIST" --config configs/tiny_x2.json --quiet --set "run_dir=$OUT/run" --set "train.steps=$STEPS" \
    --set train.lr=2e-3 --set train.batch_size=16 --set train.patch_size=24 --set data.synthetic_images=16 \
    --set train.log_every=10 --set train.eval_every=50
"$SRDIST" eval --checkpoint "$OUT/run" --data "$OUT/set" --report "$OUT/report" --cache-dir "$OUT/cache"
start=$(date +%s.%N)
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1300,2100 \
    --screenshot="$OUT/report.png" "file://$OUT/report/index.html" 2>/dev/null
echo "screenshot: $OUT/report.png ($(stat -c %s "$OUT/report.png") bytes) in $(awk "BEGIN {printf \"%.1f\", $(date +%s.%N) - $start}") s by $(chromium --version 2>/dev/null)"
