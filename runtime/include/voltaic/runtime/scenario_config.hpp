#pragma once
// A trading scenario: one TOML file describing a whole experiment. Besides
// the sections of run_config.hpp ([chain], [consensus], [genesis],
// [[validator]], all optional here: missing keys are lab keys derived from
// the seed, and `validators = N` makes N in-process validators):
//
//   [scenario]
//   feeder = "ieee-eu-lv"        # or "ieee33", or a directory
//   markets = 1                  # feeder instances, each clearing separately
//   prosumers = 55               # per market, placed on the load buses in order
//   buyers = 0                   # per market; 0: half, rounded up
//   series = "P-30"              # instead of prosumers and buyers: the thesis's
//                                #   P-series book (market/p_series.hpp): its
//                                #   buyers p0.. then sellers, on their
//                                #   positions' buses, energies fixed by seed
//   strategies = ["cooperative"] # cycled over the prosumers of a market
//   mechanism = "dpda"           # or "mcafee"
//   policy = "equal_share"       # or "water_fill"
//   cycles = 3
//   clock = "simulated"          # or "wall": 15-minute cycles, phases of
//   cycle_seconds = 900          #   3, 7, 3 and 2 minutes scaled to this
//   seed = 1
//   reference_price = "0.2023"   # per kWh; valuations within +-15 %
//   min_energy_kwh = "30"        # energy positions drawn per cycle
//   max_energy_kwh = "200"
//   charge_per_m = "0.002"       # the DSO's grid charge
//   penalty = "0.05"             # per kWh of imbalance
//   initial_credits = "1000"     # every prosumer's starting balance
//   short_sellers = 0            # sellers per market whose meter reads short
//   short_delivery = "0.8"       #   this share of what they agreed
//   silent_buyers = 0            # buyers per market whose meter never reports
//   ctp_lifetime_blocks = 300
//   chunk_answers = 10000        # simulated clock: a phase's transactions
//                                #   commit in chunks of this many answers
//                                #   (at most four) while later ones arrive
//
//   market = "auction"           # or "bilateral": SPB's market (no clock
//                                #   phases: each cycle every buyer strikes
//                                #   one deal with a producer over the backbone)
//   settlement = "spb"           # bilateral: or "escrow", the baseline
//   routers = 4                  # bilateral: backbone routers
//   negotiators = ["patient"]    # bilateral: "eager", "patient" or "firm",
//                                #   cycled over the parties
//   unreliable_producers = 0     # bilateral: producers that never deliver
//   fresh_keys = false           # bilateral: producers paid at a fresh key per deal
//
//   [[router]]                   # bilateral: backbone routers r0, r1, ... at
//   host = "127.0.0.1"           #   these addresses, to run them apart
//   port = 27500                 #   (voltaic run --only r0,r1); their count
//                                #   is `routers`
//
//   [clock]                      # where agent processes find the market clock
//   host = "127.0.0.1"           #   (voltaic run --only: needed when houses,
//   port = 0                     #   the DSO or the recorder run elsewhere)
//
//   [[meter]]                    # a house's meter in a process of its own
//   party = "p3"                 #   (voltaic run --only p3.meter), reached
//   host = "127.0.0.1"           #   by its house at this address; without
//   port = 27300                 #   an entry a meter runs with its house
//
//   [[grid_change]]              # the DSO reconfigures before a cycle
//   before_cycle = 2
//   change = "close 12 22"
//
//   [carbon]                     # a carbon market beside it (spec/carbon.md):
//   validators = 4               #   its own validators on LMDB,
//   delta_g_per_kwh = 800        #   the regulator's delta,
//   period = 2020                #   the year its first period clears,
//   periods = 1                  #   how many periods (years) clear in turn,
//   allowance_kg = 1000000       #   every CEC's allowance,
//   block_interval_s = 600       #   empty carbon blocks this far apart (wall
//                                #   clock; the simulated one steps a block
//                                #   per step of the period, a day apart),
//   prices_file = "prices.csv"   #   electricity,carbon history for "copula" prices
//   host = "127.0.0.1"           #   where the carbon clock takes participants
//   port = 0                     #   of other processes (voltaic run --only
//                                #   carbon.18); 0: the clock's process only
//
//   [[carbon_validator]]         # carbon validators c0, c1, ... in this order,
//   host = "127.0.0.1"           #   at these addresses: needed to run them
//   port = 27400                 #   apart (voltaic run --only c0,c1)
//
//   [[carbon_participant]]       # one per IEEE 33 bus taking part
//   bus = 18
//   role = "pvp"                 # or "cec"
//   generation_kwh = 117500      # PVP: the year's metered generation, split
//                                #   into months by the paper's seasonal shape,
//   monthly_kwh = [7000, ...]    #   or its twelve monthly totals (the same
//                                #   each period)
//   house = "p3"                 # PVP: the carbon side of this house: its key
//                                #   and its smart meter's on both chains
//   estimate_kg = 99000          # PVP: what it publishes (default: its check value)
//   emissions_kg = 2455000       # CEC: its verified emissions
//   price = "3.62"               # limit per tonne, or "copula": the analysis's
//                                #   bid range (buyers its top, sellers its bottom)
// Thread-safety: plain values.

#include <cstdint>
#include <string>
#include <vector>

#include <optional>

