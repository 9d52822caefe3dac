#!/usr/bin/env bash
# Makes a lab of VALIDATORS (default 4) validators on loopback: keys
# (voltaic keygen) and lab.toml in DIR (default ./lab). Then:
#   voltaic run DIR/lab.toml                          # all four in one process
#   voltaic run DIR/lab.toml --only v0   (and v1, v2, v3 in other terminals)
#   voltaic load --config DIR/lab.toml --rate 500 --duration 10
set -euo pipefail
dir="${1:-lab}"
voltaic="${VOLTAIC:-$(dirname "$0")/../../build/runtime/voltaic}"
base_port="${BASE_PORT:-24100}"
validators="${VALIDATORS:-4}"
mkdir -p "$dir/keys"
key() { [ -f "$dir/keys/$1.key" ] || "$voltaic" keygen --out "$dir/keys/$1.key" > "$dir/keys/$1.pub"; cat "$dir/keys/$1.pub"; }
{
  echo '[chain]'
  echo 'id = "voltaic-lab"'
  echo 'dir = "chain"'
  echo
  echo '[consensus]'
  echo 'timeout_propose_ms = 300'
  echo 'gossip_ms = 200'
  echo
  echo '[genesis]'
  echo "authority = \"$(key authority)\""
  echo 'authority_key_file = "keys/authority.key"'
  echo "dso = \"$(key dso)\""
  echo "manufacturers = [\"$(key manufacturer)\"]"
  echo "balances = [ { account = \"$(key dso)\", credits = \"1000000\" } ]"
  for ((i = 0; i < validators; i++)); do
    echo
    echo '[[validator]]'
    echo "name = \"v$i\""
    echo "public_key = \"$(key v$i)\""
    echo "key_file = \"keys/v$i.key\""
    echo 'host = "127.0.0.1"'
    echo "port = $((base_port + i))"
  done
} > "$dir/lab.toml"
echo "wrote $dir/lab.toml"
