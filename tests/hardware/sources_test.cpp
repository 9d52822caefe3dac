// Meter sources as pure logic and files: register maps (built in and from
// TOML), source URIs, S0 debouncing, trace replay. Bad input is one error
// naming the file or URI and what is wrong.
#include <doctest/doctest.h>

#include <fstream>

#include "support/temp_dir.hpp"
#include "voltaic/hardware/meter_source_config.hpp"
#include "voltaic/hardware/pulse_meter.hpp"
#include "voltaic/hardware/register_map.hpp"
#include "voltaic/hardware/trace_meter.hpp"

using namespace voltaic::hardware;

TEST_CASE("Eastron maps: total import at 0x0048 and export at 0x004A, float32 big-endian kWh, read as Wh") {
  for (const char* name : {"sdm120", "sdm630"}) {
    auto m = builtin_register_map(name);
    REQUIRE(m.ok());
    CHECK(m.value().import_energy.address == 0x0048);
    CHECK(m.value().export_energy.address == 0x004A);
    CHECK(m.value().import_energy.table == register_table::input);
    std::uint16_t regs[2];
    encode_value(m.value().import_energy, 1234.5, regs);
    CHECK(regs[0] == 0x449A);  // 1234.5f = 0x449A5000, high word first
    CHECK(regs[1] == 0x5000);
    CHECK(decode_wh(m.value().import_energy, regs).value() == 1'234'500);
  }
  auto unknown = builtin_register_map("sdm999");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.err().message == "unknown register map 'sdm999' (built in: sdm120, sdm630; or a TOML file)");
}

