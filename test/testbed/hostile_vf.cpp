// Runs in the testbed guest: a VF driver that misbehaves on purpose, and a polite one, for the
// hostile-VF scenario (sriovd_hostile_vf.sh); and a storm of events for sriovd_stalled_client.sh.
//
//   tb_hostile_vf attack VF TOKEN_FILE SEED RANDOM_COUNT
//     1. Before any reset handshake, asks for everything a VF may ask for (VLAN, multicast, frame
//        size, all multicast, MAC, MAC filters), then waits for a line on stdin (the scenario
//        looks at sriovd meanwhile); 2. the same after a handshake and a VF reset (VTCTRL.RST)
//        without VF_RESET; 3. resets through the mailbox and asks for what an untrusted VF may not
//        have (a new MAC, all multicast), and for 12 VLANs (sriovd's max_vlans is 8); 4. sends RANDOM_COUNT random messages made from SEED
//        (well-formed requests with random contents, and random IDs, MSGINFO and words, 1 to 16
//        of them); 5. holds the mailbox lock for 2 s;
//        6. sends malformed messages (unknown IDs, a multicast list longer than the buffer);
//        7. floods requests without pausing; 8. 4 s later resets itself and asks again; 9. takes
//        the mailbox lock and takes it again whenever sriovd takes it back, until it is killed.
//     Prints what it sent and how each kind was answered, and "FORBIDDEN" for anything sriovd
//     granted that it must not have.
//   tb_hostile_vf polite VF TOKEN_FILE COUNT
//     Resets, then sends COUNT VLAN requests ten per second (within sriovd's rate); prints how
//     many were answered. Exits 1 unless every one was.
//   tb_hostile_vf storm VF TOKEN_FILE COUNT
//     Makes sriovd publish events as fast as a VF can: resets itself (VTCTRL.RST) COUNT times,
//     1 ms apart, and after every tenth asks for a new MAC without the reset handshake (refused).
//     Prints how many of each it did. For the stalled-client scenario (sriovd_stalled_client.sh).
#include "dev/register_io.hpp"
#include "mbx/protocol.hpp"
#include "mbx/reply.hpp"
#include "mbx/request.hpp"
#include "mbx/vf_mailbox.hpp"
#include "sriov/e82576_regs.hpp"
#include "sriov/error.hpp"
#include "sriov/mac_address.hpp"
#include "vf/open_vf.hpp"
#include "vfio/vf_token.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <thread>

using namespace sriov;
using namespace std::chrono_literals;

