// Runs in the testbed guest: a VF driver that misbehaves on purpose, and a polite one, for the
// hostile-VF scenario (sriovd_hostile_vf.sh).
//
//   tb_hostile_vf attack VF TOKEN_FILE
//     Resets through the mailbox, then: asks for what an untrusted VF may not have (a new MAC,
//     all multicast), holds the mailbox lock for 2 s, sends malformed messages (unknown IDs, a
//     multicast list longer than the buffer), floods requests without pausing, and 4 s later
//     resets itself and asks again. Prints what it sent and how each kind was answered.
//   tb_hostile_vf polite VF TOKEN_FILE COUNT
//     Resets, then sends COUNT VLAN requests ten per second (within sriovd's rate); prints how
//     many were answered. Exits 1 unless every one was.
#include "dev/register_io.hpp"
#include "mbx/protocol.hpp"
#include "mbx/vf_mailbox.hpp"
#include "sriov/e82576_regs.hpp"
#include "sriov/error.hpp"
#include "sriov/mac_address.hpp"
#include "vf/vf_control.hpp"
#include "vfio/container.hpp"
#include "vfio/device.hpp"
#include "vfio/vf_token.hpp"

#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

using namespace sriov;
using namespace std::chrono_literals;

namespace {

struct OpenVf {
    std::shared_ptr<vfio::Container> container = vfio::Container::open();
    vfio::Device device;
    vfio::MappedRegion bar0;
    dev::MmioRegisters regs;

    OpenVf(const pci::Address& address, const vfio::VfToken& token)
        : device(vfio::Device::open(container, address, {token, pci::Sysfs()})),
          bar0(device.map(vfio::PciRegion::bar0)),
          regs(bar0)
    {
    }
};

vfio::VfToken read_token(const std::string& path)
{
    std::ifstream in(path);
    std::string text;
    in >> text;
    return vfio::VfToken::parse(text);
}

// How a batch of requests was answered.
struct Tally {
    unsigned sent = 0, acked = 0, refused = 0, unanswered = 0;

    template <class F>
    void run(F&& request)
    {
        ++sent;
        try {
            request();
            ++acked;
        } catch (const Error& e) {
            if (e.code() == Errc::permission)
                ++refused;
            else
                ++unanswered;
        }
    }
    std::string text() const
    {
        return fmt::format("sent {}, acked {}, refused {}, unanswered {}", sent, acked, refused, unanswered);
    }
};

// A raw message whose answer is read like any other; NACK counts as refused.
void raw_request(mbx::VfMailbox& mailbox, const mbx::Message& message)
{
    const mbx::Message reply = mailbox.request(message);
    if (reply.at(0) & mbx::E1000_VT_MSGTYPE_NACK)
        throw Error(Errc::permission, "VF", "NACK");
}

int attack(OpenVf& vf)
{
    // Short waits: an attacker does not wait for answers that do not come.
    vf::VfControl control(vf.regs, "attacker", mbx::Timing{200ms, 50us});
    const auto mac = control.reset(20s);
    fmt::print("attacker: reset, MAC {}\n", mac ? mac->to_string() : "none");

    Tally forbidden;
    for (int i = 0; i < 3; ++i)
        forbidden.run([&] { control.set_mac(MacAddress::parse(fmt::format("02:de:ad:be:ef:{:02x}", i))); });
    forbidden.run([&] { control.set_promisc(true); });
    fmt::print("forbidden requests: {}\n", forbidden.text());

    // The lock: VFU set and kept while sriovd may want to write to us.
    vf.regs.write32(e82576::VFMAILBOX.offset, e82576::vfmailbox::VFU);
    fmt::print("lock: held for 2 s\n");
    std::fflush(stdout);
    std::this_thread::sleep_for(2s);
    vf.regs.write32(e82576::VFMAILBOX.offset, 0);

    Tally malformed;
    for (int i = 0; i < 10; ++i)
        malformed.run([&] { raw_request(control.mailbox(), mbx::Message{0x7f}); });  // no such ID
    for (int i = 0; i < 10; ++i)  // 31 hashes announced: more than 15 words can hold
        malformed.run([&] { raw_request(control.mailbox(), mbx::Message{0x001f0003}); });
    fmt::print("malformed requests: {}\n", malformed.text());

    Tally flood;
    for (int i = 0; i < 300; ++i)
        flood.run([&] { control.set_vlan(static_cast<std::uint16_t>(1 + i % 100), true); });
    fmt::print("flood: {}\n", flood.text());

    // Reset and ask again, as a driver's watchdog would a few seconds later (by then sriovd's
    // rate limit has let it send again: what it gets is the quarantine's answer, not a drop).
    std::this_thread::sleep_for(4s);
    control.mailbox().timing() = mbx::Timing{2000ms, 50us};
    const auto again = control.reset(20s);
    Tally after;
    after.run([&] { control.set_vlan(200, true); });
    fmt::print("after its own reset: MAC {}, {}\n", again ? again->to_string() : "none", after.text());
    return 0;
}

int polite(OpenVf& vf, unsigned count)
{
    vf::VfControl control(vf.regs, "polite VF", mbx::Timing{2000ms, 50us});
    control.reset(20s);
    Tally t;
    for (unsigned i = 0; i < count; ++i) {
        t.run([&] { control.set_vlan(300, i % 2 == 0); });
        std::this_thread::sleep_for(100ms);  // 10 per second: within the rate sriovd allows
    }
    fmt::print("polite VF: {} requests, {} answered\n", count, t.acked + t.refused);
    return t.acked == count ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv)
{
    try {
        const std::string mode = argc > 1 ? argv[1] : "";
        if ((mode == "attack" && argc == 4) || (mode == "polite" && argc == 5)) {
            OpenVf vf(pci::Address::parse(argv[2]), read_token(argv[3]));
            return mode == "attack" ? attack(vf) : polite(vf, static_cast<unsigned>(std::stoul(argv[4])));
        }
        fmt::print(stderr, "usage: tb_hostile_vf attack VF TOKEN_FILE | polite VF TOKEN_FILE COUNT\n");
        return 2;
    } catch (const std::exception& e) {
        fmt::print(stderr, "tb_hostile_vf: {}\n", e.what());
        return 1;
    }
}
