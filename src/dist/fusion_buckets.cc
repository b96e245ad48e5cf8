#include "dist/fusion_buckets.hh"

#include "core/error.hh"

namespace calo::dist {

std::vector<Bucket> fusion_buckets(std::span<const std::size_t> offsets, std::span<const std::size_t> sizes,
                                   std::size_t threshold_bytes) {
  CALO_ASSERT(offsets.size() == sizes.size());
  std::vector<Bucket> out;
  std::size_t end = offsets.size();
  while (end > 0) {
    std::size_t begin = end, bytes = 0;
    do {
      --begin;
      bytes += sizes[begin] * sizeof(float);
    } while (begin > 0 && bytes < threshold_bytes);
    const std::size_t offset = offsets[begin];
    out.push_back({offset, offsets[end - 1] + sizes[end - 1] - offset, begin, end});
    end = begin;
  }
  return out;
}

}  // namespace calo::dist
