// Symbolic names for errno values and signals, so failure messages say
// EADDRINUSE rather than 98.
#pragma once

#include <string>

namespace sockspec {

// "EADDRINUSE" for EADDRINUSE; "errno 4242" for a value this table lacks.
std::string ErrnoName(int err);

// "EADDRINUSE (Address already in use)".
std::string DescribeErrno(int err);

// "SIGSEGV" for SIGSEGV; "signal 42" otherwise.
std::string SignalName(int sig);

}  // namespace sockspec
