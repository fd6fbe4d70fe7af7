// The interrupt-driven mailbox service end to end on the register model: libvf's VF side talks to
// it through the modelled mailbox, and the model's interrupt messages to the PF's vector 0 signal
// the eventfd the service waits on, as VFIO does. Nothing polls on the PF side.
#include "pf/mailbox_service.hpp"

#include "pf/e82576_pf.hpp"
#include "pf/vf_supervisor.hpp"

#include "admin.hpp"
#include "model/e82576_model.hpp"
#include "sriov/e82576_regs.hpp"
#include "sriov/error.hpp"
#include "vf/vf_control.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <catch2/catch_test_macros.hpp>

#include <future>
#include <thread>

using namespace sriov;
using namespace sriov::pf;
using namespace sriov::e82576;
using namespace std::chrono_literals;

namespace {

const MacAddress vf0_mac = MacAddress::parse("02:11:22:33:44:55");

// A PF served on an io_context running in a thread of its own, as sriovd runs it.
class ServedPf {
public:
    explicit ServedPf(PolicingLimits limits = {}) : policer_(2, limits)
    {
        E82576Pf::Delays fast;
        fast.quiesce = fast.after_reset = 0us;
        chip_ = std::make_unique<E82576Pf>(m.pf(), "model", fast);
        chip_->bring_up(2);
        m.set_num_vfs(2);
        policy_.set_admin(0, test::Admin().mac(vf0_mac));
        supervisor_ = std::make_unique<VfSupervisor>(*chip_, policy_);
        supervisor_->restore_all(VfSupervisor::Clock::now());
        m.set_interrupt_hook([this](const model::Interrupt& i) {
            if (i.to_pf && i.vector == 0)
                vector0_.signal();
        });
        service_ = std::make_unique<MailboxService>(io_, *chip_, mailbox_, *supervisor_, policer_, vector0_);
        service_->on_event([this](const PfEvent& e) { events.push_back(e); });
        service_->start();
        loop_ = std::thread([this] { io_.run(); });
    }
    ~ServedPf() { stop(); }

    // Stops the loop; afterwards the service and supervisor may be inspected from the test thread.
    void stop()
    {
        if (!loop_.joinable())
            return;
        boost::asio::post(io_, [this] {
            service_->stop();
            guard_.reset();
        });
        loop_.join();
        m.set_interrupt_hook({});
    }
    void vfs_created()
    {
        boost::asio::post(io_, [this] { service_->vfs_created(); });
    }
    const MailboxStats& stats() const { return service_->stats(); }
    const VfSupervisor& vfs() const { return *supervisor_; }
    const RequestPolicer& policer() const { return policer_; }
    // Runs f in the loop's thread and waits for it.
    template <typename F>
    void in_loop(F f)
    {
        std::promise<void> done;
        boost::asio::post(io_, [&] {
            f(*supervisor_, *service_);
            done.set_value();
        });
        done.get_future().wait();
    }

    model::E82576Model m;
    std::vector<PfEvent> events;  // touched by the loop only until stop()

private:
    VfPolicy policy_{2};
    RequestPolicer policer_;
    std::unique_ptr<E82576Pf> chip_;
    mbx::PfMailbox mailbox_{m.pf(), mbx::Timing{10ms, 20us}};
    std::unique_ptr<VfSupervisor> supervisor_;
    vfio::EventFd vector0_;
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_{io_.get_executor()};
    std::unique_ptr<MailboxService> service_;
    std::thread loop_;
};

}  // namespace