TEST_CASE("a register map file gives address, table, type, word order and scale, and a bad one is named") {
  voltaic::test::temp_dir dir("hw-maps");
  auto write = [&](const std::string& text) {
    const std::string path = (dir.path() / "map.toml").string();
    std::ofstream(path) << text;
    return path;
  };
  auto m = load_register_map(write("[import]\naddress = 10\ntable = \"holding\"\ntype = \"int32\"\n"
                                   "word_order = \"little\"\nscale_to_wh = 10\n"
                                   "[export]\naddress = 12\ntype = \"uint16\"\nscale_to_wh = 1\n"));
  REQUIRE(m.ok());
  const register_field& imp = m.value().import_energy;
  CHECK(imp.table == register_table::holding);
  std::uint16_t regs[2];
  encode_value(imp, -70'000, regs);
  CHECK(regs[1] == 0xFFFE);  // little: the high word second
  CHECK(decode_wh(imp, regs).value() == -700'000);
  encode_value(m.value().export_energy, 513, regs);
  CHECK(decode_wh(m.value().export_energy, regs).value() == 513);

  const std::string path = (dir.path() / "map.toml").string();
  auto error_of = [&](const std::string& text) {
    auto r = load_register_map(write(text));
    REQUIRE_FALSE(r.ok());
    return r.err().message;
  };
  CHECK(error_of("[import]\naddress = 1\n") == path + ": no [export] section (the register of the export energy)");
  CHECK(error_of("[import]\naddress = 1\ntype = \"float64\"\n[export]\naddress = 2\n") ==
        path + ": [import] type: 'float64' (expected uint16, int16, uint32, int32 or float32)");
  CHECK(error_of("[import]\naddress = 70000\n[export]\naddress = 2\n") == path + ": [import] address: must be 0..65535");
  CHECK(error_of("[import]\nadress = 1\n[export]\naddress = 2\n").find("[import] adress: unknown key") !=
        std::string::npos);
  CHECK(error_of("[import\naddress = 1\n").rfind(path + ":1:", 0) == 0);
  CHECK(error_of("[imports]\n").find("unknown section 'imports'") != std::string::npos);
  CHECK(find_register_map((dir.path() / "none.toml").string()).err().message.find("no such register map file") !=
        std::string::npos);
}

TEST_CASE("source URIs: each kind with its parameters, and a clear error for anything else") {
  auto tcp = parse_source_uri("modbus-tcp://10.0.0.5:1502?unit=3&map=sdm120");
  REQUIRE(tcp.ok());
  CHECK(tcp.value().address == "10.0.0.5:1502");
  CHECK(tcp.value().unit == 3);
  CHECK(tcp.value().map == "sdm120");
  auto rtu = parse_source_uri("modbus-rtu:///dev/ttyUSB0?baud=19200&unit=2&map=sdm630");
  REQUIRE(rtu.ok());
  CHECK(rtu.value().device == "/dev/ttyUSB0");
  CHECK(rtu.value().baud == 19'200);
  auto s0 = parse_source_uri("s0://gpiochip0/17?pulses_per_kwh=800&direction=export");
  REQUIRE(s0.ok());
  CHECK(s0.value().line == 17);
  CHECK(s0.value().pulses_per_kwh == 800);
  CHECK(s0.value().exports);
  auto trace = parse_source_uri("trace:///var/lib/trace.csv");
  REQUIRE(trace.ok());
  CHECK(trace.value().file == "/var/lib/trace.csv");
  for (const auto* c : {&tcp.value(), &rtu.value(), &s0.value(), &trace.value()})
    CHECK(parse_source_uri(to_uri(*c)).value().kind == c->kind);

  auto error_of = [](const std::string& uri) { return parse_source_uri(uri).err().message; };
  CHECK(error_of("modbus-tcp://host") == "source 'modbus-tcp://host': expected HOST:PORT");
  CHECK(error_of("modbus-tcp://h:0") == "source 'modbus-tcp://h:0': the port must be a whole number from 1 to 65535, not '0'");
  CHECK(error_of("modbus-tcp://h:502?unit=300").find("unit must be a whole number from 0 to 247") != std::string::npos);
  CHECK(error_of("modbus-tcp://h:502?speed=1") == "source 'modbus-tcp://h:502?speed=1': unknown parameter 'speed'");
  CHECK(error_of("mbus://x").find("unknown kind 'mbus'") != std::string::npos);
  CHECK(error_of("/dev/ttyUSB0").find("expected modbus-tcp://") != std::string::npos);
  CHECK(error_of("s0://gpiochip0").find("expected CHIP/LINE") != std::string::npos);
}

TEST_CASE("S0 pulses: edges within the debounce time are bounce, Wh follow the pulses per kWh") {
  pulse_counter c(800, 20'000'000);  // 800 pulses per kWh, 20 ms
  const std::uint64_t ms = 1'000'000;
  CHECK(c.edge(1'000 * ms));
  CHECK_FALSE(c.edge(1'005 * ms));  // bounce
  CHECK_FALSE(c.edge(1'019 * ms));
  CHECK(c.edge(1'020 * ms));
  for (int k = 0; k < 798; ++k) c.edge((2'000 + 50 * static_cast<std::uint64_t>(k)) * ms);
  CHECK(c.pulses() == 800);
  CHECK(c.energy_wh() == 1'000);
  c.edge(100'000 * ms);
  CHECK(c.energy_wh() == 1'001);  // 801 pulses = 1001.25 Wh, counted down to whole Wh

  // No GPIO chip on this machine: opening one is a clear error, not a hang.
  pulse_line line;
  line.chip = "gpiochip-none";
  auto m = pulse_meter::open(line);
  REQUIRE_FALSE(m.ok());
  CHECK(m.err().message.rfind("s0: cannot open GPIO chip 'gpiochip-none'", 0) == 0);
}

TEST_CASE("a trace replays its rows by time, and a line out of order or falling is refused with its line") {
  voltaic::test::temp_dir dir("hw-trace");
  const std::string path = (dir.path() / "t.csv").string();
  std::ofstream(path) << "time_ms,import_wh,export_wh\n0,100,0\n# a comment\n100000,150,5\n";
  auto t = trace_meter::open(path);
  REQUIRE(t.ok());
  auto first = t.value()->read();
  REQUIRE(first.ok());
  CHECK(first.value().import_wh == 100);
  CHECK(first.value().counter == 1);

  auto error_of = [&](const std::string& text) {
    std::ofstream(path) << text;
    auto r = trace_meter::open(path);
    REQUIRE_FALSE(r.ok());
    return r.err().message;
  };
  CHECK(error_of("time_ms,import_wh,export_wh\n0,100,0\n0,120,0\n") == path + ":3: time_ms must grow from row to row");
  CHECK(error_of("time_ms,import_wh,export_wh\n0,100,0\n5,90,0\n") == path + ":3: cumulative energies never fall");
  CHECK(error_of("time_ms,import_wh,export_wh\n0,x,0\n").rfind(path + ":2: import_wh", 0) == 0);
  CHECK(error_of("time_ms,import_wh,export_wh\n") == path + ": the trace has no rows");
  CHECK(error_of("time,import_wh,export_wh\n").find("no column 'time_ms'") != std::string::npos);
}
