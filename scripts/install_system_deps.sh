#!/usr/bin/env bash
# Installs what the browser tests need from Debian/Ubuntu packages: Chromium.
# Nothing is downloaded outside the distribution's package archive.
set -euo pipefail
# Signatures (issue 11): SoftHSM2 token, pkcs11-tool, pdfsig (independent validator), certutil.
SIGNATURE_PACKAGES="softhsm2 opensc poppler-utils libnss3-tools"
signature_tools_present() {
  command -v softhsm2-util >/dev/null 2>&1 && command -v pkcs11-tool >/dev/null 2>&1 \
    && command -v pdfsig >/dev/null 2>&1 && command -v certutil >/dev/null 2>&1
}
if { command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || [ -n "${EGOV_CHROMIUM:-}" ]; } \
   && signature_tools_present; then
  exit 0
fi
if [ "$(id -u)" = 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "Chromium is missing and this user cannot install packages: browser tests will be skipped." >&2
  echo "Install it with: sudo apt-get install chromium" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Debian names the package chromium; Ubuntu's chromium-browser is a snap wrapper.
$SUDO apt-get install -y -qq chromium >/dev/null || $SUDO apt-get install -y -qq chromium-browser >/dev/null
# shellcheck disable=SC2086
signature_tools_present || $SUDO apt-get install -y -qq $SIGNATURE_PACKAGES >/dev/null