#include "voltaic/market/carbon_auction.hpp"
#include "voltaic/market/clearing.hpp"
#include "voltaic/market/strategy.hpp"
#include "voltaic/runtime/run_config.hpp"

namespace voltaic::runtime {

// Where a meter placed apart from its house listens.
struct meter_place {
  std::string party;
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
};

// A house's smart meter that settles from a real meter, read by a
// `voltaic meterd` (docs/HARDWARE.md), instead of the meter model.
struct meterd_binding {
  std::string party;
  std::string endpoint;         // e.g. tcp://pi-house3:7600
  std::string server_key;       // meterd's CURVE public key (Z85)
  std::string client_key_file;  // this lab's client key pair, admitted by meterd
};

struct grid_change_step {
  std::uint64_t before_cycle = 0;
  std::string change;
};

// A participant of the carbon market, by its IEEE 33 bus.
struct carbon_participant_spec {
  std::string id;  // the bus number
  market::carbon_role role = market::carbon_role::cec;
  std::int64_t generation_kwh = 0;  // PVP
  std::vector<std::int64_t> monthly_kwh;  // PVP: twelve, or empty (from generation_kwh)
  std::string house;                // PVP: the lab house it is the carbon side of, or ""
  std::size_t house_index = 0;      // that house's party index
  std::int64_t estimate_kg = -1;    // PVP: -1 publishes the check value
  std::int64_t emissions_kg = 0;    // CEC
  std::optional<market::price_ucpt> price;  // none: copula-advised
};

// Where a carbon validator listens when its process runs apart.
struct carbon_validator_place {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
};

struct carbon_scenario {
  bool enabled = false;
  std::uint32_t validators = 4;
  std::int64_t delta_g_per_kwh = 800;
  std::uint64_t period = 2020;  // the first
  std::uint64_t periods = 1;
  std::int64_t allowance_kg = 1'000'000;
  std::uint64_t block_interval_ms = 600'000;
  bool simulated = true;  // [scenario] clock: the carbon clock steps the blocks
  std::string prices_file;  // resolved against the scenario file's directory
  std::vector<carbon_participant_spec> participants;
  std::string host = "127.0.0.1";  // the carbon clock, for participants of other processes
  std::uint16_t port = 0;          // 0: reached in its own process only
  std::vector<carbon_validator_place> places;  // by validator; empty: all in one process
};

// SPB's bilateral market (market = "bilateral").
struct router_place {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
};

struct bilateral_scenario {
  bool enabled = false;
  bool escrow = false;  // settlement = "escrow"
  std::uint64_t routers = 4;
  std::vector<router_place> places;  // [[router]]: r0, r1, ... in order; empty: all in one process
  std::vector<std::string> negotiators{"patient"};
  std::size_t unreliable = 0;
  bool fresh_keys = false;  // producers paid at a fresh key per deal
};

struct scenario_config {
  run_config run;
  std::string feeder = "ieee-eu-lv";
  std::uint64_t markets = 1;
  std::size_t prosumers = 55;
  std::size_t buyers = 0;
  std::string series;  // empty, or P-10 ... P-55
  std::vector<market::strategy_kind> strategies{market::strategy_kind::cooperative};
  market::clearing_options rules;
  std::uint64_t cycles = 3;
  bool wall_clock = false;
  std::uint64_t cycle_ms = 900'000;
  std::uint64_t seed = 1;
  market::price_ucpkwh reference_price = 202'300;
  market::energy_mwh min_energy = 30'000'000;
  market::energy_mwh max_energy = 200'000'000;
  std::int64_t charge_uc_per_m = 2'000;
  std::int64_t penalty_ucpkwh = 50'000;
  std::int64_t initial_credits_uc = 1'000'000'000;
  std::size_t short_sellers = 0;
  std::int64_t short_permille = 800;
  std::size_t silent_buyers = 0;
  std::uint64_t ctp_lifetime_blocks = 300;
  std::size_t chunk_answers = 10'000;
  std::vector<grid_change_step> grid_changes;
  std::string clock_host = "127.0.0.1";
  std::uint16_t clock_port = 0;  // 0: the clock is reached in its own process only
  std::vector<meter_place> meters;  // meters placed apart from their houses
  std::vector<meterd_binding> meterds;  // meters read from real hardware
  carbon_scenario carbon;
  bilateral_scenario bilateral;

  const meterd_binding* meterd_of(const std::string& name) const {
    for (const auto& m : meterds)
      if (m.party == name) return &m;
    return nullptr;
  }

  // Where party `name`'s meter is placed, or nullptr: with its house.
  const meter_place* meter_of(const std::string& name) const {
    for (const auto& m : meters)
      if (m.party == name) return &m;
    return nullptr;
  }

  std::size_t buyers_per_market() const { return buyers ? buyers : (prosumers + 1) / 2; }

  // Party i of market m is called p<i>, or m<m>-p<i> with several markets.
  std::string party_name(std::uint64_t market, std::size_t i) const;
  // The index (market * prosumers + i) of the party called `name`, or nothing.
  std::optional<std::size_t> party_index(const std::string& name) const;
};

// True when the file has a [scenario] section (a trading run rather than validators only).
bool is_scenario_file(const std::string& path);
market::result<scenario_config> load_scenario(const std::string& path);
// The same from text (the embedded demo); `origin` names it in errors.
market::result<scenario_config> parse_scenario(const std::string& text, const std::string& origin);

}  // namespace voltaic::runtime
