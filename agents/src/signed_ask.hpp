#pragma once
// An agent's signed question to its validator (chain/core/signed_query.hpp):
// the answer decoded as its field list (chain/energy/answers.hpp), or why
// not (private to agents/).

#include <caf/all.hpp>

#include <string>
#include <utility>
#include <vector>

#include "voltaic/agents/messages.hpp"
#include "voltaic/chain/core/fields.hpp"
#include "voltaic/chain/core/signed_query.hpp"
#include "voltaic/chain/energy/answers.hpp"

namespace voltaic::agents::detail {

// An answer may list a whole cycle or every account of a lab (100,000 and
// more), far beyond what a transaction may hold; it is still bounded.
inline chain::decode_limits answer_limits() {
  chain::decode_limits l;
  l.max_message = std::size_t{1} << 30;
  l.max_array = std::size_t{1} << 24;
  return l;
}

inline chain::bytes number_args(std::vector<std::uint64_t> values) {
  return chain::encode_fields(chain::number_list{std::move(values)});
}

// Asks `miner` the question `path` with `args`, signed by `key`; calls
// on_answer(T) or on_error(reason).
template <class T, class Self, class OnAnswer, class OnError>
void ask_signed(Self* self, const caf::actor& miner, caf::duration timeout, const std::string& path,
                const chain::bytes& args, const chain::key_pair& key, const std::string& chain_id, OnAnswer on_answer,
                OnError on_error) {
  const chain::bytes request = chain::sign_query(path, args, key, chain_id);
  self->request(miner, timeout, query_atom::value, path, std::string(request.begin(), request.end()))
      .then(
          [on_answer, on_error](bool ok, const std::string& answer) mutable {
            if (!ok) {
              on_error(answer);
              return;
            }
            auto decoded = chain::decode_fields<T>(reinterpret_cast<const std::uint8_t*>(answer.data()), answer.size(),
                                                   answer_limits());
            if (!decoded) {
              on_error(decoded.err().message);
              return;
            }
            on_answer(std::move(decoded).value());
          },
          [on_error](caf::error& e) mutable { on_error(to_string(e)); });
}

}  // namespace voltaic::agents::detail
