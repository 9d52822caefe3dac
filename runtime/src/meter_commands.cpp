// `voltaic meterd`, `voltaic meter init`, `voltaic meter tail` and
// `voltaic keygen --curve`: the command-line side of hardware/.
#include <nlohmann/json.hpp>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <ostream>

#include "voltaic/chain/core/hash.hpp"
#include "voltaic/chain/core/keys.hpp"
#include "voltaic/hardware/curve_keys.hpp"
#include "voltaic/hardware/meter_keys_file.hpp"
#include "voltaic/hardware/reading_subscriber.hpp"
#include "voltaic/runtime/commands.hpp"
#include "voltaic/runtime/meter_config.hpp"

namespace voltaic::runtime {

namespace {

std::atomic<bool> meter_stop{false};
extern "C" void on_meter_signal(int) { meter_stop = true; }

int fail(std::ostream& err, const char* command, const std::string& message, int status) {
  err << "voltaic " << command << ": " << message << "\n";
  return status;
}

}  // namespace

int run_meterd_command(const std::string& config_path, std::ostream& out, std::ostream& err) {
  auto config = load_meter_config(config_path);
  if (!config) return fail(err, "meterd", config.err().message, 2);
  auto daemon = hardware::meter_daemon::open(config.value());
  if (!daemon) return fail(err, "meterd", daemon.err().message, 2);
  meter_stop = false;
  std::signal(SIGINT, on_meter_signal);
  std::signal(SIGTERM, on_meter_signal);
  if (auto st = daemon.value()->run(meter_stop, out); !st) return fail(err, "meterd", st.err().message, 1);
  return 0;
}

int run_meter_init(const meter_init_options& o, std::ostream& out, std::ostream& err) {
  auto source = hardware::parse_source_uri(o.source);
  if (!source) return fail(err, "meter init", source.err().message, 2);
  if (source.value().kind == "trace") source.value().file = std::filesystem::absolute(source.value().file).string();
  if (o.coe_keys < 1 || o.coe_keys > 4'096) return fail(err, "meter init", "--coe-keys must be 1..4096", 2);
  std::error_code ec;
  std::filesystem::create_directories(o.dir, ec);
  if (ec) return fail(err, "meter init", o.dir + ": cannot create: " + ec.message(), 1);
  const std::string config_path = o.dir + "/meter.toml";
  if (std::filesystem::exists(config_path, ec))
    return fail(err, "meter init", config_path + " exists already; choose another --dir", 1);
  const hardware::curve_key_pair server = hardware::generate_curve_keys(), client = hardware::generate_curve_keys();
  const hardware::meter_key_material keys = hardware::make_meter_key_material(static_cast<std::size_t>(o.coe_keys));
  for (const auto& st : {hardware::save_meter_keys(o.dir + "/meter.keys", keys),
                         hardware::save_curve_keys(o.dir + "/server.curve", server),
                         hardware::save_curve_keys(o.dir + "/client.key", client)})
    if (!st) return fail(err, "meter init", st.err().message, 1);
  // The files without secrets are 0600 too: what a meter admits and where
  // its keys are is for its owner alone.
  for (const auto& [path, text] :
       {std::pair{o.dir + "/allowed_clients",
                  "# CURVE public keys of the clients meterd admits, one per line\n" + client.public_z85 + "\n"},
        std::pair{config_path, meter_config_text(source.value(), o.publish)}})
    if (auto st = chain::write_private_file(path, text); !st) return fail(err, "meter init", st.err().message, 1);
  out << server.public_z85 << "\n";
  err << "meter " << chain::to_hex(keys.identity.pub) << " with " << keys.coe.size() << " CoE keys (root "
      << chain::to_hex(hardware::coe_root(keys)) << "); start it with: voltaic meterd --config " << config_path
      << "\n";
  return 0;
}

int run_meter_tail(const meter_tail_options& o, std::ostream& out, std::ostream& err) {
  auto client = hardware::load_curve_keys(o.client_key);
  if (!client) return fail(err, "meter tail", client.err().message, 2);
  auto sub = hardware::reading_subscriber::connect(o.connect, o.server_key, client.value(), o.from);
  if (!sub) return fail(err, "meter tail", sub.err().message, 2);
  meter_stop = false;
  std::signal(SIGINT, on_meter_signal);
  std::signal(SIGTERM, on_meter_signal);
  std::int64_t shown = 0;
  const auto deadline = o.wait_s > 0 ? std::chrono::steady_clock::now() + std::chrono::duration<double>(o.wait_s)
                                     : std::chrono::steady_clock::time_point::max();
  while (!meter_stop && (o.count == 0 || shown < o.count)) {
    if (std::chrono::steady_clock::now() >= deadline)
      return fail(err, "meter tail", "no more readings within " + std::to_string(o.wait_s) + " s", 1);
    auto next = sub.value()->next(std::chrono::milliseconds(200));
    if (!next) {
      err << "voltaic meter tail: " << next.err().message << "\n";
      continue;
    }
    if (!next.value()) continue;
    const hardware::verified_reading& v = *next.value();
    const hardware::reading& r = v.value;
    if (o.json) {
      nlohmann::json j = {{"meter", chain::to_hex(r.meter)}, {"seq", r.seq},       {"time_ms", r.time_ms},
                          {"import_wh", r.import_wh},        {"export_wh", r.export_wh}, {"gap", r.gap},
                          {"signature_ok", v.signature_ok}};
      out << j.dump() << "\n";
    } else {
      out << "#" << r.seq << " at " << r.time_ms << " ms: ";
      if (r.gap) out << "gap (the meter could not be read)";
      else out << "import " << r.import_wh << " Wh, export " << r.export_wh << " Wh";
      out << (v.signature_ok ? ", signature ok" : ", SIGNATURE DOES NOT VERIFY") << "\n";
    }
    out.flush();
    ++shown;
  }
  return 0;
}

int run_keygen_curve(const std::string& out_path, std::ostream& out, std::ostream& err) {
  const hardware::curve_key_pair keys = hardware::generate_curve_keys();
  if (auto st = hardware::save_curve_keys(out_path, keys); !st) return fail(err, "keygen", st.err().message, 1);
  out << keys.public_z85 << "\n";
  return 0;
}

}  // namespace voltaic::runtime
