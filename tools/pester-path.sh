#!/usr/bin/env bash
# Prints the folder of the Pester 5.9.1 module that tools/psdeps restores repo-local (the package's tools/ folder).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
echo "$here/.tools/packages/pester/5.9.1/tools"
