// Test support: the number of heap allocations this test program has made (model_test.cpp replaces operator new).
#pragma once

#include <cstddef>

namespace typenet::testing {
std::size_t allocation_count();
}
