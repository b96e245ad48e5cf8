#pragma once
// Fusion buckets (Horovod's tensor fusion): the flat gradient buffer cut at entry boundaries
// into buckets of at least a threshold, so that a few large allreduces replace one per
// parameter (each costs a latency) while a bucket can still start as soon as its own entries
// are final, before the backward pass has finished the rest. Buckets are laid from the END
// of the buffer, where backward finishes first (parameters are registered input to output).
#include <cstddef>
#include <span>
#include <vector>

namespace calo::dist {

struct Bucket {
  std::size_t offset = 0;       ///< [floats] into the buffer
  std::size_t size = 0;         ///< [floats]
  std::size_t first_entry = 0;  ///< entries [first_entry, end_entry) lie in it
  std::size_t end_entry = 0;
};

/// Entries e = [offsets[e], offsets[e] + sizes[e]) back to back from 0, in order. Buckets
/// from the last entry down: each takes whole entries until it holds >= threshold_bytes
/// (0: one bucket per entry); the first entries may form a smaller last bucket. Returned in
/// that order (the buffer's end first); together they cover every entry exactly once.
std::vector<Bucket> fusion_buckets(std::span<const std::size_t> offsets, std::span<const std::size_t> sizes,
                                   std::size_t threshold_bytes);

}  // namespace calo::dist
