// The plain Vf's data-path members as src/vf/libvf.cpp defines them (see datapath_vf.hpp).
// noinline: an application reaches libvf's through a call into the library, so must the steps.
#include "datapath_vf.hpp"

namespace bench {

using sriov::vf::PacketBuffer;

[[gnu::noinline]] std::uint32_t PlainVf::rx_burst(PacketBuffer** bufs, std::uint32_t n) { return rx_->burst(bufs, n); }
[[gnu::noinline]] std::uint32_t PlainVf::tx_burst(PacketBuffer** bufs, std::uint32_t n) { return tx_->burst(bufs, n); }
[[gnu::noinline]] PacketBuffer* PlainVf::alloc_buffer() { return pool_->alloc(); }
[[gnu::noinline]] void PlainVf::free_buffer(PacketBuffer* b) { pool_->free(b); }

}  // namespace bench
