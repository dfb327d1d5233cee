// Internal to sockspec_address: what address.cc and the parser (address_text.cc)
// share beyond address.h.
//
// The split keeps out of address_text.cc any library code that is not inlined:
// std::optional<Address> and std::string members. In the fuzz build that file
// alone is coverage-instrumented and linked ahead of everything else, so each
// library function it instantiates out of line becomes the one copy every
// caller uses, the fuzz target's oracles included; their branches would then
// count as parser coverage (corpus noise, and libFuzzer work on every input).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "harness/address.h"

namespace sockspec::address_text {

// ParseAddress without the Parsed<> wrapper (address.cc adds it): reads `text` into `a`,
// which must be default-constructed; on failure `a` is unspecified and `error` says why.
bool ParseInto(std::string_view text, Address& a, AddressError& error);

// to = the n bytes at data. Defined in address.cc (see above).
void AssignBytes(std::string& to, const char* data, std::size_t n);

}  // namespace sockspec::address_text
