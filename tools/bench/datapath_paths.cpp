#include "datapath_paths.hpp"

#include "datapath_bench.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace bench {

using sriov::vf::DataPath;
using sriov::vf::PacketBuffer;

Delivered forward_varied_frames(DataPath path)
{
    DatapathRig rig(path);
    Delivered d;
    std::vector<std::uint8_t> frame;
    std::uint32_t number = 0;
    for (std::uint32_t round = 0; round < 400; ++round) {
        const std::uint32_t burst = round % max_burst + 1;
        for (std::uint32_t i = 0; i < burst; ++i, ++number) {
            frame.assign(60 + (number * 29) % 1454, 0);
            for (std::size_t k = 0; k < frame.size(); ++k)
                frame[k] = static_cast<std::uint8_t>(number + k);
            rig.device_rx_frame(frame);
        }
        PacketBuffer* bufs[max_burst];
        const std::uint32_t n = rig.rx().burst(bufs, burst);
        for (std::uint32_t i = 0; i < n; ++i)
            d.frames.emplace_back(bufs[i]->data, bufs[i]->data + bufs[i]->length);
        const std::uint32_t sent = rig.tx().burst(bufs, n);
        for (std::uint32_t i = sent; i < n; ++i)
            rig.pool().free(bufs[i]);
        d.completed += rig.device_tx();
    }
    d.rx = rig.rx().stats();
    d.tx = rig.tx().stats();
    return d;
}

bool data_paths_agree()
{
    const Delivered scalar = forward_varied_frames(DataPath::scalar);
    bool ok = true;
    for (DataPath path : data_paths) {
        if (path == DataPath::scalar || !sriov::vf::data_path_supported(path))
            continue;
        const Delivered other = forward_varied_frames(path);
        auto differ = [&](const char* what) {
            fmt::print(stderr, "bench-datapath: frames not delivered alike: the {} path's {} differ from the scalar path's\n",
                       sriov::vf::data_path_name(path), what);
            ok = false;
        };
        if (other.frames != scalar.frames)
            differ("received frames");
        if (other.completed != scalar.completed || other.completed != scalar.frames.size())
            differ("frames sent and completed");
        if (other.rx.packets != scalar.rx.packets || other.rx.bytes != scalar.rx.bytes
            || other.rx.errors != scalar.rx.errors || other.rx.no_buffer != scalar.rx.no_buffer)
            differ("RX counters");
        if (other.tx.packets != scalar.tx.packets || other.tx.bytes != scalar.tx.bytes
            || other.tx.ring_full != scalar.tx.ring_full)
            differ("TX counters");
    }
    if (scalar.frames.empty()) {
        fmt::print(stderr, "bench-datapath: frames not delivered: the scalar path received none\n");
        ok = false;
    }
    return ok;
}

}  // namespace bench
