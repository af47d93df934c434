// The persistent thread pool: every task runs once, failures surface as exceptions, a busy pool never blocks.
#include <typenet/runtime/thread_pool.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <vector>

namespace {
using typenet::runtime::thread_pool;

TEST_CASE("thread_pool: run calls every task exactly once, on several threads") {
  thread_pool pool(3);
  CHECK(pool.size() == 4);
  for (std::size_t n : {1u, 2u, 4u, 37u}) {
    std::vector<std::atomic<int>> hits(n);
    pool.run(n, [&](std::size_t t) { ++hits[t]; });
    for (auto& h : hits) CHECK(h.load() == 1);
  }
}

TEST_CASE("thread_pool: the first exception of a task is rethrown after all tasks finish") {
  thread_pool pool(2);
  std::atomic<int> ran{0};
  CHECK_THROWS_WITH_AS(pool.run(8,
                                [&](std::size_t t) {
                                  ++ran;
                                  if (t == 3) throw std::runtime_error("task 3 failed");
                                }),
                       "task 3 failed", std::runtime_error);
  CHECK(ran.load() == 8);
  pool.run(2, [&](std::size_t) { ++ran; });  // still usable
  CHECK(ran.load() == 10);
}

TEST_CASE("thread_pool: a thread that fails to start is an exception, not std::terminate") {
  int started = 0;
  auto failing_start = [&](std::function<void()> f) {
    if (started == 2) throw std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again));
    ++started;
    return std::thread(std::move(f));
  };
  CHECK_THROWS_AS(thread_pool(4, failing_start), std::system_error);
  CHECK(started == 2);  // the two that started were stopped and joined
}

TEST_CASE("thread_pool: a run that finds the pool busy runs on the calling thread") {
  thread_pool pool(1);
  std::atomic<int> inner{0};
  // A task that runs the pool again (as a model's batch inside a user's parallel loop would).
  pool.run(2, [&](std::size_t) { pool.run(3, [&](std::size_t) { ++inner; }); });
  CHECK(inner.load() == 6);
}

TEST_CASE("thread_pool: the shared pool has one thread per core") {
  CHECK(thread_pool::shared().size() == thread_pool::cores());
}
}  // namespace
