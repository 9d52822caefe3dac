#include "carbon_report.hpp"

#include <chrono>
#include <optional>
#include <set>
#include <thread>

#include "voltaic/agents/miner.hpp"
#include "voltaic/chain/carbon/carbon_application.hpp"
#include "voltaic/chain/core/codec.hpp"
#include "voltaic/chain/core/field_reader.hpp"
#include "voltaic/chain/node/lmdb_store.hpp"
#include "voltaic/market/carbon_file.hpp"

namespace voltaic::runtime::carbon {

namespace {

std::optional<chain::bytes> ask(caf::scoped_actor& self, const caf::actor& validator, const std::string& path,
                                const chain::bytes& request) {
  std::optional<chain::bytes> answer;
  self->request(validator, std::chrono::seconds(10), agents::query_atom::value, path,
                std::string(request.begin(), request.end()))
      .receive(
          [&](bool ok, const std::string& a) {
            if (ok) answer = chain::bytes(a.begin(), a.end());
          },
          [&](caf::error&) {});
  return answer;
}

const char* role_name(market::carbon_role r) { return r == market::carbon_role::pvp ? "pvp" : "cec"; }

}  // namespace

bool carbon_report::open(const std::string& out_dir, std::ostream& err) {
  quotas_.open(out_dir + "/carbon_quotas.csv");
  trades_.open(out_dir + "/carbon_trades.csv");
  results_.open(out_dir + "/carbon_results.csv");
  if (!quotas_ || !trades_ || !results_) {
    err << "carbon lab: cannot write the carbon tables in " << out_dir << "\n";
    return false;
  }
  quotas_ << "id,role,estimate_kg,check_kg,round\n";
  trades_ << "round,buyer,seller,phase,quantity_kg,price,turnover\n";
  results_ << "round,id,role,bought_kg,sold_kg,pays,receives,trades,balance_kg\n";
  return true;
}

bool carbon_report::record_period(caf::scoped_actor& self, const caf::actor& validator, const carbon_scenario& c,
                                  const carbon_keys& keys, std::uint64_t period,
                                  const std::vector<agents::carbon_outcome>& outcomes, std::ostream& out,
                                  std::ostream& err) {
  for (std::size_t k = 0; k < c.participants.size(); ++k) {
    const auto& p = c.participants[k];
    if (p.role != market::carbon_role::pvp) continue;
    chain::encoder q;
    q.array(2).bin(keys.parties[k].pub).uint(period);
    const auto answer = ask(self, validator, "quota", q.take());
    if (!answer) continue;
    auto d = chain::decoder::open(*answer);
    if (!d) continue;
    chain::detail::field_reader r(d.value());
    r.array(4);
    const bool found = r.boolean();
    const std::int64_t estimate = r.i64(), check = r.i64();
    if (!found) continue;
    quotas_ << p.id << ",pvp," << estimate << "," << check << "," << period << "\n";
    out << "quota of PVP " << p.id << (p.house.empty() ? "" : " (house " + p.house + ")") << " for " << period
        << ": published " << estimate / 1000 << " t, check value " << check / 1000 << " t"
        << (estimate != check ? " (the check value counts)" : "") << "\n";
  }
  chain::encoder rq;
  rq.array(1).uint(period);
  const auto answer = ask(self, validator, "recorded", rq.take());
  auto decoded = answer ? chain::carbon::decode_auction_result(*answer)
                        : market::result<chain::carbon::auction_result_body>(
                              chain::chain_error("not-recorded", "no answer"));
  if (!decoded) {
    err << "carbon lab: no auction recorded for " << period << "\n";
    return false;
  }
  const auto& result = decoded.value();
  const auto id = [&keys](const chain::public_key& k) {
    auto it = keys.id_of.find(k);
    return it == keys.id_of.end() ? std::string("?") : it->second;
  };
  out << "auction of " << period << " (phase buyer <- seller, t, price, turnover):\n";
  // What the record owes each participant, to hold against what it learnt.
  std::map<std::string, agents::carbon_outcome> owed;
  for (const auto& t : result.trades) {
    trades_ << period << "," << id(t.buyer) << "," << id(t.seller) << "," << int{t.phase} << "," << t.quantity_kg
            << "," << market::carbon_decimal(t.price_ucpt) << "," << market::carbon_decimal(t.turnover_uc) << "\n";
    out << "  " << int{t.phase} << " " << id(t.buyer) << " <- " << id(t.seller) << "  " << t.quantity_kg / 1000
        << " t at " << market::carbon_decimal(t.price_ucpt) << ", " << market::carbon_decimal(t.turnover_uc) << "\n";
    auto& buyer = owed[id(t.buyer)];
    buyer.bought_kg += t.quantity_kg, buyer.pays_uc += t.turnover_uc, ++buyer.trades;
    auto& seller = owed[id(t.seller)];
    seller.sold_kg += t.quantity_kg, seller.receives_uc += t.turnover_uc, ++seller.trades;
  }
  bool agree = true;
  std::size_t told = 0;
  for (std::size_t k = 0; k < c.participants.size() && k < outcomes.size(); ++k) {
    const auto& p = c.participants[k];
    const auto& o = outcomes[k];
    const auto& due = owed[p.id];
    if (!o.problem.empty() || o.name != p.id || o.period != period || o.bought_kg != due.bought_kg ||
        o.sold_kg != due.sold_kg || o.pays_uc != due.pays_uc || o.receives_uc != due.receives_uc ||
        o.trades != due.trades) {
      err << "carbon lab: participant " << p.id << " learnt other results for " << period << " than the chain records"
          << (o.problem.empty() ? "" : ": " + o.problem) << "\n";
      agree = false;
      continue;
    }
    ++told;
    results_ << period << "," << p.id << "," << role_name(p.role) << "," << o.bought_kg << "," << o.sold_kg << ","
             << market::carbon_decimal(o.pays_uc) << "," << market::carbon_decimal(o.receives_uc) << "," << o.trades
             << "," << o.balance_kg << "\n";
  }
  out << "each participant learnt its results of " << period << " from its validator: " << told << " of "
      << c.participants.size() << "\n";
  quotas_.flush(), trades_.flush(), results_.flush();
  return agree && outcomes.size() == c.participants.size();
}

bool same_head(caf::scoped_actor& self, const std::vector<caf::actor>& validators, std::ostream& out) {
  std::set<std::string> heads;
  std::uint64_t height = 0;
  for (int attempt = 0; attempt < 50; ++attempt) {
    heads.clear();
    for (const auto& val : validators)
      self->request(val, std::chrono::seconds(10), agents::head_atom::value)
          .receive(
              [&](std::uint64_t h, const std::string& head) {
                height = h;
                heads.insert(std::to_string(h) + " " + head);
              },
              [&](caf::error&) { heads.insert("no answer"); });
    if (heads.size() == 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  if (heads.size() != 1) {
    out << "carbon replicas differ: " << heads.size() << " heads\n";
    return false;
  }
  const auto& only = *heads.begin();
  out << "every carbon replica at height " << height << ", head " << only.substr(only.find(' ') + 1, 16) << "\n";
  return true;
}

bool replay_stores(const carbon_scenario& c, const carbon_keys& keys, const std::string& chain_dir, std::ostream& out,
                   std::ostream& err) {
  std::vector<chain::validator> set;
  for (const auto& key : keys.genesis.validators) set.push_back({key, 1});
  std::set<chain::hash256> replayed;
  bool ok = true;
  for (std::uint32_t i = 0; i < c.validators; ++i) {
    const auto store_dir = chain_dir + "/" + validator_name(i);
    auto store = chain::open_lmdb_store(store_dir);
    auto app = store ? chain::carbon::carbon_application::open(keys.genesis, set, keys.validators[i].pub,
                                                               std::move(store).value())
                     : market::result<std::unique_ptr<chain::carbon::carbon_application>>(store.err());
    if (!app) {
      err << "carbon lab: " << store_dir << " does not verify: " << app.err().message << "\n";
      ok = false;
      continue;
    }
    replayed.insert(app.value()->head_hash());
  }
  if (ok && replayed.size() == 1) {
    out << "every carbon replica re-executed from its store to the same head\n";
    return true;
  }
  if (ok) out << "carbon replicas re-executed to " << replayed.size() << " heads\n";
  return false;
}

}  // namespace voltaic::runtime::carbon
