#!/usr/bin/env bash
# Installs what is missing, builds in release mode and runs the whole test suite.
set -euo pipefail
SETUP_BUILD=none source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
# Release mode: the gradient checks and the training tests run whole networks.
# The suite is XCTest only, so Swift Testing's empty run is skipped.
swift test -c release --disable-swift-testing "$@"
