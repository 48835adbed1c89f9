#!/usr/bin/env bash
# Installs what the platform needs from Debian/Ubuntu packages:
#   - Tesseract OCR with Vietnamese (tesseract-ocr, tesseract-ocr-vie): reads the text
#     of scanned incoming documents (make run, make test);
#   - SoftHSM2 and OpenSC (softhsm2, opensc): the PKCS#11 token that holds signing keys
#     in the demo and the tests (make run, make test);
#   - Chromium, and poppler's pdfsig with NSS's certutil (poppler-utils,
#     libnss3-tools), the browser tests and the independent signature validator
#     (make test only).
# `install_system_deps.sh ocr` installs only what `make run` needs.
# Nothing is downloaded outside the distribution's package archive.
set -euo pipefail
WHAT="${1:-all}"

packages=()
if ! command -v tesseract >/dev/null 2>&1 || ! tesseract --list-langs 2>/dev/null | grep -qx vie; then
  packages+=(tesseract-ocr tesseract-ocr-vie)
fi
command -v softhsm2-util >/dev/null 2>&1 || packages+=(softhsm2)
command -v pkcs11-tool >/dev/null 2>&1 || packages+=(opensc)
if [ "$WHAT" = all ]; then
  command -v pdfsig >/dev/null 2>&1 || packages+=(poppler-utils)
  command -v certutil >/dev/null 2>&1 || packages+=(libnss3-tools)
fi
need_chromium=0
if [ "$WHAT" = all ] && ! { command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || [ -n "${EGOV_CHROMIUM:-}" ]; }; then
  need_chromium=1
fi
if [ ${#packages[@]} -eq 0 ] && [ $need_chromium = 0 ]; then
  exit 0
fi

if [ "$(id -u)" = 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  [ ${#packages[@]} -gt 0 ] && {
    echo "Missing Debian packages and this user cannot install them: ${packages[*]}" >&2
    echo "Install them with: sudo apt-get install ${packages[*]}" >&2
  }
  [ $need_chromium = 1 ] && {
    echo "Chromium is missing and this user cannot install packages: browser tests will be skipped." >&2
    echo "Install it with: sudo apt-get install chromium" >&2
  }
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
if [ ${#packages[@]} -gt 0 ]; then
  $SUDO apt-get install -y -qq "${packages[@]}" >/dev/null
fi
if [ $need_chromium = 1 ]; then
  # Debian names the package chromium; Ubuntu's chromium-browser is a snap wrapper.
  $SUDO apt-get install -y -qq chromium >/dev/null || $SUDO apt-get install -y -qq chromium-browser >/dev/null
fi
