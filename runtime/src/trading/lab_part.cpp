#include "lab_part.hpp"

#include <algorithm>

namespace voltaic::runtime::trading {

bool lab_part::any_validator() const {
  return std::find(validators.begin(), validators.end(), true) != validators.end();
}

bool lab_part::any_agent() const {
  return dso || clock || recorder || std::find(houses.begin(), houses.end(), true) != houses.end() ||
         std::find(meters.begin(), meters.end(), true) != meters.end();
}

bool lab_part::meter_here(const scenario_config& sc, const std::vector<party>& parties, std::size_t i) const {
  return sc.meter_of(parties[i].name) ? meters[i] : houses[i];
}

market::result<lab_part> resolve_part(const std::vector<std::string>& names, const std::vector<party>& parties,
                                      const scenario_config& sc) {
  const run_config& rc = sc.run;
  lab_part p;
  p.validators.assign(rc.validators.size(), names.empty());
  p.houses.assign(parties.size(), names.empty());
  p.meters.assign(parties.size(), names.empty());
  p.dso = p.clock = p.recorder = names.empty();
  auto refuse = [](const std::string& why) { return market::error{market::errc::invalid_field, why}; };
  auto party_named = [&parties](const std::string& name) -> std::size_t {
    for (std::size_t i = 0; i < parties.size(); ++i)
      if (parties[i].name == name) return i;
    return parties.size();
  };
  for (const auto& m : sc.meters)
    if (party_named(m.party) == parties.size()) return refuse("[[meter]]: '" + m.party + "' is no party of the scenario");
  for (const auto& m : sc.meterds)
    if (party_named(m.party) == parties.size()) return refuse("[[meterd]]: '" + m.party + "' is no party of the scenario");
  const std::string meter_suffix = ".meter";
  for (const auto& name : names) {
    if (name.size() > meter_suffix.size() && name.compare(name.size() - meter_suffix.size(), meter_suffix.size(), meter_suffix) == 0) {
      const std::string owner = name.substr(0, name.size() - meter_suffix.size());
      const std::size_t i = party_named(owner);
      if (i == parties.size()) return refuse("--only: '" + name + "' names the meter of no party");
      if (!sc.meter_of(owner))
        return refuse("--only: " + owner + "'s meter runs with its house: the file places it nowhere else ([[meter]])");
      p.meters[i] = true;
      continue;
    }
    if (name == "agents") {
      p.houses.assign(parties.size(), true);
      p.dso = p.clock = p.recorder = true;
      continue;
    }
    if (name == "dso" || name == "clock" || name == "recorder") {
      (name == "dso" ? p.dso : name == "clock" ? p.clock : p.recorder) = true;
      continue;
    }
    bool validator = false;
    for (std::size_t i = 0; i < rc.validators.size(); ++i)
      if (rc.validators[i].name == name) p.validators[i] = validator = true;
    if (validator) continue;
    const auto dots = name.find("..");
    const std::size_t first = party_named(dots == std::string::npos ? name : name.substr(0, dots));
    const std::size_t last = dots == std::string::npos ? first : party_named(name.substr(dots + 2));
    if (first == parties.size() || last == parties.size() || last < first)
      return refuse("--only: '" + name +
                    "' names no validator, party, range of parties (p0..p27), "
                    "placed meter (p3.meter), dso, clock, recorder or agents");
    for (std::size_t i = first; i <= last; ++i) p.houses[i] = true;
  }
  if (!names.empty() && p.any_validator() && p.any_agent())
    return refuse(
        "--only: run validators and agents in separate processes "
        "(--only v0,v1, or --only p0..p27,dso)");
  return p;
}

}  // namespace voltaic::runtime::trading
