// Test support: the number of heap allocations this test program has made (allocations.cpp, linked into
// the program, replaces operator new).
#pragma once

#include <cstddef>

namespace typenet::testing {
std::size_t allocation_count();
}
