#!/usr/bin/env bash
# The dependency rule of ARCHITECTURE.md section 1, checked on the sources
# (CMake enforces it on the targets; this names the line that breaks it):
#   market      includes no chain, agents, runtime or CAF header
#   chain/core  includes nothing of chain/node or chain/energy, and no CAF
#   chain/node  includes nothing of chain/energy, and no CAF
#   chain/carbon and chain/energy include nothing of each other
#   chain/      includes no agents, runtime or CAF header
# And a test name holds no ';': CMake splits the name there, and CTest would
# run a filter that matches no test.
# Prints every offending include with file and line; exit 1 if any.
set -euo pipefail
root="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
cd "$root"
status=0
forbid() {  # folder, extended regex of forbidden includes, what the rule says
  local hits
  hits="$(grep -rnE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($2)" "$1" --include='*.hpp' --include='*.cpp' --include='*.h' || true)"
  if [ -n "$hits" ]; then
    echo "structure: $1 must not include $3:"
    echo "$hits"
    status=1
  else
    echo "structure: $1 includes no $3"
  fi
}
forbid market 'voltaic/(chain|agents|runtime|hardware)/|caf/' "chain, agents, runtime, hardware or CAF headers"
forbid chain/core 'voltaic/chain/(node|energy|carbon)/|caf/' "chain/node, chain/energy or CAF headers"
forbid chain/node 'voltaic/chain/(energy|carbon)/|caf/' "chain/energy or CAF headers"
forbid chain/carbon 'voltaic/chain/energy/' "chain/energy headers"
forbid chain/energy 'voltaic/chain/carbon/' "chain/carbon headers"
forbid chain 'voltaic/(agents|runtime)/|caf/' "agents, runtime or CAF headers"
forbid hardware 'voltaic/(agents|runtime)/|voltaic/chain/(node|energy|carbon)/|caf/' "agents, runtime, chain/node, chain/energy or CAF headers"
names="$(grep -rnE 'TEST_CASE\("[^"]*;' tests --include='*.cpp' || true)"
if [ -n "$names" ]; then
  echo "structure: test names must not hold ';':"
  echo "$names"
  status=1
else
  echo "structure: no test name holds ';'"
fi
exit $status
