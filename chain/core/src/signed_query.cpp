#include "voltaic/chain/core/signed_query.hpp"

#include "voltaic/chain/core/fields.hpp"

namespace voltaic::chain {

template <class Io>
void fields(Io& io, signed_query& q) {
  io.array(3);
  io(q.asker);
  io(q.sig);
  io(q.args);
}

namespace {

bytes signed_part(std::string_view path, const bytes& args) {
  encoder e;
  e.array(2);
  e.str(std::string(path));
  e.bin(args);
  return e.take();
}

}  // namespace

bytes sign_query(std::string_view path, const bytes& args, const key_pair& asker, std::string_view chain_id) {
  signed_query q{asker.pub, sign(domain::query, chain_id, signed_part(path, args), asker), args};
  return encode_fields(q);
}

result<signed_query> open_query(std::string_view path, const bytes& request, std::string_view chain_id) {
  auto q = decode_fields<signed_query>(request);
  if (!q) return q.err();
  if (!verify(domain::query, chain_id, signed_part(path, q.value().args), q.value().sig, q.value().asker))
    return chain_error("bad-signature", "the question is not signed by its asker");
  return q;
}

}  // namespace voltaic::chain
