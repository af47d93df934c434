// thread_pool: persistent worker threads, as many as the hardware has cores, shared by every model.
#pragma once

#include <typenet/kernels/simd.hpp>  // TYPENET_ISA_NAMESPACE

#include <algorithm>
#include <atomic>
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
      active_ = threads_.size();
      ++generation_;
    }
    wake_.notify_all();
    drain();
    {
      std::unique_lock<std::mutex> g(mutex_);
      done_.wait(g, [&] { return active_ == 0; });
      job_ = nullptr;
      job_arg_ = nullptr;
    }
    if (error) std::rethrow_exception(error);
  }

 private:
  void work() {
    std::size_t seen = 0;
    for (;;) {
      void (*job)(void*) = nullptr;
      void* arg = nullptr;
      {
        std::unique_lock<std::mutex> g(mutex_);
        wake_.wait(g, [&] { return stopping_ || generation_ != seen; });
        if (stopping_) return;
        seen = generation_;
        job = job_;
        arg = job_arg_;
      }
      job(arg);
      {
        std::lock_guard<std::mutex> g(mutex_);
        if (--active_ == 0) done_.notify_one();
      }
    }
  }

  void stop() {
    {
      std::lock_guard<std::mutex> g(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (std::thread& t : threads_)
      if (t.joinable()) t.join();
    threads_.clear();
  }

  std::vector<std::thread> threads_;
  std::mutex run_mutex_;  // one run at a time
  std::mutex mutex_;      // guards what follows
  std::condition_variable wake_, done_;
  void (*job_)(void*) = nullptr;
  void* job_arg_ = nullptr;
  std::size_t active_ = 0;
  std::size_t generation_ = 0;
  bool stopping_ = false;
};

}  // namespace TYPENET_ISA_NAMESPACE
}  // namespace typenet::runtime
