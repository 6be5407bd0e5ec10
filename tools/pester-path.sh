#!/usr/bin/env bash
# Prints the folder of the Pester 5.9.1 module restored by tools/psdeps (the package's tools/ folder).
root=${NUGET_PACKAGES:-$HOME/.nuget/packages}
echo "$root/pester/5.9.1/tools"
