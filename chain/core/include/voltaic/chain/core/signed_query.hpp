#pragma once
// A question only some keys may put (a prosumer about itself, the DSO about
// its channel, an observer about a whole cycle): [asker, signature,
// arguments], signed under domain::query over [path, arguments] so a
// signature for one question never answers another. A replayed question
// gets its asker's answer again, which only whoever saw the first answer
// could want; nothing else is learnt.
// Thread-safety: pure functions.

#include <string_view>

#include "voltaic/chain/core/error.hpp"
#include "voltaic/chain/core/keys.hpp"

namespace voltaic::chain {

struct signed_query {
  public_key asker{};
  signature sig{};
  bytes args;  // the question's own arguments, canonical bytes
};

bytes sign_query(std::string_view path, const bytes& args, const key_pair& asker, std::string_view chain_id);
// The question, once its signature holds; "decode" or "bad-signature" otherwise.
result<signed_query> open_query(std::string_view path, const bytes& request, std::string_view chain_id);

}  // namespace voltaic::chain
