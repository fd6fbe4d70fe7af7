// FrameHistory: recognizing, after a switch of paths, the copies of frames the old path delivered.
#include "vf/frame_history.hpp"

#include <catch2/catch_test_macros.hpp>

#include <array>
#include <cstring>
#include <deque>

using sriov::vf::FrameHistory;
using sriov::vf::PacketBuffer;

namespace {

// A numbered 60-byte frame, as a switch would see it on either path. Its buffer points into it,
// so it never moves.
struct Frame {
    std::array<std::uint8_t, 60> bytes{};
    PacketBuffer buffer;
    explicit Frame(std::uint32_t n)
    {
        std::memcpy(bytes.data() + 14, &n, sizeof n);
        buffer.data = bytes.data();
        buffer.capacity = buffer.length = bytes.size();
    }
    Frame(const Frame&) = delete;
    Frame& operator=(const Frame&) = delete;
};

}  // namespace

TEST_CASE("frames recorded on the old path are copies on the new one until the first new frame")
{
    FrameHistory h(16);
    std::deque<Frame> frames;  // grows without moving its elements
    for (std::uint32_t i = 0; i < 6; ++i)
        frames.emplace_back(i);
    for (std::uint32_t i = 0; i < 4; ++i)
        h.record(frames[i].buffer);
    h.open_window();
    REQUIRE(h.window_open());
    // The new path lags: it delivers 2 and 3 (copies), then 4 (new).
    CHECK(h.is_copy(frames[2].buffer));
    CHECK(h.is_copy(frames[3].buffer));
    CHECK_FALSE(h.is_copy(frames[4].buffer));
    CHECK_FALSE(h.window_open());
    // Once a frame was new, everything after it is: a frame equal to a recorded one passes.
    CHECK_FALSE(h.is_copy(frames[0].buffer));
}

TEST_CASE("a recorded frame stands for one copy only")
{
    FrameHistory h(4);
    Frame a(7);
    h.record(a.buffer);
    h.open_window();
    CHECK(h.is_copy(a.buffer));
    CHECK_FALSE(h.is_copy(a.buffer));  // a second identical frame is new
}

TEST_CASE("a frame differing in its length or one byte is not a copy")
{
    FrameHistory h(4);
    Frame a(1);
    h.record(a.buffer);
    h.open_window();
    Frame shorter(1);
    shorter.buffer.length = 59;
    CHECK_FALSE(h.is_copy(shorter.buffer));
    h.open_window();
    Frame other(2);
    CHECK_FALSE(h.is_copy(other.buffer));
}

TEST_CASE("with nothing recorded the window does not open; clear() forgets")
{
    FrameHistory h(4);
    h.open_window();
    CHECK_FALSE(h.window_open());
    Frame a(3);
    h.record(a.buffer);
    h.clear();
    h.open_window();
    CHECK_FALSE(h.window_open());
    CHECK_FALSE(h.is_copy(a.buffer));
}

TEST_CASE("a full history forgets its oldest frames first")
{
    FrameHistory h(2);
    Frame a(1), b(2), c(3);
    h.record(a.buffer);
    h.record(b.buffer);
    h.record(c.buffer);
    CHECK(h.size() == 2);
    h.open_window();
    CHECK(h.is_copy(b.buffer));
    CHECK(h.is_copy(c.buffer));
    CHECK_FALSE(h.is_copy(a.buffer));
}

TEST_CASE("last() is the newest frame recorded; contains() looks without taking")
{
    FrameHistory h(2);
    Frame a(1), b(2), c(3);
    CHECK(h.last() == 0);
    h.record(a.buffer);
    CHECK(h.last() == FrameHistory::hash_of(a.buffer));
    h.record(b.buffer);
    h.record(c.buffer);
    CHECK(h.last() == FrameHistory::hash_of(c.buffer));
    CHECK(h.contains(b.buffer));
    CHECK(h.contains(b.buffer));  // still there: contains() does not match it off
    CHECK_FALSE(h.contains(a.buffer));
}