TEST_CASE("libvf's reset handshake and requests, answered by the interrupt-driven service")
{
    ServedPf pf;
    vf::VfControl vf0(pf.m.vf(0), "VF 0");
    CHECK(vf0.reset(1000ms) == vf0_mac);
    vf0.set_vlan(100, true);
    vf0.set_max_frame(1522);
    CHECK_THROWS_AS(vf0.set_mac(MacAddress::parse("02:aa:bb:cc:dd:ee")), Error);  // untrusted
    CHECK(vf0.clear_to_send());

    vf::VfControl vf1(pf.m.vf(1), "VF 1");
    CHECK(vf1.reset(1000ms) == std::nullopt);  // no MAC assigned

    // The control message, sent once the VFs exist, carries CTS once the VF is reset.
    pf.vfs_created();
    const mbx::Message ping = vf0.mailbox().receive();
    CHECK(ping.at(0) == 0x20000100);

    pf.stop();
    CHECK(pf.m.peek(RAH(23)) == 0x80045544);
    CHECK(pf.m.peek(VFRE.offset) == 0x7);  // VF 0, VF 1 and the PF's pool 2
    CHECK(pf.m.peek(VLVF.at(1)) == 0x80001064);
    CHECK(pf.vfs().state(0).clear_to_send);
    CHECK(pf.vfs().state(0).max_frame == 1522);
    const MailboxStats& s = pf.stats();
    CHECK(s.wakeups > 0);
    CHECK(s.vf_resets == 2);
    CHECK(s.requests == 5);  // VF_RESET, SET_VLAN, SET_LPE, SET_MAC_ADDR; VF_RESET
    CHECK(s.nacks == 2);     // the MAC change, and VF 1's reset without a MAC
    CHECK(s.errors == 0);
}

TEST_CASE("a request before VF_RESET gets NACK without CTS through the mailbox")
{
    ServedPf pf;
    // Without a reset the VF has no CTS; it asks anyway.
    mbx::VfMailbox mailbox(pf.m.vf(0), "VF 0");
    while (mailbox.check_for_reset()) {
    }
    const mbx::Message reply = mailbox.request(mbx::Message{0x00010004, 100});
    CHECK(reply.at(0) == 0x40010004);
}

TEST_CASE("a VF sending malformed requests is quarantined: its queues stop, even after it resets")
{
    PolicingLimits limits;
    limits.max_malformed = 3;
    ServedPf pf(limits);
    vf::VfControl vf0(pf.m.vf(0), "VF 0");
    REQUIRE(vf0.reset(1000ms) == vf0_mac);
    REQUIRE((pf.m.peek(VFRE.offset) & 1) == 1);
    vf::VfControl vf1(pf.m.vf(1), "VF 1");
    vf1.reset(1000ms);
    pf.vfs_created();
    (void)vf0.mailbox().receive();  // the control messages, with CTS
    (void)vf1.mailbox().receive();

    // Message ID 0x7f is no request: each gets a NACK; the fourth is past the limit of 3.
    for (int i = 0; i < 4; ++i) {
        INFO("request " << i);
        CHECK(vf0.mailbox().request(mbx::Message{0x7f}).at(0) == (0x7fu | 0x40000000u | 0x20000000u));
    }
    // Told without CTS (its driver's link goes down); RX and TX off for VF 0, not for VF 1.
    CHECK(vf0.mailbox().receive().at(0) == 0x00000100);
    CHECK((pf.m.peek(VFRE.offset) & 0x3) == 0x2);
    CHECK((pf.m.peek(VFTE.offset) & 0x3) == 0x2);

    // It resets and asks again: VF_RESET is answered, but the queues stay stopped and every other
    // request is refused.
    CHECK(vf0.reset(1000ms) == vf0_mac);
    CHECK((pf.m.peek(VFRE.offset) & 0x1) == 0);
    CHECK_THROWS_AS(vf0.set_vlan(100, true), Error);
    // VF 1 is served as before.
    vf1.set_vlan(100, true);

    pf.in_loop([](VfSupervisor& vfs, MailboxService& service) {
        REQUIRE(vfs.release(0, VfSupervisor::Clock::now()));
        service.send_control_message(0);
    });
    // Released: told to reset (a control message without CTS), and once it has, it runs again.
    CHECK(vf0.mailbox().receive().at(0) == 0x00000100);
    CHECK(vf0.reset(1000ms) == vf0_mac);
    CHECK((pf.m.peek(VFRE.offset) & 0x1) == 1);
    vf0.set_vlan(100, true);

    pf.stop();
    CHECK(pf.stats().quarantines == 1);
    CHECK(pf.policer().counters(0).malformed == 4);
    CHECK(pf.policer().counters(0).quarantines == 1);
    CHECK(pf.policer().counters(1).malformed == 0);
    const auto quarantines = std::count_if(pf.events.begin(), pf.events.end(),
                                           [](const PfEvent& e) { return e.kind == "quarantine" && e.vf == 0u; });
    CHECK(quarantines == 1);
}