namespace {

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

// Lets the scenario look at sriovd before going on: prints the name, waits for a line on stdin.
void checkpoint(const char* name)
{
    fmt::print("checkpoint: {}\n", name);
    std::fflush(stdout);
    std::string line;
    std::getline(std::cin, line);
}

// Every request a VF may make once it has completed VF_RESET, sent by one that has not: each must
// be refused (a NACK without CTS), none granted.
Tally requests_before_reset(vf::VfControl& control)
{
    const MacAddress groups[] = {MacAddress::parse("01:00:5e:00:00:fb"), MacAddress::parse("33:33:00:00:00:01")};
    Tally t;
    t.run([&] { control.set_vlan(100, true); });
    t.run([&] { control.set_multicast(groups); });
    t.run([&] { control.set_max_frame(1522); });
    t.run([&] { control.set_promisc(true); });
    t.run([&] { control.set_promisc(false); });
    t.run([&] { control.set_mac(MacAddress::parse("02:de:ad:00:00:01")); });
    t.run([&] { control.clear_mac_filters(); });
    t.run([&] { control.add_mac_filter(MacAddress::parse("02:de:ad:00:00:02")); });
    return t;
}

void report_before_reset(const char* when, const Tally& t)
{
    fmt::print("{}: {}\n", when, t.text());
    if (t.acked != 0)
        fmt::print("FORBIDDEN: {} requests granted {}\n", t.acked, when);
}

using Buffer = std::array<std::uint32_t, mbx::E1000_VFMAILBOX_SIZE>;

// A random well-formed request: any of the six, with random contents.
Buffer random_request(std::mt19937& rng)
{
    const auto mac = [&] {
        std::array<std::uint8_t, 6> b{};
        for (auto& byte : b)
            byte = static_cast<std::uint8_t>(rng());
        b[0] &= 0xFE;  // unicast, mostly: a VF asking for a multicast one is tried by the raw words
        return MacAddress(b);
    };
    mbx::Request r;
    switch (rng() % 8) {
    case 0: r = mbx::VfReset{}; break;
    case 1: r = mbx::SetMac{mac()}; break;
    case 2: r = mbx::AddMacFilter{mac()}; break;
    case 3: r = mbx::ClearMacFilters{}; break;
    case 4: {
        std::array<std::uint16_t, mbx::max_mc_hashes> hashes{};
        const std::size_t n = rng() % (hashes.size() + 1);
        for (std::size_t i = 0; i < n; ++i)
            hashes[i] = static_cast<std::uint16_t>(rng() & mbx::mc_hash_max);
        r = mbx::SetMulticast(std::span(hashes.data(), n), rng() % 4 == 0);
        break;
    }
    case 5: r = mbx::SetVlan{static_cast<std::uint16_t>(rng() % 4096), rng() % 2 == 0}; break;
    case 6: r = mbx::SetLpe{static_cast<std::uint16_t>(1 + rng() % mbx::lpe_max)}; break;
    default: r = mbx::SetPromisc{rng() % 2 == 0, rng() % 2 == 0}; break;
    }
    Buffer w{};
    const mbx::Message m = mbx::encode(r);
    std::copy(m.words().begin(), m.words().end(), w.begin());
    return w;
}

// Random words: an ID that is one of the requests half of the time, any 16 bits otherwise; a MSGINFO
// that is small half of the time, any byte otherwise; now and then the type and reserved bits; then
// 0 to 15 more random words.
Buffer random_words(std::mt19937& rng)
{
    static constexpr std::uint16_t ids[] = {mbx::E1000_VF_RESET,     mbx::E1000_VF_SET_MAC_ADDR,
                                            mbx::E1000_VF_SET_MULTICAST, mbx::E1000_VF_SET_VLAN,
                                            mbx::E1000_VF_SET_LPE,   mbx::E1000_VF_SET_PROMISC,
                                            mbx::E1000_PF_CONTROL_MSG, 0};
    Buffer w{};
    const std::uint32_t id = rng() % 2 ? ids[rng() % std::size(ids)] : rng() & mbx::msgid_mask;
    const std::uint32_t info = rng() % 2 ? rng() % 3 : rng() & 0xFF;
    const std::uint32_t type = rng() % 16 == 0 ? rng() & 0xFF000000 : 0;
    w[0] = type | info << mbx::E1000_VT_MSGINFO_SHIFT | id;
    const std::size_t length = 1 + rng() % mbx::E1000_VFMAILBOX_SIZE;
    for (std::size_t i = 1; i < length; ++i)
        w[i] = rng() % 2 ? rng() % 0x1000 : static_cast<std::uint32_t>(rng());
    return w;
}

// What sriovd must never grant this VF (untrusted, its MAC assigned by the administrator): a
// malformed message; anything but VF_RESET without CTS (not clear to send, or quarantined); another
// MAC; an extra MAC filter; any promiscuous mode.
const char* forbidden_grant(const mbx::Decoded<mbx::Request>& request, std::uint32_t answer,
                            const std::optional<MacAddress>& own_mac)
{
    if (!(answer & mbx::E1000_VT_MSGTYPE_ACK))
        return nullptr;
    if (!request)
        return "a malformed message";
    if (std::holds_alternative<mbx::VfReset>(request.value()))
        return nullptr;
    if (!(answer & mbx::E1000_VT_MSGTYPE_CTS))
        return "a request while not clear to send (or quarantined)";
    if (const auto* m = std::get_if<mbx::SetMac>(&request.value()); m && m->mac != own_mac)
        return "another MAC";
    if (std::holds_alternative<mbx::AddMacFilter>(request.value()))
        return "an extra MAC filter";
    if (const auto* p = std::get_if<mbx::SetPromisc>(&request.value()); p && (p->multicast || p->unicast))
        return "promiscuous mode";
    return nullptr;
}

// Sends count random messages, half of them well-formed requests and half random words (1 to 16 of
// them; the rest of the buffer zero, so that what sriovd reads is known), and reads the answers.
void random_phase(vf::VfControl& control, std::uint32_t seed, unsigned count, const std::optional<MacAddress>& mac)
{
    std::mt19937 rng(seed);
    unsigned malformed = 0, resets = 0, acked = 0, nacked = 0, not_read = 0, unanswered = 0, unrelated = 0;
    unsigned forbidden = 0;
    for (unsigned i = 0; i < count; ++i) {
        const Buffer words = rng() % 2 ? random_request(rng) : random_words(rng);
        const auto request = mbx::decode_request(words);
        if (!request)
            ++malformed;
        else if (std::holds_alternative<mbx::VfReset>(request.value()))
            ++resets;
        try {
            control.mailbox().send(mbx::Message(std::span<const std::uint32_t>(words)));
        } catch (const Error&) {
            ++not_read;  // no PFACK: dropped over the rate (or sriovd did not read it in time)
            continue;
        }
        std::optional<std::uint32_t> answer;
        try {
            for (int skip = 0; skip < 3 && !answer; ++skip) {
                const mbx::Message m = control.mailbox().receive();
                const auto decoded = mbx::decode_reply(m);
                if (!decoded || !std::holds_alternative<mbx::ControlMessage>(decoded.value()))
                    answer = m.at(0);
            }
        } catch (const Error&) {
        }
        if (!answer) {
            ++unanswered;  // read, not answered: what carries ACK or NACK already is ignored
            continue;
        }
        const std::uint32_t kept = mbx::E1000_VT_MSGINFO_MASK | mbx::msgid_mask;
        if ((*answer & kept) != (words[0] & kept)) {
            ++unrelated;  // a late answer to an earlier message, or a bare NACK
            continue;
        }
        if (*answer & mbx::E1000_VT_MSGTYPE_ACK)
            ++acked;
        else
            ++nacked;
        if (const char* what = forbidden_grant(request, *answer, mac)) {
            ++forbidden;
            fmt::print("FORBIDDEN: {} granted: words {:#010x}\n", what, fmt::join(words, " "));
        }
    }
    fmt::print("random: seed {}, sent {} ({} malformed, {} VF_RESET): ACK {}, NACK {}, not read {}, read but "
               "unanswered {}, unrelated answers {}, forbidden grants {}\n",
               seed, count, malformed, resets, acked, nacked, not_read, unanswered, unrelated, forbidden);
}

// Reads and acknowledges a message of the PF's still waiting, if any.
void drain(vf::VfControl& control)
{
    try {
        control.service_mailbox();
    } catch (const Error& e) {
        fmt::print("attacker: a waiting message of the PF could not be read: {}\n", e.what());
    }
}

// The mailbox lock taken and never given back: whenever sriovd takes it back by force (RVFU), it is
// taken again. Ends only when the process is killed.
[[noreturn]] void hold_lock_forever(vf::OpenVf& vf)
{
    const auto holds = [&] { return (vf.regs.read32(e82576::VFMAILBOX.offset) & e82576::vfmailbox::VFU) != 0; };
    vf.regs.write32(e82576::VFMAILBOX.offset, e82576::vfmailbox::VFU);
    bool held = holds();
    fmt::print("lock: held forever ({})\n", held ? "taken" : "not granted yet");
    std::fflush(stdout);
    for (unsigned taken_back = 0;; std::this_thread::sleep_for(1ms)) {
        if (holds())
            continue;
        if (held) {
            fmt::print("lock: taken back by the PF ({} times), taken again\n", ++taken_back);
            std::fflush(stdout);
        }
        vf.regs.write32(e82576::VFMAILBOX.offset, e82576::vfmailbox::VFU);  // granted unless the PF holds it
        held = holds();
    }
}

int attack(const pci::Address& address, const vfio::VfToken& token, std::uint32_t seed, unsigned random_count)
{
    // Short waits: an attacker does not wait for answers that do not come.
    vf::OpenVf vf(address, {.vf_token = token, .name = "attacker", .timing = mbx::Timing{200ms, 50us}});
    auto& control = vf.control;
    report_before_reset("before its first reset", requests_before_reset(control));
    checkpoint("before its first reset");

    control.reset(20s);
    vf.regs.write32(e82576::VTCTRL.offset, e82576::vtctrl::RST);  // a VF reset, and no VF_RESET after it
    report_before_reset("after a VF reset without VF_RESET", requests_before_reset(control));
    checkpoint("after a VF reset without VF_RESET");

    const auto mac = control.reset(20s);
    fmt::print("attacker: reset, MAC {}\n", mac ? mac->to_string() : "none");

    Tally forbidden;
    for (int i = 0; i < 3; ++i)
        forbidden.run([&] { control.set_mac(MacAddress::parse(fmt::format("02:de:ad:be:ef:{:02x}", i))); });
    forbidden.run([&] { control.set_promisc(true); });
    fmt::print("forbidden requests: {}\n", forbidden.text());
    if (forbidden.acked != 0)
        fmt::print("FORBIDDEN: {} forbidden requests granted\n", forbidden.acked);
    Tally vlans;
    for (std::uint16_t vid = 1; vid <= 12; ++vid)
        vlans.run([&] { control.set_vlan(vid, true); });
    fmt::print("vlans beyond max_vlans: {}\n", vlans.text());
    if (vlans.acked > 8)
        fmt::print("FORBIDDEN: {} VLANs joined, more than max_vlans 8\n", vlans.acked);

    random_phase(control, seed, random_count, mac);

    // The lock: VFU set and kept while sriovd may want to write to us (a message of sriovd's still
    // unread is read first, so that it does not wait for our acknowledgement instead).
    drain(control);
    vf.regs.write32(e82576::VFMAILBOX.offset, e82576::vfmailbox::VFU);
    fmt::print("lock: held for 2 s\n");
    std::fflush(stdout);
    std::this_thread::sleep_for(2s);
    const bool kept = (vf.regs.read32(e82576::VFMAILBOX.offset) & e82576::vfmailbox::VFU) != 0;
    fmt::print("lock: after 2 s, taken back by the PF: {}\n", kept ? "no" : "yes");
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

    drain(control);
    hold_lock_forever(vf);
}

int polite(const pci::Address& address, const vfio::VfToken& token, unsigned count)
{
    vf::OpenVf vf(address, {.vf_token = token, .name = "polite VF", .timing = mbx::Timing{2000ms, 50us}});
    auto& control = vf.control;
    control.reset(20s);
    Tally t;
    for (unsigned i = 0; i < count; ++i) {
        t.run([&] { control.set_vlan(300, i % 2 == 0); });
        std::this_thread::sleep_for(100ms);  // 10 per second: within the rate sriovd allows
    }
    fmt::print("polite VF: {} requests, {} answered\n", count, t.acked + t.refused);
    return t.acked == count ? 0 : 1;
}

int storm(const pci::Address& address, const vfio::VfToken& token, unsigned count)
{
    vf::OpenVf vf(address, {.vf_token = token, .name = "storm", .timing = mbx::Timing{20ms, 50us}});
    auto& control = vf.control;
    Tally refused;
    for (unsigned i = 1; i <= count; ++i) {
        vf.regs.write32(e82576::VTCTRL.offset, e82576::vtctrl::RST);
        std::this_thread::sleep_for(1ms);  // sriovd sees each reset apart (VFLRE holds one per VF)
        if (i % 10 == 0)
            refused.run([&] { control.set_mac(MacAddress::parse("02:de:ad:be:ef:00")); });
    }
    fmt::print("storm: {} resets; requests {}\n", count, refused.text());
    return refused.acked == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv)
{
    try {
        const std::string mode = argc > 1 ? argv[1] : "";
        if ((mode == "attack" && argc == 6) || ((mode == "polite" || mode == "storm") && argc == 5)) {
            const auto address = pci::Address::parse(argv[2]);
            const auto token = read_token(argv[3]);
            if (mode == "polite")
                return polite(address, token, static_cast<unsigned>(std::stoul(argv[4])));
            if (mode == "storm")
                return storm(address, token, static_cast<unsigned>(std::stoul(argv[4])));
            return attack(address, token, static_cast<std::uint32_t>(std::stoul(argv[4])),
                          static_cast<unsigned>(std::stoul(argv[5])));
        }
        fmt::print(stderr, "usage: tb_hostile_vf attack VF TOKEN_FILE SEED RANDOM_COUNT | polite VF TOKEN_FILE COUNT | "
                   "storm VF TOKEN_FILE COUNT\n");
        return 2;
    } catch (const std::exception& e) {
        fmt::print(stderr, "tb_hostile_vf: {}\n", e.what());
        return 1;
    }
}
