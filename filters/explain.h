#pragma once
// `consentry explain`: the whole request-side decision for one request, without forwarding it,
// as one JSON object (SPEC §1):
//   {"consent":{…},"region":"…","location":{…},"event":{…}|null,"reason":"…"}

#include <string>

#include "filters/chain.h"
#include "filters/chain_shared.h"

namespace consentry::filters {

std::string explainJson(const ChainShared& shared, const RequestInfo& request);

}  // namespace consentry::filters