TEST_CASE("requests over a VF's rate are dropped unanswered, and a flood quarantines it")
{
    PolicingLimits limits;
    limits.requests_per_s = 0.001;  // no refill within the test
    limits.burst = 3;
    limits.max_dropped = 2;
    ServedPf pf(limits);
    vf::VfControl vf0(pf.m.vf(0), "VF 0", mbx::Timing{50ms, 100us});
    REQUIRE(vf0.reset(1000ms) == vf0_mac);  // 1 of the 3
    vf0.set_vlan(100, true);                // 2
    vf0.set_vlan(101, true);                // 3
    CHECK_THROWS_AS(vf0.set_vlan(102, true), Error);  // dropped: no answer, a timeout
    CHECK((pf.m.peek(VFRE.offset) & 1) == 1);         // dropped 1 of at most 2
    CHECK_THROWS_AS(vf0.set_vlan(102, true), Error);
    CHECK_THROWS_AS(vf0.set_vlan(102, true), Error);  // the third drop passes the limit
    pf.stop();
    CHECK((pf.m.peek(VFRE.offset) & 1) == 0);
    CHECK(pf.stats().dropped == 3);
    CHECK(pf.policer().counters(0).dropped == 3);
    CHECK(pf.vfs().state(0).quarantined);
}

TEST_CASE("a VF that holds its mailbox lock does not stop the PF: the lock is taken back and the message delivered")
{
    ServedPf pf;
    vf::VfControl vf0(pf.m.vf(0), "VF 0");
    REQUIRE(vf0.reset(1000ms) == vf0_mac);
    // VF 0 takes the buffer lock and keeps it, as a stuck or hostile driver would.
    pf.m.vf(0).write32(VFMAILBOX.offset, vfmailbox::VFU);
    REQUIRE((pf.m.peek(P2VMAILBOX.at(0)) & p2vmailbox::VFU) != 0);
    pf.vfs_created();  // the PF must send VF 0 its control message now
    CHECK(vf0.mailbox().receive().at(0) == 0x20000100);
    pf.stop();
    CHECK(pf.stats().lock_recoveries == 1);
    CHECK(pf.stats().errors == 0);
}

TEST_CASE("a VF that rings for a request but keeps the mailbox lock counts as malformed, and is quarantined")
{
    PolicingLimits limits;
    limits.max_malformed = 2;
    ServedPf pf(limits);
    vf::VfControl vf0(pf.m.vf(0), "VF 0");
    REQUIRE(vf0.reset(1000ms) == vf0_mac);
    for (int i = 0; i < 3; ++i) {
        // REQ with VFU: a request rung for while the VF keeps the buffer, so the PF cannot read it.
        pf.m.vf(0).write32(VFMAILBOX.offset, vfmailbox::REQ | vfmailbox::VFU);
        pf.in_loop([](VfSupervisor&, MailboxService& s) { s.ping_all(); });  // serves what is pending
    }
    pf.stop();
    CHECK(pf.stats().errors == 3);
    CHECK(pf.policer().counters(0).malformed == 3);
    CHECK(pf.vfs().state(0).quarantined);
    CHECK((pf.m.peek(VFRE.offset) & 1) == 0);
}
