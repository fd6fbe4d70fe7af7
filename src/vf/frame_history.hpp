// The frames one path of a failover port delivered around a switch, remembered by a hash of their
// bytes, so that the copies of them the other path delivers afterwards can be recognized and
// dropped (issue 14: "one copy of every frame").
//
// Why copies arise: on a shared segment both the VF and the standby receive every frame for the
// VF's MAC, and the two do not deliver in step (a kernel netdev lags the VF's ring by its
// interrupt and softirq). Around a switch the port watches both paths for a short settling time,
// records what the old path delivers, and on the new path drops frames found in the record until
// the first one that is not: both paths see the segment's frames in the same order, so once a
// frame is new, all that follow are.
//
// The cost: a frame identical in every byte to one of the recorded (the last `capacity`, from the
// settling time) is taken for a copy while the window is open. Nothing here runs while no switch
// is under way.
#pragma once

#include "sriov/vf/packet_buffer.hpp"

#include <cstdint>
#include <string_view>
#include <vector>

namespace sriov::vf {

class FrameHistory {
public:
    explicit FrameHistory(std::uint32_t capacity) : entries_(capacity) {}

    // Forgets everything and closes the window.
    void clear()
    {
        count_ = 0;
        next_ = 0;
        open_ = false;
    }
    // Remembers a frame the old path delivered (the oldest is forgotten when full).
    void record(const PacketBuffer& b)
    {
        entries_[next_] = hash_of(b);
        next_ = (next_ + 1) % entries_.size();
        if (count_ < entries_.size())
            ++count_;
    }
    // From now on, is_copy() compares the new path's frames with the record.
    void open_window() { open_ = count_ > 0; }
    void close_window() { open_ = false; }
    bool window_open() const { return open_; }

    // Whether a frame of the new path is a copy of a recorded one. The first frame that is not
    // closes the window: every later frame is new.
    bool is_copy(const PacketBuffer& b)
    {
        if (!open_)
            return false;
        const std::uint64_t h = hash_of(b);
        for (std::uint32_t i = 0; i < count_; ++i) {
            if (entries_[i] == h) {
                entries_[i] = 0;  // one copy per recorded frame
                return true;
            }
        }
        open_ = false;
        return false;
    }

    std::uint32_t size() const { return count_; }
    // The hash of the frame recorded last (the newest the old path delivered); 0 when none.
    std::uint64_t last() const { return count_ ? entries_[(next_ + entries_.size() - 1) % entries_.size()] : 0; }
    // Whether a frame like b was recorded (and not yet matched), window or not.
    bool contains(const PacketBuffer& b) const
    {
        const std::uint64_t h = hash_of(b);
        for (std::uint32_t i = 0; i < count_; ++i)
            if (entries_[i] == h)
                return true;
        return false;
    }

    static std::uint64_t hash_of(const PacketBuffer& b)
    {
        // FNV-1a over the bytes, with the length mixed in; never 0 (0 marks a used entry).
        std::uint64_t h = 14695981039346656037ull ^ b.length;
        for (std::uint32_t i = 0; i < b.length; ++i)
            h = (h ^ b.data[i]) * 1099511628211ull;
        return h | 1;
    }

private:
    std::vector<std::uint64_t> entries_;
    std::uint32_t count_ = 0;
    std::uint32_t next_ = 0;
    bool open_ = false;
};

}  // namespace sriov::vf
