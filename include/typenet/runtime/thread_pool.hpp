// thread_pool: persistent worker threads, as many as the hardware has cores, shared by every model.
#pragma once

#include <typenet/kernels/simd.hpp>  // TYPENET_ISA_NAMESPACE

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace typenet::runtime {
inline namespace TYPENET_ISA_NAMESPACE {

/// A hint to the CPU that this thread is spinning (x86's pause).
inline void cpu_pause() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

/// Worker threads started once and kept: `run(n, task)` calls task(0) ...
/// task(n - 1) on the workers and the calling thread, and returns when all
/// are done. One run at a time: a run that finds the pool busy (another
/// model's batch, or a nested call) does its tasks on the calling thread, so
/// calls never wait for each other and never deadlock. The first exception a
/// task throws is rethrown by run() after every task has finished.
class thread_pool {
 public:
  /// Starts `workers` threads with `start` (std::thread's constructor by
  /// default; tests pass one that fails). If a thread fails to start, the
  /// ones already started are stopped and joined, and the std::system_error
  /// propagates: never std::terminate.
  explicit thread_pool(std::size_t workers,
                       const std::function<std::thread(std::function<void()>)>& start = [](std::function<void()> f) {
                         return std::thread(std::move(f));
                       }) {
    threads_.reserve(workers);
    try {
      for (std::size_t i = 0; i < workers; ++i) threads_.push_back(start([this] { work(); }));
    } catch (...) {
      stop();
      throw;
    }
  }
  thread_pool(const thread_pool&) = delete;
  thread_pool& operator=(const thread_pool&) = delete;
  ~thread_pool() { stop(); }

  /// The pool every model shares: one worker per core beyond the calling
  /// thread's. Started on first use; a failure to start throws from that use
  /// (and the next use tries again).
  static thread_pool& shared() {
    static thread_pool pool(cores() - 1);
    return pool;
  }

  /// Cores of this machine (at least 1).
  static std::size_t cores() { return std::max(1u, std::thread::hardware_concurrency()); }

  /// Threads a run can use: the workers and the caller.
  std::size_t size() const { return threads_.size() + 1; }

  template <class Task>
  void run(std::size_t n, Task&& task) {
    if (n == 0) return;
    std::unique_lock<std::mutex> busy(run_mutex_, std::try_to_lock);
    if (!busy.owns_lock() || threads_.empty() || n == 1) {
      for (std::size_t t = 0; t < n; ++t) task(t);
      return;
    }
    run_locked(n, task);
  }

  /// A team of threads that run at the same time, so that they may wait for
  /// each other (a barrier): task(t, parts) for t in [0, parts) on `parts`
  /// distinct threads, parts = min(n, size()); or, if the pool is busy, has no
  /// workers or n is 1, task(0, 1) alone on the calling thread. The tasks must
  /// not throw.
  template <class Task>
  void team(std::size_t n, Task&& task) {
    std::unique_lock<std::mutex> busy(run_mutex_, std::try_to_lock);
    const std::size_t parts = std::min(n, size());
    if (!busy.owns_lock() || parts <= 1) return task(std::size_t{0}, std::size_t{1});
    // Each task returns only when all have started (they wait for each other), and there are no
    // more tasks than threads: no thread takes a second one, so the parts run at once.
    auto one = [&](std::size_t t) { task(t, parts); };
    run_locked(parts, one);
  }

 private:
  template <class Task>
  void run_locked(std::size_t n, Task& task) {
    std::exception_ptr error;
    std::mutex error_mutex;
    std::atomic<std::size_t> next{0};
    auto drain = [&] {
      for (std::size_t t; (t = next.fetch_add(1)) < n;) {
        try {
          task(t);
        } catch (...) {
          std::lock_guard<std::mutex> g(error_mutex);
          if (!error) error = std::current_exception();
        }
      }
    };
    {
      std::lock_guard<std::mutex> g(mutex_);
      // A plain function and a pointer to drain (which outlives the job): no allocation.
      job_ = [](void* d) { (*static_cast<decltype(drain)*>(d))(); };
      job_arg_ = &drain;
      active_.store(threads_.size(), std::memory_order_relaxed);
      generation_.store(generation_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
    }
    wake_.notify_all();
    drain();
    // The workers are about done too: wait for them spinning a little, then asleep.
    spin_until([&] { return active_.load(std::memory_order_acquire) == 0; });
    {
      std::unique_lock<std::mutex> g(mutex_);
      done_.wait(g, [&] { return active_.load(std::memory_order_acquire) == 0; });
      job_ = nullptr;
      job_arg_ = nullptr;
    }
    if (error) std::rethrow_exception(error);
  }

  /// Spins up to spin_time for `ready`, pausing between looks; whether it became true.
  template <class Ready>
  static bool spin_until(Ready ready) {
    const auto until = std::chrono::steady_clock::now() + spin_time;
    for (unsigned k = 1;; ++k) {
      if (ready()) return true;
      if (k % 64 == 0 && std::chrono::steady_clock::now() > until) return false;
      cpu_pause();
    }
  }

  void work() {
    std::size_t seen = 0;
    for (;;) {
      // A worker that just finished a job looks for the next one spinning for a while (a forward
      // pass of one sample is a job, and the next often follows within microseconds), then sleeps.
      auto ready = [&] {
        return stopping_.load(std::memory_order_acquire) || generation_.load(std::memory_order_acquire) != seen;
      };
      if (!spin_until(ready)) {
        std::unique_lock<std::mutex> g(mutex_);
        wake_.wait(g, ready);
      }
      if (stopping_.load(std::memory_order_acquire)) return;
      void (*job)(void*) = nullptr;
      void* arg = nullptr;
      {
        std::lock_guard<std::mutex> g(mutex_);
        seen = generation_.load(std::memory_order_relaxed);
        job = job_;
        arg = job_arg_;
      }
      job(arg);
      if (active_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard<std::mutex> g(mutex_);  // the caller is spinning, or waiting under the mutex
        done_.notify_one();
      }
    }
  }

  void stop() {
    {
      std::lock_guard<std::mutex> g(mutex_);
      stopping_.store(true, std::memory_order_release);
    }
    wake_.notify_all();
    for (std::thread& t : threads_)
      if (t.joinable()) t.join();
    threads_.clear();
  }

  /// How long a worker looks for the next job, and the caller for the end of its run, before
  /// sleeping: about what a small layer takes, and what waking a thread costs.
  static constexpr std::chrono::microseconds spin_time{100};

  std::vector<std::thread> threads_;
  std::mutex run_mutex_;  // one run at a time
  std::mutex mutex_;      // guards job_ and job_arg_; the sleeps on wake_ and done_
  std::condition_variable wake_, done_;
  void (*job_)(void*) = nullptr;
  void* job_arg_ = nullptr;
  std::atomic<std::size_t> active_{0};      // workers still on the current job
  std::atomic<std::size_t> generation_{0};  // jobs started so far
  std::atomic<bool> stopping_{false};
};

/// A reusable barrier for a team of `n` threads that are all running (thread_pool::team): each
/// arrive_and_wait() returns once all n have arrived, and sees what they wrote before arriving.
/// It spins (a few microseconds), then yields, so a descheduled member costs time, not a hang.
class spin_barrier {
 public:
  explicit spin_barrier(std::size_t n) : n_(n) {}

  void arrive_and_wait() {
    const std::size_t phase = phase_.load(std::memory_order_acquire);
    if (arrived_.fetch_add(1, std::memory_order_acq_rel) + 1 == n_) {
      arrived_.store(0, std::memory_order_relaxed);
      phase_.store(phase + 1, std::memory_order_release);
      return;
    }
    for (unsigned spins = 0; phase_.load(std::memory_order_acquire) == phase; ++spins) {
      if (spins < 2048)
        cpu_pause();
      else
        std::this_thread::yield();
    }
  }

 private:
  std::size_t n_;
  std::atomic<std::size_t> arrived_{0};
  std::atomic<std::size_t> phase_{0};
};

}  // namespace TYPENET_ISA_NAMESPACE
}  // namespace typenet::runtime
