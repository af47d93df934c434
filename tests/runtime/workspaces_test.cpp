// The workspace pool: one block up front, more only when calls overlap, never more than the limit.
#include <typenet/runtime/workspaces.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <cstdint>
#include <thread>
#include <utility>

namespace {
using namespace typenet::runtime;

TEST_CASE("workspace_pool: one block at first, aligned and zeroed; a second only while the first is out") {
  workspace_pool pool(100, 3);
  CHECK(pool.allocated() == 1);
  float* a = pool.acquire();
  CHECK(reinterpret_cast<std::uintptr_t>(a) % 64 == 0);
  for (int i = 0; i < 100; ++i) CHECK(a[i] == 0.f);
  pool.release(a);
  CHECK(pool.acquire() == a);  // reused, not reallocated
  float* b = pool.acquire();
  CHECK(b != a);
  CHECK(pool.allocated() == 2);
  float* c = pool.try_acquire();
  CHECK(c != nullptr);
  CHECK(pool.try_acquire() == nullptr);  // the limit: 3
  CHECK(pool.allocated() == 3);
  pool.release(a);
  pool.release(b);
  pool.release(c);
}

TEST_CASE("aligned_floats: 64-byte lines below 2 MB, 2 MB pages from 2 MB up, zeroed, every float writable") {
  for (const std::size_t n : {std::size_t{1}, std::size_t{1000}, (std::size_t{2} << 20) / 4 - 1, (std::size_t{2} << 20) / 4,
                              (std::size_t{5} << 20) / 4 + 3}) {
    CAPTURE(n);
    aligned_floats a(n);
    const std::size_t align = n * sizeof(float) >= (std::size_t{2} << 20) ? std::size_t{2} << 20 : 64;
    CHECK(aligned_floats::alignment(n) == align);
    CHECK(reinterpret_cast<std::uintptr_t>(a.data()) % align == 0);
    bool zero = true;
    for (std::size_t i = 0; i < n; ++i) zero = zero && a.data()[i] == 0.f;
    CHECK(zero);
    a.data()[n - 1] = 1.f;  // the last float is the block's (the sanitizers' builds check)
    aligned_floats moved(std::move(a));
    CHECK(moved.size() == n);
    CHECK(moved.data()[n - 1] == 1.f);
  }
}

TEST_CASE("workspace_leases: the next leases get the same workspaces in the same order") {
  workspace_pool pool(64, 3);
  float* first[3];
  {
    const workspace_leases<3> a(pool, 3);
    REQUIRE(a.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) first[i] = a[i];
  }
  for (int round = 0; round < 3; ++round) {
    const workspace_leases<3> b(pool, 3);
    REQUIRE(b.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) CHECK(b[i] == first[i]);
  }
  const workspace_leases<3> two(pool, 2);  // fewer: the first ones
  CHECK(two[0] == first[0]);
  CHECK(two[1] == first[1]);
}

TEST_CASE("workspace_pool: past the limit, acquire waits for a release") {
  workspace_pool pool(16, 1);
  float* a = pool.acquire();
  std::atomic<bool> got{false};
  std::thread t([&] {
    workspace_lease l(pool);
    got = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(!got.load());
  pool.release(a);
  t.join();
  CHECK(got.load());
  CHECK(pool.allocated() == 1);
}
}  // namespace
