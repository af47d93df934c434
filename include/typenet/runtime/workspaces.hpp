// Workspaces: aligned float blocks, and a bounded pool of them so that concurrent calls never share one.
#pragma once

#include <typenet/kernels/simd.hpp>  // TYPENET_ISA_NAMESPACE

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>  // madvise
#endif

namespace typenet::runtime {
inline namespace TYPENET_ISA_NAMESPACE {

/// A 64-byte aligned, zeroed float array, allocated once; movable, not copyable. A block of 2 MB
/// or more (a parameter block with a big dense layer, a batch's workspace) takes whole 2 MB pages,
/// aligned, and asks Linux for transparent huge pages (madvise; where the system gives them only on
/// request): the CIFAR net's 8 MB dense layer read at batch 1 went through 2048 pages of 4 kB. On
/// the Intel Xeon of docs/performance.md ("One sample on two threads: where the time went") the
/// net took 2-3 % less time on one thread and on two.
class aligned_floats {
 public:
  aligned_floats() = default;
  explicit aligned_floats(std::size_t n)
      : data_(n ? static_cast<float*>(::operator new[](bytes(n), std::align_val_t{alignment(n)})) : nullptr), size_(n) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (alignment(n) == huge_page) ::madvise(data_, bytes(n), MADV_HUGEPAGE);  // advice: its failure changes nothing
#endif
    std::fill_n(data_, n, 0.f);
  }
  aligned_floats(aligned_floats&& o) noexcept : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}
  aligned_floats& operator=(aligned_floats&& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
    return *this;
  }
  aligned_floats(const aligned_floats&) = delete;
  aligned_floats& operator=(const aligned_floats&) = delete;
  ~aligned_floats() {
    if (data_) ::operator delete[](data_, std::align_val_t{alignment(size_)});
  }
  float* data() const { return data_; }
  std::size_t size() const { return size_; }
  /// The alignment of a block of n floats: 2 MB from 2 MB up, 64 bytes below.
  static constexpr std::size_t alignment(std::size_t n) { return n * sizeof(float) >= huge_page ? huge_page : 64; }

 private:
  static constexpr std::size_t huge_page = std::size_t{2} << 20;
  /// Bytes allocated for n floats: whole huge pages from 2 MB up.
  static constexpr std::size_t bytes(std::size_t n) {
    const std::size_t b = n * sizeof(float);
    return alignment(n) == huge_page ? (b + huge_page - 1) / huge_page * huge_page : b;
  }

  float* data_ = nullptr;
  std::size_t size_ = 0;
};

/// At most `limit` workspaces of `floats` floats each, handed out one call at
/// a time: a call takes one (acquire), uses it alone and gives it back. One
/// is allocated up front, so a single caller never allocates; more are
/// allocated when calls overlap, up to the limit; beyond it, acquire waits.
class workspace_pool {
 public:
  workspace_pool(std::size_t floats, std::size_t limit) : floats_(floats), limit_(std::max<std::size_t>(1, limit)) {
    blocks_.reserve(limit_);
    free_.reserve(limit_);
    blocks_.emplace_back(floats_);
    free_.push_back(blocks_.back().data());
  }

  /// A workspace for this caller alone; waits while all `limit` are in use.
  float* acquire() {
    std::unique_lock<std::mutex> g(mutex_);
    returned_.wait(g, [&] { return !free_.empty() || blocks_.size() < limit_; });
    return take();
  }
  /// A workspace if one is free or may still be allocated, else nullptr.
  float* try_acquire() {
    std::lock_guard<std::mutex> g(mutex_);
    return free_.empty() && blocks_.size() == limit_ ? nullptr : take();
  }
  void release(float* w) {
    {
      std::lock_guard<std::mutex> g(mutex_);
      free_.push_back(w);
    }
    returned_.notify_one();
  }

  std::size_t floats() const { return floats_; }
  std::size_t limit() const { return limit_; }
  /// Workspaces allocated so far.
  std::size_t allocated() const {
    std::lock_guard<std::mutex> g(mutex_);
    return blocks_.size();
  }

 private:
  float* take() {
    if (free_.empty()) {
      blocks_.emplace_back(floats_);  // may throw bad_alloc: nothing changed
      return blocks_.back().data();
    }
    float* w = free_.back();
    free_.pop_back();
    return w;
  }

  std::size_t floats_, limit_;
  mutable std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<aligned_floats> blocks_;  // capacity reserved: never reallocates, data() stays put
  std::vector<float*> free_;
};

/// Up to N workspaces held for one scope: one for sure (acquire), the others
/// only if free or allocatable at once (try_acquire), so that a caller never
/// waits while it holds some. Lives on the stack: no allocation of its own.
template <std::size_t N>
class workspace_leases {
 public:
  workspace_leases(workspace_pool& pool, std::size_t wanted) : pool_(&pool) {
    held_[count_++] = pool.acquire();
    while (count_ < std::min(wanted, N)) {
      float* w = pool.try_acquire();
      if (!w) break;
      held_[count_++] = w;
    }
  }
  workspace_leases(const workspace_leases&) = delete;
  workspace_leases& operator=(const workspace_leases&) = delete;
  /// Released last first: the pool hands out the last released first, so the next leases get the
  /// same workspaces in the same order, each where the same thread left it in cache. Released in
  /// order, a team's first two swapped every call, and each thread found its activations and
  /// scratch in the other core's cache: 3x3 64 -> 64 on 16x16, one sample on two AVX-512 threads,
  /// took 59-60 us, a team with workspaces of its own 49-50 (docs/performance.md, "One sample on
  /// two threads: where the time went, and the workspaces of a team").
  ~workspace_leases() {
    for (std::size_t i = count_; i-- > 0;) pool_->release(held_[i]);
  }
  std::size_t size() const { return count_; }
  float* operator[](std::size_t i) const { return held_[i]; }

 private:
  workspace_pool* pool_;
  float* held_[N] = {};
  std::size_t count_ = 0;
};

/// A workspace held for one scope.
class workspace_lease {
 public:
  workspace_lease(workspace_pool& pool, float* w) : pool_(&pool), w_(w) {}
  explicit workspace_lease(workspace_pool& pool) : workspace_lease(pool, pool.acquire()) {}
  workspace_lease(workspace_lease&& o) noexcept : pool_(o.pool_), w_(std::exchange(o.w_, nullptr)) {}
  workspace_lease(const workspace_lease&) = delete;
  workspace_lease& operator=(const workspace_lease&) = delete;
  workspace_lease& operator=(workspace_lease&&) = delete;
  ~workspace_lease() {
    if (w_) pool_->release(w_);
  }
  float* get() const { return w_; }

 private:
  workspace_pool* pool_;
  float* w_;
};

}  // namespace TYPENET_ISA_NAMESPACE
}  // namespace typenet::runtime
