#pragma once
// meter.toml, the file of `voltaic meterd` (config_schema.hpp has its keys):
//   [source]  kind = "modbus-tcp" | "modbus-rtu" | "s0" | "trace", and for
//             that kind: address ("HOST:PORT"), unit, map; device, baud,
//             unit, map; chip, line, pulses_per_kwh, direction; file
//   [publish] endpoint = "tcp://*:7600"
//   [curve]   secret_key_file, allowed_clients_file
//   [journal] dir (default "journal")
//   [meter]   key_file, interval_ms (default 1000)
// Relative paths are taken from the file's own directory.
// Thread-safety: pure functions over files.

#include <string>

#include "voltaic/hardware/meter_daemon.hpp"
#include "voltaic/market/error.hpp"

namespace voltaic::runtime {

market::result<hardware::meterd_config> load_meter_config(const std::string& path);

// The text of a meter.toml for `voltaic meter init` (paths relative to it).
std::string meter_config_text(const hardware::meter_source_config& source, const std::string& endpoint);

}  // namespace voltaic::runtime
